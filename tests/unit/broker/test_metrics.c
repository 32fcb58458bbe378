/* test_metrics.c — the metrics' building blocks: histogram buckets, the Prometheus text
 * (families, samples, cumulative histogram lines, label escaping and UTF-8 repair), the
 * per-API counters, and which responses count as errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <uv.h>

#include "broker/metrics.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "log/logmgr.h"
#include "proto/batch.h"
#include "proto/api.h"
#include "proto/api_fetch.h"
#include "proto/api_metadata.h"
#include "proto/api_produce.h"
#include "proto/writer.h"
#include "testutil.h"

/* ---- histograms ------------------------------------------------------------------- */

static void test_metrics_histo_bounds_ascend_and_match_their_le_strings(void **state) {
    (void)state;
    for (int i = 0; i < RN_HISTO_NBOUNDS; i++) {
        if (i > 0)
            assert_true(rn_histo_bound_ns(i) > rn_histo_bound_ns(i - 1));
        double le = strtod(rn_histo_bound_le(i), NULL);
        int64_t ns = (int64_t)(le * 1e9 + 0.5);
        assert_int_equal(ns, rn_histo_bound_ns(i));
    }
}

static void test_metrics_histo_observation_lands_in_first_bucket_not_exceeded(void **state) {
    (void)state;
    rn_histo_t h = {0};
    rn_histo_observe(&h, -5);                       /* counts as 0: first bucket */
    rn_histo_observe(&h, rn_histo_bound_ns(0));     /* on the bound: that bucket */
    rn_histo_observe(&h, rn_histo_bound_ns(0) + 1); /* just above: the next */
    rn_histo_observe(&h, rn_histo_bound_ns(RN_HISTO_NBOUNDS - 1) + 1); /* +Inf */
    assert_int_equal(h.bucket[0], 2);
    assert_int_equal(h.bucket[1], 1);
    assert_int_equal(h.bucket[RN_HISTO_NBOUNDS], 1);
    assert_int_equal(h.count, 4);
    assert_int_equal(h.sum_ns, (uint64_t)(2 * rn_histo_bound_ns(0) + 1 +
                                          rn_histo_bound_ns(RN_HISTO_NBOUNDS - 1) + 1));
}

/* ---- text --------------------------------------------------------------------------- */

static char *render_label(const char *s, size_t len) {
    rn_mtext_t t;
    rn_mtext_init(&t);
    rn_mtext_label_value(&t, s, len);
    size_t n;
    return rn_mtext_take(&t, &n);
}

static void expect_label(const char *in, size_t len, const char *want) {
    char *got = render_label(in, len);
    assert_string_equal(got, want);
    rn_free(got);
}

static void test_metrics_text_family_and_samples(void **state) {
    (void)state;
    rn_mtext_t t;
    rn_mtext_init(&t);
    rn_mtext_family(&t, "runnel_x_total", "counter", "Things.");
    rn_mlabel_t l[2] = {{"topic", "t"}, {"partition", "3"}};
    rn_mtext_uint(&t, "runnel_x_total", l, 2, 18446744073709551615ull);
    rn_mtext_int(&t, "runnel_y", NULL, 0, -7);
    size_t len;
    char *s = rn_mtext_take(&t, &len);
    assert_string_equal(s, "# HELP runnel_x_total Things.\n"
                           "# TYPE runnel_x_total counter\n"
                           "runnel_x_total{topic=\"t\",partition=\"3\"} 18446744073709551615\n"
                           "runnel_y -7\n");
    assert_int_equal(len, strlen(s));
    rn_free(s);
    assert_null(t.p); /* taken: empty again */
    s = rn_mtext_take(&t, &len);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    rn_free(s);
}

