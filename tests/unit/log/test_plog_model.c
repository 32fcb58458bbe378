/* test_plog_model.c — randomized operations on a partition log against a model of
 * what it must hold: leader and follower appends with non-monotonic timestamps, reads
 * at random offsets with random max_bytes and upto, offset for time, truncation,
 * delete_below, config changes, and reopening (clean, unclean, and unclean with a torn
 * tail), with tiny segments and index intervals so that every boundary is crossed.
 * Seeds are fixed: a failure names its seed and step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "log/plog.h"
#include "proto/batch.h"
#include "testutil.h"

#define STEPS 3000

typedef struct mbatch_s {
    uint8_t *bytes;
    size_t len;
    int64_t base, last, max_ts;
} mbatch_t;

typedef struct model_s {
    char *root;
    char dir[512];
    uint64_t rng;
    int64_t now;
    rn_clock_t clk;
    rn_fdcache_t *fds;
    rn_plog_env_t env;
    rn_log_config_t cfg;
    rn_plog_t *plog;
    mbatch_t *b;
    int n, cap;
    int64_t start;
    unsigned seed;
    int step;
} model_t;

static uint32_t rnd(model_t *m, uint32_t n) {
    m->rng = m->rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(m->rng >> 33) % n;
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("seed %u step %d: %s", m->seed, m->step, #cond);                              \
    } while (0)

static int64_t model_end(const model_t *m) {
    return m->n ? m->b[m->n - 1].last + 1 : m->start;
}

static uint8_t *build(model_t *m, int nrec, int64_t *max_ts, size_t *len) {
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    rn_batch_builder_t bld;
    rn_batch_builder_init(&bld, &opts);
    char val[300];
    memset(val, 'a' + (char)rnd(m, 26), sizeof val);
    *max_ts = INT64_MIN;
    for (int i = 0; i < nrec; i++) {
        int64_t ts = m->now - 500 + rnd(m, 1000);
        *max_ts = ts > *max_ts ? ts : *max_ts;
        assert_int_equal(
            rn_batch_builder_add(&bld, ts, NULL, -1, val, (int32_t)rnd(m, 300), NULL, 0), 0);
    }
    uint8_t *p;
    assert_int_equal(rn_batch_builder_finish(&bld, &p, len), 0);
    rn_batch_builder_deinit(&bld);
    return p;
}

static void model_push(model_t *m, const uint8_t *p, size_t len, int64_t base, int nrec,
                       int64_t max_ts) {
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->b = realloc(m->b, (size_t)m->cap * sizeof *m->b);
    }
    mbatch_t *t = &m->b[m->n++];
    t->bytes = malloc(len);
    memcpy(t->bytes, p, len);
    t->len = len;
    t->base = base;
    t->last = base + nrec - 1;
    t->max_ts = max_ts;
}

static void op_append(model_t *m, bool replica) {
    int nrec = 1 + (int)rnd(m, 5);
    int64_t max_ts;
    size_t len;
    uint8_t *p = build(m, nrec, &max_ts, &len);
    int64_t end = model_end(m);
    if (replica) {
        rn_batch_stamp(p, end, 7);
        CHECK(rn_plog_append_replica(m->plog, p, len) == 0);
    } else {
        int64_t base = -1;
        CHECK(rn_plog_append(m->plog, p, len, 3, &base) == 0);
        CHECK(base == end);
    }
    model_push(m, p, len, end, nrec, max_ts);
    rn_free(p);
    m->now += rnd(m, 50);
}

static int holding(const model_t *m, int64_t off) {
    for (int i = 0; i < m->n; i++)
        if (off >= m->b[i].base && off <= m->b[i].last)
            return i;
    return -1;
}

static void op_read(model_t *m) {
    int64_t end = model_end(m);
    int64_t off = m->start + rnd(m, (uint32_t)(end - m->start + 1));
    static const size_t maxes[] = {0, 1, 100, 700, 3000, 1 << 20};
    size_t max = maxes[rnd(m, 6)];
    int64_t upto = rnd(m, 3) == 0 ? -1 : m->start + rnd(m, (uint32_t)(end - m->start + 2));
    int64_t limit = upto < 0 || upto > end ? end : upto;
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    int rc = rn_plog_read(m->plog, off, max, upto, &res);
    if (rc != 0)
        fail_msg("seed %u step %d: read %" PRId64 " in [%" PRId64 ", %" PRId64 "]: %s", m->seed,
                 m->step, off, m->start, end, rn_errname(rc));
    int i = off < end ? holding(m, off) : -1;
    size_t want = 0;
    int64_t next = off;
    for (int j = i; j >= 0 && j < m->n && m->b[j].last < limit; j++) {
        if (j > i && want + m->b[j].len > max)
            break;
        if (want + m->b[j].len > res.len ||
            memcmp(res.data + want, m->b[j].bytes, m->b[j].len) != 0)
            fail_msg("seed %u step %d: read %" PRId64 ": batch %" PRId64 " differs", m->seed,
                     m->step, off, m->b[j].base);
        want += m->b[j].len;
        next = m->b[j].last + 1;
    }
    if (res.len != want)
        fail_msg("seed %u step %d: read %" PRId64 " max %zu upto %" PRId64 ": %zu bytes, want %zu",
                 m->seed, m->step, off, max, upto, res.len, want);
    CHECK(res.next_offset == next);
    rn_plog_read_free(&res);
    if (m->start > 0) {
        CHECK(rn_plog_read(m->plog, m->start - 1, 100, -1, &res) == RN_EOFFSETRANGE);
    }
    CHECK(rn_plog_read(m->plog, end + 1, 100, -1, &res) == RN_EOFFSETRANGE);
}

static void op_time(model_t *m) {
    int64_t ts = m->now - 1000 + rnd(m, 2000);
    int64_t want = -1;
    for (int i = 0; i < m->n && want < 0; i++)
        if (m->b[i].max_ts >= ts && m->b[i].last >= m->start)
            want = m->b[i].base > m->start ? m->b[i].base : m->start;
    int64_t got = -1;
    int rc = rn_plog_offset_for_time(m->plog, ts, &got);
    if (want < 0)
        CHECK(rc == RN_EOFFSETRANGE);
    else if (rc != 0 || got != want)
        fail_msg("seed %u step %d: offset for %" PRId64 ": %s %" PRId64 ", want %" PRId64, m->seed,
                 m->step, ts, rn_errname(rc), got, want);
}

static void model_cut(model_t *m, int64_t end) {
    while (m->n > 0 && m->b[m->n - 1].base >= end)
        free(m->b[--m->n].bytes);
}

static void op_truncate(model_t *m) {
    int64_t end = model_end(m);
    int64_t off = m->start + rnd(m, (uint32_t)(end - m->start + 1));
    CHECK(rn_plog_truncate(m->plog, off) == 0);
    int i = holding(m, off);
    model_cut(m, i >= 0 ? m->b[i].base : off);
    if (m->start > model_end(m))
        m->start = model_end(m);
    CHECK(rn_plog_end_offset(m->plog) == model_end(m));
}

static void op_delete_below(model_t *m) {
    int64_t end = model_end(m);
    int64_t off = m->start + rnd(m, (uint32_t)(end - m->start + 1));
    CHECK(rn_plog_delete_below(m->plog, off) == 0);
    m->start = off;
    CHECK(rn_plog_start_offset(m->plog) == off);
}

static void reopen(model_t *m, bool clean, int64_t rp) {
    rn_plog_close(m->plog);
    m->plog = NULL;
    CHECK(rn_plog_open(m->dir, &m->cfg, &m->env, rp, clean, &m->plog) == 0);
    /* The log start is not persisted: it falls back to the first segment's base. */
    int64_t start = rn_plog_start_offset(m->plog);
    CHECK(start <= m->start);
    m->start = start;
    CHECK(rn_plog_end_offset(m->plog) == model_end(m));
}

