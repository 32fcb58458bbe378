/* test_logging.c — levels filter, the sink sees module and message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/errors.h"
#include "common/logging.h"
#include "testutil.h"

static void test_logging_drops_lines_below_level(void **state) {
    (void)state;
    rn_test_capture_logs();
    rn_log_set_level(RN_LOG_WARN);
    rn_log(RN_LOG_INFO, "log", "hidden %d", 1);
    rn_log(RN_LOG_WARN, "log", "shown %d", 2);
    assert_int_equal(rn_test_captured_count(), 1);
    assert_non_null(strstr(rn_test_captured(), "log: shown 2"));
    rn_log_set_level(RN_LOG_INFO);
    rn_log_set_sink(NULL, NULL);
}

static void test_logging_level_parse(void **state) {
    (void)state;
    rn_log_level_t l;
    assert_int_equal(rn_log_level_parse("debug", &l), 0);
    assert_int_equal(l, RN_LOG_DEBUG);
    assert_int_equal(rn_log_level_parse("error", &l), 0);
    assert_int_equal(l, RN_LOG_ERROR);
    assert_int_equal(rn_log_level_parse("loud", &l), RN_ECONFIG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logging_drops_lines_below_level),
        cmocka_unit_test(test_logging_level_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
