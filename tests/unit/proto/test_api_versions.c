/* test_api_versions.c — ApiVersions v0: the empty request, the response listing the
 * codec's table, golden bytes, truncation, huge counts, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_versions.h"

TW_CODEC(api_versions_request, RN_API_API_VERSIONS);
TW_CODEC(api_versions_response, RN_API_API_VERSIONS);

static void test_api_versions_request_is_empty(void **state) {
    (void)state;
    rn_api_versions_request_t req = {0}, out;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(rn_api_versions_request_encode(&wr, 0, &req), 0);
    assert_int_equal(wr.len, 0);
    rn_writer_deinit(&wr);
    assert_rc(rn_api_versions_request_decode(NULL, 0, 0, &out), 0);
    rn_api_versions_request_deinit(&out);
    const uint8_t extra[] = {0};
    tw_expect_malformed(&api_versions_request_codec, extra, 1);
    tw_check_all(&api_versions_request_codec, &req);
}

/* The response a broker with this codec would send: every key with a codec. */
static int fill_from_table(rn_api_version_range_t *keys) {
    int n = 0, count;
    const rn_api_info_t *t = rn_api_table(&count);
    for (int i = 0; i < count; i++)
        if (t[i].min_version >= 0)
            keys[n++] = (rn_api_version_range_t){t[i].key, t[i].min_version, t[i].max_version};
    return n;
}

static void test_api_versions_response_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_api_version_range_t keys[64];
    rn_api_versions_response_t resp = {.error_code = RN_WIRE_NONE, .api_keys = keys}, out;
    resp.n_api_keys = fill_from_table(keys);
    assert_int_equal(resp.n_api_keys, 23);
    size_t len;
    uint8_t *p = tw_roundtrip(&api_versions_response_codec, &resp, &out, &len);
    assert_int_equal(len, 2 + 4 + 23 * 6);
    assert_int_equal(out.n_api_keys, 23);
    assert_int_equal(out.api_keys[0].api_key, RN_API_PRODUCE);
    assert_int_equal(out.api_keys[4].api_key, RN_API_OFFSET_COMMIT);
    assert_int_equal(out.api_keys[17].api_key, RN_API_ALTER_CONFIGS);
    assert_int_equal(out.api_keys[17].max_version, 0);
    assert_int_equal(out.api_keys[18].api_key, RN_API_CREATE_PARTITIONS);
    assert_int_equal(out.api_keys[19].api_key, RN_API_ELECT_LEADERS);
    assert_int_equal(out.api_keys[19].max_version, 0);
    rn_api_versions_response_deinit(&out);
    rn_free(p);
    tw_check_all(&api_versions_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_api_versions_unsupported_answer_golden_bytes(void **state) {
    (void)state;
    rn_api_version_range_t keys[] = {{RN_API_METADATA, 0, 0}, {RN_API_API_VERSIONS, 0, 0}};
    rn_api_versions_response_t resp = {RN_WIRE_UNSUPPORTED_VERSION, 2, keys, {0}};
    size_t len;
    uint8_t *p = tw_encode(&api_versions_response_codec, &resp, &len);
    const uint8_t want[] = {0x00, 0x23, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
}

static void test_api_versions_response_huge_count(void **state) {
    (void)state;
    const uint8_t body[] = {0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 1, 0, 0, 0, 0};
    tw_expect_malformed(&api_versions_response_codec, body, sizeof body);
    const uint8_t null_array[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&api_versions_response_codec, null_array, sizeof null_array);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_versions_request_is_empty),
        cmocka_unit_test(test_api_versions_response_round_trips),
        cmocka_unit_test(test_api_versions_unsupported_answer_golden_bytes),
        cmocka_unit_test(test_api_versions_response_huge_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
