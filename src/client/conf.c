/*
 * conf.c — rn_conf_t: the client configuration keys (runnel.h), parsed and validated
 * as they are set.
 *
 * One table lists every key with its kind, the field it fills and its range, so the
 * defaults, the parser and the error messages cannot drift apart. Errors name the key
 * and the value: `linger.ms: "abc" is not an integer`.
 */
#include "client/conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/assignor.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "proto/batch.h"

typedef enum {
    K_INT,
    K_BOOL,
    K_STR,
    K_ACKS,
    K_CODEC,
    K_PART,
    K_SERVERS,
    K_RESET,
    K_ASSIGNORS
} kind_t;

typedef struct key_s {
    const char *name;
    kind_t kind;
    size_t off; /* of the field in struct rn_conf_s */
    int64_t min, max;
    const char *dflt;
} key_t_;

#define F(field) offsetof(struct rn_conf_s, field)

static const key_t_ keys[] = {
    {"bootstrap.servers", K_SERVERS, F(bootstrap_servers), 0, 0, "127.0.0.1:9092"},
    {"client.id", K_STR, F(client_id), 0, 0, "runnel"},
    {"request.timeout.ms", K_INT, F(request_timeout_ms), 1, INT32_MAX, "30000"},
    {"metadata.max.age.ms", K_INT, F(metadata_max_age_ms), 1, INT32_MAX, "300000"},
    {"retry.backoff.ms", K_INT, F(retry_backoff_ms), 0, INT32_MAX, "100"},
    {"socket.connection.setup.timeout.ms", K_INT, F(connect_timeout_ms), 1, INT32_MAX, "10000"},
    {"acks", K_ACKS, F(acks), 0, 0, "all"},
    {"linger.ms", K_INT, F(linger_ms), 0, 900000, "5"},
    {"batch.size", K_INT, F(batch_size), 1, INT32_MAX, "16384"},
    {"compression.type", K_CODEC, F(compression), 0, 0, "none"},
    {"delivery.timeout.ms", K_INT, F(delivery_timeout_ms), 1, INT32_MAX, "30000"},
    {"max.in.flight.requests.per.connection", K_INT, F(max_inflight), 1, 1000, "5"},
    {"partitioner", K_PART, F(partitioner), 0, 0, "default"},
    {"message.max.bytes", K_INT, F(message_max_bytes), 1000, 1000000000, "1048588"},
    {"queue.buffering.max.messages", K_INT, F(queue_max_messages), 1, INT32_MAX, "100000"},
    {"fetch.max.wait.ms", K_INT, F(fetch_max_wait_ms), 0, INT32_MAX, "500"},
    {"fetch.min.bytes", K_INT, F(fetch_min_bytes), 1, INT32_MAX, "1"},
    {"fetch.max.bytes", K_INT, F(fetch_max_bytes), 1024, 1000000000, "52428800"},
    {"max.partition.fetch.bytes", K_INT, F(max_partition_fetch_bytes), 1024, 1000000000, "1048576"},
    {"check.crcs", K_BOOL, F(check_crcs), 0, 0, "true"},
    {"queued.max.messages.kbytes", K_INT, F(queued_max_kbytes), 1, 2097151, "65536"},
    {"group.id", K_STR, F(group_id), 0, 0, ""},
    {"session.timeout.ms", K_INT, F(session_timeout_ms), 1, INT32_MAX, "45000"},
    /* 500, not Kafka's 3000: a stable member learns of a joining one only from its next
     * heartbeat, so this bounds how long a join waits for the others (docs/groups.md). */
    {"heartbeat.interval.ms", K_INT, F(heartbeat_interval_ms), 1, INT32_MAX, "500"},
    {"max.poll.interval.ms", K_INT, F(max_poll_interval_ms), 1, INT32_MAX, "300000"},
    {"enable.auto.commit", K_BOOL, F(enable_auto_commit), 0, 0, "true"},
    {"auto.commit.interval.ms", K_INT, F(auto_commit_interval_ms), 1, INT32_MAX, "5000"},
    {"auto.offset.reset", K_RESET, F(auto_offset_reset), 0, 0, "latest"},
    {"partition.assignment.strategy", K_ASSIGNORS, F(assignment_strategy), 0, 0,
     "range,roundrobin"},
};

#define NKEYS (sizeof keys / sizeof keys[0])

