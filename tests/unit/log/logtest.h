/*
 * logtest.h — fixtures shared by the log module's unit tests. Header-only: the test
 * glob builds one executable per tests/unit/log/test_*.c, so shared code lives in
 * static inline functions here (as in tests/unit/proto/batch_testutil.h).
 *
 *   assert_rc, T0                   a return code checked by name; where clocks start
 *   lt_builder_*, lt_batch,         record batches from rn_batch_builder_*
 *   lt_numbered_batch
 *   lt_tmpfile_*                    one file in a fresh temporary directory (index tests)
 *   lt_fx_*                         a partition directory with a manual clock, an fd
 *                                   cache, the plog's env and config, and a model of
 *                                   every batch appended (lt_model_*)
 *   lt_seg_*, lt_newest_log,        segment files by base offset and extension
 *   lt_list_segments, lt_file_append
 *   lt_read_ok, lt_walk             reading a plog and walking the batches read
 *   lt_std_*, lt_append*,           the standard batches of test_plog*.c, appended and
 *   lt_verify_reads                 read back against the model
 *
 * Include after cmocka.h.
 */
#ifndef RN_TEST_LOGTEST_H
#define RN_TEST_LOGTEST_H

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "log/config.h"
#include "log/fdcache.h"
#include "log/plog.h"
#include "proto/batch.h"
#include "testutil.h"

/* Assert a runnel return code, printing both names and values on failure. */
#define assert_rc(expr, want)                                                                      \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        int want_ = (want);                                                                        \
        if (rc_ != want_)                                                                          \
            fail_msg("%s: got %s (%d), want %s (%d)", #expr, rn_errname(rc_), rc_,                 \
                     rn_errname(want_), want_);                                                    \
    } while (0)

/* Where the fixtures' manual clocks start (ms since the epoch). */
#define T0 1700000000000LL

/* ---- batches --------------------------------------------------------------------------- */

static inline void lt_builder_init(rn_batch_builder_t *bld) {
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    rn_batch_builder_init(bld, &opts);
}

/* Finish and deinit the builder; the batch is freed with rn_free. */
static inline uint8_t *lt_builder_finish(rn_batch_builder_t *bld, size_t *len) {
    uint8_t *out = NULL;
    assert_rc(rn_batch_builder_finish(bld, &out, len), 0);
    rn_batch_builder_deinit(bld);
    return out;
}

/* nrec identical records stamped ts, no headers (key NULL, -1: a null key). */
static inline uint8_t *lt_batch(int nrec, int64_t ts, const void *key, int32_t key_len,
                                const void *val, int32_t val_len, size_t *len) {
    rn_batch_builder_t bld;
    lt_builder_init(&bld);
    for (int i = 0; i < nrec; i++)
        assert_rc(rn_batch_builder_add(&bld, ts, key, key_len, val, val_len, NULL, 0), 0);
    return lt_builder_finish(&bld, len);
}

/* nrec records stamped ts whose vlen-byte values run fill, fill + 1, ... (mod 26),
 * except the first byte, which is the record's index in the batch. */
static inline uint8_t *lt_numbered_batch(int nrec, int64_t ts, const void *key, int32_t key_len,
                                         char fill, size_t vlen, size_t *len) {
    rn_batch_builder_t bld;
    lt_builder_init(&bld);
    uint8_t *val = malloc(vlen + 1);
    for (size_t i = 0; i < vlen; i++)
        val[i] = (uint8_t)(fill + i % 26);
    for (int i = 0; i < nrec; i++) {
        val[0] = (uint8_t)i;
        assert_rc(rn_batch_builder_add(&bld, ts, key, key_len, val, (int32_t)vlen, NULL, 0), 0);
    }
    free(val);
    return lt_builder_finish(&bld, len);
}

/* ---- one file in a fresh directory ------------------------------------------------------ */

typedef struct lt_tmpfile_s {
    char *dir;
    char path[600];
    int fd; /* open read-write on path, created empty */
} lt_tmpfile_t;

static inline void lt_tmpfile_open(lt_tmpfile_t *f, const char *tmpname, const char *name) {
    f->dir = rn_test_tmpdir(tmpname);
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(f->fd >= 0);
}

static inline void lt_tmpfile_close(lt_tmpfile_t *f) {
    close(f->fd);
    rn_test_rmtree(f->dir);
    free(f->dir);
}

