/*
 * cli_topic.c — `runnel topic create|list|describe|alter|delete`.
 *
 * Listings are DESIGN.md's tab-separated "Name: value" lines, so scripts can parse
 * them:
 *
 *   Topic: T<TAB>PartitionCount: 3<TAB>ReplicationFactor: 1<TAB>Configs: k=v,...
 *   <TAB>Topic: T<TAB>Partition: 0<TAB>Leader: 1<TAB>LeaderEpoch: 0<TAB>Replicas: 1<TAB>
 *        Isr: 1<TAB>LogStartOffset: 0<TAB>HighWatermark: 812<TAB>LogEndOffset: 812
 *
 * (the partition line is one line). Configs: lists the effective value of every topic
 * config that has one — the override, else the broker default. Partitions only grow:
 * alter refuses a count that is not larger than the current one before changing
 * anything, applies --config changes next, and grows last (CreatePartitions).
 */
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "tools/cli.h"

static const char usage_topic[] =
    "usage: runnel topic create|list|describe|alter|delete ...\n"
    "  create NAME [--partitions N] [--replication-factor R] [--config K=V]...\n"
    "  list\n"
    "  describe NAME\n"
    "  alter NAME [--partitions N] [--config K=V]... [--delete-config K]...\n"
    "  delete NAME\n"
    "See `runnel topic SUBCOMMAND --help`.\n";

static const char usage_create[] =
    "usage: runnel topic create NAME [--partitions N] [--replication-factor R] "
    "[--config K=V]...\n"
    "Create a topic. NAME: 1..249 characters of [a-zA-Z0-9._-].\n"
    "  --partitions N          partition count (default: the broker's num.partitions)\n"
    "  --replication-factor R  replicas per partition (default: the broker's\n"
    "                          default.replication.factor)\n"
    "  --config K=V            a topic config override; repeatable\n"
    "Exit 1 if the topic exists or the name is invalid.\n";

static const char usage_list[] = "usage: runnel topic list\n"
                                 "Print every topic name, one per line, sorted.\n";

static const char usage_describe[] =
    "usage: runnel topic describe NAME\n"
    "Print the topic line, then one line per partition:\n"
    "  Topic: T\tPartitionCount: N\tReplicationFactor: R\tConfigs: k=v,...\n"
    "  \tTopic: T\tPartition: P\tLeader: B\tLeaderEpoch: E\tReplicas: 1,2\tIsr: 1,2"
    "\tLogStartOffset: S\tHighWatermark: H\tLogEndOffset: L\n"
    "Configs: every topic config with its effective value: the topic's override, else\n"
    "the broker default (the answering broker's log.* settings).\n"
    "(Leader: -1 when the partition is offline.)\n";

static const char usage_alter[] =
    "usage: runnel topic alter NAME [--partitions N] [--config K=V]... "
    "[--delete-config K]...\n"
    "Change a topic without a restart.\n"
    "  --partitions N      grow to N partitions (never shrinks: a smaller or equal N\n"
    "                      exits 1); applied after any --config changes\n"
    "  --config K=V        set a topic config override; repeatable\n"
    "  --delete-config K   remove an override (the broker default applies); repeatable\n";

static const char usage_delete[] = "usage: runnel topic delete NAME\n"
                                   "Delete a topic and all its records.\n";

/* Join the effective configs as "k=v,k2=v2" into buf: each key's override, else the
 * broker default; keys without any value (flush.ms unset) are left out. */
