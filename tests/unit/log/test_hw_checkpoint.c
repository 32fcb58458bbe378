/*
 * test_hw_checkpoint.c — replication-offset-checkpoint, the high watermarks the log
 * manager keeps on disk (src/log/logmgr.h, rn_plog_set_hw / rn_plog_hw): the exact
 * text written, each partition's HW read back at open after a clean close and after a
 * crash, clamping to the log (end and start), a truncation below the HW, a missing or
 * corrupt file (HW at the log start, one WARN naming the file), deleted partitions
 * left out, and the timer writing it with a loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "common/logging.h"
#include "log/logmgr.h"
#include "logtest.h"

#define HW_FILE "replication-offset-checkpoint"
#define CLEAN   ".clean-shutdown"

typedef struct fx_s {
    char *root;
    int64_t now;
    rn_clock_t clk;
    rn_logmgr_opts_t opts;
    rn_logmgr_t *mgr;
    char path[1024]; /* <root>/replication-offset-checkpoint */
} fx_t;

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->root = rn_test_tmpdir("hwckpt");
    lt_clock_init(&fx->clk, &fx->now);
    rn_logmgr_opts_default(&fx->opts);
    fx->opts.dir = fx->root;
    fx->opts.retention_check_ms = 0;
    fx->opts.clock = &fx->clk;
    snprintf(fx->path, sizeof fx->path, "%s/" HW_FILE, fx->root);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    rn_log_set_sink(NULL, NULL);
    if (fx->mgr != NULL)
        rn_logmgr_close(fx->mgr, true);
    rn_test_rmtree(fx->root);
    free(fx->root);
    free(fx);
    return 0;
}

static void mgr_open(fx_t *fx) {
    assert_rc(rn_logmgr_open(NULL, &fx->opts, &fx->mgr), 0);
}

static void mgr_close(fx_t *fx, bool clean) {
    assert_rc(rn_logmgr_close(fx->mgr, clean), 0);
    fx->mgr = NULL;
}

static rn_plog_t *part(fx_t *fx, const char *topic, int32_t partition) {
    rn_plog_t *p = rn_logmgr_get(fx->mgr, topic, partition);
    if (p == NULL)
        fail_msg("no partition %s-%d", topic, partition);
    return p;
}

/* Create topic-partition holding nrec records (one batch each). */
static rn_plog_t *make_part(fx_t *fx, const char *topic, int32_t partition, int nrec) {
    rn_plog_t *p;
    assert_rc(rn_logmgr_create(fx->mgr, topic, partition, NULL, &p), 0);
    for (int i = 0; i < nrec; i++) {
        size_t len;
        uint8_t *b = lt_batch(1, fx->now, "k", 1, "value", 5, &len);
        int64_t base;
        assert_rc(rn_plog_append(p, b, len, 0, &base), 0);
        rn_free(b);
    }
    assert_int_equal(rn_plog_end_offset(p), nrec);
    return p;
}

static char *read_text(const fx_t *fx) {
    size_t len;
    uint8_t *raw = rn_test_read_file(fx->path, &len); /* fails the test when missing */
    char *s = malloc(len + 1);
    memcpy(s, raw, len);
    s[len] = '\0';
    free(raw);
    return s;
}

/* The file holds exactly the header "0\n<n>\n" and, in any order, the lines given. */
static void assert_file_lines(const fx_t *fx, int n, const char *const *lines) {
    char *text = read_text(fx);
    char head[32];
    snprintf(head, sizeof head, "0\n%d\n", n);
    if (strncmp(text, head, strlen(head)) != 0)
        fail_msg("bad header in \"%s\"", text);
    size_t total = strlen(head);
    for (int i = 0; i < n; i++) {
        char want[300];
        snprintf(want, sizeof want, "\n%s\n", lines[i]);
        if (strstr(text + strlen(head) - 1, want) == NULL)
            fail_msg("line \"%s\" missing from \"%s\"", lines[i], text);
        total += strlen(lines[i]) + 1;
    }
    assert_int_equal(strlen(text), total);
    free(text);
}

static void test_hw_checkpoint_written_in_kafka_text_format(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_set_hw(make_part(fx, "orders", 0, 10), 7);
    rn_plog_set_hw(make_part(fx, "click-stream.eu-west", 12, 3), 3);
    make_part(fx, "a-b", 1, 4); /* never set: its log start */
    assert_rc(rn_logmgr_hw_checkpoint(fx->mgr), 0);
    const char *const want[] = {"orders 0 7", "click-stream.eu-west 12 3", "a-b 1 0"};
    assert_file_lines(fx, 3, want);
    /* No temporary file is left behind. */
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s/" HW_FILE ".tmp.1", fx->root);
    assert_int_equal(rn_test_file_size(tmp), -1);
}

