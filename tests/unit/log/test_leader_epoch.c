/*
 * test_leader_epoch.c — the partition log's leader-epoch history (src/log/epochs.c):
 * what appends record, what truncation drops, the leader-epoch-checkpoint file's text,
 * its rebuild when missing or corrupt, and rn_plog_epoch_end_offset's answers
 * (Kafka's OffsetForLeaderEpoch semantics).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logtest.h"

typedef lt_fx_t fx_t;

static void epoch_file(const fx_t *fx, char *path, size_t n) {
    snprintf(path, n, "%s/leader-epoch-checkpoint", fx->pdir);
}

/* The checkpoint file's whole text, or "" when missing. */
static void read_epoch_file(const fx_t *fx, char *buf, size_t n) {
    char path[600];
    epoch_file(fx, path, sizeof path);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t r = fread(buf, 1, n - 1, f);
    buf[r] = '\0';
    fclose(f);
}

static void assert_end_for(fx_t *fx, int32_t epoch, int32_t want_epoch, int64_t want_end) {
    int32_t found = -2;
    int64_t end = -2;
    assert_rc(rn_plog_epoch_end_offset(fx->plog, epoch, &found, &end), 0);
    if (found != want_epoch || end != want_end)
        fail_msg("epoch %d: got (%d, %lld), want (%d, %lld)", epoch, found, (long long)end,
                 want_epoch, (long long)want_end);
}

/* Epochs 1 at 0, 3 at 4, 5 at 8; log end 12. */
static void append_three_epochs(fx_t *fx) {
    lt_append(fx, 2, 1000, 1);
    lt_append(fx, 2, 1001, 1);
    lt_append(fx, 2, 1002, 3);
    lt_append(fx, 2, 1003, 3);
    lt_append(fx, 2, 1004, 5);
    lt_append(fx, 2, 1005, 5);
}

static void test_epoch_empty_log_has_no_history(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    assert_int_equal(rn_plog_latest_epoch(fx->plog), -1);
    assert_end_for(fx, 0, -1, -1);
    char text[256];
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "");
}

static void test_epoch_appends_record_each_new_epoch_in_kafka_format(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx);
    assert_int_equal(rn_plog_latest_epoch(fx->plog), 5);
    char text[256];
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n3\n1 0\n3 4\n5 8\n");
}

static void test_epoch_end_offset_follows_kafka_semantics(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx);
    assert_end_for(fx, 5, 5, 12); /* the latest: the log end */
    assert_end_for(fx, 3, 3, 8);  /* the next epoch's start */
    assert_end_for(fx, 4, 3, 8);  /* unknown, between: the largest below it */
    assert_end_for(fx, 1, 1, 4);
    assert_end_for(fx, 0, 0, 0); /* below every epoch: the first start */
    assert_end_for(fx, 6, -1, -1);
    assert_end_for(fx, -1, -1, -1);
}

static void test_epoch_truncate_drops_entries_at_or_past_the_new_end(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx);
    assert_rc(rn_plog_truncate(fx->plog, 8), 0);
    lt_model_cut(fx, 8);
    assert_int_equal(rn_plog_latest_epoch(fx->plog), 3);
    assert_end_for(fx, 3, 3, 8);
    assert_end_for(fx, 5, -1, -1);
    char text[256];
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n2\n1 0\n3 4\n");
    /* Truncating inside epoch 3 keeps it; appending at a new epoch records it. */
    assert_rc(rn_plog_truncate(fx->plog, 6), 0);
    lt_model_cut(fx, 6);
    assert_int_equal(lt_append(fx, 2, 1100, 7), 6);
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n3\n1 0\n3 4\n7 6\n");
    assert_end_for(fx, 5, 3, 6);
    lt_verify_reads(fx);
}

static void test_epoch_replica_appends_record_the_leaders_epochs(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx);
    /* Copy the log, batch by batch, into a second partition as a follower would. */
    char dir2[600];
    snprintf(dir2, sizeof dir2, "%s/orders-1", fx->root);
    rn_plog_t *f = NULL;
    assert_rc(rn_plog_open(dir2, &fx->cfg, &fx->env, 0, false, &f), 0);
    for (int i = 0; i < fx->n; i++)
        assert_rc(rn_plog_append_replica(f, fx->b[i].bytes, fx->b[i].len), 0);
    assert_int_equal(rn_plog_latest_epoch(f), 5);
    int32_t found;
    int64_t end;
    assert_rc(rn_plog_epoch_end_offset(f, 3, &found, &end), 0);
    assert_int_equal(found, 3);
    assert_int_equal(end, 8);
    rn_plog_close(f);
}