static void join_configs(const rn_topic_info_t *t, char *buf, size_t len) {
    size_t off = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < t->nconfigs && off < len; i++) {
        const rn_config_entry_t *c = &t->configs[i];
        if (c->value == NULL)
            continue;
        int n = snprintf(buf + off, len - off, "%s%s=%s", off ? "," : "", c->name, c->value);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

static void print_ids(const char *label, const int32_t *ids, int32_t n) {
    printf("\t%s: ", label);
    for (int32_t i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", ids[i]);
}

static void print_topic(const rn_topic_info_t *t) {
    char configs[8192];
    join_configs(t, configs, sizeof(configs));
    printf("Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n", t->name,
           t->npartitions, t->replication_factor, configs);
    for (int32_t i = 0; i < t->npartitions; i++) {
        const rn_partition_info_t *p = &t->partitions[i];
        printf("\tTopic: %s\tPartition: %d\tLeader: %d\tLeaderEpoch: %d", t->name, p->partition,
               p->leader, p->leader_epoch);
        print_ids("Replicas", p->replicas, p->nreplicas);
        print_ids("Isr", p->isr, p->nisr);
        printf("\tLogStartOffset: %lld\tHighWatermark: %lld\tLogEndOffset: %lld\n",
               (long long)p->log_start_offset, (long long)p->high_watermark,
               (long long)p->log_end_offset);
    }
}

/* kvs as config entries (views into kvs); the caller frees the array. */
static rn_config_entry_t *entries_of(const rn_cli_kvs_t *a, const rn_cli_kvs_t *b) {
    rn_config_entry_t *e = rn_calloc((size_t)(a->n + b->n) + 1, sizeof(*e));
    for (int32_t i = 0; i < a->n; i++)
        e[i] = (rn_config_entry_t){.name = a->v[i].key, .value = a->v[i].value};
    for (int32_t i = 0; i < b->n; i++)
        e[a->n + i] = (rn_config_entry_t){.name = b->v[i].key, .value = NULL};
    return e;
}

static int topic_create(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    int64_t partitions = -1, rf = -1;
    rn_cli_kvs_t configs = {0}, none = {0};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_INT("--partitions", &partitions, 1, INT32_MAX),
        RN_CLI_OPT_INT("--replication-factor", &rf, 1, INT16_MAX),
        RN_CLI_OPT_KV("--config", &configs),
        RN_CLI_OPT_END,
    };
    const char *name = NULL;
    int rc = rn_cli_parse_cmd("topic create", usage_create, argc, argv, opts, &name, 1);
    rn_admin_t *a = rc < 0 ? rn_cli_admin_new(ctx) : NULL;
    if (rc < 0 && !a)
        rc = RN_CLI_EXIT_FAIL;
    if (rc < 0) {
        char err[RN_CLI_ERRLEN] = "", what[300];
        rn_config_entry_t *e = entries_of(&configs, &none);
        int r = rn_admin_create_topic(a, name, (int32_t)partitions, (int32_t)rf, e, configs.n, err,
                                      sizeof(err));
        snprintf(what, sizeof(what), "topic create '%s'", name);
        rc = r == 0 ? RN_CLI_EXIT_OK : rn_cli_fail(ctx, r, err, what);
        rn_free(e);
    }
    rn_admin_free(a);
    rn_cli_kvs_free(&configs);
    return rc;
}

static int topic_list(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    return rn_cli_list_names(ctx, "topic list", usage_list, argc, argv, rn_admin_list_topics);
}

static int topic_describe(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    const rn_cli_opt_t opts[] = {RN_CLI_OPT_END};
    const char *name = NULL;
    int rc = rn_cli_parse_cmd("topic describe", usage_describe, argc, argv, opts, &name, 1);
    if (rc >= 0)
        return rc;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    rn_topic_info_t *t = NULL;
    char err[RN_CLI_ERRLEN] = "", what[300];
    int r = rn_admin_describe_topic(a, name, &t, err, sizeof(err));
    if (r == 0) {
        print_topic(t);
        rn_admin_topic_free(t);
    }
    rn_admin_free(a);
    snprintf(what, sizeof(what), "topic describe '%s'", name);
    return r == 0 ? RN_CLI_EXIT_OK : rn_cli_fail(ctx, r, err, what);
}

/* alter --partitions, step 1 (changes nothing): refused when not larger. */
static int check_partitions(const rn_cli_ctx_t *ctx, rn_admin_t *a, const char *name,
                            int64_t wanted) {
    rn_topic_info_t *t = NULL;
    char err[RN_CLI_ERRLEN] = "", what[300];
    int r = rn_admin_describe_topic(a, name, &t, err, sizeof(err));
    if (r != 0) {
        snprintf(what, sizeof(what), "topic alter '%s'", name);
        return rn_cli_fail(ctx, r, err, what);
    }
    int32_t have = t->npartitions;
    rn_admin_topic_free(t);
    if (wanted <= have) {
        rn_cli_error("topic alter '%s': --partitions %lld: the topic has %d partitions and "
                     "partitions can only grow",
                     name, (long long)wanted, have);
        return RN_CLI_EXIT_FAIL;
    }
    return -1;
}

/* alter --partitions, step 3: grow (the controller re-checks the count). */
static int grow_partitions(const rn_cli_ctx_t *ctx, rn_admin_t *a, const char *name,
                           int64_t wanted) {
    char err[RN_CLI_ERRLEN] = "", what[300];
    int r = rn_admin_create_partitions(a, name, (int32_t)wanted, err, sizeof(err));
    snprintf(what, sizeof(what), "topic alter '%s'", name);
    return r == 0 ? RN_CLI_EXIT_OK : rn_cli_fail(ctx, r, err, what);
}

static int alter_configs(const rn_cli_ctx_t *ctx, rn_admin_t *a, const char *name,
                         const rn_cli_kvs_t *set, const rn_cli_kvs_t *del) {
    char err[RN_CLI_ERRLEN] = "", what[300];
    rn_config_entry_t *e = entries_of(set, del);
    int r = rn_admin_alter_topic_configs(a, name, e, set->n + del->n, err, sizeof(err));
    rn_free(e);
    snprintf(what, sizeof(what), "topic alter '%s'", name);
    return r == 0 ? RN_CLI_EXIT_OK : rn_cli_fail(ctx, r, err, what);
}

static int topic_alter(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    int64_t partitions = -1;
    rn_cli_kvs_t set = {0}, del = {0};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_INT("--partitions", &partitions, 1, INT32_MAX),
        RN_CLI_OPT_KV("--config", &set),
        RN_CLI_OPT_LIST("--delete-config", &del),
        RN_CLI_OPT_END,
    };
    const char *name = NULL;
    int rc = rn_cli_parse_cmd("topic alter", usage_alter, argc, argv, opts, &name, 1);
    if (rc < 0 && partitions < 0 && set.n + del.n == 0) {
        rn_cli_error("topic alter: nothing to change (give --partitions, --config or "
                     "--delete-config)");
        rc = RN_CLI_EXIT_USAGE;
    }
    rn_admin_t *a = rc < 0 ? rn_cli_admin_new(ctx) : NULL;
    if (rc < 0 && !a)
        rc = RN_CLI_EXIT_FAIL;
    /* Order: check the count (changes nothing), then the configs (all or nothing, so
     * a bad --config leaves the topic as it was), then grow. */
    if (rc < 0 && partitions >= 0)
        rc = check_partitions(ctx, a, name, partitions);
    if (rc < 0 && set.n + del.n > 0) {
        int cr = alter_configs(ctx, a, name, &set, &del);
        rc = cr == RN_CLI_EXIT_OK ? -1 : cr;
    }
    if (rc < 0 && partitions >= 0)
        rc = grow_partitions(ctx, a, name, partitions);
    if (rc < 0)
        rc = RN_CLI_EXIT_OK;
    rn_admin_free(a);
    rn_cli_kvs_free(&set);
    rn_cli_kvs_free(&del);
    return rc;
}

