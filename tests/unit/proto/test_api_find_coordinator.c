/* test_api_find_coordinator.c — FindCoordinator v0: golden bytes, round trips,
 * truncation, huge counts, versions, bad lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_find_coordinator.h"

TW_CODEC(find_coordinator_request, RN_API_FIND_COORDINATOR);
TW_CODEC(find_coordinator_response, RN_API_FIND_COORDINATOR);

static void test_find_coordinator_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_find_coordinator_request_t req = {.key = rn_str("g"), .key_type = RN_COORDINATOR_KEY_GROUP},
                                  out;
    size_t len;
    uint8_t *p = tw_encode(&find_coordinator_request_codec, &req, &len);
    const uint8_t want[] = {0, 1, 'g', /* key */
                            0};        /* key_type */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&find_coordinator_request_codec, &req, &out, &len);
    assert_str(out.key, "g");
    assert_int_equal(out.key_type, 0);
    rn_find_coordinator_request_deinit(&out);
    rn_free(p);
    tw_check_all(&find_coordinator_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_find_coordinator_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_find_coordinator_response_t resp = {.error_code = RN_WIRE_NONE,
                                           .error_message = RN_STR_NULL,
                                           .node_id = 2,
                                           .host = rn_str("h"),
                                           .port = 9092},
                                   out;
    size_t len;
    uint8_t *p = tw_encode(&find_coordinator_response_codec, &resp, &len);
    const uint8_t want[] = {0,    0,                 /* error_code */
                            0xff, 0xff,              /* error_message null */
                            0,    0,    0,    2,     /* node_id */
                            0,    1,    'h',         /* host */
                            0,    0,    0x23, 0x84}; /* port 9092 */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&find_coordinator_response_codec, &resp, &out, &len);
    assert_int_equal(out.error_code, RN_WIRE_NONE);
    assert_str(out.error_message, NULL);
    assert_int_equal(out.node_id, 2);
    assert_str(out.host, "h");
    assert_int_equal(out.port, 9092);
    rn_find_coordinator_response_deinit(&out);
    rn_free(p);
    tw_check_all(&find_coordinator_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_find_coordinator_response_error_with_message(void **state) {
    (void)state;
    rn_find_coordinator_response_t resp = {.error_code = RN_WIRE_COORDINATOR_NOT_AVAILABLE,
                                           .error_message = rn_str("loading"),
                                           .node_id = -1,
                                           .host = rn_str(""),
                                           .port = -1},
                                   out;
    size_t len;
    uint8_t *p = tw_roundtrip(&find_coordinator_response_codec, &resp, &out, &len);
    assert_int_equal(len, 2 + 2 + 7 + 4 + 2 + 4);
    assert_int_equal(out.error_code, RN_WIRE_COORDINATOR_NOT_AVAILABLE);
    assert_str(out.error_message, "loading");
    assert_int_equal(out.node_id, -1);
    assert_str(out.host, "");
    assert_int_equal(out.port, -1);
    rn_find_coordinator_response_deinit(&out);
    rn_free(p);
    tw_check_all(&find_coordinator_response_codec, &resp);
}

static void test_find_coordinator_bad_lengths_are_malformed(void **state) {
    (void)state;
    const uint8_t null_key[] = {0xff, 0xff, 0};
    tw_expect_malformed(&find_coordinator_request_codec, null_key, sizeof null_key);
    const uint8_t neg_key[] = {0xff, 0xfe, 0};
    tw_expect_malformed(&find_coordinator_request_codec, neg_key, sizeof neg_key);
    const uint8_t null_host[] = {0, 0, 0xff, 0xff, 0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 1};
    tw_expect_malformed(&find_coordinator_response_codec, null_host, sizeof null_host);
    /* a null host cannot be encoded either, and nothing is written */
    rn_find_coordinator_response_t bad = {.host = RN_STR_NULL, .error_message = RN_STR_NULL};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(rn_find_coordinator_response_encode(&wr, 0, &bad), RN_EMALFORMED);
    assert_int_equal(wr.len, 0);
    rn_writer_deinit(&wr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_coordinator_request_golden_bytes),
        cmocka_unit_test(test_find_coordinator_response_golden_bytes),
        cmocka_unit_test(test_find_coordinator_response_error_with_message),
        cmocka_unit_test(test_find_coordinator_bad_lengths_are_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
