/* test_api_fetch.c — Fetch v0 request/response: round trips (consumer and follower
 * fields, diverging epochs, null and empty records), truncation, huge counts,
 * versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_fetch.h"

TW_CODEC(fetch_request, RN_API_FETCH);
TW_CODEC(fetch_response, RN_API_FETCH);

#define MANY 64

static void build_request(rn_fetch_partition_t *parts, rn_fetch_topic_t *topics,
                          rn_fetch_request_t *req) {
    for (int i = 0; i < MANY; i++)
        parts[i] = (rn_fetch_partition_t){.partition = i,
                                          .current_leader_epoch = 4,
                                          .fetch_offset = INT64_MAX - i,
                                          .last_fetched_epoch = 3,
                                          .log_start_offset = -1,
                                          .partition_max_bytes = 1 << 20};
    topics[0] = (rn_fetch_topic_t){rn_str("orders"), MANY, parts};
    topics[1] = (rn_fetch_topic_t){rn_str("quiet"), 0, NULL};
    *req = (rn_fetch_request_t){.replica_id = 2,
                                .max_wait_ms = 500,
                                .min_bytes = 1,
                                .max_bytes = 50 << 20,
                                .isolation_level = RN_READ_COMMITTED,
                                .n_topics = 2,
                                .topics = topics};
}

static void test_fetch_request_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_fetch_partition_t parts[MANY];
    rn_fetch_topic_t topics[2];
    rn_fetch_request_t req, out;
    build_request(parts, topics, &req);
    size_t len;
    uint8_t *p = tw_roundtrip(&fetch_request_codec, &req, &out, &len);
    assert_int_equal(out.replica_id, 2);
    assert_int_equal(out.max_wait_ms, 500);
    assert_int_equal(out.max_bytes, 50 << 20);
    assert_int_equal(out.isolation_level, RN_READ_COMMITTED);
    assert_int_equal(out.n_topics, 2);
    assert_str(out.topics[0].topic, "orders");
    assert_int_equal(out.topics[0].n_partitions, MANY);
    const rn_fetch_partition_t *fp = &out.topics[0].partitions[MANY - 1];
    assert_int_equal(fp->partition, MANY - 1);
    assert_true(fp->fetch_offset == INT64_MAX - (MANY - 1));
    assert_int_equal(fp->last_fetched_epoch, 3);
    assert_true(fp->log_start_offset == -1);
    assert_int_equal(out.topics[1].n_partitions, 0);
    /* 17 fixed + count + 2 topics (6 + name) + 64 partitions of 32 bytes */
    assert_int_equal(len, 17 + 4 + (6 + 6) + (6 + 5) + MANY * 32);
    rn_fetch_request_deinit(&out);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_fetch_request_malformed_inputs(void **state) {
    (void)state;
    rn_fetch_partition_t parts[MANY];
    rn_fetch_topic_t topics[2];
    rn_fetch_request_t req;
    build_request(parts, topics, &req);
    topics[0].n_partitions = 3;
    tw_check_all(&fetch_request_codec, &req);
    /* 17 fixed bytes then a topic count of 0x7fffffff */
    uint8_t body[21] = {0};
    rn_put_be(body + 17, 0x7fffffff, 4);
    tw_expect_malformed(&fetch_request_codec, body, sizeof body);
    /* partitions: 8 claimed, room for one */
    uint8_t nested[17 + 4 + 3 + 4 + 32] = {0};
    rn_put_be(nested + 17, 1, 4);
    rn_put_be(nested + 21, 1, 2);
    nested[23] = 't';
    rn_put_be(nested + 24, 8, 4);
    tw_expect_malformed(&fetch_request_codec, nested, sizeof nested);
    rn_put_be(nested + 24, 1, 4); /* the right count decodes */
    rn_fetch_request_t out;
    assert_rc(rn_fetch_request_decode(nested, sizeof nested, 0, &out), 0);
    rn_fetch_request_deinit(&out);
}

static void build_response(rn_fetch_partition_data_t *parts, rn_fetch_topic_response_t *topics,
                           rn_fetch_response_t *resp) {
    static const uint8_t batch_bytes[70] = {1, 2, 3};
    for (int i = 0; i < MANY; i++)
        parts[i] = (rn_fetch_partition_data_t){.partition_index = i,
                                               .error_code = RN_WIRE_NONE,
                                               .high_watermark = 812,
                                               .last_stable_offset = 812,
                                               .log_start_offset = 0,
                                               .diverging_epoch = {-1, -1},
                                               .records = rn_bytes(batch_bytes, 70)};
    parts[1].records = RN_BYTES_NULL;
    parts[1].error_code = RN_WIRE_OFFSET_OUT_OF_RANGE;
    parts[2].records = rn_bytes("", 0);
    parts[3].diverging_epoch = (rn_fetch_epoch_end_offset_t){3, 700};
    topics[0] = (rn_fetch_topic_response_t){rn_str("orders"), MANY, parts};
    topics[1] = (rn_fetch_topic_response_t){rn_str("other"), 0, NULL};
    *resp = (rn_fetch_response_t){
        .error_code = RN_WIRE_NONE, .throttle_time_ms = 0, .n_responses = 2, .responses = topics};
}

static void test_fetch_response_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_fetch_partition_data_t parts[MANY];
    rn_fetch_topic_response_t topics[2];
    rn_fetch_response_t resp, out;
    build_response(parts, topics, &resp);
    size_t len;
    uint8_t *p = tw_roundtrip(&fetch_response_codec, &resp, &out, &len);
    assert_int_equal(out.n_responses, 2);
    const rn_fetch_partition_data_t *fp = out.responses[0].partitions;
    assert_int_equal(fp[0].records.len, 70);
    assert_int_equal(fp[0].records.ptr[2], 3);
    assert_int_equal(fp[1].records.len, -1);
    assert_null(fp[1].records.ptr);
    assert_int_equal(fp[1].error_code, RN_WIRE_OFFSET_OUT_OF_RANGE);
    assert_int_equal(fp[2].records.len, 0);
    assert_non_null(fp[2].records.ptr);
    assert_int_equal(fp[3].diverging_epoch.epoch, 3);
    assert_true(fp[3].diverging_epoch.end_offset == 700);
    assert_true(fp[4].high_watermark == 812);
    rn_fetch_response_deinit(&out);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_fetch_response_malformed_inputs(void **state) {
    (void)state;
    rn_fetch_partition_data_t parts[MANY];
    rn_fetch_topic_response_t topics[2];
    rn_fetch_response_t resp;
    build_response(parts, topics, &resp);
    topics[0].n_partitions = 4;
    tw_check_all(&fetch_response_codec, &resp);
    const uint8_t body[] = {0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&fetch_response_codec, body, sizeof body); /* null topic array */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_request_round_trips),
        cmocka_unit_test(test_fetch_request_malformed_inputs),
        cmocka_unit_test(test_fetch_response_round_trips),
        cmocka_unit_test(test_fetch_response_malformed_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
