/* test_api_groups_admin.c — ListGroups and DescribeGroups v0: golden bytes, round
 * trips, truncation, huge counts, versions, bad counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_groups_admin.h"

TW_CODEC(list_groups_request, RN_API_LIST_GROUPS);
TW_CODEC(list_groups_response, RN_API_LIST_GROUPS);
TW_CODEC(describe_groups_request, RN_API_DESCRIBE_GROUPS);
TW_CODEC(describe_groups_response, RN_API_DESCRIBE_GROUPS);

static void test_list_groups_request_is_empty(void **state) {
    (void)state;
    rn_list_groups_request_t req = {{0}}, out;
    size_t len;
    uint8_t *p = tw_encode(&list_groups_request_codec, &req, &len);
    assert_int_equal(len, 0);
    rn_free(p);
    assert_rc(rn_list_groups_request_decode(NULL, 0, 0, &out), 0);
    rn_list_groups_request_deinit(&out);
    const uint8_t extra[] = {0};
    tw_expect_malformed(&list_groups_request_codec, extra, sizeof extra);
    tw_check_all(&list_groups_request_codec, &req);
}

static void test_list_groups_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_list_groups_group_t groups[] = {
        {.group_id = rn_str("g"),
         .protocol_type = rn_str("consumer"),
         .group_state = rn_str("Stable")},
        {.group_id = rn_str("h"), .protocol_type = rn_str(""), .group_state = rn_str("Empty")},
    };
    rn_list_groups_response_t resp = {.error_code = RN_WIRE_NONE, .n_groups = 2, .groups = groups},
                              out;
    size_t len;
    uint8_t *p = tw_encode(&list_groups_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0,                                         /* error_code */
                            0, 0, 0,   2,                                 /* groups count */
                            0, 1, 'g',                                    /* group_id */
                            0, 8, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', /* protocol_type */
                            0, 6, 'S', 't', 'a', 'b', 'l', 'e',           /* group_state */
                            0, 1, 'h', 0,   0,   0,   5,   'E', 'm', 'p', 't', 'y'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&list_groups_response_codec, &resp, &out, &len);
    assert_int_equal(out.n_groups, 2);
    assert_str(out.groups[0].group_id, "g");
    assert_str(out.groups[0].protocol_type, "consumer");
    assert_str(out.groups[0].group_state, "Stable");
    assert_str(out.groups[1].protocol_type, "");
    assert_str(out.groups[1].group_state, "Empty");
    rn_list_groups_response_deinit(&out);
    rn_free(p);
    tw_check_all(&list_groups_response_codec, &resp);
    const uint8_t null_groups[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&list_groups_response_codec, null_groups, sizeof null_groups);
    const uint8_t null_state[] = {0, 0, 0, 0, 0, 1, 0, 1, 'g', 0, 0, 0xff, 0xff};
    tw_expect_malformed(&list_groups_response_codec, null_state, sizeof null_state);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_groups_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_str_t ids[] = {rn_str("a"), rn_str("bc")};
    rn_describe_groups_request_t req = {.n_groups = 2, .groups = ids}, out;
    size_t len;
    uint8_t *p = tw_encode(&describe_groups_request_codec, &req, &len);
    const uint8_t want[] = {0, 0, 0, 2, 0, 1, 'a', 0, 2, 'b', 'c'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&describe_groups_request_codec, &req, &out, &len);
    assert_int_equal(out.n_groups, 2);
    assert_str(out.groups[1], "bc");
    rn_describe_groups_request_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_groups_request_codec, &req);
    const uint8_t null_groups[] = {0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&describe_groups_request_codec, null_groups, sizeof null_groups);
    const uint8_t null_id[] = {0, 0, 0, 1, 0xff, 0xff};
    tw_expect_malformed(&describe_groups_request_codec, null_id, sizeof null_id);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_groups_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_describe_groups_member_t members[] = {
        {.member_id = rn_str("m"),
         .client_id = rn_str("c"),
         .client_host = rn_str("/h"),
         .member_metadata = rn_bytes("\x01", 1),
         .member_assignment = rn_bytes(NULL, 0)},
    };
    rn_describe_groups_group_t groups[] = {
        {.error_code = RN_WIRE_NONE,
         .group_id = rn_str("g"),
         .group_state = rn_str("Stable"),
         .protocol_type = rn_str("consumer"),
         .protocol_data = rn_str("range"),
         .n_members = 1,
         .members = members},
        {.error_code = RN_WIRE_NOT_COORDINATOR,
         .group_id = rn_str("x"),
         .group_state = rn_str(""),
         .protocol_type = rn_str(""),
         .protocol_data = rn_str("")},
    };
    rn_describe_groups_response_t resp = {.error_code = RN_WIRE_NONE,
                                          .n_groups = 2,
                                          .groups = groups},
                                  out;
    size_t len;
    uint8_t *p = tw_encode(&describe_groups_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0,                                          /* error_code */
                            0, 0,  0,   2,                                 /* groups count */
                            0, 0,                                          /* error_code */
                            0, 1,  'g',                                    /* group_id */
                            0, 6,  'S', 't', 'a', 'b', 'l', 'e',           /* group_state */
                            0, 8,  'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', /* protocol_type */
                            0, 5,  'r', 'a', 'n', 'g', 'e',                /* protocol_data */
                            0, 0,  0,   1,                                 /* members count */
                            0, 1,  'm',                                    /* member_id */
                            0, 1,  'c',                                    /* client_id */
                            0, 2,  '/', 'h',                               /* client_host */
                            0, 0,  0,   1,   1,                            /* member_metadata */
                            0, 0,  0,   0,                                 /* member_assignment */
                            0, 16,                                         /* NOT_COORDINATOR */
                            0, 1,  'x', 0,   0,   0,   0,   0,   0, /* id, state, type, data */
                            0, 0,  0,   0};                         /* no members */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&describe_groups_response_codec, &resp, &out, &len);
    assert_int_equal(out.n_groups, 2);
    assert_str(out.groups[0].protocol_data, "range");
    assert_int_equal(out.groups[0].n_members, 1);
    assert_str(out.groups[0].members[0].client_host, "/h");
    assert_int_equal(out.groups[0].members[0].member_metadata.len, 1);
    assert_int_equal(out.groups[0].members[0].member_assignment.len, 0);
    assert_int_equal(out.groups[1].error_code, RN_WIRE_NOT_COORDINATOR);
    assert_int_equal(out.groups[1].n_members, 0);
    rn_describe_groups_response_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_groups_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_groups_response_bad_counts_are_malformed(void **state) {
    (void)state;
    const uint8_t null_groups[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&describe_groups_response_codec, null_groups, sizeof null_groups);
    /* one group, members count -1 */
    const uint8_t null_members[] = {0, 0, 0, 0, 0, 1, 0,    0,    0,    0,
                                    0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&describe_groups_response_codec, null_members, sizeof null_members);
    /* one member whose assignment is null */
    const uint8_t null_assignment[] = {0, 0, 0, 0, 0, 1, 0,    0,    0,    0,   0, 0,
                                       0, 0, 0, 0, 0, 0, 0,    1,    0,    0,   0, 0,
                                       0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&describe_groups_response_codec, null_assignment, sizeof null_assignment);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_groups_request_is_empty),
        cmocka_unit_test(test_list_groups_response_golden_bytes),
        cmocka_unit_test(test_describe_groups_request_golden_bytes),
        cmocka_unit_test(test_describe_groups_response_golden_bytes),
        cmocka_unit_test(test_describe_groups_response_bad_counts_are_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
