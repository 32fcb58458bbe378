/* test_errors.c — rn_err_str and rn_err_retriable over local and protocol codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <uv.h>

#include "common/errors.h"
#include "runnel/runnel.h"

static void test_err_str_describes_both_kinds(void **state) {
    (void)state;
    assert_string_equal(rn_err_str(0), "success");
    assert_string_equal(rn_err_str(3), "UNKNOWN_TOPIC_OR_PARTITION: this broker does not host "
                                       "the topic-partition");
    assert_non_null(strstr(rn_err_str(19), "NOT_ENOUGH_REPLICAS"));
    assert_non_null(strstr(rn_err_str(999), "UNKNOWN_WIRE_ERROR"));
    assert_string_equal(rn_err_str(-ECONNREFUSED), "connection refused");
    assert_string_equal(rn_err_str(-ETIMEDOUT), "timed out");
    assert_string_equal(rn_err_str(RN_ECORRUPT), rn_strerror(RN_ECORRUPT));
    assert_non_null(rn_err_str(UV_EAI_NONAME));
    assert_non_null(rn_err_str(-123456789));
}

static void test_err_retriable_follows_kafka_and_network(void **state) {
    (void)state;
    assert_true(rn_err_retriable(6));   /* NOT_LEADER_OR_FOLLOWER */
    assert_true(rn_err_retriable(19));  /* NOT_ENOUGH_REPLICAS */
    assert_true(rn_err_retriable(7));   /* REQUEST_TIMED_OUT */
    assert_false(rn_err_retriable(10)); /* MESSAGE_TOO_LARGE */
    assert_false(rn_err_retriable(36)); /* TOPIC_ALREADY_EXISTS */
    assert_false(rn_err_retriable(999));
    assert_true(rn_err_retriable(-ETIMEDOUT));
    assert_true(rn_err_retriable(-ECONNREFUSED));
    assert_true(rn_err_retriable(-ECONNRESET));
    assert_true(rn_err_retriable(UV_EOF));
    assert_false(rn_err_retriable(RN_ECORRUPT));
    assert_false(rn_err_retriable(RN_ETOOLARGE));
    assert_false(rn_err_retriable(0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_str_describes_both_kinds),
        cmocka_unit_test(test_err_retriable_follows_kafka_and_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
