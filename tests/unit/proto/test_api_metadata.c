/* test_api_metadata.c — Metadata v0: null vs empty topic lists, brokers, partitions
 * with replica and ISR lists; golden bytes; truncation, huge counts, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_metadata.h"

TW_CODEC(metadata_request, RN_API_METADATA);
TW_CODEC(metadata_response, RN_API_METADATA);

static void test_metadata_request_null_means_all_topics(void **state) {
    (void)state;
    rn_metadata_request_t req = {.n_topics = -1, .allow_auto_topic_creation = true}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&metadata_request_codec, &req, &out, &len);
    const uint8_t want[] = {0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    assert_int_equal(out.n_topics, -1);
    assert_null(out.topics);
    assert_true(out.allow_auto_topic_creation);
    rn_metadata_request_deinit(&out);
    rn_free(p);
}

static void test_metadata_request_lists_topics(void **state) {
    (void)state;
    rn_str_t names[] = {rn_str("a"), rn_str(""), rn_str("orders")};
    rn_metadata_request_t req = {.n_topics = 3, .topics = names}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&metadata_request_codec, &req, &out, &len);
    const uint8_t want[] = {0, 0, 0, 3, 0, 1, 'a', 0, 0, 0, 6, 'o', 'r', 'd', 'e', 'r', 's', 0};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    assert_int_equal(out.n_topics, 3);
    assert_str(out.topics[1], "");
    assert_str(out.topics[2], "orders");
    assert_false(out.allow_auto_topic_creation);
    rn_metadata_request_deinit(&out);
    rn_free(p);
    /* an empty (not null) list */
    req.n_topics = 0;
    p = tw_roundtrip(&metadata_request_codec, &req, &out, &len);
    assert_int_equal(out.n_topics, 0);
    rn_metadata_request_deinit(&out);
    rn_free(p);
    tw_check_all(&metadata_request_codec, &req);
    req.n_topics = 3;
    tw_check_all(&metadata_request_codec, &req);
}

static void test_metadata_request_huge_count(void **state) {
    (void)state;
    const uint8_t body[] = {0x7f, 0xff, 0xff, 0xff, 0};
    tw_expect_malformed(&metadata_request_codec, body, sizeof body);
    const uint8_t neg[] = {0xff, 0xff, 0xff, 0xfe, 0};
    tw_expect_malformed(&metadata_request_codec, neg, sizeof neg);
}

typedef struct {
    rn_metadata_broker_t brokers[3];
    int32_t replicas[3];
    int32_t isr[2];
    rn_metadata_partition_t parts[40];
    rn_metadata_topic_t topics[3];
    rn_metadata_response_t resp;
} resp_fixture_t;

static void build_response(resp_fixture_t *f) {
    for (int i = 0; i < 3; i++)
        f->brokers[i] = (rn_metadata_broker_t){i + 1, rn_str("127.0.0.1"), 9092 + 100 * i, false};
    f->replicas[0] = 1, f->replicas[1] = 2, f->replicas[2] = 3;
    f->isr[0] = 1, f->isr[1] = 3;
    for (int i = 0; i < 40; i++)
        f->parts[i] = (rn_metadata_partition_t){.error_code = RN_WIRE_NONE,
                                                .partition_index = i,
                                                .leader_id = 1 + i % 3,
                                                .leader_epoch = 4,
                                                .n_replica_nodes = 3,
                                                .replica_nodes = f->replicas,
                                                .n_isr_nodes = 2,
                                                .isr_nodes = f->isr};
    f->parts[1].leader_id = -1;
    f->parts[1].error_code = RN_WIRE_LEADER_NOT_AVAILABLE;
    f->parts[1].n_isr_nodes = 0;
    f->topics[0] = (rn_metadata_topic_t){RN_WIRE_NONE, rn_str("orders"), false, 40, f->parts};
    f->topics[1] =
        (rn_metadata_topic_t){RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, rn_str("nope"), false, 0, NULL};
    f->topics[2] =
        (rn_metadata_topic_t){RN_WIRE_NONE, rn_str("__consumer_offsets"), true, 1, f->parts};
    f->resp = (rn_metadata_response_t){.error_code = RN_WIRE_NONE,
                                       .n_brokers = 3,
                                       .brokers = f->brokers,
                                       .cluster_id = rn_str("c1"),
                                       .controller_id = 2,
                                       .n_topics = 3,
                                       .topics = f->topics};
}

