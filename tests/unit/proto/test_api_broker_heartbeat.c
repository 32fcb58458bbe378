/* test_api_broker_heartbeat.c — BrokerHeartbeat v0: round trips, golden bytes,
 * truncation, huge counts, versions, and a null host refused; v1: the controlled
 * shutdown flags. */
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

/* v1 appends want_shut_down to the request and should_shut_down to the response. */
static void test_broker_heartbeat_v1_carries_the_shutdown_flags(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_broker_heartbeat_request_t req = {.broker_id = 2,
                                         .host = rn_str("h"),
                                         .port = 1,
                                         .controller_address = rn_str("h:2"),
                                         .metadata_offset = 5,
                                         .want_shut_down = true},
                                  rout;
    rn_writer_t w0, w1;
    rn_writer_init(&w0, 0);
    rn_writer_init(&w1, 0);
    assert_rc(rn_broker_heartbeat_request_encode(&w0, 0, &req), 0);
    assert_rc(rn_broker_heartbeat_request_encode(&w1, 1, &req), 0);
    assert_int_equal(w1.len, w0.len + 1);
    assert_int_equal(w1.buf[w1.len - 1], 1);
    assert_rc(rn_broker_heartbeat_request_decode(w1.buf, w1.len, 1, &rout), 0);
    assert_true(rout.want_shut_down);
    assert_int_equal(rout.metadata_offset, 5);
    rn_broker_heartbeat_request_deinit(&rout);
    assert_rc(rn_broker_heartbeat_request_decode(w0.buf, w0.len, 1, &rout), RN_EMALFORMED);
    assert_rc(rn_broker_heartbeat_request_decode(w0.buf, w0.len, 0, &rout), 0);
    assert_false(rout.want_shut_down); /* v0 has no such field */
    rn_broker_heartbeat_request_deinit(&rout);
    rn_writer_deinit(&w0);
    rn_writer_deinit(&w1);

    rn_broker_heartbeat_response_t resp = {.is_fenced = true, .should_shut_down = true}, out;
    rn_writer_init(&w1, 0);
    assert_rc(rn_broker_heartbeat_response_encode(&w1, 1, &resp), 0);
    const uint8_t want[] = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_int_equal(w1.len, sizeof want);
    assert_memory_equal(w1.buf, want, sizeof want);
    assert_rc(rn_broker_heartbeat_response_decode(w1.buf, w1.len, 1, &out), 0);
    assert_true(out.should_shut_down);
    rn_broker_heartbeat_response_deinit(&out);
    assert_rc(rn_broker_heartbeat_response_decode(w1.buf, w1.len - 1, 1, &out), RN_EMALFORMED);
    assert_rc(rn_broker_heartbeat_request_encode(&w1, 3, &req), RN_EBADVERSION);
    rn_writer_deinit(&w1);
    assert_int_equal(rn_alloc_live(), live);
}

/* v2 appends `starting` to the request (the response is v1's). */
static void test_broker_heartbeat_v2_carries_starting(void **state) {
    (void)state;
    rn_broker_heartbeat_request_t req = {.broker_id = 2,
                                         .host = rn_str("h"),
                                         .port = 1,
                                         .controller_address = rn_str("h:2"),
                                         .starting = true},
                                  out;
    rn_writer_t w1, w2;
    rn_writer_init(&w1, 0);
    rn_writer_init(&w2, 0);
    assert_rc(rn_broker_heartbeat_request_encode(&w1, 1, &req), 0);
    assert_rc(rn_broker_heartbeat_request_encode(&w2, 2, &req), 0);
    assert_int_equal(w2.len, w1.len + 1);
    assert_rc(rn_broker_heartbeat_request_decode(w2.buf, w2.len, 2, &out), 0);
    assert_true(out.starting);
    assert_false(out.want_shut_down);
    rn_broker_heartbeat_request_deinit(&out);
    assert_rc(rn_broker_heartbeat_request_decode(w1.buf, w1.len, 1, &out), 0);
    assert_false(out.starting); /* not in v1 */
    rn_broker_heartbeat_request_deinit(&out);
    assert_rc(rn_broker_heartbeat_request_decode(w1.buf, w1.len, 2, &out), RN_EMALFORMED);
    rn_writer_deinit(&w1);
    rn_writer_deinit(&w2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_heartbeat_request_round_trips),
        cmocka_unit_test(test_broker_heartbeat_request_null_host_is_malformed),
        cmocka_unit_test(test_broker_heartbeat_response_golden_bytes),
        cmocka_unit_test(test_broker_heartbeat_v1_carries_the_shutdown_flags),
        cmocka_unit_test(test_broker_heartbeat_v2_carries_starting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
