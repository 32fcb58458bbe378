/*
 * metrics.c — the broker's metrics (metrics.h): the counters the request path and the
 * log manager feed, and the scrape that renders them together with gauges read from
 * the broker's state at that moment. docs/operations.md "Metrics" describes every
 * family; this file is the one place that names them.
 *
 * A scrape walks the hosted partitions a few times (one family after the other, as the
 * format wants each family's samples together) and the groups this broker
 * coordinates: O(partitions + committed offsets), on the loop, into one buffer.
 */
#include "broker/metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "broker/coordinator.h"
#include "broker/dispatch.h"
#include "broker/metrics_http.h"
#include "broker/partitions.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_fetch.h"
#include "proto/api_produce.h"

#ifndef RN_VERSION
#define RN_VERSION "0.0.0"
#endif

/* ---- counting ------------------------------------------------------------------------- */

void rn_metrics_request(rn_metrics_t *m, int16_t api_key) {
    if (api_key >= 0 && api_key < RN_METRICS_NAPI)
        m->requests[api_key]++;
}

void rn_metrics_answered(rn_metrics_t *m, int16_t api_key, int64_t ns, bool failed) {
    if (api_key < 0 || api_key >= RN_METRICS_NAPI)
        return;
    rn_histo_observe(&m->latency[api_key], ns);
    if (failed)
        m->errors[api_key]++;
}

static bool produce_failed(const uint8_t *body, size_t len, int16_t version) {
    rn_produce_response_t r;
    if (rn_produce_response_decode(body, len, version, &r) != 0)
        return true;
    bool failed = false;
    for (int32_t i = 0; i < r.n_responses && !failed; i++)
        for (int32_t j = 0; j < r.responses[i].n_partition_responses && !failed; j++)
            failed = r.responses[i].partition_responses[j].error_code != RN_WIRE_NONE;
    rn_produce_response_deinit(&r);
    return failed;
}

static bool fetch_failed(const uint8_t *body, size_t len, int16_t version) {
    rn_fetch_response_t r;
    if (rn_fetch_response_decode(body, len, version, &r) != 0)
        return true;
    bool failed = false;
    for (int32_t i = 0; i < r.n_responses && !failed; i++)
        for (int32_t j = 0; j < r.responses[i].n_partitions && !failed; j++)
            failed = r.responses[i].partitions[j].error_code != RN_WIRE_NONE;
    rn_fetch_response_deinit(&r);
    return failed;
}

bool rn_metrics_response_failed(int16_t api_key, int16_t version, const uint8_t *body, size_t len) {
    if (len < 2)
        return true;
    if (((body[0] << 8) | body[1]) != RN_WIRE_NONE)
        return true;
    if (api_key == RN_API_PRODUCE)
        return produce_failed(body, len, version);
    if (api_key == RN_API_FETCH)
        return fetch_failed(body, len, version);
    return false;
}

void rn_metrics_flush_observed(void *arg, int64_t duration_ns, int status) {
    rn_broker_t *b = arg;
    if (status != 0)
        b->metrics.flush_errors++;
    else
        rn_histo_observe(&b->metrics.flush_latency, duration_ns);
}

/* ---- the scrape ------------------------------------------------------------------------ */

static void gauge(rn_mtext_t *t, const char *name, const char *help, int64_t v) {
    rn_mtext_family(t, name, "gauge", help);
    rn_mtext_int(t, name, NULL, 0, v);
}

static void counter(rn_mtext_t *t, const char *name, const char *help, uint64_t v) {
    rn_mtext_family(t, name, "counter", help);
    rn_mtext_uint(t, name, NULL, 0, v);
}