static void test_metrics_text_histogram_is_cumulative_with_inf_sum_count(void **state) {
    (void)state;
    rn_histo_t h = {0};
    rn_histo_observe(&h, 50000);       /* 0.00005 s: le 0.0001 */
    rn_histo_observe(&h, 3000000);     /* 0.003 s: le 0.005 */
    rn_histo_observe(&h, 60000000000); /* 60 s: +Inf only */
    rn_mtext_t t;
    rn_mtext_init(&t);
    rn_mlabel_t l = {"api", "Produce"};
    rn_mtext_histo(&t, "h_seconds", &l, 1, &h);
    size_t len;
    char *s = rn_mtext_take(&t, &len);
    assert_non_null(strstr(s, "h_seconds_bucket{api=\"Produce\",le=\"0.0001\"} 1\n"));
    assert_non_null(strstr(s, "h_seconds_bucket{api=\"Produce\",le=\"0.0025\"} 1\n"));
    assert_non_null(strstr(s, "h_seconds_bucket{api=\"Produce\",le=\"0.005\"} 2\n"));
    assert_non_null(strstr(s, "h_seconds_bucket{api=\"Produce\",le=\"10\"} 2\n"));
    assert_non_null(strstr(s, "h_seconds_bucket{api=\"Produce\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(s, "h_seconds_sum{api=\"Produce\"} 60.003050000\n"));
    assert_non_null(strstr(s, "h_seconds_count{api=\"Produce\"} 3\n"));
    int lines = 0;
    for (const char *p = s; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, RN_HISTO_NBOUNDS + 1 + 2);
    rn_free(s);
}

static void test_metrics_label_values_are_escaped(void **state) {
    (void)state;
    expect_label("plain-name_1.x", 14, "plain-name_1.x");
    expect_label("a\\b\"c\nd", 7, "a\\\\b\\\"c\\nd");
    expect_label("", 0, "");
}

static void test_metrics_label_values_become_valid_utf8(void **state) {
    (void)state;
    /* valid multi-byte sequences stay */
    expect_label("caf\xc3\xa9 \xf0\x9f\x99\x82", 10, "caf\xc3\xa9 \xf0\x9f\x99\x82");
    /* control characters and DEL become U+FFFD */
    expect_label("a\tb\x01\x7f", 5,
                 "a\xef\xbf\xbd"
                 "b\xef\xbf\xbd\xef\xbf\xbd");
    /* a stray byte, an overlong NUL, a surrogate, a truncated sequence, above U+10FFFF */
    expect_label("\xff", 1, "\xef\xbf\xbd");
    expect_label("\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd");
    expect_label("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    expect_label("x\xe2\x82", 3, "x\xef\xbf\xbd\xef\xbf\xbd");
    expect_label("\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* the length is honoured: bytes past it are not read */
    expect_label("ab\"", 2, "ab");
}

/* ---- counters ------------------------------------------------------------------------ */

static void test_metrics_counters_by_api_ignore_keys_out_of_range(void **state) {
    (void)state;
    rn_metrics_t m;
    memset(&m, 0, sizeof m);
    rn_metrics_request(&m, RN_API_PRODUCE);
    rn_metrics_request(&m, RN_API_BROKER_HEARTBEAT);
    rn_metrics_request(&m, -1);
    rn_metrics_request(&m, RN_METRICS_NAPI);
    rn_metrics_answered(&m, RN_API_PRODUCE, 1000, true);
    rn_metrics_answered(&m, RN_API_BROKER_HEARTBEAT, 1000, false);
    rn_metrics_answered(&m, 999, 1000, true);
    assert_int_equal(m.requests[RN_API_PRODUCE], 1);
    assert_int_equal(m.requests[RN_API_BROKER_HEARTBEAT], 1);
    assert_int_equal(m.errors[RN_API_PRODUCE], 1);
    assert_int_equal(m.errors[RN_API_BROKER_HEARTBEAT], 0);
    assert_int_equal(m.latency[RN_API_PRODUCE].count, 1);
    uint64_t total = 0;
    for (int i = 0; i < RN_METRICS_NAPI; i++)
        total += m.requests[i] + m.errors[i];
    assert_int_equal(total, 3);
}

/* ---- which responses failed ------------------------------------------------------------ */

static uint8_t *produce_body(rn_wire_err_t top, rn_wire_err_t part_err, size_t *len) {
    rn_produce_partition_response_t pr[2] = {
        {.index = 0,
         .error_code = RN_WIRE_NONE,
         .base_offset = 5,
         .log_append_time_ms = -1,
         .error_message = RN_STR_NULL},
        {.index = 1,
         .error_code = part_err,
         .base_offset = -1,
         .log_append_time_ms = -1,
         .error_message = RN_STR_NULL},
    };
    rn_produce_topic_response_t tr = {rn_str("t"), 2, pr};
    rn_produce_response_t m = {.error_code = top, .n_responses = 1, .responses = &tr};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_produce_response_encode(&wr, 0, &m), 0);
    return rn_writer_take(&wr, len);
}

static uint8_t *fetch_body(rn_wire_err_t part_err, size_t *len) {
    rn_fetch_partition_data_t pd = {.partition_index = 0,
                                    .error_code = part_err,
                                    .high_watermark = 3,
                                    .last_stable_offset = 3,
                                    .log_start_offset = 0,
                                    .diverging_epoch = {-1, -1},
                                    .records = {(const uint8_t *)"abc", 3}};
    rn_fetch_topic_response_t tr = {rn_str("t"), 1, &pd};
    rn_fetch_response_t m = {.error_code = RN_WIRE_NONE, .n_responses = 1, .responses = &tr};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_fetch_response_encode(&wr, 0, &m), 0);
    return rn_writer_take(&wr, len);
}

static void test_metrics_response_failed_on_top_level_or_partition_errors(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = produce_body(RN_WIRE_NONE, RN_WIRE_NONE, &len);
    assert_false(rn_metrics_response_failed(RN_API_PRODUCE, 0, b, len));
    /* cut anywhere: does not decode, counts as failed */
    for (size_t cut = 0; cut < len; cut++)
        assert_true(rn_metrics_response_failed(RN_API_PRODUCE, 0, b, cut));
    rn_free(b);
    b = produce_body(RN_WIRE_NONE, RN_WIRE_NOT_LEADER_OR_FOLLOWER, &len);
    assert_true(rn_metrics_response_failed(RN_API_PRODUCE, 0, b, len));
    rn_free(b);
    b = produce_body(RN_WIRE_INVALID_REQUEST, RN_WIRE_NONE, &len);
    assert_true(rn_metrics_response_failed(RN_API_PRODUCE, 0, b, len));
    rn_free(b);

    b = fetch_body(RN_WIRE_NONE, &len);
    assert_false(rn_metrics_response_failed(RN_API_FETCH, 0, b, len));
    rn_free(b);
    b = fetch_body(RN_WIRE_OFFSET_OUT_OF_RANGE, &len);
    assert_true(rn_metrics_response_failed(RN_API_FETCH, 0, b, len));
    rn_free(b);

    /* other APIs: the top-level error_code only (the first two bytes) */
    rn_metadata_response_t md = {.error_code = RN_WIRE_NONE, .cluster_id = RN_STR_NULL};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_metadata_response_encode(&wr, 0, &md), 0);
    b = rn_writer_take(&wr, &len);
    assert_false(rn_metrics_response_failed(RN_API_METADATA, 0, b, len));
    b[1] = RN_WIRE_NOT_CONTROLLER;
    assert_true(rn_metrics_response_failed(RN_API_METADATA, 0, b, len));
    assert_true(rn_metrics_response_failed(RN_API_METADATA, 0, b, 1));
    rn_free(b);
}

