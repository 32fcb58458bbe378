/*
 * cli_perf.c — `runnel perf produce|consume`: throughput and latency, reported in the
 * summary lines of Kafka's perf tools so numbers compare directly:
 *
 *   N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency,
 *   P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th.        (one line)
 *   N records received, R records/sec (M MB/sec)
 *
 * Latency is from rn_producer_send to the delivery report. The send time travels in
 * the record's msg_opaque (a monotonic timestamp, not a pointer), so no per-record
 * state is kept; the delivery callback, on the producer's single thread, feeds a
 * histogram that the main thread reads only after rn_producer_free joined that
 * thread. MB are 2^20 bytes, as in Kafka's tools.
 *
 * perf consume reads every partition from the log start, or with --group joins the
 * group (auto commit on) and reads its share from the committed offsets; its time then
 * runs from the first assignment, like Kafka's consumer perf tool's fetch time.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "tools/cli.h"
#include "tools/cli_hist.h"

static const char usage_perf[] =
    "usage: runnel perf produce|consume TOPIC ...\n"
    "  produce TOPIC --num-records N --record-size BYTES [--acks 0|1|all]\n"
    "                [--throughput RECORDS_PER_SEC|-1] [--compression none|gzip]\n"
    "  consume TOPIC --num-records N [--group G] [--timeout-ms T]\n"
    "See `runnel perf produce --help`, `runnel perf consume --help`.\n";

static const char usage_perf_produce[] =
    "usage: runnel perf produce TOPIC --num-records N --record-size BYTES [--acks 0|1|all]\n"
    "                           [--throughput RECORDS_PER_SEC|-1] [--compression "
    "none|gzip]\n"
    "Send N records of BYTES random letters (no key) and print, at the end:\n"
    "  N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency,\n"
    "  P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th.\n"
    "Latency is from send to delivery report. --throughput caps the send rate (-1: no\n"
    "cap, the default). Exit 1 if any record failed.\n";

static const char usage_perf_consume[] =
    "usage: runnel perf consume TOPIC --num-records N [--group G] [--timeout-ms T]\n"
    "Read N records from the start of every partition and print, at the end:\n"
    "  N records received, R records/sec (M MB/sec)\n"
    "Exit 1 if fewer than N arrive before T ms pass with nothing new (default 10000).\n"
    "  --group G   join consumer group G and read the partitions it assigns, from the\n"
    "              group's committed offsets (else the log start); offsets are\n"
    "              auto-committed and on exit. The time counts from the first\n"
    "              assignment (joining the group is not measured).\n";

typedef struct perf_state_s {
    rn_cli_hist_t hist; /* delivery thread only, until the producer is freed */
    atomic_llong failed;
    atomic_int first_err;
} perf_state_t;

static void on_delivery(void *opaque, int err, const char *topic, int32_t partition, int64_t offset,
                        void *msg_opaque) {
    perf_state_t *st = opaque;
    (void)topic, (void)partition, (void)offset;
    if (err != 0) {
        int none = 0;
        atomic_fetch_add_explicit(&st->failed, 1, memory_order_relaxed);
        atomic_compare_exchange_strong(&st->first_err, &none, err);
        return;
    }
    int64_t sent_ns = (int64_t)(uintptr_t)msg_opaque;
    int64_t us = (rn_mono_ns() - sent_ns) / 1000;
    rn_cli_hist_record(&st->hist, us > 0 ? (uint64_t)us : 0);
}

static double ms_of(uint64_t us) {
    return (double)us / 1000.0;
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
    nanosleep(&ts, NULL);
}

typedef struct perf_produce_opts_s {
    const char *topic, *acks, *compression;
    int64_t num, size, throughput;
} perf_produce_opts_t;