static int topic_delete(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    const rn_cli_opt_t opts[] = {RN_CLI_OPT_END};
    const char *name = NULL;
    int rc = rn_cli_parse_cmd("topic delete", usage_delete, argc, argv, opts, &name, 1);
    if (rc >= 0)
        return rc;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    char err[RN_CLI_ERRLEN] = "", what[300];
    int r = rn_admin_delete_topic(a, name, err, sizeof(err));
    rn_admin_free(a);
    snprintf(what, sizeof(what), "topic delete '%s'", name);
    return r == 0 ? RN_CLI_EXIT_OK : rn_cli_fail(ctx, r, err, what);
}

typedef struct subcommand_s {
    const char *name;
    int (*run)(const rn_cli_ctx_t *ctx, int argc, char **argv);
} subcommand_t;

static const subcommand_t subcommands[] = {
    {"create", topic_create}, {"list", topic_list},     {"describe", topic_describe},
    {"alter", topic_alter},   {"delete", topic_delete}, {NULL, NULL},
};

int rn_cli_topic(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    if (argc < 1) {
        fputs(usage_topic, stderr);
        return RN_CLI_EXIT_USAGE;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage_topic, stdout);
        return RN_CLI_EXIT_OK;
    }
    for (const subcommand_t *s = subcommands; s->name; s++)
        if (strcmp(argv[0], s->name) == 0)
            return s->run(ctx, argc - 1, argv + 1);
    rn_cli_error("topic: unknown subcommand '%s' (see runnel topic --help)", argv[0]);
    return RN_CLI_EXIT_USAGE;
}
