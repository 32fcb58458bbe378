/* test_dispatch.c — the broker's API table and the error bodies it answers with. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "broker/dispatch.h"
#include "proto/api.h"
#include "proto/api_create_partitions.h"
#include "proto/api_metadata.h"
#include "proto/api_topics.h"
#include "proto/api_versions.h"
#include "proto/reader.h"
#include "testutil.h"

static void test_dispatch_table_lists_the_apis_of_this_issue_within_codec_ranges(void **state) {
    (void)state;
    static const int16_t want[] = {0,  1,  2,  3,  8,  9,  10, 11, 12, 13, 14, 15,
                                   16, 18, 19, 20, 32, 33, 37, 43, 55, 56, 63};
    int n;
    const rn_dispatch_entry_t *t = rn_dispatch_table(&n);
    assert_int_equal(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++) {
        assert_int_equal(t[i].api_key, want[i]);
        assert_non_null(t[i].handler);
        assert_non_null(t[i].encode_error);
        for (int16_t v = t[i].min_version; v <= t[i].max_version; v++)
            assert_int_equal(rn_api_check_version(t[i].api_key, v), 0);
        assert_ptr_equal(rn_dispatch_lookup(want[i]), &t[i]);
    }
    assert_null(rn_dispatch_lookup(60)); /* reserved, no codec: DescribeCluster */
    assert_null(rn_dispatch_lookup(-1));
    assert_null(rn_dispatch_lookup(999));
}

static void test_dispatch_versions_body_decodes_with_the_ranges(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_dispatch_encode_versions(&wr, RN_WIRE_UNSUPPORTED_VERSION);
    rn_api_versions_response_t resp;
    assert_int_equal(rn_api_versions_response_decode(wr.buf, wr.len, 0, &resp), 0);
    assert_int_equal(resp.error_code, RN_WIRE_UNSUPPORTED_VERSION);
    int n;
    const rn_dispatch_entry_t *t = rn_dispatch_table(&n);
    assert_int_equal(resp.n_api_keys, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(resp.api_keys[i].api_key, t[i].api_key);
        assert_int_equal(resp.api_keys[i].min_version, t[i].min_version);
        assert_int_equal(resp.api_keys[i].max_version, t[i].max_version);
    }
    rn_api_versions_response_deinit(&resp);
    rn_writer_deinit(&wr);
}

/* Every API's error body starts with the error code (docs/protocol.md). */
static void test_dispatch_error_bodies_start_with_the_error_code(void **state) {
    (void)state;
    int n;
    const rn_dispatch_entry_t *t = rn_dispatch_table(&n);
    for (int i = 0; i < n; i++) {
        rn_writer_t wr;
        rn_writer_init(&wr, 0);
        assert_int_equal(t[i].encode_error(&wr, t[i].min_version, RN_WIRE_INVALID_REQUEST), 0);
        rn_reader_t rd;
        rn_reader_init(&rd, wr.buf, wr.len);
        assert_int_equal(rn_reader_i16(&rd), RN_WIRE_INVALID_REQUEST);
        rn_writer_deinit(&wr);
    }
}

static void test_dispatch_error_bodies_decode_with_empty_arrays(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(
        rn_dispatch_lookup(RN_API_METADATA)->encode_error(&wr, 0, RN_WIRE_INVALID_REQUEST), 0);
    rn_metadata_response_t md;
    assert_int_equal(rn_metadata_response_decode(wr.buf, wr.len, 0, &md), 0);
    assert_int_equal(md.error_code, RN_WIRE_INVALID_REQUEST);
    assert_int_equal(md.n_brokers, 0);
    assert_int_equal(md.n_topics, 0);
    rn_metadata_response_deinit(&md);
    rn_writer_deinit(&wr);

    rn_writer_init(&wr, 0);
    assert_int_equal(
        rn_dispatch_lookup(RN_API_CREATE_TOPICS)->encode_error(&wr, 0, RN_WIRE_NOT_CONTROLLER), 0);
    rn_create_topics_response_t ct;
    assert_int_equal(rn_create_topics_response_decode(wr.buf, wr.len, 0, &ct), 0);
    assert_int_equal(ct.error_code, RN_WIRE_NOT_CONTROLLER);
    assert_int_equal(ct.n_topics, 0);
    rn_create_topics_response_deinit(&ct);
    rn_writer_deinit(&wr);

    rn_writer_init(&wr, 0);
    assert_int_equal(
        rn_dispatch_lookup(RN_API_CREATE_PARTITIONS)->encode_error(&wr, 0, RN_WIRE_NOT_CONTROLLER),
        0);
    rn_create_partitions_response_t cp;
    assert_int_equal(rn_create_partitions_response_decode(wr.buf, wr.len, 0, &cp), 0);
    assert_int_equal(cp.error_code, RN_WIRE_NOT_CONTROLLER);
    assert_int_equal(cp.n_results, 0);
    rn_create_partitions_response_deinit(&cp);
    rn_writer_deinit(&wr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_table_lists_the_apis_of_this_issue_within_codec_ranges),
        cmocka_unit_test(test_dispatch_versions_body_decodes_with_the_ranges),
        cmocka_unit_test(test_dispatch_error_bodies_start_with_the_error_code),
        cmocka_unit_test(test_dispatch_error_bodies_decode_with_empty_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