void rn__errf(char *err, size_t errlen, const char *fmt, ...) {
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int parse_int(const key_t_ *k, const char *v, int32_t *out, char *err, size_t errlen) {
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno == ERANGE) {
        rn__errf(err, errlen, "%s: \"%s\" is not an integer", k->name, v);
        return RN_ECONFIG;
    }
    if (n < k->min || n > k->max) {
        rn__errf(err, errlen, "%s: %s is out of range (%lld..%lld)", k->name, v, (long long)k->min,
                 (long long)k->max);
        return RN_ECONFIG;
    }
    *out = (int32_t)n;
    return 0;
}

/* One of the words of names[] (NULL-terminated); its index into *out. */
static int parse_word(const key_t_ *k, const char *v, const char *const *names, const int *vals,
                      const char *expect, int32_t *out, char *err, size_t errlen) {
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = vals[i];
            return 0;
        }
    }
    rn__errf(err, errlen, "%s: \"%s\" is not %s", k->name, v, expect);
    return RN_ECONFIG;
}

static int set_string(char **field, const char *v) {
    rn_free(*field);
    *field = rn_strdup(v);
    return 0;
}

/* "a, b" → "a,b" in *field, each a known assignor, none twice, at least one. */
static int parse_assignors(const key_t_ *k, const char *v, char **field, char *err, size_t errlen) {
    size_t n = strlen(v);
    char *out = rn_malloc(n + 1);
    size_t o = 0;
    const char *p = v;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && *p == ' ')
            p++, len--;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        char name[32];
        int ok = len > 0 && len < sizeof name;
        if (ok) {
            memcpy(name, p, len);
            name[len] = '\0';
            ok = rn__assignor_known(name);
        }
        if (!ok) {
            rn__errf(err, errlen, "%s: \"%.*s\" is not an assignor (range, roundrobin)", k->name,
                     (int)len, p);
            rn_free(out);
            return RN_ECONFIG;
        }
        out[o] = '\0';
        for (const char *q = out; *q != '\0';) { /* a repeat of an earlier entry */
            size_t ql = strcspn(q, ",");
            if (ql == len && memcmp(q, name, len) == 0) {
                rn__errf(err, errlen, "%s: \"%s\" is listed twice", k->name, name);
                rn_free(out);
                return RN_ECONFIG;
            }
            q += ql + (q[ql] == ',');
        }
        if (o > 0)
            out[o++] = ',';
        memcpy(out + o, name, len);
        o += len;
        out[o] = '\0';
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    rn_free(*field);
    *field = out;
    return 0;
}

static int apply(rn_conf_t *conf, const key_t_ *k, const char *v, char *err, size_t errlen) {
    static const char *const acks_n[] = {"0", "1", "all", "-1", NULL};
    static const int acks_v[] = {0, 1, -1, -1};
    static const char *const codec_n[] = {"none", "gzip", NULL};
    static const int codec_v[] = {RN_CODEC_NONE, RN_CODEC_GZIP};
    static const char *const part_n[] = {"default", "sticky", "hash", "broker", NULL};
    static const int part_v[] = {RN__PART_DEFAULT, RN__PART_STICKY, RN__PART_HASH, RN__PART_BROKER};
    static const char *const bool_n[] = {"true", "false", "1", "0", NULL};
    static const int bool_v[] = {1, 0, 1, 0};
    static const char *const reset_n[] = {"earliest", "latest", "none", NULL};
    static const int reset_v[] = {RN_OFFSET_BEGINNING, RN_OFFSET_END, RN__RESET_NONE};
    void *field = (char *)conf + k->off;
    rn__hostport_t hp[1];
    int32_t tmp;
    int rc;
    switch (k->kind) {
    case K_INT:
        return parse_int(k, v, field, err, errlen);
    case K_BOOL:
        return parse_word(k, v, bool_n, bool_v, "true or false", field, err, errlen);
    case K_ACKS:
        return parse_word(k, v, acks_n, acks_v, "0, 1, all or -1", field, err, errlen);
    case K_CODEC:
        return parse_word(k, v, codec_n, codec_v, "none or gzip", field, err, errlen);
    case K_PART:
        rc = parse_word(k, v, part_n, part_v, "default, sticky, hash or broker", &tmp, err, errlen);
        if (rc == 0)
            conf->partitioner = (rn__part_kind_t)tmp;
        return rc;
    case K_SERVERS:
        /* Validate all of it; only the count is needed here. */
        rc = rn__hostports_parse(v, hp, 0, err, errlen);
        return rc < 0 ? rc : set_string(field, v);
    case K_STR:
        return set_string(field, v);
    case K_RESET:
        return parse_word(k, v, reset_n, reset_v, "earliest, latest or none", field, err, errlen);
    case K_ASSIGNORS:
        return parse_assignors(k, v, field, err, errlen);
    }
    return RN_ECONFIG;
}

