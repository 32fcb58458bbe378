/* test_api_configs.c — DescribeConfigs and AlterConfigs v0: all-keys (null) and
 * listed keys, topic and broker resources, null values, flags; truncation, huge
 * counts, versions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_configs.h"

TW_CODEC(describe_configs_request, RN_API_DESCRIBE_CONFIGS);
TW_CODEC(describe_configs_response, RN_API_DESCRIBE_CONFIGS);
TW_CODEC(alter_configs_request, RN_API_ALTER_CONFIGS);
TW_CODEC(alter_configs_response, RN_API_ALTER_CONFIGS);

static void test_describe_configs_request_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_str_t keys[] = {rn_str("retention.ms"), rn_str("segment.bytes")};
    rn_describe_configs_resource_t res[] = {
        {RN_RESOURCE_TOPIC, rn_str("orders"), -1, NULL},
        {RN_RESOURCE_TOPIC, rn_str("events"), 2, keys},
        {RN_RESOURCE_BROKER, rn_str("1"), 0, NULL},
    };
    rn_describe_configs_request_t req = {3, res, {0}}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&describe_configs_request_codec, &req, &out, &len);
    assert_int_equal(out.n_resources, 3);
    assert_int_equal(out.resources[0].resource_type, RN_RESOURCE_TOPIC);
    assert_int_equal(out.resources[0].n_configuration_keys, -1);
    assert_null(out.resources[0].configuration_keys);
    assert_int_equal(out.resources[1].n_configuration_keys, 2);
    assert_str(out.resources[1].configuration_keys[1], "segment.bytes");
    assert_int_equal(out.resources[2].resource_type, RN_RESOURCE_BROKER);
    assert_str(out.resources[2].resource_name, "1");
    assert_int_equal(out.resources[2].n_configuration_keys, 0);
    rn_describe_configs_request_deinit(&out);
    rn_free(p);
    tw_check_all(&describe_configs_request_codec, &req);
    const uint8_t body[] = {0x7f, 0xff, 0xff, 0xff, 2, 0, 0};
    tw_expect_malformed(&describe_configs_request_codec, body, sizeof body);
    const uint8_t keys_huge[] = {0, 0, 0, 1, 2, 0, 1, 't', 0x7f, 0xff, 0xff, 0xff, 0, 0};
    tw_expect_malformed(&describe_configs_request_codec, keys_huge, sizeof keys_huge);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_configs_response_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_describe_configs_entry_t entries[20];
    for (int i = 0; i < 20; i++)
        entries[i] =
            (rn_describe_configs_entry_t){rn_str("retention.ms"), rn_str("604800000"), false, true};
    entries[1] = (rn_describe_configs_entry_t){rn_str("flush.ms"), RN_STR_NULL, false, true};
    entries[2] = (rn_describe_configs_entry_t){rn_str("broker.id"), rn_str("1"), true, false};
    rn_describe_configs_result_t results[] = {
        {RN_WIRE_NONE, RN_STR_NULL, RN_RESOURCE_TOPIC, rn_str("orders"), 20, entries},
        {RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, rn_str("no such topic"), RN_RESOURCE_TOPIC,
         rn_str("nope"), 0, NULL},
    };
    rn_describe_configs_response_t resp = {RN_WIRE_NONE, 2, results, {0}}, out;
    size_t len;
    uint8_t *p = tw_roundtrip(&describe_configs_response_codec, &resp, &out, &len);
    assert_int_equal(out.n_results, 2);
    assert_int_equal(out.results[0].n_configs, 20);
    assert_str(out.results[0].error_message, NULL);
    assert_str(out.results[0].configs[1].value, NULL);
    assert_true(out.results[0].configs[1].is_default);
    assert_true(out.results[0].configs[2].read_only);
    assert_false(out.results[0].configs[2].is_default);
    assert_int_equal(out.results[1].error_code, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION);
    assert_str(out.results[1].error_message, "no such topic");
    rn_describe_configs_response_deinit(&out);
    rn_free(p);
    results[0].n_configs = 3;
    tw_check_all(&describe_configs_response_codec, &resp);
    const uint8_t body[] = {0, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    tw_expect_malformed(&describe_configs_response_codec, body, sizeof body);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_describe_configs_boolean_is_nonzero(void **state) {
    (void)state;
    /* one result, one config with read_only = 2: Kafka reads any non-zero as true */
    const uint8_t body[] = {0,   0, 0, 0, 0, 1, 0, 0,   0xff, 0xff, 2, 0, 1,
                            't', 0, 0, 0, 1, 0, 1, 'k', 0xff, 0xff, 2, 0};
    rn_describe_configs_response_t out;
    assert_rc(rn_describe_configs_response_decode(body, sizeof body, 0, &out), 0);
    assert_true(out.results[0].configs[0].read_only);
    assert_false(out.results[0].configs[0].is_default);
    rn_describe_configs_response_deinit(&out);
}

static void test_alter_configs_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_alterable_config_t configs[] = {
        {rn_str("retention.ms"), rn_str("1000")},
        {rn_str("flush.ms"), RN_STR_NULL}, /* remove the override */
    };
    rn_alter_configs_resource_t res[] = {
        {RN_RESOURCE_TOPIC, rn_str("orders"), 2, configs},
        {RN_RESOURCE_BROKER, rn_str("2"), 0, NULL},
    };
    rn_alter_configs_request_t req = {2, res, true, {0}}, rout;
    size_t len;
    uint8_t *p = tw_roundtrip(&alter_configs_request_codec, &req, &rout, &len);
    assert_int_equal(rout.n_resources, 2);
    assert_true(rout.validate_only);
    assert_str(rout.resources[0].configs[0].value, "1000");
    assert_str(rout.resources[0].configs[1].value, NULL);
    assert_int_equal(rout.resources[1].resource_type, RN_RESOURCE_BROKER);
    rn_alter_configs_request_deinit(&rout);
    rn_free(p);
    tw_check_all(&alter_configs_request_codec, &req);

    rn_alter_configs_resource_response_t rr[] = {
        {RN_WIRE_NONE, RN_STR_NULL, RN_RESOURCE_TOPIC, rn_str("orders")},
        {RN_WIRE_INVALID_CONFIG, rn_str("unknown key foo"), RN_RESOURCE_BROKER, rn_str("2")},
    };
    rn_alter_configs_response_t resp = {RN_WIRE_NONE, 2, rr, {0}}, sout;
    p = tw_roundtrip(&alter_configs_response_codec, &resp, &sout, &len);
    assert_int_equal(sout.responses[1].error_code, RN_WIRE_INVALID_CONFIG);
    assert_str(sout.responses[1].error_message, "unknown key foo");
    assert_str(sout.responses[0].error_message, NULL);
    rn_alter_configs_response_deinit(&sout);
    rn_free(p);
    tw_check_all(&alter_configs_response_codec, &resp);
    const uint8_t body[] = {0, 0, 0, 1, 2, 0, 1, 't', 0x7f, 0xff, 0xff, 0xff, 0};
    tw_expect_malformed(&alter_configs_request_codec, body, sizeof body);
    const uint8_t resp_body[] = {0, 0, 0x7f, 0xff, 0xff, 0xff, 0};
    tw_expect_malformed(&alter_configs_response_codec, resp_body, sizeof resp_body);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe_configs_request_round_trips),
        cmocka_unit_test(test_describe_configs_response_round_trips),
        cmocka_unit_test(test_describe_configs_boolean_is_nonzero),
        cmocka_unit_test(test_alter_configs_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