static rn_producer_t *perf_producer(const rn_cli_ctx_t *ctx, const perf_produce_opts_t *o,
                                    perf_state_t *st) {
    rn_conf_t *conf = rn_cli_conf_new(ctx);
    if (!conf)
        return NULL;
    if ((o->acks && rn_cli_conf_set(conf, "--acks", "acks", o->acks) < 0) ||
        (o->compression &&
         rn_cli_conf_set(conf, "--compression", "compression.type", o->compression) < 0)) {
        rn_conf_free(conf);
        return NULL;
    }
    char err[RN_CLI_ERRLEN] = "";
    rn_producer_t *p = rn_producer_new(conf, on_delivery, st, err, sizeof(err));
    if (!p)
        rn_cli_error("perf produce: %s", err[0] ? err : "cannot start the producer");
    return p;
}

/* Wait until record i is due under --throughput (records spread evenly from start). */
static void throttle(const perf_produce_opts_t *o, int64_t start_ns, int64_t i) {
    if (o->throughput <= 0)
        return;
    int64_t due = start_ns + (int64_t)((double)i * 1e9 / (double)o->throughput);
    int64_t ahead = due - rn_mono_ns();
    if (ahead > 1000000) /* sleeping costs ~60 µs: only for a millisecond or more */
        sleep_ns(ahead);
}

/* Send one record; a full queue is waited out. 0 or the send's error. */
static int perf_send(rn_producer_t *p, const char *topic, const char *payload, int32_t size) {
    for (;;) {
        void *stamp = (void *)(uintptr_t)rn_mono_ns();
        int rc = rn_producer_send(p, topic, RN_PARTITION_ANY, NULL, -1, payload, size, NULL, 0, 0,
                                  stamp);
        if (rc == 0 || !rn_err_retriable(rc) || rn_producer_outstanding(p) == 0)
            return rc;
        rn_producer_flush(p, 1);
    }
}

static void print_produce_summary(const rn_cli_hist_t *h, int64_t size, int64_t elapsed_ns) {
    double secs = (double)(elapsed_ns > 0 ? elapsed_ns : 1) / 1e9;
    double n = (double)h->count;
    double avg = h->count ? (double)h->sum_us / n / 1000.0 : 0.0;
    printf("%llu records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, "
           "%.2f ms max latency, %.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th.\n",
           (unsigned long long)h->count, n / secs, n * (double)size / secs / (1024.0 * 1024.0), avg,
           ms_of(h->max_us), ms_of(rn_cli_hist_quantile(h, 0.50)),
           ms_of(rn_cli_hist_quantile(h, 0.95)), ms_of(rn_cli_hist_quantile(h, 0.99)),
           ms_of(rn_cli_hist_quantile(h, 0.999)));
}

static char *make_payload(int64_t size) {
    char *payload = rn_malloc((size_t)size + 1);
    for (int64_t i = 0; i < size; i++)
        payload[i] = (char)('A' + rand() % 26);
    return payload;
}

static int perf_produce_run(const rn_cli_ctx_t *ctx, const perf_produce_opts_t *o) {
    perf_state_t *st = rn_calloc(1, sizeof(*st)); /* the histogram is ~35 kB */
    rn_cli_hist_init(&st->hist);
    rn_producer_t *p = perf_producer(ctx, o, st);
    if (!p) {
        rn_free(st);
        return RN_CLI_EXIT_USAGE;
    }
    char *payload = make_payload(o->size);
    int send_err = 0;
    int64_t unsent = 0, start = rn_mono_ns();
    for (int64_t i = 0; i < o->num; i++) {
        throttle(o, start, i);
        int rc = perf_send(p, o->topic, payload, (int32_t)o->size);
        if (rc != 0 && unsent++ == 0)
            send_err = rc;
    }
    rn_producer_flush(p, -1);
    int64_t elapsed = rn_mono_ns() - start;
    rn_producer_free(p); /* joins the delivery thread: the histogram is final */
    print_produce_summary(&st->hist, o->size, elapsed);
    int64_t failed = atomic_load(&st->failed) + unsent;
    int err = atomic_load(&st->first_err), rc = RN_CLI_EXIT_OK;
    if (failed > 0) {
        char what[400];
        snprintf(what, sizeof(what), "perf produce '%s': %lld of %lld records failed", o->topic,
                 (long long)failed, (long long)o->num);
        rc = rn_cli_fail(ctx, err ? err : send_err, NULL, what);
    }
    rn_free(payload);
    rn_free(st);
    return rc;
}

