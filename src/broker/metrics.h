/*
 * metrics.h — the broker's metrics (docs/operations.md "Metrics"): counters and
 * latency histograms kept as plain integers on the loop thread, and their rendering
 * in the Prometheus text exposition format (version 0.0.4), served at GET /metrics by
 * metrics_http.h when metrics.listener is set.
 *
 *   dispatch.c ──request in / answered──▶ requests, errors, latency by API
 *   isr.c      ──ISR change applied────▶ isr_shrinks, isr_expands
 *   log manager ──fsync round done─────▶ flush_latency (rn_logmgr_set_flush_observer)
 *   scrape ──rn_metrics_collect──▶ the counters above, plus gauges read from the broker
 *            at that moment: connections and bytes (server), partitions and their
 *            offsets (registry), controller, offline partitions (image), group lag
 *            (coordinator)
 *
 * Histogram: fixed buckets, bounds in seconds (RN_HISTO_BOUNDS below); each observation
 * goes into the first bucket whose bound it does not exceed, the rendering makes them
 * cumulative (le="…"), as Prometheus expects, and adds +Inf, _sum and _count.
 *
 * Text: a growing buffer; every family gets its # HELP and # TYPE lines first; label
 * values are escaped (\\, \", \n) and made valid UTF-8 (control characters and bytes
 * that are not UTF-8 become U+FFFD), since group ids come from clients.
 *
 * Loop thread only; nothing here blocks.
 */
#ifndef RN_BROKER_METRICS_H
#define RN_BROKER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rn_broker_s rn_broker_t;

/* ---- histograms ----------------------------------------------------------------- */

#define RN_HISTO_NBOUNDS 16 /* finite bounds; one more bucket for +Inf */

typedef struct rn_histo_s {
    uint64_t bucket[RN_HISTO_NBOUNDS + 1]; /* not cumulative; last: above every bound */
    uint64_t count;
    uint64_t sum_ns;
} rn_histo_t;

/* The finite bounds, in nanoseconds, ascending, and as Prometheus le strings. */
int64_t rn_histo_bound_ns(int i);
const char *rn_histo_bound_le(int i);

/* Record one duration (negative counts as 0). */
void rn_histo_observe(rn_histo_t *h, int64_t ns);

/* ---- exposition text ------------------------------------------------------------- */

typedef struct rn_mtext_s {
    char *p; /* rn_malloc'd, NUL-terminated; NULL while empty */
    size_t len, cap;
} rn_mtext_t;

typedef struct rn_mlabel_s {
    const char *name;  /* a valid label name: [a-zA-Z_][a-zA-Z0-9_]* (not checked) */
    const char *value; /* any bytes up to NUL; escaped here */
} rn_mlabel_t;

void rn_mtext_init(rn_mtext_t *t);
void rn_mtext_deinit(rn_mtext_t *t);

/* Take the text (rn_free it); t is left empty. *len set. Never NULL. */
char *rn_mtext_take(rn_mtext_t *t, size_t *len);

/* "# HELP name help\n# TYPE name type\n"; type is counter, gauge or histogram. help
 * must not contain a newline or a backslash (ours are literals). */
void rn_mtext_family(rn_mtext_t *t, const char *name, const char *type, const char *help);

/* One sample line: name{labels} value. */
void rn_mtext_int(rn_mtext_t *t, const char *name, const rn_mlabel_t *labels, int nlabels,
                  int64_t value);
void rn_mtext_uint(rn_mtext_t *t, const char *name, const rn_mlabel_t *labels, int nlabels,
                   uint64_t value);

/* The histogram's sample lines (family `name` already announced): name_bucket{labels,
 * le} for every bound and +Inf (cumulative), name_sum{labels} in seconds,
 * name_count{labels}. At most 7 labels. */
void rn_mtext_histo(rn_mtext_t *t, const char *name, const rn_mlabel_t *labels, int nlabels,
                    const rn_histo_t *h);

/* Append s[0..len) as a label value: escaped, made valid UTF-8. */
void rn_mtext_label_value(rn_mtext_t *t, const char *s, size_t len);

/* ---- the broker's counters ---------------------------------------------------------- */

#define RN_METRICS_NAPI 64 /* api keys 0..63 (BrokerHeartbeat, 63, is the highest) */

typedef struct rn_metrics_s {
    uint64_t requests[RN_METRICS_NAPI]; /* handed to the API's handler */
    uint64_t errors[RN_METRICS_NAPI];   /* answered with an error (rn_metrics_response_failed) */
    rn_histo_t latency[RN_METRICS_NAPI];
    uint64_t isr_shrinks; /* ISR changes applied to partitions this broker leads */
    uint64_t isr_expands;
    rn_histo_t flush_latency; /* fsync rounds of the partition logs */
    uint64_t flush_errors;
} rn_metrics_t;

/* A request of api_key was handed to its handler. */
void rn_metrics_request(rn_metrics_t *m, int16_t api_key);

/* A request of api_key was answered after ns; failed as rn_metrics_response_failed. */
void rn_metrics_answered(rn_metrics_t *m, int16_t api_key, int64_t ns, bool failed);

/*
 * Does this response carry an error? body[0..len) is the response body (after the
 * correlation id) of api_key at version. True when its top-level error_code (every
 * runnel response begins with one, docs/protocol.md) is not NONE; for Produce and
 * Fetch also when any partition's error_code is not NONE. A body that does not decode
 * counts as failed. Pure.
 */
bool rn_metrics_response_failed(int16_t api_key, int16_t version, const uint8_t *body, size_t len);

/* Render every metric of the broker into t (docs/operations.md lists them). */
void rn_metrics_collect(rn_broker_t *b, rn_mtext_t *t);

/* The log manager's flush observer (rn_logmgr_set_flush_observer): arg is the broker. */
void rn_metrics_flush_observed(void *arg, int64_t duration_ns, int status);

#endif
