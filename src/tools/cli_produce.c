/*
 * cli_produce.c — `runnel produce TOPIC`: one record per stdin line.
 *
 * Lines lose their "\n" (and a "\r" before it); with --key-separator SEP a line is
 * "key<SEP>value" split at the first SEP, and a line without SEP is not sent (it counts
 * as not acknowledged). Delivery reports arrive on the producer's thread and only bump
 * atomic counters; the exit code is decided once the producer is freed, when every
 * record has its report: 0 only if each one was acknowledged.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static const char usage_produce[] =
    "usage: runnel produce TOPIC [--acks 0|1|all] [--key-separator SEP] [--partition P]\n"
    "                      [--partitioner default|sticky|hash|broker] [--compression "
    "none|gzip]\n"
    "                      [--linger-ms N] [--batch-size BYTES] [--delivery-timeout-ms N]\n"
    "Send one record per stdin line.\n"
    "  --acks 0|1|all           wait for no one, the leader, or every in-sync replica\n"
    "                           (default: all)\n"
    "  --key-separator SEP      lines are KEY<SEP>VALUE (split at the first SEP)\n"
    "  --partition P            send every record to partition P\n"
    "  --partitioner NAME       default (hash keyed records, sticky otherwise), sticky,\n"
    "                           hash, or broker (the broker chooses by the topic's\n"
    "                           `partitioner` config)\n"
    "  --compression none|gzip  batch compression (default: none)\n"
    "  --linger-ms N            wait up to N ms to fill a batch (default: 5)\n"
    "  --batch-size BYTES       bytes per partition batch (default: 16384)\n"
    "  --delivery-timeout-ms N  retry a record for up to N ms (default: 30000)\n"
    "Exit 0 only if every record was acknowledged; otherwise the count of those that\n"
    "were not is printed and the exit status is 1.\n";

typedef struct produce_opts_s {
    const char *topic;
    const char *acks, *sep, *partitioner, *compression;
    int64_t partition, linger_ms, batch_size, delivery_timeout_ms;
} produce_opts_t;

typedef struct produce_state_s {
    atomic_llong acked;
    atomic_int first_err; /* the first delivery error, 0 while none */
    int64_t lines;        /* records read from stdin */
    int64_t unsent;       /* lines refused before they reached the producer */
    int bad_line;         /* the first line without a key separator, 0 if none */
    int send_err;         /* the first error from rn_producer_send, 0 if none */
} produce_state_t;

static void on_delivery(void *opaque, int err, const char *topic, int32_t partition, int64_t offset,
                        void *msg_opaque) {
    produce_state_t *st = opaque;
    (void)topic, (void)partition, (void)offset, (void)msg_opaque;
    if (err == 0) {
        atomic_fetch_add_explicit(&st->acked, 1, memory_order_relaxed);
        return;
    }
    int none = 0;
    atomic_compare_exchange_strong(&st->first_err, &none, err);
}

static rn_producer_t *producer_open(const rn_cli_ctx_t *ctx, const produce_opts_t *o,
                                    produce_state_t *st) {
    rn_conf_t *conf = rn_cli_conf_new(ctx);
    if (!conf)
        return NULL;
    char num[32];
    int bad = 0;
    snprintf(num, sizeof(num), "%lld", (long long)o->delivery_timeout_ms);
    bad |= rn_cli_conf_set(conf, "--delivery-timeout-ms", "delivery.timeout.ms", num);
    /* A request may not outlive the record it carries, and one stuck at a broker that
     * stopped answering (frozen, partitioned away) must leave time for retries on the
     * new leader: a third of the delivery timeout, 1 s to 30 s. */
    int64_t req_ms = o->delivery_timeout_ms / 3;
    req_ms = req_ms < 1000 ? 1000 : req_ms > 30000 ? 30000 : req_ms;
    if (req_ms > o->delivery_timeout_ms)
        req_ms = o->delivery_timeout_ms;
    snprintf(num, sizeof(num), "%lld", (long long)req_ms);
    bad |= rn_cli_conf_set(conf, "--delivery-timeout-ms", "request.timeout.ms", num);
    if (o->acks)
        bad |= rn_cli_conf_set(conf, "--acks", "acks", o->acks);
    if (o->partitioner)
        bad |= rn_cli_conf_set(conf, "--partitioner", "partitioner", o->partitioner);
    if (o->compression)
        bad |= rn_cli_conf_set(conf, "--compression", "compression.type", o->compression);
    snprintf(num, sizeof(num), "%lld", (long long)o->linger_ms);
    if (o->linger_ms >= 0)
        bad |= rn_cli_conf_set(conf, "--linger-ms", "linger.ms", num);
    snprintf(num, sizeof(num), "%lld", (long long)o->batch_size);
    if (o->batch_size >= 0)
        bad |= rn_cli_conf_set(conf, "--batch-size", "batch.size", num);
    if (bad) {
        rn_conf_free(conf);
        return NULL;
    }
    char err[RN_CLI_ERRLEN] = "";
    rn_producer_t *p = rn_producer_new(conf, on_delivery, st, err, sizeof(err));
    if (!p)
        rn_cli_error("produce: %s", err[0] ? err : "cannot start the producer");
    return p;
}

