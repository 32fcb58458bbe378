/*
 * cli_consume.c — `runnel consume TOPIC`: records to stdout, one per line.
 *
 *   [partition<TAB>offset<TAB>][key<TAB>]value        (null key or value: "null")
 *
 * Without --group, manual assignment: one partition with --partition, else every
 * partition of the topic. The start is --offset, else the log start with
 * --from-beginning, else the log end (new records only).
 *
 * With --group G, the consumer joins group G (rn_consumer_subscribe) and reads the
 * partitions the group assigns it, each from the group's committed offset, else from
 * the log start (--from-beginning: auto.offset.reset=earliest) or the log end
 * (latest). Offsets are committed by the tool (librunnel's auto commit only commits
 * before a rebalance), so that only printed records count as consumed: stdout is
 * flushed, then the positions are committed (rn_consumer_commit_sync, a round trip)
 * whenever the consumer goes idle and every COMMIT_INTERVAL_MS while records flow,
 * and once more on exit. Waiting for each commit tells exactly how many printed
 * records are not committed yet: when the final commit fails with some left (the
 * group rebalanced, the coordinator is gone), that is an error (exit 1), since the
 * next run would read them again.
 *
 * The loop stops after --max-messages records, after --timeout-ms with nothing new,
 * or on SIGINT/SIGTERM; each of those is a success. A partition that fails (offset
 * out of range, topic deleted, corrupt batch) ends the command with exit 1. stdout is
 * flushed whenever the consumer goes idle, so a pipe sees records promptly without a
 * write per record.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "common/clock.h"
#include "tools/cli.h"

static const char usage_consume[] =
    "usage: runnel consume TOPIC [--group G] [--from-beginning] [--partition P [--offset O]]\n"
    "                      [--max-messages N] [--timeout-ms T] [--print-key] "
    "[--print-offset]\n"
    "Print record values, one per line (null values print as \"null\").\n"
    "  --group G          join consumer group G: read the partitions it assigns, from its\n"
    "                     committed offsets; commit what was printed, and again on exit\n"
    "  --from-beginning   start at the log start (default: the log end, new records only);\n"
    "                     with --group, only where the group has no committed offset\n"
    "  --partition P      read only partition P (default: every partition; not with "
    "--group)\n"
    "  --offset O         start partition P at offset O\n"
    "  --max-messages N   stop after N records\n"
    "  --timeout-ms T     stop after T ms with nothing new (default: wait forever)\n"
    "  --print-key        print \"key<TAB>\" before the value\n"
    "  --print-offset     print \"partition<TAB>offset<TAB>\" first\n";

/* With --group: commit at least this often while records are being printed. */
#define COMMIT_INTERVAL_MS 200

typedef struct consume_opts_s {
    const char *topic, *group;
    int from_beginning, print_key, print_offset;
    int64_t partition, offset, max_messages, timeout_ms;
} consume_opts_t;

static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static void print_bytes(const void *p, int32_t len) {
    if (len < 0 || !p)
        fputs("null", stdout);
    else
        fwrite(p, 1, (size_t)len, stdout);
}

static void print_message(const consume_opts_t *o, const rn_message_t *m) {
    if (o->print_offset)
        printf("%d\t%lld\t", m->partition, (long long)m->offset);
    if (o->print_key) {
        print_bytes(m->key, m->key_len);
        putchar('\t');
    }
    print_bytes(m->value, m->value_len);
    putchar('\n');
}

/* --partition P must exist: a fetch for a partition the topic lacks would only wait.
 * 0, or the exit code after printing why not. */
static int check_partition(const rn_cli_ctx_t *ctx, const consume_opts_t *o) {
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    rn_topic_info_t *t = NULL;
    char err[RN_CLI_ERRLEN] = "", what[300];
    int r = rn_admin_describe_topic(a, o->topic, &t, err, sizeof(err));
    rn_admin_free(a);
    snprintf(what, sizeof(what), "consume '%s'", o->topic);
    if (r != 0)
        return rn_cli_fail(ctx, r, err, what);
    int32_t n = t->npartitions;
    rn_admin_topic_free(t);
    if (o->partition < n)
        return 0;
    rn_cli_error("%s: --partition %lld: the topic has %d partition%s", what,
                 (long long)o->partition, n, n == 1 ? "" : "s");
    return RN_CLI_EXIT_FAIL;
}

