/* test_api_group.c — JoinGroup, SyncGroup, Heartbeat and LeaveGroup v0: golden bytes,
 * round trips, truncation, huge counts, versions, bad counts and lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_group.h"

TW_CODEC(join_group_request, RN_API_JOIN_GROUP);
TW_CODEC(join_group_response, RN_API_JOIN_GROUP);
TW_CODEC(sync_group_request, RN_API_SYNC_GROUP);
TW_CODEC(sync_group_response, RN_API_SYNC_GROUP);
TW_CODEC(heartbeat_request, RN_API_HEARTBEAT);
TW_CODEC(heartbeat_response, RN_API_HEARTBEAT);
TW_CODEC(leave_group_request, RN_API_LEAVE_GROUP);
TW_CODEC(leave_group_response, RN_API_LEAVE_GROUP);

/* ---- JoinGroup ---------------------------------------------------------------------- */

static void test_join_group_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_join_group_protocol_t protos[] = {
        {.name = rn_str("range"), .metadata = rn_bytes("\x00\x00", 2)},
        {.name = rn_str("rr"), .metadata = rn_bytes(NULL, 0)},
    };
    rn_join_group_request_t req = {.group_id = rn_str("g"),
                                   .session_timeout_ms = 10000,
                                   .rebalance_timeout_ms = 300000,
                                   .member_id = rn_str(""),
                                   .protocol_type = rn_str("consumer"),
                                   .n_protocols = 2,
                                   .protocols = protos},
                            out;
    size_t len;
    uint8_t *p = tw_encode(&join_group_request_codec, &req, &len);
    const uint8_t want[] = {0, 1,    'g',        /* group_id */
                            0, 0,    0x27, 0x10, /* session_timeout_ms 10000 */
                            0, 0x04, 0x93, 0xe0, /* rebalance_timeout_ms 300000 */
                            0, 0,                /* member_id "" */
                            0, 8,    'c',  'o',  'n', 's', 'u', 'm', 'e', 'r', /* protocol_type */
                            0, 0,    0,    2,                                  /* protocols count */
                            0, 5,    'r',  'a',  'n', 'g', 'e',                /* name */
                            0, 0,    0,    2,    0,   0,                       /* metadata */
                            0, 2,    'r',  'r',                                /* name */
                            0, 0,    0,    0}; /* metadata (empty) */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&join_group_request_codec, &req, &out, &len);
    assert_str(out.group_id, "g");
    assert_int_equal(out.session_timeout_ms, 10000);
    assert_int_equal(out.rebalance_timeout_ms, 300000);
    assert_str(out.member_id, "");
    assert_str(out.protocol_type, "consumer");
    assert_int_equal(out.n_protocols, 2);
    assert_str(out.protocols[0].name, "range");
    assert_int_equal(out.protocols[0].metadata.len, 2);
    assert_str(out.protocols[1].name, "rr");
    assert_int_equal(out.protocols[1].metadata.len, 0);
    rn_join_group_request_deinit(&out);
    rn_free(p);
    tw_check_all(&join_group_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_join_group_response_leader_and_follower(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_join_group_member_t members[] = {
        {.member_id = rn_str("m1"), .metadata = rn_bytes("\x01", 1)},
        {.member_id = rn_str("m2"), .metadata = rn_bytes("\x02\x03", 2)},
    };
    rn_join_group_response_t leader = {.error_code = RN_WIRE_NONE,
                                       .generation_id = 4,
                                       .protocol_name = rn_str("range"),
                                       .leader = rn_str("m1"),
                                       .member_id = rn_str("m1"),
                                       .n_members = 2,
                                       .members = members},
                             out;
    size_t len;
    uint8_t *p = tw_encode(&join_group_response_codec, &leader, &len);
    const uint8_t want[] = {0, 0,                                /* error_code */
                            0, 0, 0,   4,                        /* generation_id */
                            0, 5, 'r', 'a', 'n', 'g', 'e',       /* protocol_name */
                            0, 2, 'm', '1',                      /* leader */
                            0, 2, 'm', '1',                      /* member_id */
                            0, 0, 0,   2,                        /* members count */
                            0, 2, 'm', '1', 0,   0,   0,   1, 1, /* m1 */
                            0, 2, 'm', '2', 0,   0,   0,   2, 2, 3};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&join_group_response_codec, &leader, &out, &len);
    assert_int_equal(out.generation_id, 4);
    assert_str(out.protocol_name, "range");
    assert_str(out.leader, "m1");
    assert_int_equal(out.n_members, 2);
    assert_str(out.members[1].member_id, "m2");
    assert_int_equal(out.members[1].metadata.len, 2);
    assert_int_equal(out.members[1].metadata.ptr[1], 3);
    rn_join_group_response_deinit(&out);
    rn_free(p);
    tw_check_all(&join_group_response_codec, &leader);

    /* A follower gets no members; MEMBER_ID_REQUIRED carries the id to use. */
    rn_join_group_response_t follower = {
        .error_code = RN_WIRE_MEMBER_ID_REQUIRED, .generation_id = -1, .member_id = rn_str("m3")};
    p = tw_roundtrip(&join_group_response_codec, &follower, &out, &len);
    assert_int_equal(len, 2 + 4 + 2 + 2 + 4 + 4);
    assert_int_equal(out.error_code, RN_WIRE_MEMBER_ID_REQUIRED);
    assert_int_equal(out.generation_id, -1);
    assert_str(out.protocol_name, "");
    assert_str(out.member_id, "m3");
    assert_int_equal(out.n_members, 0);
    assert_null(out.members);
    rn_join_group_response_deinit(&out);
    rn_free(p);
    tw_check_all(&join_group_response_codec, &follower);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_join_group_bad_counts_and_lengths_are_malformed(void **state) {
    (void)state;
    /* group "g", timeouts, member "", type "" then protocols count -1 (not nullable) */
    const uint8_t null_protocols[] = {0, 1, 'g', 0, 0, 0,    1,    0,    0,   0,
                                      1, 0, 0,   0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&join_group_request_codec, null_protocols, sizeof null_protocols);
    /* one protocol whose metadata is null (-1): bytes are not nullable */
    const uint8_t null_metadata[] = {0, 1, 'g', 0, 0, 0, 1, 0, 0,   0,    1,    0,    0,
                                     0, 0, 0,   0, 0, 1, 0, 1, 'r', 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&join_group_request_codec, null_metadata, sizeof null_metadata);
    /* metadata longer than what is left */
    const uint8_t long_metadata[] = {0, 1, 'g', 0, 0, 0, 1, 0,   0, 0, 1, 0, 0, 0,
                                     0, 0, 0,   0, 1, 0, 1, 'r', 0, 0, 0, 9, 1, 2};
    tw_expect_malformed(&join_group_request_codec, long_metadata, sizeof long_metadata);
    /* members count -2 */
    const uint8_t neg_members[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe};
    tw_expect_malformed(&join_group_response_codec, neg_members, sizeof neg_members);
}

/* ---- SyncGroup ---------------------------------------------------------------------- */

static void test_sync_group_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_sync_group_assignment_t as[] = {
        {.member_id = rn_str("m1"), .assignment = rn_bytes("\xaa", 1)},
    };
    rn_sync_group_request_t req = {.group_id = rn_str("g"),
                                   .generation_id = 4,
                                   .member_id = rn_str("m1"),
                                   .n_assignments = 1,
                                   .assignments = as},
                            out;
    size_t len;
    uint8_t *p = tw_encode(&sync_group_request_codec, &req, &len);
    const uint8_t want[] = {0, 1, 'g',             /* group_id */
                            0, 0, 0,   4,          /* generation_id */
                            0, 2, 'm', '1',        /* member_id */
                            0, 0, 0,   1,          /* assignments count */
                            0, 2, 'm', '1',        /* member_id */
                            0, 0, 0,   1,   0xaa}; /* assignment */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&sync_group_request_codec, &req, &out, &len);
    assert_str(out.group_id, "g");
    assert_int_equal(out.generation_id, 4);
    assert_int_equal(out.n_assignments, 1);
    assert_str(out.assignments[0].member_id, "m1");
    assert_int_equal(out.assignments[0].assignment.ptr[0], 0xaa);
    rn_sync_group_request_deinit(&out);
    rn_free(p);
    tw_check_all(&sync_group_request_codec, &req);
    /* a follower's request: no assignments */
    rn_sync_group_request_t follower = {.group_id = rn_str("g"), .member_id = rn_str("m2")};
    tw_check_all(&sync_group_request_codec, &follower);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_sync_group_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_sync_group_response_t resp = {.error_code = RN_WIRE_NONE,
                                     .assignment = rn_bytes("\x01\x02", 2)},
                             out;
    size_t len;
    uint8_t *p = tw_encode(&sync_group_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0, 0, 0, 0, 2, 1, 2};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&sync_group_response_codec, &resp, &out, &len);
    assert_int_equal(out.assignment.len, 2);
    assert_int_equal(out.assignment.ptr[1], 2);
    rn_sync_group_response_deinit(&out);
    rn_free(p);
    tw_check_all(&sync_group_response_codec, &resp);
    /* error answer: empty assignment (a zeroed struct encodes) */
    rn_sync_group_response_t err = {.error_code = RN_WIRE_REBALANCE_IN_PROGRESS};
    p = tw_roundtrip(&sync_group_response_codec, &err, &out, &len);
    assert_int_equal(len, 6);
    assert_int_equal(out.error_code, RN_WIRE_REBALANCE_IN_PROGRESS);
    assert_int_equal(out.assignment.len, 0);
    rn_sync_group_response_deinit(&out);
    rn_free(p);
    const uint8_t null_assignment[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&sync_group_response_codec, null_assignment, sizeof null_assignment);
    rn_sync_group_response_t bad = {.assignment = RN_BYTES_NULL};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(rn_sync_group_response_encode(&wr, 0, &bad), RN_EMALFORMED);
    assert_int_equal(wr.len, 0);
    rn_writer_deinit(&wr);
    assert_int_equal(rn_alloc_live(), live);
}