static int perf_produce(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    perf_produce_opts_t o = {.num = -1, .size = -1, .throughput = -1};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_INT("--num-records", &o.num, 1, INT64_MAX),
        RN_CLI_OPT_INT("--record-size", &o.size, 0, INT32_MAX),
        RN_CLI_OPT_CHOICE("--acks", &o.acks, "0|1|all|-1"),
        RN_CLI_OPT_INT("--throughput", &o.throughput, -1, INT64_MAX),
        RN_CLI_OPT_CHOICE("--compression", &o.compression, "none|gzip"),
        RN_CLI_OPT_END,
    };
    int rc = rn_cli_parse_cmd("perf produce", usage_perf_produce, argc, argv, opts, &o.topic, 1);
    if (rc >= 0)
        return rc;
    if (o.num < 0 || o.size < 0) {
        rn_cli_error("perf produce: %s is required", o.num < 0 ? "--num-records" : "--record-size");
        return RN_CLI_EXIT_USAGE;
    }
    if (o.throughput == 0) {
        rn_cli_error("perf produce: --throughput must be positive or -1 (no limit)");
        return RN_CLI_EXIT_USAGE;
    }
    return perf_produce_run(ctx, &o);
}

typedef struct perf_consume_opts_s {
    const char *topic, *group;
    int64_t num, timeout_ms;
} perf_consume_opts_t;

/* Poll until o->num records or o->timeout_ms idle; counts records and bytes. The
 * loop runs once per record: it reads the clock only when a poll comes back empty
 * (idle since that poll began, POLL_MS earlier), and does not clear err each time
 * (poll writes it only when it fails). */
static int consume_count(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const perf_consume_opts_t *o,
                         int64_t *n, int64_t *bytes) {
    enum { POLL_MS = 100 };
    int64_t idle_since = -1;
    char err[RN_CLI_ERRLEN];
    err[0] = '\0';
    while (*n < o->num) {
        rn_message_t *m = NULL;
        int r = rn_consumer_poll(c, POLL_MS, &m, err, sizeof(err));
        if (r != 0 && !m) {
            char what[300];
            snprintf(what, sizeof(what), "perf consume '%s'", o->topic);
            return rn_cli_fail(ctx, r, err, what);
        }
        if (m) {
            *bytes += (m->key_len > 0 ? m->key_len : 0) + (m->value_len > 0 ? m->value_len : 0);
            (*n)++;
            rn_message_free(m);
            idle_since = -1;
            continue;
        }
        int64_t now = rn_mono_ns();
        if (idle_since < 0)
            idle_since = now - (int64_t)POLL_MS * 1000000;
        if (now - idle_since >= o->timeout_ms * 1000000)
            break;
    }
    return RN_CLI_EXIT_OK;
}

/* --group: the time of the group's first assignment, the start of the measurement
 * (called on the polling thread, inside rn_consumer_poll). */
static void on_assigned(void *opaque, rn_consumer_t *c, const char *const *topics,
                        const int32_t *partitions, int32_t count) {
    int64_t *start_ns = opaque;
    (void)c, (void)topics, (void)partitions;
    if (count > 0 && *start_ns == 0)
        *start_ns = rn_mono_ns();
}

/* The consumer; with --group, its group keys and the assignment callback. NULL after
 * printing an error. */
static rn_consumer_t *perf_consumer(const rn_cli_ctx_t *ctx, const perf_consume_opts_t *o,
                                    int64_t *assigned_ns) {
    rn_conf_t *conf = rn_cli_conf_new(ctx);
    if (conf && o->group) {
        if (rn_cli_conf_set(conf, "--group", "group.id", o->group) < 0 ||
            rn_cli_conf_set(conf, "--group", "auto.offset.reset", "earliest") < 0) {
            rn_conf_free(conf);
            return NULL;
        }
        rn_conf_set_rebalance_cb(conf, on_assigned, NULL, assigned_ns);
    }
    char err[RN_CLI_ERRLEN] = "";
    rn_consumer_t *c = conf ? rn_consumer_new(conf, err, sizeof(err)) : NULL;
    if (!c && conf)
        rn_cli_error("perf consume: %s", err[0] ? err : "cannot start the consumer");
    return c;
}