static void collect_requests(rn_broker_t *b, rn_mtext_t *t) {
    int n;
    const rn_dispatch_entry_t *table = rn_dispatch_table(&n);
    const rn_metrics_t *m = &b->metrics;
    rn_mtext_family(t, "runnel_requests_total", "counter",
                    "Requests handed to the API's handler, by API.");
    for (int i = 0; i < n; i++) {
        rn_mlabel_t l = {"api", rn_api_name(table[i].api_key)};
        rn_mtext_uint(t, "runnel_requests_total", &l, 1, m->requests[table[i].api_key]);
    }
    rn_mtext_family(t, "runnel_request_errors_total", "counter",
                    "Requests answered with a non-zero top-level error code (or, for Produce "
                    "and Fetch, a partition error), by API.");
    for (int i = 0; i < n; i++) {
        rn_mlabel_t l = {"api", rn_api_name(table[i].api_key)};
        rn_mtext_uint(t, "runnel_request_errors_total", &l, 1, m->errors[table[i].api_key]);
    }
    rn_mtext_family(t, "runnel_request_latency_seconds", "histogram",
                    "Time from a request's arrival to its answer (long polls and acks=all "
                    "waits included), by API.");
    for (int i = 0; i < n; i++) {
        rn_mlabel_t l = {"api", rn_api_name(table[i].api_key)};
        rn_mtext_histo(t, "runnel_request_latency_seconds", &l, 1, &m->latency[table[i].api_key]);
    }
    rn_mtext_family(t, "runnel_requests_rejected_total", "counter",
                    "Frames that never reached a handler: unknown API or version (answered "
                    "UNSUPPORTED_VERSION) or a bad size or header (connection closed).");
    rn_mlabel_t l = {"reason", "unsupported_version"};
    rn_mtext_uint(t, "runnel_requests_rejected_total", &l, 1, b->counters.unsupported);
    l.value = "malformed_frame";
    rn_mtext_uint(t, "runnel_requests_rejected_total", &l, 1, b->counters.bad_frames);
}

static void collect_network(rn_broker_t *b, rn_mtext_t *t) {
    rn_server_totals_t tot = {0};
    if (b->server != NULL)
        rn_server_totals(b->server, &tot);
    gauge(t, "runnel_connections", "Client connections open on the client listener.",
          b->server != NULL ? rn_server_conn_count(b->server) : 0);
    counter(t, "runnel_connections_accepted_total",
            "Connections accepted on the client listener since the start.", tot.accepted);
    counter(t, "runnel_bytes_in_total",
            "Bytes read from client connections (clients and followers).", tot.bytes_in);
    counter(t, "runnel_bytes_out_total",
            "Bytes written to client connections (clients and followers).", tot.bytes_out);
}

/* ---- partitions -------------------------------------------------------------------------- */

typedef struct part_scan_s {
    rn_mtext_t *t;
    const char *name; /* the family being written */
    int which;
    int64_t hosted, led, under, storage_failed;
} part_scan_t;

enum { P_COUNT = 0, P_START, P_END, P_HW, P_SIZE };

static void part_visit(rn_partition_t *part, void *arg) {
    part_scan_t *s = arg;
    if (s->which == P_COUNT) {
        s->hosted++;
        s->led += part->is_leader;
        s->under += part->is_leader && part->nisr < part->nreplicas;
        s->storage_failed += part->storage_err != 0;
        return;
    }
    char idx[16];
    snprintf(idx, sizeof idx, "%d", (int)part->index);
    rn_mlabel_t l[2] = {{"topic", part->topic->name}, {"partition", idx}};
    int64_t v = 0;
    switch (s->which) {
    case P_START:
        v = rn_plog_start_offset(part->plog);
        break;
    case P_END:
        v = rn_plog_end_offset(part->plog);
        break;
    case P_HW:
        v = part->high_watermark;
        break;
    default:
        v = rn_plog_size_bytes(part->plog);
        break;
    }
    rn_mtext_int(s->t, s->name, l, 2, v);
}

static int64_t offline_partitions(rn_broker_t *b) {
    if (!rn_broker_is_controller(b))
        return 0;
    const rn_meta_image_t *img = rn_broker_image(b);
    int64_t n = 0;
    for (size_t i = 0; i < img->ntopics; i++)
        for (int32_t j = 0; j < img->topics[i]->npartitions; j++)
            n += img->topics[i]->partitions[j].leader < 0;
    return n;
}