static void test_metadata_response_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    resp_fixture_t f;
    build_response(&f);
    rn_metadata_response_t out;
    size_t len;
    uint8_t *p = tw_roundtrip(&metadata_response_codec, &f.resp, &out, &len);
    assert_int_equal(out.n_brokers, 3);
    assert_int_equal(out.brokers[2].node_id, 3);
    assert_int_equal(out.brokers[2].port, 9292);
    assert_str(out.brokers[0].host, "127.0.0.1");
    assert_str(out.cluster_id, "c1");
    assert_int_equal(out.controller_id, 2);
    assert_int_equal(out.n_topics, 3);
    assert_int_equal(out.topics[1].error_code, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION);
    assert_true(out.topics[2].is_internal);
    const rn_metadata_partition_t *mp = out.topics[0].partitions;
    assert_int_equal(out.topics[0].n_partitions, 40);
    assert_int_equal(mp[1].leader_id, -1);
    assert_int_equal(mp[1].n_isr_nodes, 0);
    assert_int_equal(mp[39].n_replica_nodes, 3);
    assert_int_equal(mp[39].replica_nodes[2], 3);
    assert_int_equal(mp[39].isr_nodes[1], 3);
    rn_metadata_response_deinit(&out);
    rn_free(p);
    /* cluster id null */
    f.resp.cluster_id = RN_STR_NULL;
    p = tw_roundtrip(&metadata_response_codec, &f.resp, &out, &len);
    assert_true(rn_str_is_null(out.cluster_id));
    rn_metadata_response_deinit(&out);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

/* v1 adds is_fenced to each broker (one byte each); v0 drops it. */
static void test_metadata_response_v1_carries_fenced_flags(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    resp_fixture_t f;
    build_response(&f);
    f.brokers[1].is_fenced = true;
    rn_writer_t w0, w1;
    rn_writer_init(&w0, 0);
    rn_writer_init(&w1, 0);
    assert_rc(rn_metadata_response_encode(&w0, 0, &f.resp), 0);
    assert_rc(rn_metadata_response_encode(&w1, 1, &f.resp), 0);
    assert_int_equal(w1.len, w0.len + 3);
    rn_metadata_response_t out;
    assert_rc(rn_metadata_response_decode(w1.buf, w1.len, 1, &out), 0);
    assert_false(out.brokers[0].is_fenced);
    assert_true(out.brokers[1].is_fenced);
    assert_int_equal(out.brokers[2].port, 9292);
    assert_int_equal(out.n_topics, 3);
    rn_metadata_response_deinit(&out);
    for (size_t cut = 0; cut < w1.len; cut += 7) /* a v1 body cut short */
        assert_rc(rn_metadata_response_decode(w1.buf, cut, 1, &out), RN_EMALFORMED);
    rn_writer_deinit(&w0);
    rn_writer_deinit(&w1);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_metadata_response_malformed_inputs(void **state) {
    (void)state;
    resp_fixture_t f;
    build_response(&f);
    f.topics[0].n_partitions = 3;
    tw_check_all(&metadata_response_codec, &f.resp);
    /* error_code, brokers count huge */
    const uint8_t body[] = {0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
    tw_expect_malformed(&metadata_response_codec, body, sizeof body);
    /* a non-nullable host that is null */
    const uint8_t host[] = {0, 0, 0, 0,    0,    1, 0, 0, 0, 1, 0xff, 0xff, 0,
                            0, 0, 1, 0xff, 0xff, 0, 0, 0, 0, 0, 0,    0,    0};
    tw_expect_malformed(&metadata_response_codec, host, sizeof host);
    uint8_t empty_host[sizeof host]; /* the same with host "" decodes */
    memcpy(empty_host, host, sizeof host);
    empty_host[10] = empty_host[11] = 0;
    rn_metadata_response_t out;
    assert_rc(rn_metadata_response_decode(empty_host, sizeof empty_host, 0, &out), 0);
    assert_str(out.brokers[0].host, "");
    rn_metadata_response_deinit(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_request_null_means_all_topics),
        cmocka_unit_test(test_metadata_request_lists_topics),
        cmocka_unit_test(test_metadata_request_huge_count),
        cmocka_unit_test(test_metadata_response_round_trips),
        cmocka_unit_test(test_metadata_response_v1_carries_fenced_flags),
        cmocka_unit_test(test_metadata_response_malformed_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