static int assign(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const consume_opts_t *o) {
    int64_t start = o->from_beginning ? RN_OFFSET_BEGINNING : RN_OFFSET_END;
    char err[RN_CLI_ERRLEN] = "", what[300];
    snprintf(what, sizeof(what), "consume '%s'", o->topic);
    if (o->partition >= 0) {
        int rc = check_partition(ctx, o);
        if (rc != 0)
            return rc;
        if (o->offset >= 0)
            start = o->offset;
        int r = rn_consumer_assign(c, o->topic, (int32_t)o->partition, start);
        return r == 0 ? 0 : rn_cli_fail(ctx, r, NULL, what);
    }
    int r = rn_consumer_assign_topic(c, o->topic, start, err, sizeof(err));
    return r > 0 ? 0 : rn_cli_fail(ctx, r, err, what);
}

/* --group: join the group subscribed to the topic. The topic must exist (as without
 * --group): a subscription to a missing topic would only wait. */
static int subscribe(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const consume_opts_t *o) {
    char err[RN_CLI_ERRLEN] = "", what[300];
    snprintf(what, sizeof(what), "consume '%s'", o->topic);
    rn_admin_t *a = rn_cli_admin_new(ctx);
    if (!a)
        return RN_CLI_EXIT_FAIL;
    char **names = NULL;
    int32_t n = 0, found = 0;
    int r = rn_admin_list_topics(a, &names, &n, err, sizeof(err));
    rn_admin_free(a);
    for (int32_t i = 0; r == 0 && i < n; i++)
        found |= strcmp(names[i], o->topic) == 0;
    rn_admin_names_free(names, n);
    if (r != 0)
        return rn_cli_fail(ctx, r, err, what);
    if (!found) {
        enum { UNKNOWN_TOPIC_OR_PARTITION = 3 }; /* the protocol's code */
        snprintf(err, sizeof(err), "topic %s: %s", o->topic,
                 rn_err_str(UNKNOWN_TOPIC_OR_PARTITION));
        return rn_cli_fail(ctx, UNKNOWN_TOPIC_OR_PARTITION, err, what);
    }
    const char *topics[1] = {o->topic};
    r = rn_consumer_subscribe(c, topics, 1, err, sizeof(err));
    return r == 0 ? 0 : rn_cli_fail(ctx, r, err, what);
}

/* --group: what has been printed and not yet committed. */
typedef struct commits_s {
    int64_t printed; /* records printed since the last successful commit */
    int64_t last_ms; /* the last commit attempt */
    int failed;      /* it failed: the next waits COMMIT_INTERVAL_MS */
} commits_t;

/* Whether to commit now: while records flow, every COMMIT_INTERVAL_MS; when idle,
 * at once (after a failure, not before COMMIT_INTERVAL_MS either). */
static int commit_due(const commits_t *cm, int idle, int64_t now) {
    if (cm->printed == 0)
        return 0;
    return (idle && !cm->failed) || now - cm->last_ms >= COMMIT_INTERVAL_MS;
}

/* Flush stdout, then commit the positions (everything printed so far), waiting for
 * the coordinator: so `printed` counts exactly the records whose offsets are not
 * committed yet. A failure here (a rebalance under way) is not final: the next
 * commit covers the same records again. */
static void commit_printed(rn_consumer_t *c, commits_t *cm) {
    fflush(stdout);
    cm->failed = rn_consumer_commit_sync(c, NULL, 0) != 0;
    if (!cm->failed)
        cm->printed = 0;
    cm->last_ms = rn_mono_ms();
}

/* --group, on exit: the final commit. Its failure is an error only when printed
 * records are left uncommitted (the next run would read them again). 0, or the exit
 * code after printing why. */
static int commit_final(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const consume_opts_t *o,
                        const commits_t *cm) {
    char err[RN_CLI_ERRLEN] = "", what[400];
    int r = rn_consumer_commit_sync(c, err, sizeof(err));
    if (r == 0 || cm->printed == 0)
        return 0;
    snprintf(what, sizeof(what),
             "consume '%s': group %s: the offsets of %lld printed records "
             "were not committed",
             o->topic, o->group, (long long)cm->printed);
    return rn_cli_fail(ctx, r, err, what);
}

static int consume_loop(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const consume_opts_t *o,
                        commits_t *cm) {
    int64_t n = 0, idle_since = rn_mono_ms();
    while (!stopping && (o->max_messages < 0 || n < o->max_messages)) {
        int slice = 100; /* wake up regularly to notice signals */
        if (o->timeout_ms >= 0) {
            int64_t left = idle_since + o->timeout_ms - rn_mono_ms();
            if (left <= 0)
                break;
            slice = left < slice ? (int)left : slice;
        }
        rn_message_t *m = NULL;
        char err[RN_CLI_ERRLEN] = "", what[300];
        int r = rn_consumer_poll(c, slice, &m, err, sizeof(err));
        if (r == 0) {
            fflush(stdout);
            if (o->group && commit_due(cm, 1, rn_mono_ms()))
                commit_printed(c, cm);
            continue;
        }
        if (!m) {
            snprintf(what, sizeof(what), "consume '%s'", o->topic);
            fflush(stdout);
            return rn_cli_fail(ctx, r, err, what);
        }
        print_message(o, m);
        rn_message_free(m);
        n++;
        cm->printed++;
        idle_since = rn_mono_ms();
        if (o->group && commit_due(cm, 0, idle_since))
            commit_printed(c, cm);
    }
    fflush(stdout);
    return RN_CLI_EXIT_OK;
}

