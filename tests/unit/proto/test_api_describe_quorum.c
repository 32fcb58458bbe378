/* test_api_describe_quorum.c — DescribeQuorum v0: round trips, golden bytes,
 * truncation, huge counts, versions, and a non-empty request refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_describe_quorum.h"

TW_CODEC(describe_quorum_request, RN_API_DESCRIBE_QUORUM);
TW_CODEC(describe_quorum_response, RN_API_DESCRIBE_QUORUM);

static void test_describe_quorum_request_is_empty(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_describe_quorum_request_t req = {0}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&describe_quorum_request_codec, &req, &out, &len);
    assert_int_equal(len, 0);
    rn_describe_quorum_request_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_quorum_request_codec, &req);
    const uint8_t body[] = {0};
    tw_expect_malformed(&describe_quorum_request_codec, body, sizeof body);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_quorum_response_golden_bytes(void **state) {
    (void)state;
    rn_quorum_replica_state_t voter = {.replica_id = 1, .log_end_offset = 57};
    rn_describe_quorum_response_t resp = {.error_code = RN_WIRE_NONE,
                                          .leader_id = 1,
                                          .leader_epoch = 3,
                                          .high_watermark = 57,
                                          .n_voters = 1,
                                          .voters = &voter},
                                  out;
    size_t len;
    uint8_t *p = tw_encode(&describe_quorum_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0,                    /* error_code */
                            0, 0, 0, 1,              /* leader_id */
                            0, 0, 0, 3,              /* leader_epoch */
                            0, 0, 0, 0, 0, 0, 0, 57, /* high_watermark */
                            0, 0, 0, 1,              /* voters count */
                            0, 0, 0, 1,              /* replica_id */
                            0, 0, 0, 0, 0, 0, 0, 57, /* log_end_offset */
                            0, 0, 0, 0};             /* observers count */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&describe_quorum_response_codec, &resp, &out, &len);
    assert_int_equal(out.error_code, RN_WIRE_NONE);
    assert_int_equal(out.leader_id, 1);
    assert_int_equal(out.leader_epoch, 3);
    assert_int_equal(out.high_watermark, 57);
    assert_int_equal(out.n_voters, 1);
    assert_int_equal(out.voters[0].replica_id, 1);
    assert_int_equal(out.voters[0].log_end_offset, 57);
    assert_int_equal(out.n_observers, 0);
    rn_describe_quorum_response_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_quorum_response_codec, &resp);
}

static void test_describe_quorum_response_round_trips_voters_and_observers(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_quorum_replica_state_t voters[] = {{1, 90}, {2, -1}, {3, 88}};
    rn_quorum_replica_state_t observers[] = {{4, 90}, {5, -1}};
    rn_describe_quorum_response_t resp = {.error_code = RN_WIRE_NONE,
                                          .leader_id = 2,
                                          .leader_epoch = 7,
                                          .high_watermark = 90,
                                          .n_voters = 3,
                                          .voters = voters,
                                          .n_observers = 2,
                                          .observers = observers},
                                  out;
    size_t len;
    uint8_t *p = tw_roundtrip(&describe_quorum_response_codec, &resp, &out, &len);
    assert_int_equal(len, 2 + 4 + 4 + 8 + 4 + 3 * 12 + 4 + 2 * 12);
    assert_int_equal(out.leader_id, 2);
    assert_int_equal(out.leader_epoch, 7);
    assert_int_equal(out.n_voters, 3);
    assert_int_equal(out.voters[1].replica_id, 2);
    assert_int_equal(out.voters[1].log_end_offset, -1);
    assert_int_equal(out.voters[2].log_end_offset, 88);
    assert_int_equal(out.n_observers, 2);
    assert_int_equal(out.observers[0].replica_id, 4);
    assert_int_equal(out.observers[1].log_end_offset, -1);
    rn_describe_quorum_response_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_quorum_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_quorum_response_negative_count_is_malformed(void **state) {
    (void)state;
    const uint8_t body[] = {0, 0, 0xff, 0xff, 0xff, 0xff, 0,    0,    0,    0, 0, 0, 0,
                            0, 0, 0,    0,    0,    0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    tw_expect_malformed(&describe_quorum_response_codec, body, sizeof body);
}

static void test_describe_quorum_response_error_body_round_trips(void **state) {
    (void)state;
    rn_describe_quorum_response_t resp = {.error_code = RN_WIRE_BROKER_NOT_AVAILABLE,
                                          .leader_id = -1,
                                          .high_watermark = -1},
                                  out;
    size_t len;
    uint8_t *p = tw_roundtrip(&describe_quorum_response_codec, &resp, &out, &len);
    assert_int_equal(len, 2 + 4 + 4 + 8 + 4 + 4);
    assert_int_equal(out.error_code, RN_WIRE_BROKER_NOT_AVAILABLE);
    assert_int_equal(out.leader_id, -1);
    assert_int_equal(out.high_watermark, -1);
    assert_null(out.voters);
    assert_null(out.observers);
    rn_describe_quorum_response_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_quorum_response_codec, &resp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_quorum_request_is_empty),
        cmocka_unit_test(test_describe_quorum_response_golden_bytes),
        cmocka_unit_test(test_describe_quorum_response_round_trips_voters_and_observers),
        cmocka_unit_test(test_describe_quorum_response_negative_count_is_malformed),
        cmocka_unit_test(test_describe_quorum_response_error_body_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
