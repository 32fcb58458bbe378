/*
 * cli_args.h — the argument parser shared by the `runnel` commands.
 *
 * A command describes its flags in a table of rn_cli_opt_t, each pointing at the
 * variable it fills; rn_cli_parse walks argv once, fills those variables, collects
 * positional arguments and reports the first problem as one line naming the flag.
 *
 *   rn_cli_opt_t opts[] = {
 *       RN_CLI_OPT_INT("--partitions", &partitions, 1, INT32_MAX),
 *       RN_CLI_OPT_KV("--config", &configs),
 *       RN_CLI_OPT_END,
 *   };
 *
 * Accepted forms: `--flag VALUE`, `--flag=VALUE`, `--flag` (booleans), `--` ends the
 * flags, `--help`/`-h` asks for help. The value of a flag is the next argument even
 * when it starts with '-' (`--throughput -1`, `--key-separator -`). A flag given twice
 * keeps the last value, except repeatable ones (KV, LIST), which collect every value.
 *
 * Exit codes of the tool are defined here too, since usage errors are born here.
 */
#ifndef RN_TOOLS_CLI_ARGS_H
#define RN_TOOLS_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes (DESIGN.md "What users run"). */
enum {
    RN_CLI_EXIT_OK = 0,
    RN_CLI_EXIT_FAIL = 1,  /* the operation failed */
    RN_CLI_EXIT_USAGE = 2, /* usage or configuration error */
};

/* rn_cli_parse's result when --help or -h was among the flags. */
#define RN_CLI_HELP 1

typedef enum {
    RN_CLI_BOOL,   /* --flag: *(int *)out = 1 */
    RN_CLI_STR,    /* --flag VALUE: *(const char **)out points into argv */
    RN_CLI_INT,    /* --flag N, min <= N <= max: *(int64_t *)out */
    RN_CLI_CHOICE, /* --flag one of `choices` ("a|b|c"): *(const char **)out */
    RN_CLI_KV,     /* --flag KEY=VALUE, repeatable: appended to *(rn_cli_kvs_t *)out */
    RN_CLI_LIST,   /* --flag VALUE, repeatable: appended (as key, value NULL) likewise */
} rn_cli_kind_t;

typedef struct rn_cli_opt_s {
    const char *name; /* "--partitions", "-b"; NULL ends the table */
    rn_cli_kind_t kind;
    void *out;
    int64_t min, max;    /* RN_CLI_INT */
    const char *choices; /* RN_CLI_CHOICE */
} rn_cli_opt_t;

typedef struct rn_cli_kv_s {
    char *key;
    char *value; /* NULL for RN_CLI_LIST entries */
} rn_cli_kv_t;

/* Table rows (designated, so -Wmissing-field-initializers stays quiet). */
#define RN_CLI_OPT_BOOL(flag, var)                                                                 \
    { .name = (flag), .kind = RN_CLI_BOOL, .out = (var) }
#define RN_CLI_OPT_STR(flag, var)                                                                  \
    { .name = (flag), .kind = RN_CLI_STR, .out = (var) }
#define RN_CLI_OPT_INT(flag, var, lo, hi)                                                          \
    { .name = (flag), .kind = RN_CLI_INT, .out = (var), .min = (lo), .max = (hi) }
#define RN_CLI_OPT_CHOICE(flag, var, words)                                                        \
    { .name = (flag), .kind = RN_CLI_CHOICE, .out = (var), .choices = (words) }
#define RN_CLI_OPT_KV(flag, var)                                                                   \
    { .name = (flag), .kind = RN_CLI_KV, .out = (var) }
#define RN_CLI_OPT_LIST(flag, var)                                                                 \
    { .name = (flag), .kind = RN_CLI_LIST, .out = (var) }
#define RN_CLI_OPT_END                                                                             \
    { .name = NULL }

/* Collected repeatable values, in command-line order. Zero-initialize; release with
 * rn_cli_kvs_free (also after a failed parse). */
typedef struct rn_cli_kvs_s {
    rn_cli_kv_t *v;
    int32_t n;
} rn_cli_kvs_t;

void rn_cli_kvs_free(rn_cli_kvs_t *kvs);

/*
 * Parse argv[0..argc) against opts. Non-flag arguments are stored in pos[] (views of
 * argv) and counted in *npos; more than maxpos of them is an error. Returns 0,
 * RN_CLI_HELP, or RN_ECONFIG with err holding one line that names the flag or the
 * argument at fault.
 */
int rn_cli_parse(int argc, char **argv, const rn_cli_opt_t *opts, const char **pos, int maxpos,
                 int *npos, char *err, size_t errlen);

/* Parse s as a decimal integer in [min, max] for flag (named in err on failure).
 * 0 or RN_ECONFIG. */
int rn_cli_parse_int(const char *flag, const char *s, int64_t min, int64_t max, int64_t *out,
                     char *err, size_t errlen);

/* 1 when s is one of the '|'-separated words of choices, else 0. */
int rn_cli_is_choice(const char *s, const char *choices);

/* Check a HOST:PORT[,HOST:PORT...] list: every entry non-empty host, port 1..65535.
 * 0 or RN_ECONFIG with err naming the entry. */
int rn_cli_check_servers(const char *servers, char *err, size_t errlen);

#endif