/* ---- a partition directory, its plog and a model of what was appended ------------------- */

/* A batch as appended: its stamped bytes, offsets base .. base + count - 1, and its
 * (largest) record timestamp. */
typedef struct lt_mbatch_s {
    uint8_t *bytes;
    size_t len;
    int64_t base;
    int32_t count;
    int64_t ts;
} lt_mbatch_t;

typedef struct lt_fx_s {
    char *root;     /* a fresh temporary directory, removed by lt_fx_deinit */
    char pdir[512]; /* root/<partition> */
    int64_t now;    /* what clk reads; starts at T0 */
    rn_clock_t clk;
    rn_fdcache_t *fds;
    uv_loop_t loop; /* live (and in env) after lt_fx_loop */
    bool loop_live;
    rn_plog_env_t env;
    rn_log_config_t cfg; /* defaults; tests adjust before opening */
    rn_plog_t *plog;
    lt_mbatch_t *b; /* the model: every batch appended, in offset order */
    int n, cap;
    size_t bsize; /* the size of a test's standard batch, where it has one */
} lt_fx_t;

/* A manual clock reading *now, set to T0. */
static inline void lt_clock_init(rn_clock_t *clk, int64_t *now) {
    *now = T0;
    clk->now_ms = rn_clock_manual_now;
    clk->arg = now;
}

/* tmpname names the temporary directory, partition the plog's directory inside it;
 * max_fds bounds the fd cache. No plog is open yet. */
static inline void lt_fx_init(lt_fx_t *fx, const char *tmpname, const char *partition,
                              int max_fds) {
    memset(fx, 0, sizeof *fx);
    fx->root = rn_test_tmpdir(tmpname);
    snprintf(fx->pdir, sizeof fx->pdir, "%s/%s", fx->root, partition);
    lt_clock_init(&fx->clk, &fx->now);
    assert_rc(rn_fdcache_new(max_fds, &fx->fds), 0);
    fx->env.fds = fx->fds;
    fx->env.clock = &fx->clk;
    fx->env.loop = NULL;
    rn_log_config_default(&fx->cfg);
}

/* Start the fixture's loop and give it to plogs opened from now on. */
static inline void lt_fx_loop(lt_fx_t *fx) {
    assert_rc(uv_loop_init(&fx->loop), 0);
    fx->loop_live = true;
    fx->env.loop = &fx->loop;
}

/* Close the plog, then the loop (one more turn first). Safe to call twice. */
static inline void lt_fx_close(lt_fx_t *fx) {
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    if (fx->loop_live) {
        uv_run(&fx->loop, UV_RUN_NOWAIT);
        assert_rc(uv_loop_close(&fx->loop), 0);
        fx->loop_live = false;
    }
}

static inline void lt_fx_deinit(lt_fx_t *fx) {
    lt_fx_close(fx);
    rn_fdcache_free(fx->fds);
    for (int i = 0; i < fx->n; i++)
        free(fx->b[i].bytes);
    free(fx->b);
    rn_test_rmtree(fx->root);
    free(fx->root);
}

static inline lt_fx_t *lt_fx_new(const char *tmpname, const char *partition, int max_fds) {
    lt_fx_t *fx = calloc(1, sizeof *fx);
    lt_fx_init(fx, tmpname, partition, max_fds);
    return fx;
}

static inline void lt_fx_free(lt_fx_t *fx) {
    lt_fx_deinit(fx);
    free(fx);
}

/* A cmocka teardown for tests whose state is an lt_fx_new fixture. */
static inline int lt_teardown(void **state) {
    lt_fx_free(*state);
    return 0;
}

/* Open the plog as new: recovery point 0, unclean. */
static inline void lt_fx_open(lt_fx_t *fx) {
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, 0, false, &fx->plog), 0);
}

/* Close the plog and open it again from recovery point rp. */
static inline void lt_fx_reopen(lt_fx_t *fx, int64_t rp, bool clean) {
    rn_plog_close(fx->plog);
    fx->plog = NULL;
    assert_rc(rn_plog_open(fx->pdir, &fx->cfg, &fx->env, rp, clean, &fx->plog), 0);
}