/* ---- the log manager's flush observer ------------------------------------------------- */

typedef struct observed_s {
    int calls;
    int failures;
    int64_t total_ns;
} observed_t;

static void observe(void *arg, int64_t ns, int status) {
    observed_t *o = arg;
    o->calls++;
    o->failures += status != 0;
    o->total_ns += ns;
}

static void test_metrics_flush_observer_sees_every_fsync_round(void **state) {
    (void)state;
    char *dir = rn_test_tmpdir("metrics-flush");
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    rn_logmgr_opts_t opts;
    rn_logmgr_opts_default(&opts);
    opts.dir = dir;
    rn_logmgr_t *mgr;
    assert_int_equal(rn_logmgr_open(&loop, &opts, &mgr), 0);
    observed_t o = {0};
    rn_logmgr_set_flush_observer(mgr, observe, &o);
    rn_log_config_t cfg = opts.defaults;
    cfg.flush_messages = 1; /* every append starts an fsync round */
    rn_plog_t *plog;
    assert_int_equal(rn_logmgr_create(mgr, "obs", 0, &cfg, &plog), 0);

    rn_batch_opts_t bo;
    rn_batch_builder_t bb;
    rn_batch_opts_default(&bo);
    rn_batch_builder_init(&bb, &bo);
    assert_int_equal(rn_batch_builder_add(&bb, 1000, "k", 1, "v", 1, NULL, 0), 0);
    uint8_t *batch;
    size_t len;
    assert_int_equal(rn_batch_builder_finish(&bb, &batch, &len), 0);
    rn_batch_builder_deinit(&bb);
    int64_t base;
    assert_int_equal(rn_plog_append(plog, batch, len, 0, &base), 0);
    rn_free(batch);

    int64_t deadline = rn_mono_ns() + 10LL * 1000 * 1000 * 1000;
    while (o.calls == 0 || rn_plog_flush_pending(plog)) {
        uv_run(&loop, UV_RUN_NOWAIT);
        if (rn_mono_ns() > deadline)
            fail_msg("no fsync round reported within 10 s");
        usleep(200);
    }
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.failures, 0);
    assert_true(o.total_ns >= 0);
    assert_int_equal(rn_plog_fsync_count(plog), 1);

    rn_logmgr_set_flush_observer(mgr, NULL, NULL); /* nobody listens any more */
    assert_int_equal(rn_logmgr_close(mgr, true), 0);
    assert_int_equal(o.calls, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
    rn_test_rmtree(dir);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_histo_bounds_ascend_and_match_their_le_strings),
        cmocka_unit_test(test_metrics_histo_observation_lands_in_first_bucket_not_exceeded),
        cmocka_unit_test(test_metrics_text_family_and_samples),
        cmocka_unit_test(test_metrics_text_histogram_is_cumulative_with_inf_sum_count),
        cmocka_unit_test(test_metrics_label_values_are_escaped),
        cmocka_unit_test(test_metrics_label_values_become_valid_utf8),
        cmocka_unit_test(test_metrics_counters_by_api_ignore_keys_out_of_range),
        cmocka_unit_test(test_metrics_response_failed_on_top_level_or_partition_errors),
        cmocka_unit_test(test_metrics_flush_observer_sees_every_fsync_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
