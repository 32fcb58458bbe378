/*
 * runneld.c — the broker daemon's main: parse flags and configuration, then run one
 * broker in the foreground until SIGINT/SIGTERM (broker/broker.h).
 *
 *   runneld [--config FILE] [--override KEY=VALUE]... | --version | --help
 *
 * Exit codes (DESIGN.md): 0 clean shutdown; 1 the broker could not start or stop
 * cleanly (port in use, unwritable log directory, another broker's data directory);
 * 2 usage or configuration error (unknown flag or key, bad value), with one line on
 * stderr naming the flag, key or line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/broker_config.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "common/properties.h"

#ifndef RN_VERSION
#define RN_VERSION "0.0.0"
#endif

#define EXIT_USAGE 2

typedef struct kv_list_s {
    char **v;
    size_t n;
} kv_list_t;

static void kv_add(kv_list_t *l, const char *key, const char *value) {
    size_t len = strlen(key) + strlen(value) + 2;
    char *s = rn_malloc(len);
    snprintf(s, len, "%s=%s", key, value);
    l->v = rn_realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = s;
}

static void kv_free(kv_list_t *l) {
    for (size_t i = 0; i < l->n; i++)
        rn_free(l->v[i]);
    rn_free(l->v);
}

static int collect(void *arg, const char *key, const char *value, int line, char *err,
                   size_t errlen) {
    (void)line, (void)err, (void)errlen;
    kv_add(arg, key, value);
    return 0;
}

static void help_key(const char *key, const char *def, const char *help, void *arg) {
    (void)arg;
    printf("  %-34s %-18s %s\n", key, def[0] ? def : "(none)", help);
}

static void usage(FILE *f) {
    fprintf(f, "usage: runneld [--config FILE] [--override KEY=VALUE]...\n"
               "       runneld --version | --help\n");
}

static void print_help(void) {
    printf("runneld %s — a runnel broker, run in the foreground.\n\n", RN_VERSION);
    usage(stdout);
    printf("\n  --config FILE          read a .properties file (key=value lines, # comments)\n"
           "  --override KEY=VALUE   set one key after the file (repeatable)\n"
           "  --version              print the version and exit\n"
           "  --help                 print this and exit\n\n"
           "Configuration keys (default; meaning):\n");
    rn_broker_config_foreach_key(help_key, NULL);
    printf("\nSignals: SIGINT or SIGTERM stop the broker cleanly (in-flight requests are\n"
           "finished, logs flushed and closed).\n"
           "Exit codes: 0 clean shutdown, 1 the broker failed to start or stop cleanly,\n"
           "2 usage or configuration error.\n");
}

/* Parse argv into cfg; explicit collects what was set. Returns -1 to go on, or an exit
 * status. */
static int parse_args(int argc, char **argv, rn_broker_config_t *cfg, kv_list_t *explicit) {
    char err[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("runneld %s\n", RN_VERSION);
            return 0;
        }
        bool is_config = strcmp(a, "--config") == 0;
        if (!is_config && strcmp(a, "--override") != 0) {
            fprintf(stderr, "runneld: unknown argument '%s' (see runneld --help)\n", a);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "runneld: %s needs a value\n", a);
            return EXIT_USAGE;
        }
        const char *v = argv[++i];
        int rc = is_config ? rn_broker_config_load_file(cfg, v, err, sizeof err)
                           : rn_broker_config_override(cfg, v, err, sizeof err);
        if (rc != 0) {
            if (is_config && rc != RN_ECONFIG)
                fprintf(stderr, "runneld: --config %s: %s\n", v, rn_strerror(rc));
            else
                fprintf(stderr, "runneld: %s\n", err);
            return EXIT_USAGE;
        }
        if (is_config) {
            (void)rn_props_parse_file(v, collect, explicit, err, sizeof err);
        } else {
            const char *eq = strchr(v, '=');
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(eq - v), v); /* valid: override accepted */
            kv_add(explicit, key, eq + 1);
        }
    }
    if (rn_broker_config_check(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "runneld: %s\n", err);
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv) {
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    kv_list_t explicit = {0};
    int status = parse_args(argc, argv, &cfg, &explicit);
    if (status >= 0) {
        kv_free(&explicit);
        return status;
    }
    rn_log_set_level(cfg.log_level);
    char err[1024] = "";
    int rc = rn_broker_run(&cfg, explicit.v, explicit.n, err, sizeof err);
    kv_free(&explicit);
    if (rc != 0) {
        if (err[0] != '\0')
            fprintf(stderr, "runneld: %s\n", err);
        else
            fprintf(stderr, "runneld: %s\n", rn_strerror(rc));
        return 1;
    }
    return 0;
}