rn_conf_t *rn_conf_new(void) {
    rn_conf_t *conf = rn_calloc(1, sizeof *conf);
    for (size_t i = 0; i < NKEYS; i++) {
        int rc = apply(conf, &keys[i], keys[i].dflt, NULL, 0);
        (void)rc;
        /* The defaults are part of the table and must parse. */
        if (rc != 0)
            abort();
    }
    return conf;
}

void rn_conf_free(rn_conf_t *conf) {
    if (conf == NULL)
        return;
    rn_free(conf->bootstrap_servers);
    rn_free(conf->client_id);
    rn_free(conf->group_id);
    rn_free(conf->assignment_strategy);
    rn_free(conf);
}

int rn_conf_set(rn_conf_t *conf, const char *key, const char *value, char *err, size_t errlen) {
    if (key == NULL || value == NULL) {
        rn__errf(err, errlen, "configuration key and value must not be NULL");
        return RN_ECONFIG;
    }
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].name, key) == 0)
            return apply(conf, &keys[i], value, err, errlen);
    }
    rn__errf(err, errlen, "%s: unknown configuration key", key);
    return RN_ECONFIG;
}

int rn__conf_check_group(const rn_conf_t *conf, char *err, size_t errlen) {
    /* As Kafka's consumer: a member must heartbeat within its session timeout. Keys are
     * set one at a time, in any order, so this is checked when they are used. */
    if (conf->heartbeat_interval_ms >= conf->session_timeout_ms) {
        rn__errf(err, errlen,
                 "heartbeat.interval.ms (%d) must be lower than session.timeout.ms (%d); "
                 "at most a third of it is advised",
                 (int)conf->heartbeat_interval_ms, (int)conf->session_timeout_ms);
        return RN_ECONFIG;
    }
    return 0;
}

void rn_conf_set_partitioner(rn_conf_t *conf, rn_partitioner_fn fn, void *opaque) {
    if (fn == NULL) {
        conf->partitioner = RN__PART_DEFAULT;
        conf->part_fn = NULL;
        conf->part_opaque = NULL;
        return;
    }
    conf->partitioner = RN__PART_USER;
    conf->part_fn = fn;
    conf->part_opaque = opaque;
}

void rn_conf_set_rebalance_cb(rn_conf_t *conf, rn_rebalance_fn assigned, rn_rebalance_fn revoked,
                              void *opaque) {
    conf->assigned_cb = assigned;
    conf->revoked_cb = revoked;
    conf->rebalance_opaque = opaque;
}

/* host:port or [v6]:port in s[0..len). */
static int parse_one(const char *s, size_t len, rn__hostport_t *hp, char *err, size_t errlen) {
    const char *colon = NULL;
    const char *hs = s;
    size_t hl;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL || close + 1 >= s + len || close[1] != ':')
            goto bad;
        hs = s + 1;
        hl = (size_t)(close - hs);
        colon = close + 1;
    } else {
        for (size_t i = 0; i < len; i++)
            if (s[i] == ':')
                colon = s + i;
        if (colon == NULL)
            goto bad;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= sizeof hp->host)
        goto bad;
    size_t pl = len - (size_t)(colon + 1 - s);
    if (pl == 0 || pl > 5)
        goto bad;
    int port = 0;
    for (size_t i = 0; i < pl; i++) {
        char c = colon[1 + i];
        if (c < '0' || c > '9')
            goto bad;
        port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535)
        goto bad;
    memcpy(hp->host, hs, hl);
    hp->host[hl] = '\0';
    hp->port = port;
    return 0;
bad:
    rn__errf(err, errlen, "bootstrap.servers: \"%.*s\" is not host:port (port 1..65535)", (int)len,
             s);
    return RN_ECONFIG;
}

int rn__hostports_parse(const char *s, rn__hostport_t *out, int max, char *err, size_t errlen) {
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && *p == ' ')
            p++, len--;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        rn__hostport_t hp;
        int rc = parse_one(p, len, &hp, err, errlen);
        if (rc < 0)
            return rc;
        if (n < max)
            out[n] = hp;
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return n;
}
