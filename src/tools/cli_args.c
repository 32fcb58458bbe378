/*
 * cli_args.c — the `runnel` argument parser (see cli_args.h).
 *
 * One pass over argv. Every error is one line that names the flag or argument, so
 * the caller can print it and exit 2 without adding anything but the command name.
 */
#include "tools/cli_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

void rn_cli_kvs_free(rn_cli_kvs_t *kvs) {
    for (int32_t i = 0; i < kvs->n; i++) {
        rn_free(kvs->v[i].key);
        rn_free(kvs->v[i].value);
    }
    RN_FREE(&kvs->v);
    kvs->n = 0;
}

int rn_cli_parse_int(const char *flag, const char *s, int64_t min, int64_t max, int64_t *out,
                     char *err, size_t errlen) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || (*s != '-' && *s != '+' && (*s < '0' || *s > '9'))) {
        snprintf(err, errlen, "%s: '%s' is not an integer", flag, s);
        return RN_ECONFIG;
    }
    if (errno == ERANGE || v < min || v > max) {
        snprintf(err, errlen, "%s: %s is out of range (%lld..%lld)", flag, s, (long long)min,
                 (long long)max);
        return RN_ECONFIG;
    }
    *out = (int64_t)v;
    return 0;
}

int rn_cli_is_choice(const char *s, const char *choices) {
    size_t n = strlen(s);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return 1;
        p += len + (bar ? 1 : 0);
    }
    return 0;
}

static int check_server(const char *s, size_t len, char *err, size_t errlen) {
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':')
            colon = s + i;
    int port = 0;
    int ok = colon && colon > s && colon + 1 < s + len && (size_t)(s + len - colon - 1) <= 5;
    for (const char *p = colon ? colon + 1 : s + len; ok && p < s + len; p++) {
        ok = *p >= '0' && *p <= '9';
        port = port * 10 + (*p - '0');
    }
    if (!ok || port < 1 || port > 65535) {
        snprintf(err, errlen, "bad broker address '%.*s' (expected HOST:PORT, port 1..65535)",
                 (int)len, s);
        return RN_ECONFIG;
    }
    return 0;
}

int rn_cli_check_servers(const char *servers, char *err, size_t errlen) {
    const char *p = servers;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int rc = check_server(p, len, err, errlen);
        if (rc < 0)
            return rc;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static const rn_cli_opt_t *find_opt(const rn_cli_opt_t *opts, const char *name, size_t len) {
    for (const rn_cli_opt_t *o = opts; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static void kvs_push(rn_cli_kvs_t *kvs, char *key, char *value) {
    kvs->v = rn_realloc(kvs->v, (size_t)(kvs->n + 1) * sizeof(*kvs->v));
    kvs->v[kvs->n].key = key;
    kvs->v[kvs->n].value = value;
    kvs->n++;
}

static int store_kv(const rn_cli_opt_t *o, const char *val, char *err, size_t errlen) {
    const char *eq = strchr(val, '=');
    if (!eq || eq == val) {
        snprintf(err, errlen, "%s: expected KEY=VALUE, got '%s'", o->name, val);
        return RN_ECONFIG;
    }
    kvs_push(o->out, rn_strndup(val, (size_t)(eq - val)), rn_strdup(eq + 1));
    return 0;
}

/* Store val (never NULL: flags with values only) into o's variable. */
static int store_value(const rn_cli_opt_t *o, const char *val, char *err, size_t errlen) {
    switch (o->kind) {
    case RN_CLI_STR:
        *(const char **)o->out = val;
        return 0;
    case RN_CLI_INT:
        return rn_cli_parse_int(o->name, val, o->min, o->max, o->out, err, errlen);
    case RN_CLI_CHOICE:
        if (!rn_cli_is_choice(val, o->choices)) {
            snprintf(err, errlen, "%s: '%s' is not one of %s", o->name, val, o->choices);
            return RN_ECONFIG;
        }
        *(const char **)o->out = val;
        return 0;
    case RN_CLI_KV:
        return store_kv(o, val, err, errlen);
    case RN_CLI_LIST:
        kvs_push(o->out, rn_strdup(val), NULL);
        return 0;
    case RN_CLI_BOOL:
        break;
    }
    snprintf(err, errlen, "%s takes no value", o->name);
    return RN_ECONFIG;
}

/* One flag at argv[*i]; advances *i past a separate value. */
static int parse_flag(int argc, char **argv, int *i, const rn_cli_opt_t *opts, char *err,
                      size_t errlen) {
    const char *arg = argv[*i];
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t namelen = eq ? (size_t)(eq - arg) : strlen(arg);
    const rn_cli_opt_t *o = find_opt(opts, arg, namelen);
    if (!o) {
        snprintf(err, errlen, "unknown option '%.*s'", (int)namelen, arg);
        return RN_ECONFIG;
    }
    if (o->kind == RN_CLI_BOOL) {
        if (eq) {
            snprintf(err, errlen, "%s takes no value", o->name);
            return RN_ECONFIG;
        }
        *(int *)o->out = 1;
        return 0;
    }
    if (eq)
        return store_value(o, eq + 1, err, errlen);
    if (*i + 1 >= argc) {
        snprintf(err, errlen, "%s needs a value", o->name);
        return RN_ECONFIG;
    }
    *i += 1;
    return store_value(o, argv[*i], err, errlen);
}

int rn_cli_parse(int argc, char **argv, const rn_cli_opt_t *opts, const char **pos, int maxpos,
                 int *npos, char *err, size_t errlen) {
    int flags_done = 0;
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int is_flag = !flags_done && arg[0] == '-' && arg[1] != '\0';
        if (is_flag && strcmp(arg, "--") == 0) {
            flags_done = 1;
            continue;
        }
        if (is_flag && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0))
            return RN_CLI_HELP;
        if (is_flag) {
            int rc = parse_flag(argc, argv, &i, opts, err, errlen);
            if (rc < 0)
                return rc;
            continue;
        }
        if (*npos >= maxpos) {
            snprintf(err, errlen, "unexpected argument '%s'", arg);
            return RN_ECONFIG;
        }
        pos[(*npos)++] = arg;
    }
    return 0;
}
