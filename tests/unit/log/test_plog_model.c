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

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/logging.h"
#include "logtest.h"

#define STEPS 3000

/* The plog, its directory and the model of its batches (fx.b: ts is the batch's
 * largest timestamp), the log start the model expects, and the random state. */
typedef struct model_s {
    lt_fx_t fx;
    uint64_t rng;
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

static int64_t last_of(const lt_mbatch_t *t) {
    return t->base + t->count - 1;
}

static int64_t model_end(const model_t *m) {
    return m->fx.n ? last_of(&m->fx.b[m->fx.n - 1]) + 1 : m->start;
}

static uint8_t *build(model_t *m, int nrec, int64_t *max_ts, size_t *len) {
    rn_batch_builder_t bld;
    lt_builder_init(&bld);
    char val[300];
    memset(val, 'a' + (char)rnd(m, 26), sizeof val);
    *max_ts = INT64_MIN;
    for (int i = 0; i < nrec; i++) {
        int64_t ts = m->fx.now - 500 + rnd(m, 1000);
        *max_ts = ts > *max_ts ? ts : *max_ts;
        assert_int_equal(
            rn_batch_builder_add(&bld, ts, NULL, -1, val, (int32_t)rnd(m, 300), NULL, 0), 0);
    }
    return lt_builder_finish(&bld, len);
}

static void op_append(model_t *m, bool replica) {
    int nrec = 1 + (int)rnd(m, 5);
    int64_t max_ts;
    size_t len;
    uint8_t *p = build(m, nrec, &max_ts, &len);
    int64_t end = model_end(m);
    if (replica) {
        rn_batch_stamp(p, end, 7);
        CHECK(rn_plog_append_replica(m->fx.plog, p, len) == 0);
    } else {
        int64_t base = -1;
        CHECK(rn_plog_append(m->fx.plog, p, len, 3, &base) == 0);
        CHECK(base == end);
    }
    lt_model_add(&m->fx, p, len, end, nrec, max_ts);
    rn_free(p);
    m->fx.now += rnd(m, 50);
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
    int rc = rn_plog_read(m->fx.plog, off, max, upto, &res);
    if (rc != 0)
        fail_msg("seed %u step %d: read %" PRId64 " in [%" PRId64 ", %" PRId64 "]: %s", m->seed,
                 m->step, off, m->start, end, rn_errname(rc));
    int i = off < end ? lt_model_index(&m->fx, off) : -1;
    size_t want = 0;
    int64_t next = off;
    for (int j = i; j >= 0 && j < m->fx.n && last_of(&m->fx.b[j]) < limit; j++) {
        if (j > i && want + m->fx.b[j].len > max)
            break;
        if (want + m->fx.b[j].len > res.len ||
            memcmp(res.data + want, m->fx.b[j].bytes, m->fx.b[j].len) != 0)
            fail_msg("seed %u step %d: read %" PRId64 ": batch %" PRId64 " differs", m->seed,
                     m->step, off, m->fx.b[j].base);
        want += m->fx.b[j].len;
        next = last_of(&m->fx.b[j]) + 1;
    }
    if (res.len != want)
        fail_msg("seed %u step %d: read %" PRId64 " max %zu upto %" PRId64 ": %zu bytes, want %zu",
                 m->seed, m->step, off, max, upto, res.len, want);
    CHECK(res.next_offset == next);
    rn_plog_read_free(&res);
    if (m->start > 0) {
        CHECK(rn_plog_read(m->fx.plog, m->start - 1, 100, -1, &res) == RN_EOFFSETRANGE);
    }
    CHECK(rn_plog_read(m->fx.plog, end + 1, 100, -1, &res) == RN_EOFFSETRANGE);
}

static void op_time(model_t *m) {
    int64_t ts = m->fx.now - 1000 + rnd(m, 2000);
    int64_t want = -1;
    for (int i = 0; i < m->fx.n && want < 0; i++)
        if (m->fx.b[i].ts >= ts && last_of(&m->fx.b[i]) >= m->start)
            want = m->fx.b[i].base > m->start ? m->fx.b[i].base : m->start;
    int64_t got = -1;
    int rc = rn_plog_offset_for_time(m->fx.plog, ts, &got);
    if (want < 0)
        CHECK(rc == RN_EOFFSETRANGE);
    else if (rc != 0 || got != want)
        fail_msg("seed %u step %d: offset for %" PRId64 ": %s %" PRId64 ", want %" PRId64, m->seed,
                 m->step, ts, rn_errname(rc), got, want);
}

static void op_truncate(model_t *m) {
    int64_t end = model_end(m);
    int64_t off = m->start + rnd(m, (uint32_t)(end - m->start + 1));
    CHECK(rn_plog_truncate(m->fx.plog, off) == 0);
    int i = lt_model_index(&m->fx, off);
    lt_model_cut(&m->fx, i >= 0 ? m->fx.b[i].base : off);
    if (m->start > model_end(m))
        m->start = model_end(m);
    CHECK(rn_plog_end_offset(m->fx.plog) == model_end(m));
}

static void op_delete_below(model_t *m) {
    int64_t end = model_end(m);
    int64_t off = m->start + rnd(m, (uint32_t)(end - m->start + 1));
    CHECK(rn_plog_delete_below(m->fx.plog, off) == 0);
    m->start = off;
    CHECK(rn_plog_start_offset(m->fx.plog) == off);
}

static void reopen(model_t *m, bool clean, int64_t rp) {
    rn_plog_close(m->fx.plog);
    m->fx.plog = NULL;
    CHECK(rn_plog_open(m->fx.pdir, &m->fx.cfg, &m->fx.env, rp, clean, &m->fx.plog) == 0);
    /* The log start is not persisted: it falls back to the first segment's base. */
    int64_t start = rn_plog_start_offset(m->fx.plog);
    CHECK(start <= m->start);
    m->start = start;
    CHECK(rn_plog_end_offset(m->fx.plog) == model_end(m));
}

/* Garbage after the last batch of the newest .log, as a torn write leaves. */
static void tear_tail(model_t *m) {
    char name[NAME_MAX + 1];
    lt_newest_log(m->fx.pdir, name, sizeof name);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", m->fx.pdir, name);
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
        CHECK(rn_plog_flush_sync(m->fx.plog) == 0);
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
    m->fx.cfg.segment_bytes = 300 + rnd(m, 3000);
    m->fx.cfg.index_interval_bytes = (int32_t)rnd(m, 1500);
    CHECK(rn_plog_set_config(m->fx.plog, &m->fx.cfg) == 0);
}

static void run(unsigned seed) {
    model_t *m = calloc(1, sizeof *m);
    m->seed = seed;
    m->rng = seed * 2654435761u + 1;
    lt_fx_init(&m->fx, "plogmodel", "model-0", 8);
    m->fx.cfg.segment_bytes = 1200;
    m->fx.cfg.index_interval_bytes = 200;
    lt_fx_open(&m->fx);
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
    lt_fx_deinit(&m->fx);
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