/* Record a copy of an appended batch in the model. */
static inline void lt_model_add(lt_fx_t *fx, const uint8_t *p, size_t len, int64_t base,
                                int32_t count, int64_t ts) {
    if (fx->n == fx->cap) {
        fx->cap = fx->cap ? fx->cap * 2 : 64;
        fx->b = realloc(fx->b, (size_t)fx->cap * sizeof *fx->b);
    }
    lt_mbatch_t *t = &fx->b[fx->n++];
    t->bytes = malloc(len);
    memcpy(t->bytes, p, len);
    t->len = len;
    t->base = base;
    t->count = count;
    t->ts = ts;
}

/* Drop model batches at or past `end` (after a truncation). */
static inline void lt_model_cut(lt_fx_t *fx, int64_t end) {
    while (fx->n > 0 && fx->b[fx->n - 1].base >= end) {
        free(fx->b[fx->n - 1].bytes);
        fx->n--;
    }
}

/* The index of the model batch holding off, or -1. */
static inline int lt_model_index(const lt_fx_t *fx, int64_t off) {
    for (int i = 0; i < fx->n; i++)
        if (off >= fx->b[i].base && off < fx->b[i].base + fx->b[i].count)
            return i;
    return -1;
}

static inline const lt_mbatch_t *lt_model_find(const lt_fx_t *fx, int64_t off) {
    int i = lt_model_index(fx, off);
    return i < 0 ? NULL : &fx->b[i];
}

/* ---- segment files ---------------------------------------------------------------------- */

/* dir/NNNNNNNNNNNNNNNNNNNN.ext, the base offset in twenty digits. */
static inline void lt_seg_path(char *out, size_t n, const char *dir, int64_t base,
                               const char *ext) {
    snprintf(out, n, "%s/%020" PRId64 ".%s", dir, base, ext);
}

static inline bool lt_seg_exists(const char *dir, int64_t base, const char *ext) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    return rn_test_file_size(path) >= 0;
}

/* Size of a segment file, or -1 when it does not exist. */
static inline long long lt_seg_size(const char *dir, int64_t base, const char *ext) {
    char path[600];
    lt_seg_path(path, sizeof path, dir, base, ext);
    return rn_test_file_size(path);
}

static inline int lt_cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Base offsets of the NNNNNNNNNNNNNNNNNNNN.log files in dir, sorted. */
static inline int lt_list_segments(const char *dir, int64_t *bases, int max) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *s = de->d_name;
        if (strlen(s) != 24 || strcmp(s + 20, ".log") != 0)
            continue;
        bool digits = true;
        for (int i = 0; i < 20; i++)
            digits = digits && s[i] >= '0' && s[i] <= '9';
        if (!digits)
            continue;
        assert_true(n < max);
        bases[n++] = strtoll(s, NULL, 10);
    }
    closedir(d);
    qsort(bases, (size_t)n, sizeof *bases, lt_cmp_i64);
    return n;
}

static inline void lt_assert_segments(const char *dir, const int64_t *want, int nwant) {
    int64_t got[256];
    int n = lt_list_segments(dir, got, 256);
    if (n != nwant)
        fail_msg("%d segment files in %s, want %d", n, dir, nwant);
    for (int i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("segment %d has base %" PRId64 ", want %" PRId64, i, got[i], want[i]);
}

/* The name of the newest (greatest) NNNNNNNNNNNNNNNNNNNN.log in dir into name (size
 * NAME_MAX + 1 holds any), or "" when there is none. */
static inline void lt_newest_log(const char *dir, char *name, size_t size) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    name[0] = '\0';
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strlen(de->d_name) == 24 && strcmp(de->d_name + 20, ".log") == 0 &&
            strcmp(de->d_name, name) > 0)
            snprintf(name, size, "%s", de->d_name);
    closedir(d);
}

/* Append bytes to an existing file, as a torn write would leave them. */
static inline void lt_file_append(const char *path, const void *data, size_t n) {
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* ---- reading ---------------------------------------------------------------------------- */

static inline void lt_read_ok(rn_plog_t *plog, int64_t off, size_t max, int64_t upto,
                              rn_plog_read_t *res) {
    memset(res, 0, sizeof *res);
    assert_rc(rn_plog_read(plog, off, max, upto, res), 0);
}

/* Walk the batches of a read result: each passes rn_batch_check, offsets are dense.
 * Returns the number of batches; *first and *next are the first base and the end. */
static inline int lt_walk(const uint8_t *p, size_t len, int64_t *first, int64_t *next) {
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        rn_batch_header_t h;
        assert_rc(rn_batch_check(p + pos, len - pos, &h), 0);
        if (n == 0)
            *first = h.base_offset;
        else
            assert_int_equal(h.base_offset, *next);
        *next = rn_batch_last_offset(&h) + 1;
        pos += rn_batch_size(&h);
        n++;
    }
    assert_int_equal(pos, len);
    return n;
}

