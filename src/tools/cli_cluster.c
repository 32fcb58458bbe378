/*
 * cli_cluster.c — `runnel cluster status`: one line per broker, sorted by id, then
 * one line for the metadata quorum (DescribeQuorum); `runnel cluster elect-leaders
 * [--topic T]`: preferred leader election on demand (ElectLeaders), one line per
 * partition:
 *
 *   Topic: T<TAB>Partition: 0<TAB>Result: elected|not needed|ERROR_NAME: detail
 *
 * elect-leaders exits 0 when every partition was elected or needed nothing, 1 when
 * any could not be (its preferred replica is not alive and in sync).
 *
 *   Broker: 1<TAB>Address: 127.0.0.1:9092<TAB>Status: alive<TAB>Controller: yes
 *   Quorum: Leader: 1<TAB>Term: 3<TAB>HighWatermark: 57<TAB>Voters: 1,2,3<TAB>Observers: 4
 *
 * Status is "fenced" for a broker the controller has fenced; Controller says which
 * broker leads the metadata quorum. Leader is -1 while no leader is known;
 * HighWatermark is the last committed metadata log index; Voters and Observers are
 * comma-separated broker ids, sorted (Observers empty without standbys).
 */
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static const char usage_cluster[] = "usage: runnel cluster status\n"
                                    "       runnel cluster elect-leaders [--topic T]\n"
                                    "Print one line per broker:\n"
                                    "  Broker: ID\tAddress: HOST:PORT\tStatus: alive|fenced"
                                    "\tController: yes|no\n"
                                    "then one line for the metadata quorum:\n"
                                    "  Quorum: Leader: ID\tTerm: N\tHighWatermark: N"
                                    "\tVoters: ID,...\tObservers: ID,...\n"
                                    "elect-leaders moves each partition's leadership (of T, or of"
                                    " every topic)\nback to its preferred replica when that is "
                                    "alive and in sync:\n"
                                    "  Topic: T\tPartition: P\tResult: elected|not needed|ERROR\n";

static int by_id(const void *a, const void *b) {
    const rn_broker_info_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void print_ids(const rn_quorum_replica_info_t *v, int32_t n) {
    for (int32_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", v[i].id);
}

static void print_quorum(const rn_quorum_info_t *q) {
    printf("Quorum: Leader: %d\tTerm: %d\tHighWatermark: %lld\tVoters: ", q->leader_id,
           q->leader_epoch, (long long)q->high_watermark);
    print_ids(q->voters, q->nvoters);
    printf("\tObservers: ");
    print_ids(q->observers, q->nobservers);
    printf("\n");
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
    rn_quorum_info_t *quorum = NULL;
    int r = rn_admin_list_brokers(a, &brokers, &n, err, sizeof(err));
    if (r == 0)
        r = rn_admin_describe_quorum(a, &quorum, err, sizeof(err));
    rn_admin_free(a);
    if (r != 0) {
        rn_admin_brokers_free(brokers, n);
        return rn_cli_fail(ctx, r, err, "cluster status");
    }
    qsort(brokers, (size_t)n, sizeof(*brokers), by_id);
    for (int32_t i = 0; i < n; i++) {
        const rn_broker_info_t *b = &brokers[i];
        printf("Broker: %d\tAddress: %s:%d\tStatus: %s\tController: %s\n", b->id, b->host, b->port,
               b->fenced ? "fenced" : "alive", b->is_controller ? "yes" : "no");
    }
    print_quorum(quorum);
    rn_admin_quorum_free(quorum);
    rn_admin_brokers_free(brokers, n);
    return RN_CLI_EXIT_OK;
}

static void print_election(const rn_election_result_t *r, int *failed) {
    printf("Topic: %s\tPartition: %d\tResult: ", r->topic, r->partition);
    if (r->error == 0) {
        printf("elected\n");
    } else if (r->error == 84) { /* ELECTION_NOT_NEEDED */
        printf("not needed\n");
    } else {
        printf("%s%s%s\n", rn_err_str(r->error), r->message ? ": " : "",
               r->message ? r->message : "");
        (*failed)++;
    }
}

static int cluster_elect(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    const char *topic = NULL;
    const rn_cli_opt_t opts[] = {RN_CLI_OPT_STR("--topic", &topic), RN_CLI_OPT_END};
    int rc = rn_cli_parse_cmd("cluster elect-leaders", usage_cluster, argc, argv, opts, NULL, 0);
    if (rc >= 0)
        return rc;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    rn_election_result_t *res = NULL;
    int32_t n = 0;
    char err[RN_CLI_ERRLEN] = "";
    int r = rn_admin_elect_leaders(a, topic, &res, &n, err, sizeof(err));
    rn_admin_free(a);
    if (r != 0)
        return rn_cli_fail(ctx, r, err, "cluster elect-leaders");
    int failed = 0;
    for (int32_t i = 0; i < n; i++)
        print_election(&res[i], &failed);
    rn_admin_election_results_free(res, n);
    if (failed > 0) {
        rn_cli_error("cluster elect-leaders: %d of %d partitions could not be elected", failed,
                     (int)n);
        return RN_CLI_EXIT_FAIL;
    }
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
    if (strcmp(argv[0], "elect-leaders") == 0)
        return cluster_elect(ctx, argc - 1, argv + 1);
    rn_cli_error("cluster: unknown subcommand '%s' (see runnel cluster --help)", argv[0]);
    return RN_CLI_EXIT_USAGE;
}