/* The consumer's configuration; with --group, the group's keys. NULL after printing
 * an error. */
static rn_conf_t *consumer_conf(const rn_cli_ctx_t *ctx, const consume_opts_t *o) {
    rn_conf_t *conf = rn_cli_conf_new(ctx);
    if (!conf || !o->group)
        return conf;
    /* Auto commit stays on for one thing only: the commit librunnel makes before a
     * rebalance takes partitions away (of what poll returned before it was last
     * entered, i.e. what was printed). Without it, a partition the group never
     * committed would start at the new owner's auto.offset.reset, skipping what was
     * produced meanwhile. The periodic auto commit is pushed out of reach: the tool
     * commits on its own schedule (commit_printed). */
    if (rn_cli_conf_set(conf, "--group", "group.id", o->group) < 0 ||
        rn_cli_conf_set(conf, "--group", "enable.auto.commit", "true") < 0 ||
        rn_cli_conf_set(conf, "--group", "auto.commit.interval.ms", "2147483647") < 0 ||
        rn_cli_conf_set(conf, "--from-beginning", "auto.offset.reset",
                        o->from_beginning ? "earliest" : "latest") < 0) {
        rn_conf_free(conf);
        return NULL;
    }
    return conf;
}

static int check_opts(const consume_opts_t *o) {
    if (o->group && o->partition >= 0) {
        rn_cli_error("consume: --partition cannot be used with --group (the group assigns the "
                     "partitions)");
        return RN_CLI_EXIT_USAGE;
    }
    if (o->group && o->group[0] == '\0') {
        rn_cli_error("consume: --group needs a non-empty group id");
        return RN_CLI_EXIT_USAGE;
    }
    if (o->offset >= 0 && o->partition < 0) {
        rn_cli_error("consume: --offset needs --partition");
        return RN_CLI_EXIT_USAGE;
    }
    if (o->offset >= 0 && o->from_beginning) {
        rn_cli_error("consume: give --offset or --from-beginning, not both");
        return RN_CLI_EXIT_USAGE;
    }
    return -1;
}

int rn_cli_consume(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    consume_opts_t o = {.partition = -1, .offset = -1, .max_messages = -1, .timeout_ms = -1};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_STR("--group", &o.group),
        RN_CLI_OPT_BOOL("--from-beginning", &o.from_beginning),
        RN_CLI_OPT_INT("--partition", &o.partition, 0, INT32_MAX),
        RN_CLI_OPT_INT("--offset", &o.offset, 0, INT64_MAX),
        RN_CLI_OPT_INT("--max-messages", &o.max_messages, 0, INT64_MAX),
        RN_CLI_OPT_INT("--timeout-ms", &o.timeout_ms, 0, INT32_MAX),
        RN_CLI_OPT_BOOL("--print-key", &o.print_key),
        RN_CLI_OPT_BOOL("--print-offset", &o.print_offset),
        RN_CLI_OPT_END,
    };
    int rc = rn_cli_parse_cmd("consume", usage_consume, argc, argv, opts, &o.topic, 1);
    if (rc < 0)
        rc = check_opts(&o);
    if (rc >= 0)
        return rc;
    rn_conf_t *conf = consumer_conf(ctx, &o);
    char err[RN_CLI_ERRLEN] = "";
    rn_consumer_t *c = conf ? rn_consumer_new(conf, err, sizeof(err)) : NULL;
    if (!c) {
        if (conf)
            rn_cli_error("consume: %s", err[0] ? err : "cannot start the consumer");
        return RN_CLI_EXIT_USAGE;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    commits_t cm = {.last_ms = rn_mono_ms()};
    rc = o.group ? subscribe(ctx, c, &o) : assign(ctx, c, &o);
    if (rc == 0)
        rc = consume_loop(ctx, c, &o, &cm);
    if (o.group) {
        if (rc == 0)
            rc = commit_final(ctx, c, &o, &cm);
        else /* the error is reported already; still keep what was printed */
            rn_consumer_commit_sync(c, NULL, 0);
        rn_consumer_close(c); /* leave the group at once: the others rebalance now */
    }
    rn_consumer_free(c);
    return rc;
}