static void test_hw_checkpoint_reread_after_clean_close(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_set_hw(make_part(fx, "orders", 0, 10), 6);
    rn_plog_set_hw(make_part(fx, "orders", 1, 5), 5);
    mgr_close(fx, true); /* writes the file with the latest values */
    mgr_open(fx);
    assert_int_equal(rn_plog_hw(part(fx, "orders", 0)), 6);
    assert_int_equal(rn_plog_hw(part(fx, "orders", 1)), 5);
    assert_int_equal(rn_plog_end_offset(part(fx, "orders", 0)), 10);
}

static void test_hw_checkpoint_after_crash_is_the_last_written(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_t *p = make_part(fx, "orders", 0, 10);
    assert_rc(rn_plog_flush_sync(p), 0);
    rn_plog_set_hw(p, 4);
    assert_rc(rn_logmgr_hw_checkpoint(fx->mgr), 0);
    rn_plog_set_hw(p, 9); /* not written before the "crash" */
    mgr_close(fx, false);
    assert_int_equal(access(fx->path, F_OK), 0);
    mgr_open(fx);
    p = part(fx, "orders", 0);
    assert_int_equal(rn_plog_end_offset(p), 10);
    assert_int_equal(rn_plog_hw(p), 4); /* not the log end */
}

static void test_hw_checkpoint_clamped_to_the_log_end(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    make_part(fx, "orders", 0, 3);
    make_part(fx, "orders", 1, 3);
    mgr_close(fx, true);
    /* A checkpoint claiming more than the logs hold (a log lost its tail). */
    static const char text[] = "0\n2\norders 0 1000\norders 1 2\n";
    rn_test_write_file(fx->path, text, sizeof text - 1);
    mgr_open(fx);
    assert_int_equal(rn_plog_hw(part(fx, "orders", 0)), 3);
    assert_int_equal(rn_plog_hw(part(fx, "orders", 1)), 2);
    assert_rc(rn_logmgr_hw_checkpoint(fx->mgr), 0);
    const char *const want[] = {"orders 0 3", "orders 1 2"};
    assert_file_lines(fx, 2, want);
}

static void test_hw_checkpoint_truncation_lowers_the_hw(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_t *p = make_part(fx, "orders", 0, 10);
    rn_plog_set_hw(p, 8);
    assert_rc(rn_plog_truncate(p, 5), 0);
    assert_int_equal(rn_plog_hw(p), 5);
    assert_rc(rn_logmgr_hw_checkpoint(fx->mgr), 0);
    const char *const want[] = {"orders 0 5"};
    assert_file_lines(fx, 1, want);
}

static void test_hw_checkpoint_never_below_the_log_start(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_t *p = make_part(fx, "orders", 0, 10);
    rn_plog_set_hw(p, 2);
    assert_rc(rn_plog_delete_below(p, 6), 0);
    assert_int_equal(rn_plog_hw(p), 6);
}

/* Open with the file as given; every partition's HW must be its log start (0), with
 * one WARN line naming the file. */
static void open_expecting_warning(fx_t *fx) {
    rn_test_capture_logs();
    mgr_open(fx);
    rn_log_set_sink(NULL, NULL);
    char want[1200]; /* the capture sink's "<level> <module>: <line>" */
    snprintf(want, sizeof want, "%d log: %s: ", (int)RN_LOG_WARN, fx->path);
    if (strstr(rn_test_captured(), want) == NULL)
        fail_msg("no WARN naming %s in: %s", fx->path, rn_test_captured());
    assert_int_equal(rn_plog_hw(part(fx, "orders", 0)), 0);
    assert_int_equal(rn_plog_hw(part(fx, "orders", 1)), 0);
    assert_int_equal(rn_plog_end_offset(part(fx, "orders", 0)), 4);
}

static void test_hw_checkpoint_corrupt_file_starts_at_the_log_start(void **state) {
    fx_t *fx = *state;
    static const struct {
        const char *text;
        size_t len;
    } bad[] = {
#define V(s) {s, sizeof s - 1}
        V("0\n2\norders 0 3\n"),  /* fewer lines than the count */
        V("1\n1\norders 0 3\n"),  /* unknown version */
        V("0\n1\norders 0 -3\n"), /* negative */
        V("garbage\x00\xff\n"),   V(""),
#undef V
    };
    mgr_open(fx);
    rn_plog_set_hw(make_part(fx, "orders", 0, 4), 3);
    rn_plog_set_hw(make_part(fx, "orders", 1, 4), 3);
    mgr_close(fx, true);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rn_test_write_file(fx->path, bad[i].text, bad[i].len);
        open_expecting_warning(fx);
        mgr_close(fx, false); /* keep the corrupt file for the next variant's write */
    }
}

