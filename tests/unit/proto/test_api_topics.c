/* test_api_topics.c — CreateTopics and DeleteTopics v0: round trips with configs
 * (null values), defaults (-1), many topics, error messages; truncation, huge
 * counts, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_topics.h"

TW_CODEC(create_topics_request, RN_API_CREATE_TOPICS);
TW_CODEC(create_topics_response, RN_API_CREATE_TOPICS);
TW_CODEC(delete_topics_request, RN_API_DELETE_TOPICS);
TW_CODEC(delete_topics_response, RN_API_DELETE_TOPICS);

#define MANY 50

static char names[MANY][16];

static rn_str_t name_of(int i) {
    snprintf(names[i], sizeof names[i], "topic-%d", i);
    return rn_str(names[i]);
}

typedef struct {
    rn_creatable_topic_config_t configs[3];
    rn_creatable_topic_t topics[MANY];
    rn_create_topics_request_t req;
} create_fixture_t;

static void build_create(create_fixture_t *f) {
    f->configs[0] = (rn_creatable_topic_config_t){rn_str("retention.ms"), rn_str("1000")};
    f->configs[1] = (rn_creatable_topic_config_t){rn_str("partitioner"), rn_str("hash")};
    f->configs[2] = (rn_creatable_topic_config_t){rn_str("flush.ms"), RN_STR_NULL};
    for (int i = 0; i < MANY; i++)
        f->topics[i] = (rn_creatable_topic_t){name_of(i), i + 1, 3, 0, NULL};
    f->topics[0].n_configs = 3;
    f->topics[0].configs = f->configs;
    f->topics[1].num_partitions = -1;
    f->topics[1].replication_factor = -1;
    f->req = (rn_create_topics_request_t){
        .n_topics = MANY, .topics = f->topics, .timeout_ms = 60000, .validate_only = true};
}

static void test_create_topics_request_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    create_fixture_t f;
    build_create(&f);
    rn_create_topics_request_t out;
    size_t len;
    uint8_t *p = tw_roundtrip(&create_topics_request_codec, &f.req, &out, &len);
    assert_int_equal(out.n_topics, MANY);
    assert_int_equal(out.timeout_ms, 60000);
    assert_true(out.validate_only);
    assert_str(out.topics[0].name, "topic-0");
    assert_int_equal(out.topics[0].n_configs, 3);
    assert_str(out.topics[0].configs[0].name, "retention.ms");
    assert_str(out.topics[0].configs[0].value, "1000");
    assert_str(out.topics[0].configs[2].value, NULL);
    assert_int_equal(out.topics[1].num_partitions, -1);
    assert_int_equal(out.topics[1].replication_factor, -1);
    assert_int_equal(out.topics[MANY - 1].num_partitions, MANY);
    assert_int_equal(out.topics[MANY - 1].n_configs, 0);
    rn_create_topics_request_deinit(&out);
    rn_free(p);
    f.req.n_topics = 3;
    tw_check_all(&create_topics_request_codec, &f.req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_create_topics_request_huge_counts(void **state) {
    (void)state;
    const uint8_t body[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0};
    tw_expect_malformed(&create_topics_request_codec, body, sizeof body);
    /* one topic "t", 1 partition, rf 1, configs count huge */
    const uint8_t nested[] = {0, 0, 0,    1,    0,    1,    't', 0, 0, 0, 1,
                              0, 1, 0x7f, 0xff, 0xff, 0xff, 0,   0, 0, 0, 0};
    tw_expect_malformed(&create_topics_request_codec, nested, sizeof nested);
}

static void test_create_topics_response_round_trips(void **state) {
    (void)state;
    rn_creatable_topic_result_t results[MANY];
    for (int i = 0; i < MANY; i++)
        results[i] = (rn_creatable_topic_result_t){name_of(i), RN_WIRE_NONE, RN_STR_NULL};
    results[3].error_code = RN_WIRE_TOPIC_ALREADY_EXISTS;
    results[3].error_message = rn_str("Topic 'topic-3' already exists.");
    rn_create_topics_response_t resp = {RN_WIRE_NONE, MANY, results, {0}}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&create_topics_response_codec, &resp, &out, &len);
    assert_int_equal(out.n_topics, MANY);
    assert_int_equal(out.topics[3].error_code, RN_WIRE_TOPIC_ALREADY_EXISTS);
    assert_str(out.topics[3].error_message, "Topic 'topic-3' already exists.");
    assert_str(out.topics[4].error_message, NULL);
    assert_str(out.topics[MANY - 1].name, "topic-49");
    rn_create_topics_response_deinit(&out);
    rn_free(p);
    resp.n_topics = 4;
    tw_check_all(&create_topics_response_codec, &resp);
    const uint8_t body[] = {0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0};
    tw_expect_malformed(&create_topics_response_codec, body, sizeof body);
}

static void test_delete_topics_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_str_t topic_names[MANY];
    rn_deletable_topic_result_t results[MANY];
    for (int i = 0; i < MANY; i++) {
        topic_names[i] = name_of(i);
        results[i] = (rn_deletable_topic_result_t){name_of(i), RN_WIRE_NONE, RN_STR_NULL};
    }
    results[0].error_code = RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
    results[0].error_message = rn_str("");
    rn_delete_topics_request_t req = {MANY, topic_names, 30000, {0}}, rout;
    rn_delete_topics_response_t resp = {RN_WIRE_NONE, MANY, results, {0}}, sout;
    size_t len;
    uint8_t *p = tw_roundtrip(&delete_topics_request_codec, &req, &rout, &len);
    assert_int_equal(rout.n_topic_names, MANY);
    assert_str(rout.topic_names[7], "topic-7");
    assert_int_equal(rout.timeout_ms, 30000);
    rn_delete_topics_request_deinit(&rout);
    rn_free(p);
    p = tw_roundtrip(&delete_topics_response_codec, &resp, &sout, &len);
    assert_int_equal(sout.responses[0].error_code, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION);
    assert_str(sout.responses[0].error_message, ""); /* empty, not null */
    assert_str(sout.responses[1].error_message, NULL);
    rn_delete_topics_response_deinit(&sout);
    rn_free(p);
    req.n_topic_names = 3;
    resp.n_responses = 3;
    tw_check_all(&delete_topics_request_codec, &req);
    tw_check_all(&delete_topics_response_codec, &resp);
    const uint8_t body[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    tw_expect_malformed(&delete_topics_request_codec, body, sizeof body);
    const uint8_t null_name[] = {0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 0};
    tw_expect_malformed(&delete_topics_request_codec, null_name, sizeof null_name);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_topics_request_round_trips),
        cmocka_unit_test(test_create_topics_request_huge_counts),
        cmocka_unit_test(test_create_topics_response_round_trips),
        cmocka_unit_test(test_delete_topics_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
