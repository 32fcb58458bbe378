/*
 * cli_cluster.c — `runnel cluster status`: one line per broker, sorted by id.
 *
 *   Broker: 1<TAB>Address: 127.0.0.1:9092<TAB>Status: alive<TAB>Controller: yes
 *
 * Status is "fenced" for a broker the controller has fenced; Controller says which
 * broker leads the metadata quorum.
 */
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static const char usage_cluster[] = "usage: runnel cluster status\n"
                                    "Print one line per broker:\n"
                                    "  Broker: ID\tAddress: HOST:PORT\tStatus: alive|fenced"
                                    "\tController: yes|no\n";

static int by_id(const void *a, const void *b) {
    const rn_broker_info_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int cluster_status(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    const rn_cli_opt_t opts[] = {RN_CLI_OPT_END};
    int rc = rn_cli_parse_cmd("cluster status", usage_cluster, argc, argv, opts, NULL, 0);
    if (rc >= 0)
        return rc;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    rn_broker_info_t *brokers = NULL;
    int32_t n = 0;
    char err[RN_CLI_ERRLEN] = "";
    int r = rn_admin_list_brokers(a, &brokers, &n, err, sizeof(err));
    rn_admin_free(a);
    if (r != 0)
        return rn_cli_fail(ctx, r, err, "cluster status");
    qsort(brokers, (size_t)n, sizeof(*brokers), by_id);
    for (int32_t i = 0; i < n; i++) {
        const rn_broker_info_t *b = &brokers[i];
        printf("Broker: %d\tAddress: %s:%d\tStatus: %s\tController: %s\n", b->id, b->host, b->port,
               b->fenced ? "fenced" : "alive", b->is_controller ? "yes" : "no");
    }
    rn_admin_brokers_free(brokers, n);
    return RN_CLI_EXIT_OK;
}

int rn_cli_cluster(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    if (argc < 1) {
        fputs(usage_cluster, stderr);
        return RN_CLI_EXIT_USAGE;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage_cluster, stdout);
        return RN_CLI_EXIT_OK;
    }
    if (strcmp(argv[0], "status") == 0)
        return cluster_status(ctx, argc - 1, argv + 1);
    rn_cli_error("cluster: unknown subcommand '%s' (see runnel cluster --help)", argv[0]);
    return RN_CLI_EXIT_USAGE;
}