/* ---- Heartbeat / LeaveGroup --------------------------------------------------------- */

static void test_heartbeat_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_heartbeat_request_t req = {.group_id = rn_str("g"),
                                  .generation_id = 3,
                                  .member_id = rn_str("m")},
                           out;
    size_t len;
    uint8_t *p = tw_encode(&heartbeat_request_codec, &req, &len);
    const uint8_t want[] = {0, 1, 'g', 0, 0, 0, 3, 0, 1, 'm'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&heartbeat_request_codec, &req, &out, &len);
    assert_str(out.group_id, "g");
    assert_int_equal(out.generation_id, 3);
    assert_str(out.member_id, "m");
    rn_heartbeat_request_deinit(&out);
    rn_free(p);
    tw_check_all(&heartbeat_request_codec, &req);

    rn_heartbeat_response_t resp = {.error_code = RN_WIRE_REBALANCE_IN_PROGRESS}, rout;
    p = tw_roundtrip(&heartbeat_response_codec, &resp, &rout, &len);
    const uint8_t want_resp[] = {0, 27};
    assert_int_equal(len, sizeof want_resp);
    assert_memory_equal(p, want_resp, sizeof want_resp);
    assert_int_equal(rout.error_code, RN_WIRE_REBALANCE_IN_PROGRESS);
    rn_heartbeat_response_deinit(&rout);
    rn_free(p);
    tw_check_all(&heartbeat_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_leave_group_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_leave_group_request_t req = {.group_id = rn_str("g"), .member_id = rn_str("m")}, out;
    size_t len;
    uint8_t *p = tw_encode(&leave_group_request_codec, &req, &len);
    const uint8_t want[] = {0, 1, 'g', 0, 1, 'm'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&leave_group_request_codec, &req, &out, &len);
    assert_str(out.member_id, "m");
    rn_leave_group_request_deinit(&out);
    rn_free(p);
    tw_check_all(&leave_group_request_codec, &req);

    rn_leave_group_response_t resp = {.error_code = RN_WIRE_UNKNOWN_MEMBER_ID}, rout;
    p = tw_roundtrip(&leave_group_response_codec, &resp, &rout, &len);
    const uint8_t want_resp[] = {0, 25};
    assert_int_equal(len, sizeof want_resp);
    assert_memory_equal(p, want_resp, sizeof want_resp);
    assert_int_equal(rout.error_code, RN_WIRE_UNKNOWN_MEMBER_ID);
    rn_leave_group_response_deinit(&rout);
    rn_free(p);
    tw_check_all(&leave_group_response_codec, &resp);
    const uint8_t null_member[] = {0, 1, 'g', 0xff, 0xff};
    tw_expect_malformed(&leave_group_request_codec, null_member, sizeof null_member);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_group_request_golden_bytes),
        cmocka_unit_test(test_join_group_response_leader_and_follower),
        cmocka_unit_test(test_join_group_bad_counts_and_lengths_are_malformed),
        cmocka_unit_test(test_sync_group_request_golden_bytes),
        cmocka_unit_test(test_sync_group_response_golden_bytes),
        cmocka_unit_test(test_heartbeat_golden_bytes),
        cmocka_unit_test(test_leave_group_golden_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