static void collect_partitions(rn_broker_t *b, rn_mtext_t *t) {
    part_scan_t s = {.t = t, .which = P_COUNT};
    if (b->parts != NULL)
        rn_partitions_each(b->parts, part_visit, &s);
    gauge(t, "runnel_partitions", "Partitions this broker hosts a replica of.", s.hosted);
    gauge(t, "runnel_leader_partitions", "Partitions this broker leads.", s.led);
    gauge(t, "runnel_under_replicated_partitions",
          "Partitions this broker leads whose ISR is smaller than their replica set.", s.under);
    gauge(t, "runnel_storage_error_partitions",
          "Partitions offline on this broker since a write to their log failed (disk full, "
          "I/O error), until a restart.",
          s.storage_failed);
    gauge(t, "runnel_offline_partitions",
          "Partitions without a leader, in the whole cluster (reported by the active "
          "controller only; 0 on other brokers).",
          offline_partitions(b));
    gauge(t, "runnel_active_controller", "1 on the active controller, 0 elsewhere.",
          rn_broker_is_controller(b) ? 1 : 0);
    counter(t, "runnel_isr_shrinks_total",
            "ISR changes applied to partitions this broker leads that removed a member.",
            b->metrics.isr_shrinks);
    counter(t, "runnel_isr_expands_total",
            "ISR changes applied to partitions this broker leads that added a member.",
            b->metrics.isr_expands);
    static const struct {
        int which;
        const char *name, *help;
    } fams[] = {
        {P_START, "runnel_partition_log_start_offset", "First offset kept, per hosted partition."},
        {P_END, "runnel_partition_log_end_offset",
         "Offset the next record gets, per hosted partition."},
        {P_HW, "runnel_partition_high_watermark",
         "High watermark (consumers read below it), per hosted partition."},
        {P_SIZE, "runnel_partition_size_bytes", "Bytes of log segments, per hosted partition."},
    };
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        rn_mtext_family(t, fams[i].name, "gauge", fams[i].help);
        s.which = fams[i].which;
        s.name = fams[i].name;
        if (b->parts != NULL)
            rn_partitions_each(b->parts, part_visit, &s);
    }
}

/* ---- groups -------------------------------------------------------------------------------- */

static void collect_groups(rn_broker_t *b, rn_mtext_t *t) {
    rn_group_t **groups = NULL;
    int32_t n = b->coord != NULL ? rn_coord_groups(b->coord, &groups) : 0;
    gauge(t, "runnel_groups", "Consumer groups this broker coordinates.", n);
    rn_mtext_family(t, "runnel_group_lag", "gauge",
                    "High watermark minus the committed offset, per group this broker "
                    "coordinates and partition this broker hosts.");
    for (int32_t i = 0; i < n && b->parts != NULL; i++) {
        const rn_group_t *g = groups[i];
        for (int32_t j = 0; j < g->noffsets; j++) {
            const rn_group_offset_t *o = &g->offsets[j];
            rn_partition_t *part =
                rn_partitions_get(b->parts, o->topic, strlen(o->topic), o->partition);
            if (part == NULL || o->offset < 0)
                continue;
            int64_t lag = part->high_watermark - o->offset;
            char idx[16];
            snprintf(idx, sizeof idx, "%d", (int)o->partition);
            rn_mlabel_t l[3] = {{"group", g->id}, {"topic", o->topic}, {"partition", idx}};
            rn_mtext_int(t, "runnel_group_lag", l, 3, lag > 0 ? lag : 0);
        }
    }
}

void rn_metrics_collect(rn_broker_t *b, rn_mtext_t *t) {
    rn_mtext_family(t, "runnel_build_info", "gauge", "Always 1; the version is a label.");
    rn_mlabel_t v = {"version", RN_VERSION};
    rn_mtext_int(t, "runnel_build_info", &v, 1, 1);
    collect_network(b, t);
    collect_requests(b, t);
    collect_partitions(b, t);
    rn_mtext_family(t, "runnel_log_flush_latency_seconds", "histogram",
                    "Duration of each fsync round of a partition log.");
    rn_mtext_histo(t, "runnel_log_flush_latency_seconds", NULL, 0, &b->metrics.flush_latency);
    counter(t, "runnel_log_flush_errors_total", "fsync rounds that failed.",
            b->metrics.flush_errors);
    collect_groups(b, t);
    counter(t, "runnel_metrics_connections_rejected_total",
            "Metrics listener connections refused because too many were open.",
            b->mhttp != NULL ? rn_mhttp_rejected(b->mhttp) : 0);
}
