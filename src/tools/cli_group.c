/*
 * cli_group.c — `runnel group list|describe|reset-offsets`: consumer groups seen from
 * outside (docs/groups.md). `group describe` prints DESIGN.md's listing, one line per
 * partition the group has a committed offset for or a member assigned to, sorted by
 * topic and partition:
 *
 *   Group: G<TAB>Topic: T<TAB>Partition: 0<TAB>CurrentOffset: 40<TAB>LogEndOffset: 50
 *        <TAB>Lag: 10<TAB>ConsumerId: runnel-cli-…<TAB>Host: /127.0.0.1
 *
 * (one line). A field that is not known prints "-": CurrentOffset when nothing is
 * committed (and then Lag), LogEndOffset when the partition's leader cannot be asked,
 * ConsumerId and Host when no member has the partition. A member with no partition
 * gets a line of its own with Topic and Partition "-". LogEndOffset is the high
 * watermark (what consumers can read), so Lag is what the group has still to read.
 *
 * `group reset-offsets` commits new offsets for every partition of one topic; the
 * coordinator accepts that only while the group has no members, so it is refused
 * (exit 1) while consumers of the group run.
 */
#include <string.h>

#include "tools/cli.h"

static const char usage_group[] =
    "usage: runnel group list|describe|reset-offsets ...\n"
    "  list\n"
    "  describe G\n"
    "  reset-offsets G --topic T (--to-earliest|--to-latest|--to-offset N)\n"
    "See `runnel group SUBCOMMAND --help`.\n";

static const char usage_list[] = "usage: runnel group list\n"
                                 "Print every consumer group id, one per line, sorted.\n";

static const char usage_describe[] =
    "usage: runnel group describe G\n"
    "Print one line per partition the group has a committed offset for or a member\n"
    "assigned to:\n"
    "  Group: G\tTopic: T\tPartition: P\tCurrentOffset: C\tLogEndOffset: L\tLag: N"
    "\tConsumerId: ID\tHost: H\n"
    "\"-\" where a value is unknown (CurrentOffset: - when nothing is committed;\n"
    "ConsumerId: - when no member has the partition). Exit 1 for an unknown group.\n";

static const char usage_reset[] =
    "usage: runnel group reset-offsets G --topic T (--to-earliest|--to-latest|--to-offset N)\n"
    "Commit new offsets for group G on every partition of topic T:\n"
    "  --to-earliest   the log start of each partition\n"
    "  --to-latest     the log end (high watermark) of each partition\n"
    "  --to-offset N   offset N, kept within [log start, log end] of each partition\n"
    "Refused (exit 1) while the group has active members: stop its consumers first.\n";

static void print_offset(const char *label, int64_t v) {
    if (v < 0)
        printf("\t%s: -", label);
    else
        printf("\t%s: %lld", label, (long long)v);
}

static void print_group(const rn_group_info_t *g) {
    for (int32_t i = 0; i < g->noffsets; i++) {
        const rn_group_offset_info_t *o = &g->offsets[i];
        printf("Group: %s\tTopic: %s\tPartition: %d", g->group_id, o->topic, o->partition);
        print_offset("CurrentOffset", o->committed);
        print_offset("LogEndOffset", o->log_end);
        print_offset("Lag", o->lag);
        printf("\tConsumerId: %s\tHost: %s\n", o->member ? o->member->member_id : "-",
               o->member ? o->member->host : "-");
    }
    for (int32_t i = 0; i < g->nmembers; i++) {
        const rn_group_member_info_t *m = &g->members[i];
        if (m->nassigned == 0)
            printf("Group: %s\tTopic: -\tPartition: -\tCurrentOffset: -\tLogEndOffset: -"
                   "\tLag: -\tConsumerId: %s\tHost: %s\n",
                   g->group_id, m->member_id, m->host);
    }
}

static int group_list(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    return rn_cli_list_names(ctx, "group list", usage_list, argc, argv, rn_admin_list_groups);
}

static int group_describe(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    const char *group = NULL;
    const rn_cli_opt_t opts[] = {RN_CLI_OPT_END};
    int rc = rn_cli_parse_cmd("group describe", usage_describe, argc, argv, opts, &group, 1);
    if (rc >= 0)
        return rc;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    rn_group_info_t *g = NULL;
    char err[RN_CLI_ERRLEN] = "", what[300];
    int r = rn_admin_describe_group(a, group, &g, err, sizeof(err));
    rn_admin_free(a);
    if (r != 0) {
        snprintf(what, sizeof(what), "group describe '%s'", group);
        return rn_cli_fail(ctx, r, err, what);
    }
    print_group(g);
    rn_admin_group_free(g);
    return RN_CLI_EXIT_OK;
}

typedef struct reset_opts_s {
    const char *group, *topic;
    int to_earliest, to_latest;
    int64_t to_offset;
} reset_opts_t;

/* The offset to reset to, or -3 after printing a usage error. */
static int64_t reset_target(const reset_opts_t *o) {
    int given = !!o->to_earliest + !!o->to_latest + (o->to_offset >= 0);
    if (o->topic == NULL) {
        rn_cli_error("group reset-offsets: --topic is required (see runnel group reset-offsets "
                     "--help)");
        return -3;
    }
    if (given != 1) {
        rn_cli_error("group reset-offsets: give exactly one of --to-earliest, --to-latest, "
                     "--to-offset N");
        return -3;
    }
    return o->to_earliest ? RN_OFFSET_BEGINNING : o->to_latest ? RN_OFFSET_END : o->to_offset;
}

static int group_reset(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    reset_opts_t o = {.to_offset = -1};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_STR("--topic", &o.topic),
        RN_CLI_OPT_BOOL("--to-earliest", &o.to_earliest),
        RN_CLI_OPT_BOOL("--to-latest", &o.to_latest),
        RN_CLI_OPT_INT("--to-offset", &o.to_offset, 0, INT64_MAX),
        RN_CLI_OPT_END,
    };
    int rc = rn_cli_parse_cmd("group reset-offsets", usage_reset, argc, argv, opts, &o.group, 1);
    if (rc >= 0)
        return rc;
    int64_t to = reset_target(&o);
    if (to == -3)
        return RN_CLI_EXIT_USAGE;
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    char err[RN_CLI_ERRLEN] = "", what[300];
    int32_t n = 0;
    int r = rn_admin_reset_group_offsets(a, o.group, o.topic, to, &n, err, sizeof(err));
    rn_admin_free(a);
    if (r != 0) {
        snprintf(what, sizeof(what), "group reset-offsets '%s'", o.group);
        return rn_cli_fail(ctx, r, err, what);
    }
    return RN_CLI_EXIT_OK;
}

int rn_cli_group(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    if (argc < 1) {
        fputs(usage_group, stderr);
        return RN_CLI_EXIT_USAGE;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage_group, stdout);
        return RN_CLI_EXIT_OK;
    }
    if (strcmp(argv[0], "list") == 0)
        return group_list(ctx, argc - 1, argv + 1);
    if (strcmp(argv[0], "describe") == 0)
        return group_describe(ctx, argc - 1, argv + 1);
    if (strcmp(argv[0], "reset-offsets") == 0)
        return group_reset(ctx, argc - 1, argv + 1);
    rn_cli_error("group: unknown subcommand '%s' (see runnel group --help)", argv[0]);
    return RN_CLI_EXIT_USAGE;
}
