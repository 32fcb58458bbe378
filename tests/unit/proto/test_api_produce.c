/* test_api_produce.c — Produce v0 request/response: round trips with real record
 * batches, nulls and many partitions; truncation, huge counts, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_produce.h"
#include "proto/batch.h"

TW_CODEC(produce_request, RN_API_PRODUCE);
TW_CODEC(produce_response, RN_API_PRODUCE);

#define MANY 100

/* One real batch of two records, rn_malloc'd. */
static uint8_t *make_batch(size_t *len) {
    rn_batch_opts_t opts;
    rn_batch_builder_t b;
    rn_batch_opts_default(&opts);
    rn_batch_builder_init(&b, &opts);
    assert_rc(rn_batch_builder_add(&b, 1000, "k", 1, "v1", 2, NULL, 0), 0);
    assert_rc(rn_batch_builder_add(&b, 1001, NULL, -1, "v2", 2, NULL, 0), 0);
    uint8_t *p;
    assert_rc(rn_batch_builder_finish(&b, &p, len), 0);
    rn_batch_builder_deinit(&b);
    return p;
}

typedef struct {
    rn_produce_partition_data_t orders[3];
    rn_produce_partition_data_t many[MANY];
    rn_produce_topic_data_t topics[3];
    rn_produce_request_t req;
    uint8_t *batch;
} req_fixture_t;

static void build_request(req_fixture_t *f) {
    size_t blen;
    f->batch = make_batch(&blen);
    f->orders[0] = (rn_produce_partition_data_t){0, rn_bytes(f->batch, blen)};
    f->orders[1] = (rn_produce_partition_data_t){1, RN_BYTES_NULL};
    f->orders[2] = (rn_produce_partition_data_t){RN_PRODUCE_ANY_PARTITION, rn_bytes("", 0)};
    for (int i = 0; i < MANY; i++)
        f->many[i] = (rn_produce_partition_data_t){i, rn_bytes(f->batch, blen)};
    f->topics[0] = (rn_produce_topic_data_t){rn_str("orders"), 3, f->orders};
    f->topics[1] = (rn_produce_topic_data_t){rn_str(""), 0, NULL};
    f->topics[2] = (rn_produce_topic_data_t){rn_str("many"), MANY, f->many};
    f->req = (rn_produce_request_t){.transactional_id = RN_STR_NULL,
                                    .acks = -1,
                                    .timeout_ms = 30000,
                                    .n_topic_data = 3,
                                    .topic_data = f->topics};
}

static void test_produce_request_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    req_fixture_t f;
    build_request(&f);
    rn_produce_request_t out;
    size_t len;
    uint8_t *p = tw_roundtrip(&produce_request_codec, &f.req, &out, &len);
    assert_true(rn_str_is_null(out.transactional_id));
    assert_int_equal(out.acks, -1);
    assert_int_equal(out.timeout_ms, 30000);
    assert_int_equal(out.n_topic_data, 3);
    assert_str(out.topic_data[0].name, "orders");
    assert_int_equal(out.topic_data[0].n_partition_data, 3);
    const rn_produce_partition_data_t *pd = out.topic_data[0].partition_data;
    /* The records are a view into the request and still validate as a batch. */
    rn_batch_header_t h;
    assert_rc(rn_batch_validate(pd[0].records.ptr, (size_t)pd[0].records.len, 1 << 20, &h), 0);
    assert_int_equal(h.records_count, 2);
    assert_true(pd[0].records.ptr >= p && pd[0].records.ptr < p + len);
    assert_int_equal(pd[1].records.len, -1);
    assert_null(pd[1].records.ptr);
    assert_int_equal(pd[2].index, -1);
    assert_int_equal(pd[2].records.len, 0);
    assert_non_null(pd[2].records.ptr); /* empty, not null */
    assert_str(out.topic_data[1].name, "");
    assert_int_equal(out.topic_data[1].n_partition_data, 0);
    assert_int_equal(out.topic_data[2].n_partition_data, MANY);
    assert_int_equal(out.topic_data[2].partition_data[MANY - 1].index, MANY - 1);
    rn_produce_request_deinit(&out);
    rn_free(p);
    rn_free(f.batch);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_produce_request_transactional_id_round_trips(void **state) {
    (void)state;
    rn_produce_request_t req = {.transactional_id = rn_str("tx-1"), .acks = 1}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&produce_request_codec, &req, &out, &len);
    assert_str(out.transactional_id, "tx-1");
    assert_int_equal(out.n_topic_data, 0);
    assert_int_equal(len, 6 + 2 + 4 + 4);
    rn_produce_request_deinit(&out);
    rn_free(p);
}

static void test_produce_request_malformed_inputs(void **state) {
    (void)state;
    req_fixture_t f;
    build_request(&f);
    tw_check_all(&produce_request_codec, &f.req);
    rn_free(f.batch);
}