/* Queue one record; a full queue drains (flush) and the send is tried again. */
static void send_record(rn_producer_t *p, const produce_opts_t *o, produce_state_t *st,
                        const char *key, int32_t key_len, const char *val, int32_t val_len) {
    int32_t part = o->partition >= 0 ? (int32_t)o->partition : RN_PARTITION_ANY;
    int rc;
    for (;;) {
        rc = rn_producer_send(p, o->topic, part, key, key_len, val, val_len, NULL, 0, 0, NULL);
        if (rc == 0 || !rn_err_retriable(rc) || rn_producer_outstanding(p) == 0)
            break;
        rn_producer_flush(p, 100);
    }
    if (rc != 0) {
        st->unsent++;
        if (st->send_err == 0)
            st->send_err = rc;
    }
}

/* One stdin line (newline stripped) to a record. */
static void produce_line(rn_producer_t *p, const produce_opts_t *o, produce_state_t *st, char *line,
                         size_t len) {
    st->lines++;
    if (!o->sep) {
        send_record(p, o, st, NULL, -1, line, (int32_t)len);
        return;
    }
    char *at = strstr(line, o->sep);
    if (!at) {
        st->unsent++;
        if (st->bad_line == 0)
            st->bad_line = (int)st->lines;
        return;
    }
    size_t klen = (size_t)(at - line), skip = klen + strlen(o->sep);
    send_record(p, o, st, line, (int32_t)klen, line + skip, (int32_t)(len - skip));
}

static void read_stdin(rn_producer_t *p, const produce_opts_t *o, produce_state_t *st) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        produce_line(p, o, st, line, len);
    }
    free(line);
}

/* The exit code once every record has its delivery report. */
static int produce_result(const rn_cli_ctx_t *ctx, const produce_opts_t *o, produce_state_t *st) {
    int64_t acked = atomic_load(&st->acked);
    int64_t missing = st->lines - acked;
    if (missing <= 0)
        return RN_CLI_EXIT_OK;
    char what[512];
    snprintf(what, sizeof(what), "produce '%s': %lld of %lld records were not acknowledged",
             o->topic, (long long)missing, (long long)st->lines);
    if (st->bad_line) {
        rn_cli_error("%s (line %d has no key separator '%s')", what, st->bad_line, o->sep);
        return RN_CLI_EXIT_FAIL;
    }
    int err = atomic_load(&st->first_err);
    if (err == 0 && st->send_err == 0) { /* no report said why: say only how many */
        rn_cli_error("%s", what);
        return RN_CLI_EXIT_FAIL;
    }
    return rn_cli_fail(ctx, err ? err : st->send_err, NULL, what);
}

int rn_cli_produce(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    produce_opts_t o = {
        .partition = -1, .linger_ms = -1, .batch_size = -1, .delivery_timeout_ms = 30000};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_CHOICE("--acks", &o.acks, "0|1|all|-1"),
        RN_CLI_OPT_STR("--key-separator", &o.sep),
        RN_CLI_OPT_INT("--partition", &o.partition, 0, INT32_MAX),
        RN_CLI_OPT_CHOICE("--partitioner", &o.partitioner, "default|sticky|hash|broker"),
        RN_CLI_OPT_CHOICE("--compression", &o.compression, "none|gzip"),
        RN_CLI_OPT_INT("--linger-ms", &o.linger_ms, 0, INT32_MAX),
        RN_CLI_OPT_INT("--batch-size", &o.batch_size, 1, INT32_MAX),
        RN_CLI_OPT_INT("--delivery-timeout-ms", &o.delivery_timeout_ms, 1, INT32_MAX),
        RN_CLI_OPT_END,
    };
    int rc = rn_cli_parse_cmd("produce", usage_produce, argc, argv, opts, &o.topic, 1);
    if (rc >= 0)
        return rc;
    if (o.sep && o.sep[0] == '\0') {
        rn_cli_error("produce: --key-separator must not be empty");
        return RN_CLI_EXIT_USAGE;
    }
    produce_state_t st = {0};
    rn_producer_t *p = producer_open(ctx, &o, &st);
    if (!p)
        return RN_CLI_EXIT_USAGE;
    read_stdin(p, &o, &st);
    rn_producer_flush(p, -1);
    /* free reports (as errors) whatever flush left undelivered; after it no report
     * is pending and the counters are final. */
    rn_producer_free(p);
    return produce_result(ctx, &o, &st);
}
