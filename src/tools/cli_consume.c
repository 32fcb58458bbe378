/*
 * cli_consume.c — `runnel consume TOPIC`: records to stdout, one per line.
 *
 *   [partition<TAB>offset<TAB>][key<TAB>]value        (null key or value: "null")
 *
 * Manual assignment: one partition with --partition, else every partition of the
 * topic. The start is --offset, else the log start with --from-beginning, else the
 * log end (new records only). The loop stops after --max-messages records, after
 * --timeout-ms with nothing new, or on SIGINT/SIGTERM; each of those is a success.
 * A partition that fails (offset out of range, topic deleted, corrupt batch) ends the
 * command with exit 1. stdout is flushed whenever the consumer goes idle, so a pipe
 * sees records promptly without a write per record.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "common/clock.h"
#include "tools/cli.h"

static const char usage_consume[] =
    "usage: runnel consume TOPIC [--from-beginning] [--partition P [--offset O]]\n"
    "                      [--max-messages N] [--timeout-ms T] [--print-key] "
    "[--print-offset]\n"
    "Print record values, one per line (null values print as \"null\").\n"
    "  --from-beginning   start at the log start (default: the log end, new records only)\n"
    "  --partition P      read only partition P (default: every partition)\n"
    "  --offset O         start partition P at offset O\n"
    "  --max-messages N   stop after N records\n"
    "  --timeout-ms T     stop after T ms with nothing new (default: wait forever)\n"
    "  --print-key        print \"key<TAB>\" before the value\n"
    "  --print-offset     print \"partition<TAB>offset<TAB>\" first\n"
    "  --group G          not supported yet (consumer groups arrive later)\n";

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

static int64_t now_ms(void) {
    return rn_mono_ns() / 1000000;
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

static int consume_loop(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const consume_opts_t *o) {
    int64_t n = 0, idle_since = now_ms();
    while (!stopping && (o->max_messages < 0 || n < o->max_messages)) {
        int slice = 100; /* wake up regularly to notice signals */
        if (o->timeout_ms >= 0) {
            int64_t left = idle_since + o->timeout_ms - now_ms();
            if (left <= 0)
                break;
            slice = left < slice ? (int)left : slice;
        }
        rn_message_t *m = NULL;
        char err[RN_CLI_ERRLEN] = "", what[300];
        int r = rn_consumer_poll(c, slice, &m, err, sizeof(err));
        if (r == 0) {
            fflush(stdout);
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
        idle_since = now_ms();
    }
    fflush(stdout);
    return RN_CLI_EXIT_OK;
}

static int check_opts(const consume_opts_t *o) {
    if (o->group) {
        rn_cli_error("consume: --group is not supported yet (consumer groups arrive later)");
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
    rn_conf_t *conf = rn_cli_conf_new(ctx);
    char err[RN_CLI_ERRLEN] = "";
    rn_consumer_t *c = conf ? rn_consumer_new(conf, err, sizeof(err)) : NULL;
    if (!c) {
        if (conf)
            rn_cli_error("consume: %s", err[0] ? err : "cannot start the consumer");
        return RN_CLI_EXIT_USAGE;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    rc = assign(ctx, c, &o);
    if (rc == 0)
        rc = consume_loop(ctx, c, &o);
    rn_consumer_free(c);
    return rc;
}