/* A follower whose log ends below the leader's log start starts afresh there. */
static void test_reset_starts_an_empty_log_at_the_leaders_start(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx); /* 0-3 epoch 1, 4-7 epoch 3, 8-11 epoch 5 */
    char dir2[600];
    snprintf(dir2, sizeof dir2, "%s/orders-1", fx->root);
    rn_plog_t *f = NULL;
    assert_rc(rn_plog_open(dir2, &fx->cfg, &fx->env, 0, false, &f), 0);
    assert_rc(rn_plog_append_replica(f, fx->b[0].bytes, fx->b[0].len), 0);
    assert_rc(rn_plog_reset(f, 8), 0);
    assert_int_equal(rn_plog_start_offset(f), 8);
    assert_int_equal(rn_plog_end_offset(f), 8);
    assert_int_equal(rn_plog_size_bytes(f), 0);
    assert_int_equal(rn_plog_latest_epoch(f), -1);
    assert_int_equal(rn_plog_recovery_point(f), 8);
    rn_plog_read_t rd;
    assert_rc(rn_plog_read(f, 0, 1 << 20, -1, &rd), RN_EOFFSETRANGE);
    for (int i = 0; i < fx->n; i++) /* copy on from the leader's start */
        if (fx->b[i].base >= 8)
            assert_rc(rn_plog_append_replica(f, fx->b[i].bytes, fx->b[i].len), 0);
    assert_int_equal(rn_plog_end_offset(f), 12);
    assert_int_equal(rn_plog_latest_epoch(f), 5);
    int32_t found;
    int64_t end;
    assert_rc(rn_plog_epoch_end_offset(f, 5, &found, &end), 0);
    assert_int_equal(end, 12);
    assert_rc(rn_plog_read(f, 8, 1 << 20, -1, &rd), 0);
    assert_true(rd.len > 0);
    rn_plog_read_free(&rd);
    assert_rc(rn_plog_reset(f, -1), RN_EOFFSETRANGE);
    rn_plog_close(f);
}

/* The log start moving up (delete_below, retention) moves the history's start too. */
static void test_epoch_history_follows_the_log_start(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx); /* 0-3 epoch 1, 4-7 epoch 3, 8-11 epoch 5 */
    char text[256];
    assert_rc(rn_plog_delete_below(fx->plog, 2), 0);
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n3\n1 2\n3 4\n5 8\n");
    assert_rc(rn_plog_delete_below(fx->plog, 6), 0);
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n2\n3 6\n5 8\n");
    assert_end_for(fx, 3, 3, 8);
    assert_end_for(fx, 1, 1, 6); /* below every epoch kept: the first start */
    assert_rc(rn_plog_delete_below(fx->plog, 8), 0);
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n1\n5 8\n");
    assert_end_for(fx, 5, 5, 12);
    assert_rc(rn_plog_delete_below(fx->plog, 8), 0); /* no change: no rewrite needed */
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n1\n5 8\n");
}

static void test_epoch_reopen_keeps_the_history(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx);
    assert_rc(rn_plog_flush_sync(fx->plog), 0);
    lt_fx_reopen(fx, rn_plog_end_offset(fx->plog), true);
    assert_int_equal(rn_plog_latest_epoch(fx->plog), 5);
    assert_end_for(fx, 3, 3, 8);
    assert_end_for(fx, 5, 5, 12);
}

static void rebuild_after(fx_t *fx, const char *content) {
    lt_fx_open(fx);
    append_three_epochs(fx);
    char path[600];
    epoch_file(fx, path, sizeof path);
    if (content == NULL)
        assert_int_equal(unlink(path), 0);
    else
        rn_test_write_file(path, content, strlen(content));
    lt_fx_reopen(fx, 0, false);
    assert_int_equal(rn_plog_latest_epoch(fx->plog), 5);
    assert_end_for(fx, 1, 1, 4);
    assert_end_for(fx, 3, 3, 8);
    char text[256];
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n3\n1 0\n3 4\n5 8\n");
}

static void test_epoch_missing_file_is_rebuilt_from_the_batches(void **state) {
    rebuild_after(*state, NULL);
}

static void test_epoch_corrupt_file_is_rebuilt_from_the_batches(void **state) {
    rebuild_after(*state, "0\n3\n1 0\n3 x\n");
}

static void test_epoch_unordered_file_is_corrupt_and_rebuilt(void **state) {
    rebuild_after(*state, "0\n2\n3 4\n1 0\n");
}

static void test_epoch_entries_past_a_lost_tail_are_dropped_at_open(void **state) {
    fx_t *fx = *state;
    lt_fx_open(fx);
    append_three_epochs(fx);
    /* The tail the file mentions is gone (a crash lost it): cut the log under the plog. */
    char log[600];
    lt_seg_path(log, sizeof log, fx->pdir, 0, "log");
    assert_int_equal(truncate(log, (off_t)(4 * lt_std_batch_size(2))), 0);
    lt_fx_reopen(fx, 0, false);
    assert_int_equal(rn_plog_end_offset(fx->plog), 8);
    assert_int_equal(rn_plog_latest_epoch(fx->plog), 3);
    char text[256];
    read_epoch_file(fx, text, sizeof text);
    assert_string_equal(text, "0\n2\n1 0\n3 4\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, lt_plog_setup, lt_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_epoch_empty_log_has_no_history),
        T(test_epoch_appends_record_each_new_epoch_in_kafka_format),
        T(test_epoch_end_offset_follows_kafka_semantics),
        T(test_epoch_truncate_drops_entries_at_or_past_the_new_end),
        T(test_epoch_replica_appends_record_the_leaders_epochs),
        T(test_epoch_reopen_keeps_the_history),
        T(test_reset_starts_an_empty_log_at_the_leaders_start),
        T(test_epoch_history_follows_the_log_start),
        T(test_epoch_missing_file_is_rebuilt_from_the_batches),
        T(test_epoch_corrupt_file_is_rebuilt_from_the_batches),
        T(test_epoch_unordered_file_is_corrupt_and_rebuilt),
        T(test_epoch_entries_past_a_lost_tail_are_dropped_at_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