static void test_hw_checkpoint_missing_file_starts_at_the_log_start(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_set_hw(make_part(fx, "orders", 0, 4), 4);
    rn_plog_set_hw(make_part(fx, "orders", 1, 4), 4);
    mgr_close(fx, true);
    assert_int_equal(unlink(fx->path), 0);
    open_expecting_warning(fx);
}

static void test_hw_checkpoint_fresh_directory_has_no_warning(void **state) {
    fx_t *fx = *state;
    rn_test_capture_logs();
    mgr_open(fx);
    rn_log_set_sink(NULL, NULL);
    assert_null(strstr(rn_test_captured(), HW_FILE));
    /* A partition the checkpoint does not list starts at its log start. */
    make_part(fx, "new", 0, 2);
    assert_int_equal(rn_plog_hw(part(fx, "new", 0)), 0);
}

static void test_hw_checkpoint_deleted_partition_not_written(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_set_hw(make_part(fx, "orders", 0, 4), 4);
    rn_plog_set_hw(make_part(fx, "gone", 0, 4), 4);
    assert_rc(rn_logmgr_hw_checkpoint(fx->mgr), 0);
    const char *const both[] = {"orders 0 4", "gone 0 4"};
    assert_file_lines(fx, 2, both);
    assert_rc(rn_logmgr_delete(fx->mgr, "gone", 0), 0);
    assert_rc(rn_logmgr_hw_checkpoint(fx->mgr), 0);
    const char *const one[] = {"orders 0 4"};
    assert_file_lines(fx, 1, one);
    /* Re-created under the same name: it starts afresh, not at the old HW. */
    make_part(fx, "gone", 0, 1);
    assert_int_equal(rn_plog_hw(part(fx, "gone", 0)), 0);
}

/* ---- the timer ------------------------------------------------------------------------ */

typedef struct poll_s {
    fx_t *fx;
    int ticks;
    bool found;
} poll_t;

static void poll_file(uv_timer_t *t) {
    poll_t *p = t->data;
    size_t len;
    if (access(p->fx->path, F_OK) == 0) { /* renamed into place whole */
        uint8_t *raw = rn_test_read_file(p->fx->path, &len);
        p->found =
            len == strlen("0\n1\norders 0 7\n") && memcmp(raw, "0\n1\norders 0 7\n", len) == 0;
        free(raw);
    }
    if (p->found || ++p->ticks > 200)
        uv_stop(t->loop);
}

static void test_hw_checkpoint_timer_writes_the_file(void **state) {
    fx_t *fx = *state;
    uv_loop_t loop;
    assert_rc(uv_loop_init(&loop), 0);
    fx->opts.hw_checkpoint_ms = 20;
    fx->opts.checkpoint_ms = 0;
    assert_rc(rn_logmgr_open(&loop, &fx->opts, &fx->mgr), 0);
    rn_plog_set_hw(make_part(fx, "orders", 0, 9), 7);
    assert_int_equal(access(fx->path, F_OK), -1); /* nothing until the timer fires */
    uv_timer_t t;
    poll_t p = {fx, 0, false};
    uv_timer_init(&loop, &t);
    t.data = &p;
    uv_timer_start(&t, poll_file, 5, 5);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    assert_true(p.found);
    mgr_close(fx, false);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rc(uv_loop_close(&loop), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_hw_checkpoint_written_in_kafka_text_format),
        T(test_hw_checkpoint_reread_after_clean_close),
        T(test_hw_checkpoint_after_crash_is_the_last_written),
        T(test_hw_checkpoint_clamped_to_the_log_end),
        T(test_hw_checkpoint_truncation_lowers_the_hw),
        T(test_hw_checkpoint_never_below_the_log_start),
        T(test_hw_checkpoint_corrupt_file_starts_at_the_log_start),
        T(test_hw_checkpoint_missing_file_starts_at_the_log_start),
        T(test_hw_checkpoint_fresh_directory_has_no_warning),
        T(test_hw_checkpoint_deleted_partition_not_written),
        T(test_hw_checkpoint_timer_writes_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
