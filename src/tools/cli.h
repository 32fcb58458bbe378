/*
 * cli.h — what the `runnel` command groups share: the global options, the entry point
 * of each command group, and the connection to the cluster (configuration, admin
 * handle, and error lines that name the broker address when the cluster is at fault).
 *
 * Every command returns an exit code (RN_CLI_EXIT_* in cli_args.h) and prints at most
 * one error line on stderr, prefixed "runnel: ".
 */
#ifndef RN_TOOLS_CLI_H
#define RN_TOOLS_CLI_H

#include <stdio.h>

#include "runnel/runnel.h"
#include "tools/cli_args.h"

#define RN_CLI_ERRLEN 512

typedef struct rn_cli_ctx_s {
    const char *bootstrap; /* HOST:PORT[,HOST:PORT...], already checked */
} rn_cli_ctx_t;

/* Command groups: argv[0] is the first word after the group's name. */
int rn_cli_topic(const rn_cli_ctx_t *ctx, int argc, char **argv);
int rn_cli_produce(const rn_cli_ctx_t *ctx, int argc, char **argv);
int rn_cli_consume(const rn_cli_ctx_t *ctx, int argc, char **argv);
int rn_cli_group(const rn_cli_ctx_t *ctx, int argc, char **argv);
int rn_cli_cluster(const rn_cli_ctx_t *ctx, int argc, char **argv);
int rn_cli_perf(const rn_cli_ctx_t *ctx, int argc, char **argv);

/* Print "runnel: " + the formatted message + newline on stderr. */
void rn_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a command's flags; on --help print usage to stdout. Returns -1 when the
 * command should go on, else the exit code to return (0 after help, 2 after a usage
 * error, which it prints naming `cmd` and the flag).
 */
int rn_cli_parse_cmd(const char *cmd, const char *usage, int argc, char **argv,
                     const rn_cli_opt_t *opts, const char **pos, int npos_wanted);

/* A client configuration with bootstrap.servers set; NULL after printing an error. */
rn_conf_t *rn_cli_conf_new(const rn_cli_ctx_t *ctx);

/* Set key on conf for the flag named `flag`; prints an error naming the flag on
 * failure. 0 or -1. */
int rn_cli_conf_set(rn_conf_t *conf, const char *flag, const char *key, const char *value);

/* An admin client on ctx's bootstrap servers; NULL after printing an error. */
rn_admin_t *rn_cli_admin_new(const rn_cli_ctx_t *ctx);

/*
 * Report a failed library call: "runnel: <what>: <err, or rn_err_str(rc)>", adding
 * the bootstrap address when the client could not talk to the cluster (a local,
 * retriable code: refused, unreachable, timed out) and err does not name it already.
 * Returns RN_CLI_EXIT_FAIL.
 */
int rn_cli_fail(const rn_cli_ctx_t *ctx, int rc, const char *err, const char *what);

/* The admin call behind a listing: names, sorted (rn_admin_list_topics, _groups). */
typedef int (*rn_cli_list_fn)(rn_admin_t *a, char ***names, int32_t *count, char *err,
                              size_t errlen);

/* A listing command without flags (`topic list`, `group list`): `what` names it in
 * errors, usage is its help; prints one name per line. Returns the exit code. */
int rn_cli_list_names(const rn_cli_ctx_t *ctx, const char *what, const char *usage, int argc,
                      char **argv, rn_cli_list_fn list);

#endif
