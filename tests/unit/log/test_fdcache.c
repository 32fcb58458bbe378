/* test_fdcache.c — the bounded LRU of segment descriptors: reuse, eviction order,
 * pinning, release (also while pinned), errors, and the descriptor bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/errors.h"
#include "log/fdcache.h"
#include "testutil.h"

#define NFILES 20

typedef struct fx_s {
    char *dir;
    char path[NFILES][600];
    rn_fdentry_t *slot[NFILES];
    rn_fdcache_t *cache;
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->dir = rn_test_tmpdir("fdcache");
    for (int i = 0; i < NFILES; i++) {
        snprintf(fx->path[i], sizeof fx->path[i], "%s/f%02d", fx->dir, i);
        rn_test_write_file(fx->path[i], "x", 1);
    }
    assert_int_equal(rn_fdcache_new(8, &fx->cache), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    for (int i = 0; i < NFILES; i++)
        rn_fdcache_release(fx->cache, &fx->slot[i]);
    assert_int_equal(rn_fdcache_open_count(fx->cache), 0);
    rn_fdcache_free(fx->cache);
    rn_test_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static int pin(fx_t *fx, int i) {
    int fd = rn_fdcache_pin(fx->cache, &fx->slot[i], fx->path[i], O_RDWR);
    assert_true(fd >= 0);
    return fd;
}

static void use(fx_t *fx, int i) {
    pin(fx, i);
    rn_fdcache_unpin(fx->cache, fx->slot[i]);
}

static bool fd_open(int fd) {
    return fcntl(fd, F_GETFD) != -1;
}

static void test_fdcache_new_rejects_tiny_cache(void **state) {
    (void)state;
    rn_fdcache_t *c = NULL;
    assert_int_equal(rn_fdcache_new(7, &c), RN_ECONFIG);
    assert_int_equal(rn_fdcache_new(0, &c), RN_ECONFIG);
    assert_null(c);
}

static void test_fdcache_pin_twice_reuses_descriptor(void **state) {
    fx_t *fx = *state;
    int a = pin(fx, 0);
    int b = pin(fx, 0);
    assert_int_equal(a, b);
    assert_int_equal(rn_fdcache_total_opens(fx->cache), 1);
    rn_fdcache_unpin(fx->cache, fx->slot[0]);
    rn_fdcache_unpin(fx->cache, fx->slot[0]);
    /* Idle but cached: still open, and the next pin costs no open(2). */
    assert_int_equal(rn_fdcache_open_count(fx->cache), 1);
    assert_true(fd_open(a));
    assert_int_equal(pin(fx, 0), a);
    assert_int_equal(rn_fdcache_total_opens(fx->cache), 1);
    rn_fdcache_unpin(fx->cache, fx->slot[0]);
}

static void test_fdcache_evicts_least_recently_used_when_full(void **state) {
    fx_t *fx = *state;
    for (int i = 0; i < 8; i++)
        use(fx, i);
    assert_int_equal(rn_fdcache_open_count(fx->cache), 8);
    use(fx, 0); /* 0 is now the most recent; 1 the least */
    use(fx, 8); /* evicts 1 */
    assert_int_equal(rn_fdcache_open_count(fx->cache), 8);
    long opens = rn_fdcache_total_opens(fx->cache);
    use(fx, 0);
    assert_int_equal(rn_fdcache_total_opens(fx->cache), opens); /* 0 was kept */
    use(fx, 1);
    assert_int_equal(rn_fdcache_total_opens(fx->cache), opens + 1); /* 1 was closed */
    assert_int_equal(rn_fdcache_open_count(fx->cache), 8);
}

static void test_fdcache_pinned_descriptors_are_never_closed(void **state) {
    fx_t *fx = *state;
    int fds[12];
    for (int i = 0; i < 12; i++)
        fds[i] = pin(fx, i);
    /* More pinned than max_open: the cache grows rather than close one in use. */
    assert_int_equal(rn_fdcache_open_count(fx->cache), 12);
    for (int i = 0; i < 12; i++)
        assert_true(fd_open(fds[i]));
    for (int i = 0; i < 12; i++)
        rn_fdcache_unpin(fx->cache, fx->slot[i]);
    /* ...and shrinks back once they are returned. */
    assert_int_equal(rn_fdcache_open_count(fx->cache), 8);
}

static void test_fdcache_release_closes_and_clears_slot(void **state) {
    fx_t *fx = *state;
    int fd = pin(fx, 3);
    rn_fdcache_unpin(fx->cache, fx->slot[3]);
    rn_fdcache_release(fx->cache, &fx->slot[3]);
    assert_null(fx->slot[3]);
    assert_int_equal(rn_fdcache_open_count(fx->cache), 0);
    assert_false(fd_open(fd));
    rn_fdcache_release(fx->cache, &fx->slot[3]); /* NULL slot: nothing */
}

static void test_fdcache_release_while_pinned_keeps_fd_until_unpin(void **state) {
    fx_t *fx = *state;
    int fd = pin(fx, 4);
    rn_fdentry_t *entry = fx->slot[4];
    rn_fdcache_release(fx->cache, &fx->slot[4]);
    assert_null(fx->slot[4]);
    /* The holder (a thread-pool fsync) can still use it. */
    assert_true(fd_open(fd));
    assert_int_equal(fsync(fd), 0);
    rn_fdcache_unpin(fx->cache, entry);
    assert_false(fd_open(fd));
    assert_int_equal(rn_fdcache_open_count(fx->cache), 0);
}

static void test_fdcache_open_error_is_returned_and_slot_reusable(void **state) {
    fx_t *fx = *state;
    char missing[700];
    snprintf(missing, sizeof missing, "%s/missing", fx->dir);
    rn_fdentry_t *slot = NULL;
    assert_int_equal(rn_fdcache_pin(fx->cache, &slot, missing, O_RDWR), -ENOENT);
    assert_int_equal(rn_fdcache_open_count(fx->cache), 0);
    /* With O_CREAT the same slot opens the file. */
    int fd = rn_fdcache_pin(fx->cache, &slot, missing, O_RDWR | O_CREAT);
    assert_true(fd >= 0);
    rn_fdcache_unpin(fx->cache, slot);
    rn_fdcache_release(fx->cache, &slot);
}

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

static void test_fdcache_process_descriptors_stay_bounded(void **state) {
    fx_t *fx = *state;
    int base = count_fds();
    for (int round = 0; round < 5; round++)
        for (int i = 0; i < NFILES; i++)
            use(fx, (i * 7 + round) % NFILES);
    assert_true(count_fds() <= base + 8);
    for (int i = 0; i < NFILES; i++)
        rn_fdcache_release(fx->cache, &fx->slot[i]);
    assert_int_equal(count_fds(), base);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fdcache_new_rejects_tiny_cache),
        T(test_fdcache_pin_twice_reuses_descriptor),
        T(test_fdcache_evicts_least_recently_used_when_full),
        T(test_fdcache_pinned_descriptors_are_never_closed),
        T(test_fdcache_release_closes_and_clears_slot),
        T(test_fdcache_release_while_pinned_keeps_fd_until_unpin),
        T(test_fdcache_open_error_is_returned_and_slot_reusable),
        T(test_fdcache_process_descriptors_stay_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
