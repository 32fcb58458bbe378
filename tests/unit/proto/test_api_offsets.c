/* test_api_offsets.c — OffsetCommit and OffsetFetch v0: golden bytes, round trips,
 * null arrays and strings, truncation, huge counts, versions, bad counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_offsets.h"

TW_CODEC(offset_commit_request, RN_API_OFFSET_COMMIT);
TW_CODEC(offset_commit_response, RN_API_OFFSET_COMMIT);
TW_CODEC(offset_fetch_request, RN_API_OFFSET_FETCH);
TW_CODEC(offset_fetch_response, RN_API_OFFSET_FETCH);

/* ---- OffsetCommit ------------------------------------------------------------------- */

static void test_offset_commit_request_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_offset_commit_part_t parts[] = {
        {.partition_index = 0, .committed_offset = 5, .committed_metadata = RN_STR_NULL},
    };
    rn_offset_commit_topic_t t = {.name = rn_str("t"), .n_partitions = 1, .partitions = parts};
    rn_offset_commit_request_t req = {.group_id = rn_str("g"),
                                      .generation_id = -1,
                                      .member_id = rn_str(""),
                                      .n_topics = 1,
                                      .topics = &t},
                               out;
    size_t len;
    uint8_t *p = tw_encode(&offset_commit_request_codec, &req, &len);
    const uint8_t want[] = {0,    1,    'g',                    /* group_id */
                            0xff, 0xff, 0xff, 0xff,             /* generation_id -1 */
                            0,    0,                            /* member_id "" */
                            0,    0,    0,    1,                /* topics count */
                            0,    1,    't',                    /* name */
                            0,    0,    0,    1,                /* partitions count */
                            0,    0,    0,    0,                /* partition_index */
                            0,    0,    0,    0,    0, 0, 0, 5, /* committed_offset */
                            0xff, 0xff};                        /* committed_metadata null */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&offset_commit_request_codec, &req, &out, &len);
    assert_str(out.group_id, "g");
    assert_int_equal(out.generation_id, -1);
    assert_str(out.member_id, "");
    assert_int_equal(out.n_topics, 1);
    assert_str(out.topics[0].name, "t");
    assert_int_equal(out.topics[0].partitions[0].committed_offset, 5);
    assert_str(out.topics[0].partitions[0].committed_metadata, NULL);
    rn_offset_commit_request_deinit(&out);
    rn_free(p);
    tw_check_all(&offset_commit_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_offset_commit_request_in_a_group_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_offset_commit_part_t a[] = {
        {.partition_index = 0, .committed_offset = 100, .committed_metadata = rn_str("x")},
        {.partition_index = 3, .committed_offset = INT64_MAX, .committed_metadata = rn_str("")},
    };
    rn_offset_commit_part_t b[] = {
        {.partition_index = 1, .committed_offset = 0, .committed_metadata = RN_STR_NULL},
    };
    rn_offset_commit_topic_t ts[] = {
        {.name = rn_str("a"), .n_partitions = 2, .partitions = a},
        {.name = rn_str("b"), .n_partitions = 1, .partitions = b},
        {.name = rn_str("c"), .n_partitions = 0},
    };
    rn_offset_commit_request_t req = {.group_id = rn_str("grp"),
                                      .generation_id = 7,
                                      .member_id = rn_str("member-1"),
                                      .n_topics = 3,
                                      .topics = ts},
                               out;
    size_t len;
    uint8_t *p = tw_roundtrip(&offset_commit_request_codec, &req, &out, &len);
    assert_int_equal(out.generation_id, 7);
    assert_str(out.member_id, "member-1");
    assert_int_equal(out.n_topics, 3);
    assert_int_equal(out.topics[0].n_partitions, 2);
    assert_int_equal(out.topics[0].partitions[1].partition_index, 3);
    assert_int_equal(out.topics[0].partitions[1].committed_offset, INT64_MAX);
    assert_str(out.topics[0].partitions[0].committed_metadata, "x");
    assert_str(out.topics[0].partitions[1].committed_metadata, "");
    assert_str(out.topics[1].partitions[0].committed_metadata, NULL);
    assert_int_equal(out.topics[2].n_partitions, 0);
    rn_offset_commit_request_deinit(&out);
    rn_free(p);
    tw_check_all(&offset_commit_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_offset_commit_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_offset_commit_part_result_t parts[] = {
        {.partition_index = 0, .error_code = RN_WIRE_NONE},
        {.partition_index = 1, .error_code = RN_WIRE_ILLEGAL_GENERATION},
    };
    rn_offset_commit_topic_result_t t = {
        .name = rn_str("t"), .n_partitions = 2, .partitions = parts};
    rn_offset_commit_response_t resp = {.error_code = RN_WIRE_NONE, .n_topics = 1, .topics = &t},
                                out;
    size_t len;
    uint8_t *p = tw_encode(&offset_commit_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0,                 /* error_code */
                            0, 0, 0,   1,         /* topics count */
                            0, 1, 't',            /* name */
                            0, 0, 0,   2,         /* partitions count */
                            0, 0, 0,   0, 0, 0,   /* 0: NONE */
                            0, 0, 0,   1, 0, 22}; /* 1: ILLEGAL_GENERATION */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&offset_commit_response_codec, &resp, &out, &len);
    assert_int_equal(out.topics[0].n_partitions, 2);
    assert_int_equal(out.topics[0].partitions[1].error_code, RN_WIRE_ILLEGAL_GENERATION);
    rn_offset_commit_response_deinit(&out);
    rn_free(p);
    tw_check_all(&offset_commit_response_codec, &resp);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_offset_commit_bad_counts_are_malformed(void **state) {
    (void)state;
    /* topics -1: not nullable in OffsetCommit */
    const uint8_t null_topics[] = {0, 1, 'g', 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&offset_commit_request_codec, null_topics, sizeof null_topics);
    /* a partition count that cannot fit (14 bytes each, 10 left) */
    const uint8_t long_parts[] = {0,   1, 'g', 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1,
                                  't', 0, 0,   0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    tw_expect_malformed(&offset_commit_request_codec, long_parts, sizeof long_parts);
    /* committed_metadata length -2 */
    const uint8_t bad_meta[] = {0, 1, 'g', 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 't',  0,
                                0, 0, 1,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0xff, 0xfe};
    tw_expect_malformed(&offset_commit_request_codec, bad_meta, sizeof bad_meta);
    const uint8_t null_resp_topics[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&offset_commit_response_codec, null_resp_topics, sizeof null_resp_topics);
}

/* ---- OffsetFetch -------------------------------------------------------------------- */

static void test_offset_fetch_request_golden_bytes_and_null_topics(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    int32_t idx[] = {0, 2};
    rn_offset_fetch_topic_t t = {
        .name = rn_str("t"), .n_partition_indexes = 2, .partition_indexes = idx};
    rn_offset_fetch_request_t req = {.group_id = rn_str("g"), .n_topics = 1, .topics = &t}, out;
    size_t len;
    uint8_t *p = tw_encode(&offset_fetch_request_codec, &req, &len);
    const uint8_t want[] = {0, 1, 'g',     /* group_id */
                            0, 0, 0,   1,  /* topics count */
                            0, 1, 't',     /* name */
                            0, 0, 0,   2,  /* partition_indexes count */
                            0, 0, 0,   0,  /* 0 */
                            0, 0, 0,   2}; /* 2 */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&offset_fetch_request_codec, &req, &out, &len);
    assert_int_equal(out.n_topics, 1);
    assert_int_equal(out.topics[0].n_partition_indexes, 2);
    assert_int_equal(out.topics[0].partition_indexes[1], 2);
    rn_offset_fetch_request_deinit(&out);
    rn_free(p);
    tw_check_all(&offset_fetch_request_codec, &req);

    /* null topics: every committed partition of the group */
    rn_offset_fetch_request_t all = {.group_id = rn_str("g"), .n_topics = -1};
    p = tw_encode(&offset_fetch_request_codec, &all, &len);
    const uint8_t want_all[] = {0, 1, 'g', 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(len, sizeof want_all);
    assert_memory_equal(p, want_all, sizeof want_all);
    rn_free(p);
    p = tw_roundtrip(&offset_fetch_request_codec, &all, &out, &len);
    assert_int_equal(out.n_topics, -1);
    assert_null(out.topics);
    rn_offset_fetch_request_deinit(&out);
    rn_free(p);
    tw_check_all(&offset_fetch_request_codec, &all);
    const uint8_t neg2[] = {0, 1, 'g', 0xff, 0xff, 0xff, 0xfe};
    tw_expect_malformed(&offset_fetch_request_codec, neg2, sizeof neg2);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_offset_fetch_response_golden_bytes(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_offset_fetch_part_t parts[] = {
        {.partition_index = 0,
         .committed_offset = 42,
         .metadata = rn_str("m"),
         .error_code = RN_WIRE_NONE},
        {.partition_index = 1,
         .committed_offset = -1,
         .metadata = RN_STR_NULL,
         .error_code = RN_WIRE_NONE},
    };
    rn_offset_fetch_topic_result_t t = {
        .name = rn_str("t"), .n_partitions = 2, .partitions = parts};
    rn_offset_fetch_response_t resp = {.error_code = RN_WIRE_NONE, .n_topics = 1, .topics = &t},
                               out;
    size_t len;
    uint8_t *p = tw_encode(&offset_fetch_response_codec, &resp, &len);
    const uint8_t want[] = {0,    0,                                        /* error_code */
                            0,    0,    0,    1,                            /* topics count */
                            0,    1,    't',                                /* name */
                            0,    0,    0,    2,                            /* partitions count */
                            0,    0,    0,    0,                            /* partition_index */
                            0,    0,    0,    0,    0,    0,    0,    42,   /* offset */
                            0,    1,    'm',                                /* metadata */
                            0,    0,                                        /* error_code */
                            0,    0,    0,    1,                            /* partition_index */
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* -1 */
                            0xff, 0xff,                                     /* metadata null */
                            0,    0};                                       /* error_code */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    p = tw_roundtrip(&offset_fetch_response_codec, &resp, &out, &len);
    assert_int_equal(out.topics[0].partitions[0].committed_offset, 42);
    assert_str(out.topics[0].partitions[0].metadata, "m");
    assert_int_equal(out.topics[0].partitions[1].committed_offset, -1);
    assert_str(out.topics[0].partitions[1].metadata, NULL);
    rn_offset_fetch_response_deinit(&out);
    rn_free(p);
    tw_check_all(&offset_fetch_response_codec, &resp);

    rn_offset_fetch_response_t err = {.error_code = RN_WIRE_COORDINATOR_LOAD_IN_PROGRESS};
    p = tw_roundtrip(&offset_fetch_response_codec, &err, &out, &len);
    assert_int_equal(len, 6);
    assert_int_equal(out.error_code, RN_WIRE_COORDINATOR_LOAD_IN_PROGRESS);
    rn_offset_fetch_response_deinit(&out);
    rn_free(p);
    const uint8_t null_topics[] = {0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&offset_fetch_response_codec, null_topics, sizeof null_topics);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_commit_request_golden_bytes),
        cmocka_unit_test(test_offset_commit_request_in_a_group_round_trips),
        cmocka_unit_test(test_offset_commit_response_golden_bytes),
        cmocka_unit_test(test_offset_commit_bad_counts_are_malformed),
        cmocka_unit_test(test_offset_fetch_request_golden_bytes_and_null_topics),
        cmocka_unit_test(test_offset_fetch_response_golden_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