static void test_produce_request_huge_count_in_tiny_frame(void **state) {
    (void)state;
    /* transactional_id null, acks 1, timeout 0, topic_data count 0x7fffffff */
    const uint8_t body[] = {0xff, 0xff, 0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    tw_expect_malformed(&produce_request_codec, body, sizeof body);
    /* one topic "t" whose partition count is huge */
    const uint8_t nested[] = {0xff, 0xff, 0, 1,   0,    0,    0,    0,    0, 0, 0,
                              1,    0,    1, 't', 0x7f, 0xff, 0xff, 0xff, 0, 0};
    tw_expect_malformed(&produce_request_codec, nested, sizeof nested);
    /* a records length past the end, and a negative one below -1 */
    const uint8_t records[] = {0xff, 0xff, 0, 1, 0, 0, 0, 0, 0, 0,    0,    1,    0,   1,
                               't',  0,    0, 0, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    tw_expect_malformed(&produce_request_codec, records, sizeof records);
    uint8_t neg[sizeof records];
    memcpy(neg, records, sizeof records);
    rn_put_be(neg + sizeof neg - 4, (uint32_t)-2, 4);
    tw_expect_malformed(&produce_request_codec, neg, sizeof neg);
}

static void test_produce_request_null_topic_array_is_malformed(void **state) {
    (void)state;
    const uint8_t body[] = {0xff, 0xff, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    tw_expect_malformed(&produce_request_codec, body, sizeof body);
}

static void build_response(rn_produce_partition_response_t *parts, rn_produce_topic_response_t *t,
                           rn_produce_response_t *resp) {
    for (int i = 0; i < MANY; i++)
        parts[i] = (rn_produce_partition_response_t){.index = i,
                                                     .error_code = RN_WIRE_NONE,
                                                     .base_offset = (int64_t)i << 33,
                                                     .log_append_time_ms = -1,
                                                     .log_start_offset = 0,
                                                     .error_message = RN_STR_NULL};
    parts[1].error_code = RN_WIRE_NOT_LEADER_OR_FOLLOWER;
    parts[1].base_offset = -1;
    parts[1].error_message = rn_str("leader moved to broker 2");
    t[0] = (rn_produce_topic_response_t){rn_str("orders"), MANY, parts};
    t[1] = (rn_produce_topic_response_t){rn_str("empty"), 0, NULL};
    *resp = (rn_produce_response_t){
        .error_code = RN_WIRE_NONE, .n_responses = 2, .responses = t, .throttle_time_ms = 7};
}

static void test_produce_response_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_produce_partition_response_t parts[MANY];
    rn_produce_topic_response_t topics[2];
    rn_produce_response_t resp, out;
    build_response(parts, topics, &resp);
    size_t len;
    uint8_t *p = tw_roundtrip(&produce_response_codec, &resp, &out, &len);
    assert_int_equal(out.throttle_time_ms, 7);
    assert_int_equal(out.n_responses, 2);
    const rn_produce_partition_response_t *pr = out.responses[0].partition_responses;
    assert_int_equal(out.responses[0].n_partition_responses, MANY);
    assert_true(pr[5].base_offset == (int64_t)5 << 33);
    assert_true(rn_str_is_null(pr[0].error_message));
    assert_int_equal(pr[1].error_code, RN_WIRE_NOT_LEADER_OR_FOLLOWER);
    assert_str(pr[1].error_message, "leader moved to broker 2");
    assert_true(pr[2].log_append_time_ms == -1);
    assert_int_equal(out.responses[1].n_partition_responses, 0);
    rn_produce_response_deinit(&out);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_produce_response_malformed_inputs(void **state) {
    (void)state;
    rn_produce_partition_response_t parts[MANY];
    rn_produce_topic_response_t topics[2];
    rn_produce_response_t resp;
    build_response(parts, topics, &resp);
    topics[0].n_partition_responses = 3; /* keep the every-offset checks quick */
    tw_check_all(&produce_response_codec, &resp);
    const uint8_t body[] = {0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    tw_expect_malformed(&produce_response_codec, body, sizeof body);
}

static void test_produce_encode_refuses_unrepresentable_values(void **state) {
    (void)state;
    static char big[40000];
    memset(big, 'x', sizeof big - 1);
    rn_produce_topic_data_t topic = {rn_str(big), 0, NULL};
    rn_produce_request_t req = {
        .transactional_id = RN_STR_NULL, .n_topic_data = 1, .topic_data = &topic};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_writer_u8(&wr, 1);
    assert_rc(rn_produce_request_encode(&wr, 0, &req), RN_ETOOLARGE);
    assert_int_equal(wr.len, 1); /* rolled back */
    topic.name = RN_STR_NULL;    /* a topic name is not nullable */
    assert_rc(rn_produce_request_encode(&wr, 0, &req), RN_EMALFORMED);
    topic.name = rn_str("t");
    req.n_topic_data = -1; /* not a nullable array */
    assert_rc(rn_produce_request_encode(&wr, 0, &req), RN_EMALFORMED);
    assert_int_equal(wr.len, 1);
    rn_writer_deinit(&wr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_produce_request_round_trips),
        cmocka_unit_test(test_produce_request_transactional_id_round_trips),
        cmocka_unit_test(test_produce_request_malformed_inputs),
        cmocka_unit_test(test_produce_request_huge_count_in_tiny_frame),
        cmocka_unit_test(test_produce_request_null_topic_array_is_malformed),
        cmocka_unit_test(test_produce_response_round_trips),
        cmocka_unit_test(test_produce_response_malformed_inputs),
        cmocka_unit_test(test_produce_encode_refuses_unrepresentable_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