/* Garbage after the last batch of the newest .log, as a torn write leaves. */
static void tear_tail(model_t *m) {
    DIR *d = opendir(m->dir);
    CHECK(d != NULL);
    char name[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strlen(de->d_name) == 24 && strcmp(de->d_name + 20, ".log") == 0 &&
            strcmp(de->d_name, name) > 0)
            snprintf(name, sizeof name, "%s", de->d_name);
    closedir(d);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", m->dir, name);
    int fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    uint8_t junk[90];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rnd(m, 256);
    CHECK(write(fd, junk, 1 + rnd(m, sizeof junk - 1)) > 0);
    close(fd);
}

static void op_reopen(model_t *m) {
    switch (rnd(m, 4)) {
    case 0:
        CHECK(rn_plog_flush_sync(m->plog) == 0);
        reopen(m, true, model_end(m));
        break;
    case 1:
        reopen(m, false, rnd(m, (uint32_t)model_end(m) + 1));
        break;
    case 2:
        reopen(m, false, 0);
        break;
    default:
        tear_tail(m);
        reopen(m, false, rnd(m, (uint32_t)model_end(m) + 1));
        break;
    }
}

static void op_config(model_t *m) {
    m->cfg.segment_bytes = 300 + rnd(m, 3000);
    m->cfg.index_interval_bytes = (int32_t)rnd(m, 1500);
    CHECK(rn_plog_set_config(m->plog, &m->cfg) == 0);
}

static void run(unsigned seed) {
    model_t *m = calloc(1, sizeof *m);
    m->seed = seed;
    m->rng = seed * 2654435761u + 1;
    m->root = rn_test_tmpdir("plogmodel");
    snprintf(m->dir, sizeof m->dir, "%s/model-0", m->root);
    m->now = 1700000000000LL;
    m->clk.now_ms = rn_clock_manual_now;
    m->clk.arg = &m->now;
    assert_int_equal(rn_fdcache_new(8, &m->fds), 0);
    m->env.fds = m->fds;
    m->env.clock = &m->clk;
    rn_log_config_default(&m->cfg);
    m->cfg.segment_bytes = 1200;
    m->cfg.index_interval_bytes = 200;
    assert_int_equal(rn_plog_open(m->dir, &m->cfg, &m->env, 0, false, &m->plog), 0);
    for (m->step = 0; m->step < STEPS; m->step++) {
        uint32_t r = rnd(m, 1000);
        if (r < 450)
            op_append(m, false);
        else if (r < 550)
            op_append(m, true);
        else if (r < 800)
            op_read(m);
        else if (r < 900)
            op_time(m);
        else if (r < 930)
            op_truncate(m);
        else if (r < 950)
            op_delete_below(m);
        else if (r < 980)
            op_reopen(m);
        else
            op_config(m);
    }
    rn_plog_close(m->plog);
    rn_fdcache_free(m->fds);
    for (int i = 0; i < m->n; i++)
        free(m->b[i].bytes);
    free(m->b);
    rn_test_rmtree(m->root);
    free(m->root);
    free(m);
}

static void test_plog_model_random_operations_match_the_model(void **state) {
    (void)state;
    rn_log_set_level(RN_LOG_ERROR); /* torn tails log a WARN each: expected here */
    for (unsigned seed = 1; seed <= 6; seed++)
        run(seed);
    rn_log_set_level(RN_LOG_INFO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plog_model_random_operations_match_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