/* Every partition from the log start, or (--group) the group's share. 0, or the
 * error code returned by rn_cli_fail. */
static int perf_start(const rn_cli_ctx_t *ctx, rn_consumer_t *c, const perf_consume_opts_t *o) {
    char err[RN_CLI_ERRLEN] = "", what[300];
    snprintf(what, sizeof(what), "perf consume '%s'", o->topic);
    int r;
    if (o->group) {
        const char *topics[1] = {o->topic};
        r = rn_consumer_subscribe(c, topics, 1, err, sizeof(err));
    } else {
        r = rn_consumer_assign_topic(c, o->topic, RN_OFFSET_BEGINNING, err, sizeof(err));
        r = r > 0 ? 0 : r < 0 ? r : -EINVAL;
    }
    return r == 0 ? 0 : rn_cli_fail(ctx, r, err, what);
}

static int perf_consume_run(const rn_cli_ctx_t *ctx, const perf_consume_opts_t *o) {
    int64_t assigned_ns = 0; /* written by on_assigned, on this thread */
    rn_consumer_t *c = perf_consumer(ctx, o, &assigned_ns);
    if (!c)
        return RN_CLI_EXIT_USAGE;
    char what[300];
    snprintf(what, sizeof(what), "perf consume '%s'", o->topic);
    int rc = perf_start(ctx, c, o);
    if (rc != 0) {
        rn_consumer_free(c);
        return rc;
    }
    int64_t n = 0, bytes = 0, start = rn_mono_ns();
    rc = consume_count(ctx, c, o, &n, &bytes);
    if (assigned_ns > start) /* --group: the join is not part of the measurement */
        start = assigned_ns;
    double secs = (double)(rn_mono_ns() - start) / 1e9;
    rn_consumer_free(c);
    if (rc != RN_CLI_EXIT_OK)
        return rc;
    printf("%lld records received, %.1f records/sec (%.2f MB/sec)\n", (long long)n,
           (double)n / secs, (double)bytes / secs / (1024.0 * 1024.0));
    if (n < o->num) {
        rn_cli_error("%s: only %lld of %lld records arrived within --timeout-ms %lld", what,
                     (long long)n, (long long)o->num, (long long)o->timeout_ms);
        return RN_CLI_EXIT_FAIL;
    }
    return RN_CLI_EXIT_OK;
}

static int perf_consume(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    perf_consume_opts_t o = {.num = -1, .timeout_ms = 10000};
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_INT("--num-records", &o.num, 1, INT64_MAX),
        RN_CLI_OPT_INT("--timeout-ms", &o.timeout_ms, 0, INT32_MAX),
        RN_CLI_OPT_STR("--group", &o.group),
        RN_CLI_OPT_END,
    };
    int rc = rn_cli_parse_cmd("perf consume", usage_perf_consume, argc, argv, opts, &o.topic, 1);
    if (rc >= 0)
        return rc;
    if (o.num < 0) {
        rn_cli_error("perf consume: --num-records is required");
        return RN_CLI_EXIT_USAGE;
    }
    if (o.group && o.group[0] == '\0') {
        rn_cli_error("perf consume: --group needs a non-empty group id");
        return RN_CLI_EXIT_USAGE;
    }
    return perf_consume_run(ctx, &o);
}

int rn_cli_perf(const rn_cli_ctx_t *ctx, int argc, char **argv) {
    if (argc < 1) {
        fputs(usage_perf, stderr);
        return RN_CLI_EXIT_USAGE;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs(usage_perf, stdout);
        return RN_CLI_EXIT_OK;
    }
    if (strcmp(argv[0], "produce") == 0)
        return perf_produce(ctx, argc - 1, argv + 1);
    if (strcmp(argv[0], "consume") == 0)
        return perf_consume(ctx, argc - 1, argv + 1);
    rn_cli_error("perf: unknown subcommand '%s' (see runnel perf --help)", argv[0]);
    return RN_CLI_EXIT_USAGE;
}
