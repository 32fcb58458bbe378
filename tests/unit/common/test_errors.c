/* test_errors.c — every code has a distinct name and message; errno passes through. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/errors.h"

static void test_errors_our_codes_have_distinct_names(void **state) {
    (void)state;
    for (int a = RN_ERROR_BASE + 1; a < RN_ERROR_END; a++) {
        assert_true(a < -4096); /* never collides with -errno */
        assert_non_null(rn_strerror(a));
        assert_true(strncmp(rn_errname(a), "RN_E", 4) == 0);
        for (int b = a + 1; b < RN_ERROR_END; b++)
            assert_string_not_equal(rn_errname(a), rn_errname(b));
    }
    assert_string_equal(rn_errname(RN_ECORRUPT), "RN_ECORRUPT");
}

static void test_errors_errno_passes_through(void **state) {
    (void)state;
    assert_string_equal(rn_errname(-ENOENT), "ENOENT");
    assert_string_equal(rn_strerror(-ENOENT), "No such file or directory");
    assert_string_equal(rn_strerror(0), "success");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_our_codes_have_distinct_names),
        cmocka_unit_test(test_errors_errno_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
