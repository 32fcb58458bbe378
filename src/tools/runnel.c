/*
 * runnel.c — main of the `runnel` command-line tool: global options, then dispatch to
 * a command group (topic, produce, consume, group, cluster, perf).
 *
 *   runnel [-b HOST:PORT[,HOST:PORT...]] COMMAND ...
 *
 * The bootstrap list comes from -b (or --bootstrap-server), else $RUNNEL_BOOTSTRAP,
 * else 127.0.0.1:9092; a malformed list is a usage error (exit 2) before anything
 * connects. The tool links only librunnel and src/common.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

#ifndef RN_VERSION
#define RN_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: runnel [-b HOST:PORT[,HOST:PORT...]] COMMAND ...\n"
    "\n"
    "Options:\n"
    "  -b, --bootstrap-server LIST  brokers to contact first (default: $RUNNEL_BOOTSTRAP,\n"
    "                               else 127.0.0.1:9092)\n"
    "  --version                    print the version and exit\n"
    "  -h, --help                   this help; `runnel COMMAND --help` for a command\n"
    "\n"
    "Commands:\n"
    "  topic create NAME [--partitions N] [--replication-factor R] [--config K=V]...\n"
    "  topic list\n"
    "  topic describe NAME\n"
    "  topic alter NAME [--partitions N] [--config K=V]... [--delete-config K]...\n"
    "  topic delete NAME\n"
    "  produce TOPIC [--acks 0|1|all] [--key-separator SEP] [--partition P]\n"
    "                [--partitioner default|sticky|hash|broker] [--compression none|gzip]\n"
    "                [--linger-ms N] [--batch-size BYTES] [--delivery-timeout-ms N]\n"
    "  consume TOPIC [--group G] [--from-beginning] [--partition P [--offset O]]\n"
    "                [--max-messages N] [--timeout-ms T] [--print-key] [--print-offset]\n"
    "  group list\n"
    "  group describe G\n"
    "  group reset-offsets G --topic T (--to-earliest|--to-latest|--to-offset N)\n"
    "  cluster status\n"
    "  cluster elect-leaders [--topic T]\n"
    "  perf produce TOPIC --num-records N --record-size BYTES [--acks 0|1|all]\n"
    "               [--throughput RECORDS_PER_SEC|-1] [--compression none|gzip]\n"
    "  perf consume TOPIC --num-records N [--group G] [--timeout-ms T]\n"
    "\n"
    "Exit status: 0 success, 1 the operation failed, 2 usage or configuration error.\n";

typedef struct command_s {
    const char *name;
    int (*run)(const rn_cli_ctx_t *ctx, int argc, char **argv);
} command_t;

static const command_t commands[] = {
    {"topic", rn_cli_topic},
    {"produce", rn_cli_produce},
    {"consume", rn_cli_consume},
    {"group", rn_cli_group},
    {"cluster", rn_cli_cluster},
    {"perf", rn_cli_perf},
    {NULL, NULL},
};

/* Global options before COMMAND; returns the index of COMMAND, or an exit code
 * encoded as -(code + 1) when the tool should stop here. */
static int parse_globals(int argc, char **argv, const char **bootstrap) {
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return -(RN_CLI_EXIT_OK + 1);
        }
        if (strcmp(a, "--version") == 0) {
            printf("runnel %s\n", RN_VERSION);
            return -(RN_CLI_EXIT_OK + 1);
        }
        if (strncmp(a, "--bootstrap-server=", 19) == 0) {
            *bootstrap = a + 19;
        } else if (strcmp(a, "-b") == 0 || strcmp(a, "--bootstrap-server") == 0) {
            if (i + 1 >= argc) {
                rn_cli_error("%s needs a value (HOST:PORT[,HOST:PORT...])", a);
                return -(RN_CLI_EXIT_USAGE + 1);
            }
            *bootstrap = argv[++i];
        } else {
            rn_cli_error("unknown option '%s' (see runnel --help)", a);
            return -(RN_CLI_EXIT_USAGE + 1);
        }
    }
    return i;
}

int main(int argc, char **argv) {
    const char *env = getenv("RUNNEL_BOOTSTRAP");
    rn_cli_ctx_t ctx = {.bootstrap = env && env[0] ? env : "127.0.0.1:9092"};
    int i = parse_globals(argc, argv, &ctx.bootstrap);
    if (i < 0)
        return -i - 1;
    if (i >= argc) {
        fputs(usage, stderr);
        return RN_CLI_EXIT_USAGE;
    }
    char err[RN_CLI_ERRLEN];
    if (rn_cli_check_servers(ctx.bootstrap, err, sizeof(err)) < 0) {
        rn_cli_error("-b: %s", err);
        return RN_CLI_EXIT_USAGE;
    }
    for (const command_t *c = commands; c->name; c++)
        if (strcmp(argv[i], c->name) == 0)
            return c->run(&ctx, argc - i - 1, argv + i + 1);
    rn_cli_error("unknown command '%s' (see runnel --help)", argv[i]);
    return RN_CLI_EXIT_USAGE;
}
