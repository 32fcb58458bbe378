/* test_api_broker_heartbeat.c — BrokerHeartbeat v0: round trips, golden bytes,
 * truncation, huge counts, versions, and a null host refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/api_broker_heartbeat.h"

TW_CODEC(broker_heartbeat_request, RN_API_BROKER_HEARTBEAT);
TW_CODEC(broker_heartbeat_response, RN_API_BROKER_HEARTBEAT);

static void test_broker_heartbeat_request_round_trips(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_broker_heartbeat_request_t req = {.broker_id = 3,
                                         .host = rn_str("127.0.0.1"),
                                         .port = 9292,
                                         .controller_address = rn_str("127.0.0.1:9293"),
                                         .metadata_offset = 41},
                                  out;
    size_t len;
    uint8_t *p = tw_roundtrip(&broker_heartbeat_request_codec, &req, &out, &len);
    assert_int_equal(len, 4 + 2 + 9 + 4 + 2 + 14 + 8);
    assert_int_equal(out.broker_id, 3);
    assert_str(out.host, "127.0.0.1");
    assert_int_equal(out.port, 9292);
    assert_str(out.controller_address, "127.0.0.1:9293");
    assert_int_equal(out.metadata_offset, 41);
    rn_broker_heartbeat_request_deinit(&out);
    rn_free(p);
    tw_check_all(&broker_heartbeat_request_codec, &req);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_broker_heartbeat_request_null_host_is_malformed(void **state) {
    (void)state;
    const uint8_t body[] = {0, 0, 0, 1, 0xff, 0xff, 0, 0, 0x23, 0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    tw_expect_malformed(&broker_heartbeat_request_codec, body, sizeof body);
}

static void test_broker_heartbeat_response_golden_bytes(void **state) {
    (void)state;
    rn_broker_heartbeat_response_t resp = {.error_code = RN_WIRE_NONE,
                                           .is_fenced = false,
                                           .metadata_offset = 7},
                                   out;
    size_t len;
    uint8_t *p = tw_encode(&broker_heartbeat_response_codec, &resp, &len);
    const uint8_t want[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    rn_free(p);
    resp = (rn_broker_heartbeat_response_t){
        .error_code = RN_WIRE_NOT_CONTROLLER, .is_fenced = true, .metadata_offset = -1};
    p = tw_roundtrip(&broker_heartbeat_response_codec, &resp, &out, &len);
    assert_int_equal(out.error_code, RN_WIRE_NOT_CONTROLLER);
    assert_true(out.is_fenced);
    assert_int_equal(out.metadata_offset, -1);
    rn_broker_heartbeat_response_deinit(&out);
    rn_free(p);
    tw_check_all(&broker_heartbeat_response_codec, &resp);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_heartbeat_request_round_trips),
        cmocka_unit_test(test_broker_heartbeat_request_null_host_is_malformed),
        cmocka_unit_test(test_broker_heartbeat_response_golden_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
