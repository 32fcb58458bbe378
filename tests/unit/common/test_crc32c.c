/* test_crc32c.c — CRC32C against the standard check value and in pieces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/crc32c.h"

static void test_crc32c_standard_check_value(void **state) {
    (void)state;
    assert_int_equal(rn_crc32c("123456789", 9), 0xE3069283u);
}

static void test_crc32c_empty_is_zero(void **state) {
    (void)state;
    assert_int_equal(rn_crc32c(NULL, 0), 0);
}

static void test_crc32c_update_in_pieces_matches_whole(void **state) {
    (void)state;
    const char *s = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    uint32_t whole = rn_crc32c(s, n);
    for (size_t cut = 0; cut <= n; cut++) {
        uint32_t c = rn_crc32c_update(rn_crc32c(s, cut), s + cut, n - cut);
        assert_int_equal(c, whole);
    }
    /* Published CRC32C of this sentence. */
    assert_int_equal(whole, 0x22620404u);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_standard_check_value),
        cmocka_unit_test(test_crc32c_empty_is_zero),
        cmocka_unit_test(test_crc32c_update_in_pieces_matches_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