/* ---- the standard batches of test_plog.c and test_plog_edit.c ---------------------------- */

#define LT_VLEN 100 /* value bytes per record in the standard test batch */

/* nrec records stamped ts with LT_VLEN-byte values and null keys. */
static inline uint8_t *lt_std_batch(int nrec, int64_t ts, size_t *len) {
    return lt_numbered_batch(nrec, ts, NULL, -1, 'a', LT_VLEN, len);
}

/* Size of the standard batch of nrec records. */
static inline size_t lt_std_batch_size(int nrec) {
    size_t len;
    uint8_t *p = lt_std_batch(nrec, 0, &len);
    rn_free(p);
    return len;
}

/* Append a standard batch stamped ts as leader at epoch; checks the offsets it got and
 * the stamping of the caller's buffer, records it in the model, returns its base. */
static inline int64_t lt_append(lt_fx_t *fx, int nrec, int64_t ts, int32_t epoch) {
    size_t len;
    uint8_t *p = lt_std_batch(nrec, ts, &len);
    int64_t end = rn_plog_end_offset(fx->plog);
    int64_t base = -1;
    assert_rc(rn_plog_append(fx->plog, p, len, epoch, &base), 0);
    assert_int_equal(base, end);
    assert_int_equal(rn_plog_end_offset(fx->plog), end + nrec);
    /* The caller's buffer carries the stamped offset and epoch. */
    rn_batch_header_t h;
    assert_rc(rn_batch_check(p, len, &h), 0);
    assert_int_equal(h.base_offset, base);
    assert_int_equal(h.partition_leader_epoch, epoch);
    lt_model_add(fx, p, len, base, nrec, ts);
    rn_free(p);
    return base;
}

/* lt_append at the current clock, epoch 1. */
static inline int64_t lt_append_std(lt_fx_t *fx, int nrec) {
    return lt_append(fx, nrec, fx->now, 1);
}

/* Every offset in [start, end) reads back (max_bytes 1: exactly one batch) as the model's
 * batch holding it, and walking by next_offset yields every batch exactly once. */
static inline void lt_verify_reads(lt_fx_t *fx) {
    int64_t start = rn_plog_start_offset(fx->plog);
    int64_t end = rn_plog_end_offset(fx->plog);
    for (int64_t o = start; o < end; o++) {
        const lt_mbatch_t *t = lt_model_find(fx, o);
        assert_non_null(t);
        rn_plog_read_t res;
        lt_read_ok(fx->plog, o, 1, -1, &res);
        if (res.len != t->len)
            fail_msg("read at %" PRId64 ": %zu bytes, want %zu (batch %" PRId64 ")", o, res.len,
                     t->len, t->base);
        assert_memory_equal(res.data, t->bytes, t->len);
        assert_int_equal(res.next_offset, t->base + t->count);
        rn_plog_read_free(&res);
    }
    int64_t off = start;
    int i = 0;
    while (i < fx->n && fx->b[i].base + fx->b[i].count <= start)
        i++;
    while (off < end) {
        rn_plog_read_t res;
        lt_read_ok(fx->plog, off, 1 << 20, -1, &res);
        assert_true(res.len > 0);
        int64_t first = -1, next = -1;
        lt_walk(res.data, res.len, &first, &next);
        assert_int_equal(res.next_offset, next);
        size_t pos = 0;
        while (pos < res.len) {
            assert_true(i < fx->n);
            assert_memory_equal(res.data + pos, fx->b[i].bytes, fx->b[i].len);
            pos += fx->b[i].len;
            i++;
        }
        off = res.next_offset;
        rn_plog_read_free(&res);
    }
    assert_int_equal(off, end);
    assert_int_equal(i, fx->n);
}

/* The cmocka setup of test_plog.c and test_plog_edit.c. */
static inline int lt_plog_setup(void **state) {
    *state = lt_fx_new("plog", "orders-0", 64);
    return 0;
}

#endif
