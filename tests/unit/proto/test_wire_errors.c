/* test_wire_errors.c — Kafka's error codes: numbers, names, retriability, and the
 * mapping from runnel's internal codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/errors.h"
#include "proto/wire_errors.h"

static void test_wire_errors_have_kafkas_numbers(void **state) {
    (void)state;
    assert_int_equal(RN_WIRE_UNKNOWN_SERVER_ERROR, -1);
    assert_int_equal(RN_WIRE_NONE, 0);
    assert_int_equal(RN_WIRE_OFFSET_OUT_OF_RANGE, 1);
    assert_int_equal(RN_WIRE_CORRUPT_MESSAGE, 2);
    assert_int_equal(RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, 3);
    assert_int_equal(RN_WIRE_NOT_LEADER_OR_FOLLOWER, 6);
    assert_int_equal(RN_WIRE_MESSAGE_TOO_LARGE, 10);
    assert_int_equal(RN_WIRE_NOT_ENOUGH_REPLICAS, 19);
    assert_int_equal(RN_WIRE_REBALANCE_IN_PROGRESS, 27);
    assert_int_equal(RN_WIRE_UNSUPPORTED_VERSION, 35);
    assert_int_equal(RN_WIRE_INVALID_CONFIG, 40);
    assert_int_equal(RN_WIRE_INVALID_REQUEST, 42);
    assert_int_equal(RN_WIRE_FENCED_LEADER_EPOCH, 74);
    assert_int_equal(RN_WIRE_UNSUPPORTED_COMPRESSION_TYPE, 76);
    assert_int_equal(RN_WIRE_OFFSET_NOT_AVAILABLE, 78);
    assert_int_equal(RN_WIRE_THROTTLING_QUOTA_EXCEEDED, 89);
}

static void test_wire_errors_names_and_retriable(void **state) {
    (void)state;
    assert_string_equal(rn_wire_err_name(RN_WIRE_NOT_LEADER_OR_FOLLOWER), "NOT_LEADER_OR_FOLLOWER");
    assert_string_equal(rn_wire_err_name(RN_WIRE_NONE), "NONE");
    assert_string_equal(rn_wire_err_name(-1), "UNKNOWN_SERVER_ERROR");
    assert_string_equal(rn_wire_err_name(999), "UNKNOWN_WIRE_ERROR");
    assert_non_null(rn_wire_err_message(999));
    assert_true(rn_wire_err_retriable(RN_WIRE_NOT_LEADER_OR_FOLLOWER));
    assert_true(rn_wire_err_retriable(RN_WIRE_LEADER_NOT_AVAILABLE));
    assert_true(rn_wire_err_retriable(RN_WIRE_NOT_ENOUGH_REPLICAS));
    assert_true(rn_wire_err_retriable(RN_WIRE_REQUEST_TIMED_OUT));
    assert_true(rn_wire_err_retriable(RN_WIRE_CORRUPT_MESSAGE));
    assert_false(rn_wire_err_retriable(RN_WIRE_NONE));
    assert_false(rn_wire_err_retriable(RN_WIRE_MESSAGE_TOO_LARGE));
    assert_false(rn_wire_err_retriable(RN_WIRE_UNKNOWN_SERVER_ERROR));
    assert_false(rn_wire_err_retriable(RN_WIRE_TOPIC_ALREADY_EXISTS));
    assert_false(rn_wire_err_retriable(999));
}

static void test_wire_errors_table_has_unique_codes_and_names(void **state) {
    (void)state;
    static const struct {
        int code;
        const char *name;
    } rows[] = {
#define ROW(name, code, retriable, msg) {code, #name},
        RN_WIRE_ERROR_TABLE(ROW)
#undef ROW
    };
    size_t n = sizeof rows / sizeof rows[0];
    for (size_t a = 0; a < n; a++) {
        assert_string_equal(rn_wire_err_name((rn_wire_err_t)rows[a].code), rows[a].name);
        for (size_t b = a + 1; b < n; b++) {
            assert_int_not_equal(rows[a].code, rows[b].code);
            assert_string_not_equal(rows[a].name, rows[b].name);
        }
    }
}

static void test_wire_errors_from_internal_codes(void **state) {
    (void)state;
    assert_int_equal(rn_wire_err_from(0), RN_WIRE_NONE);
    assert_int_equal(rn_wire_err_from(RN_ECORRUPT), RN_WIRE_CORRUPT_MESSAGE);
    assert_int_equal(rn_wire_err_from(RN_EMALFORMED), RN_WIRE_CORRUPT_MESSAGE);
    assert_int_equal(rn_wire_err_from(RN_EBADCOUNT), RN_WIRE_CORRUPT_MESSAGE);
    assert_int_equal(rn_wire_err_from(RN_EBADOFFSET), RN_WIRE_CORRUPT_MESSAGE);
    assert_int_equal(rn_wire_err_from(RN_EBADMAGIC), RN_WIRE_CORRUPT_MESSAGE);
    assert_int_equal(rn_wire_err_from(RN_ETOOLARGE), RN_WIRE_MESSAGE_TOO_LARGE);
    assert_int_equal(rn_wire_err_from(RN_EBADCODEC), RN_WIRE_UNSUPPORTED_COMPRESSION_TYPE);
    assert_int_equal(rn_wire_err_from(RN_EOFFSETRANGE), RN_WIRE_OFFSET_OUT_OF_RANGE);
    assert_int_equal(rn_wire_err_from(RN_EBADVERSION), RN_WIRE_UNSUPPORTED_VERSION);
    assert_int_equal(rn_wire_err_from(RN_ECONFIG), RN_WIRE_INVALID_CONFIG);
    assert_int_equal(rn_wire_err_from(RN_ENOTLEADER), RN_WIRE_NOT_CONTROLLER);
    assert_int_equal(rn_wire_err_from(RN_EINVALIDTOPIC), RN_WIRE_INVALID_TOPIC_EXCEPTION);
    assert_int_equal(rn_wire_err_from(RN_ETOPICEXISTS), RN_WIRE_TOPIC_ALREADY_EXISTS);
    assert_int_equal(rn_wire_err_from(RN_EUNKNOWNTOPIC), RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION);
    assert_int_equal(rn_wire_err_from(RN_EINVALIDPARTITIONS), RN_WIRE_INVALID_PARTITIONS);
    assert_int_equal(rn_wire_err_from(RN_EREPLICATIONFACTOR), RN_WIRE_INVALID_REPLICATION_FACTOR);
    assert_int_equal(rn_wire_err_from(RN_EUNKNOWNBROKER), RN_WIRE_BROKER_NOT_AVAILABLE);
    assert_int_equal(rn_wire_err_from(-EIO), RN_WIRE_UNKNOWN_SERVER_ERROR);
    assert_int_equal(rn_wire_err_from(RN_ECLOSED), RN_WIRE_UNKNOWN_SERVER_ERROR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_errors_have_kafkas_numbers),
        cmocka_unit_test(test_wire_errors_names_and_retriable),
        cmocka_unit_test(test_wire_errors_table_has_unique_codes_and_names),
        cmocka_unit_test(test_wire_errors_from_internal_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
