/* test_arena.c — the per-message bump allocator: zeroed, aligned, big blocks, one
 * deinit frees everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/arena.h"

static void test_arena_blocks_are_zeroed_aligned_and_distinct(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_arena_t arena;
    rn_arena_init(&arena);
    unsigned char *prev = NULL;
    for (int i = 0; i < 1000; i++) {
        size_t n = (size_t)(i % 37) + 1;
        unsigned char *p = rn_arena_alloc(&arena, n, 3);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        for (size_t k = 0; k < n * 3; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xab, n * 3); /* ASan flags any overlap with a later block */
        assert_true(p != prev);
        prev = p;
    }
    unsigned char *big = rn_arena_alloc(&arena, 100000, 1);
    memset(big, 1, 100000);
    unsigned char *after = rn_arena_alloc(&arena, 8, 1); /* keeps filling the small chunk */
    assert_int_equal(after[0], 0);
    assert_non_null(rn_arena_alloc(&arena, 0, 8));
    rn_arena_deinit(&arena);
    assert_null(arena.head);
    assert_int_equal(rn_alloc_live(), live);
    rn_arena_deinit(&arena); /* twice is harmless */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_blocks_are_zeroed_aligned_and_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
