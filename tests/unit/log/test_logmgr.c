/*
 * test_logmgr.c — the log manager (src/log/logmgr.h): creating, finding and deleting
 * partitions, topic name rules, clean and unclean restarts (the clean-shutdown marker,
 * the recovery-point checkpoint in Kafka's text format), a corrupt checkpoint,
 * retention across partitions, and 10,000 partitions opened through a small fd cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "common/logging.h"
#include "log/logmgr.h"
#include "logtest.h"

#define CHECKPOINT "recovery-point-offset-checkpoint"
#define CLEAN      ".clean-shutdown"

typedef struct fx_s {
    char *root;
    int64_t now;
    rn_clock_t clk;
    rn_logmgr_opts_t opts;
    rn_logmgr_t *mgr;
    uv_loop_t loop; /* for the tests that run one; closed by teardown */
    bool loop_live;
} fx_t;

/* Records keyed "k" with 16-byte values. */
static uint8_t *make_batch(int nrec, int64_t ts, size_t *len) {
    return lt_batch(nrec, ts, "k", 1, "xxxxxxxxxxxxxxxx", 16, len);
}

static int64_t append(fx_t *fx, rn_plog_t *plog, int nrec) {
    size_t len;
    uint8_t *p = make_batch(nrec, fx->now, &len);
    int64_t base = -1;
    assert_rc(rn_plog_append(plog, p, len, 0, &base), 0);
    rn_free(p);
    return base;
}

static void path_in(char *out, size_t n, const fx_t *fx, const char *name) {
    snprintf(out, n, "%s/%s", fx->root, name);
}

static bool exists_in(const fx_t *fx, const char *name) {
    char path[1024];
    path_in(path, sizeof path, fx, name);
    struct stat st;
    return stat(path, &st) == 0;
}

static int setup(void **state) {
    fx_t *fx = calloc(1, sizeof *fx);
    fx->root = rn_test_tmpdir("logmgr");
    lt_clock_init(&fx->clk, &fx->now);
    rn_logmgr_opts_default(&fx->opts);
    fx->opts.dir = fx->root;
    fx->opts.retention_check_ms = 0;
    fx->opts.max_open_files = 64;
    fx->opts.clock = &fx->clk;
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fx_t *fx = *state;
    rn_log_set_sink(NULL, NULL);
    if (fx->mgr != NULL)
        rn_logmgr_close(fx->mgr, true);
    if (fx->loop_live) {
        uv_run(&fx->loop, UV_RUN_NOWAIT);
        assert_rc(uv_loop_close(&fx->loop), 0);
    }
    rn_test_rmtree(fx->root);
    free(fx->root);
    free(fx);
    return 0;
}

/* A loop owned by the fixture, so that a failing test still closes it after the mgr. */
static uv_loop_t *fx_loop(fx_t *fx) {
    assert_rc(uv_loop_init(&fx->loop), 0);
    fx->loop_live = true;
    return &fx->loop;
}

static void fx_loop_close(fx_t *fx) {
    fx->loop_live = false;
    assert_rc(uv_loop_close(&fx->loop), 0);
}

static void mgr_open(fx_t *fx) {
    assert_rc(rn_logmgr_open(NULL, &fx->opts, &fx->mgr), 0);
}

static void mgr_close(fx_t *fx, bool clean) {
    assert_rc(rn_logmgr_close(fx->mgr, clean), 0);
    fx->mgr = NULL;
}

/* ---- the checkpoint file -------------------------------------------------------------- */

typedef struct cp_entry_s {
    char topic[256];
    int32_t partition;
    int64_t offset;
} cp_entry_t;

/* Parse Kafka's text format strictly: "0\n", count, then count "topic partition offset". */
static int read_checkpoint(const fx_t *fx, cp_entry_t *out, int max) {
    char path[1024];
    path_in(path, sizeof path, fx, CHECKPOINT);
    size_t len;
    uint8_t *buf = rn_test_read_file(path, &len);
    char *text = malloc(len + 1);
    memcpy(text, buf, len);
    text[len] = '\0';
    free(buf);
    assert_true(len > 0);
    assert_int_equal(text[len - 1], '\n'); /* every line ends with a newline */
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    assert_non_null(line);
    assert_string_equal(line, "0");
    line = strtok_r(NULL, "\n", &save);
    assert_non_null(line);
    char *endp;
    long count = strtol(line, &endp, 10);
    assert_true(*endp == '\0' && count >= 0 && count <= max);
    for (long i = 0; i < count; i++) {
        line = strtok_r(NULL, "\n", &save);
        if (line == NULL)
            fail_msg("checkpoint: %ld entries announced, %ld present", count, i);
        int consumed = 0;
        if (sscanf(line, "%255s %" SCNd32 " %" SCNd64 "%n", out[i].topic, &out[i].partition,
                   &out[i].offset, &consumed) != 3 ||
            line[consumed] != '\0')
            fail_msg("checkpoint line %ld is not \"topic partition offset\": \"%s\"", i + 3, line);
    }
    assert_null(strtok_r(NULL, "\n", &save));
    free(text);
    return (int)count;
}

static int64_t cp_find(const cp_entry_t *e, int n, const char *topic, int32_t partition) {
    for (int i = 0; i < n; i++)
        if (strcmp(e[i].topic, topic) == 0 && e[i].partition == partition)
            return e[i].offset;
    fail_msg("checkpoint has no entry for %s %d", topic, partition);
    return -1;
}

/* ---- create, get, delete ----------------------------------------------------------------- */

typedef struct visit_s {
    int n;
    int seen_orders, seen_dotted, seen_dashed;
} visit_t;

static void visit(const char *topic, int32_t partition, rn_plog_t *plog, void *arg) {
    visit_t *v = arg;
    assert_non_null(plog);
    v->n++;
    if (strcmp(topic, "orders") == 0 && partition == 0)
        v->seen_orders++;
    else if (strcmp(topic, "my-topic.v2") == 0 && partition == 3)
        v->seen_dotted++;
    else if (strcmp(topic, "a-b-c") == 0 && partition == 10)
        v->seen_dashed++;
    else
        fail_msg("foreach visited unknown %s %d", topic, partition);
}

static void test_logmgr_create_get_and_directory_layout(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 0);
    rn_plog_t *a = NULL, *b = NULL, *c = NULL, *again = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "orders", 0, NULL, &a), 0);
    assert_rc(rn_logmgr_create(fx->mgr, "my-topic.v2", 3, NULL, &b), 0);
    assert_rc(rn_logmgr_create(fx->mgr, "a-b-c", 10, NULL, &c), 0);
    assert_non_null(a);
    assert_true(a != b && b != c && a != c);
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 3);
    assert_true(exists_in(fx, "orders-0/00000000000000000000.log"));
    assert_true(exists_in(fx, "my-topic.v2-3/00000000000000000000.log"));
    assert_true(exists_in(fx, "a-b-c-10/00000000000000000000.log"));
    assert_ptr_equal(rn_logmgr_get(fx->mgr, "orders", 0), a);
    assert_ptr_equal(rn_logmgr_get(fx->mgr, "my-topic.v2", 3), b);
    assert_ptr_equal(rn_logmgr_get(fx->mgr, "a-b-c", 10), c);
    assert_null(rn_logmgr_get(fx->mgr, "orders", 1));
    assert_null(rn_logmgr_get(fx->mgr, "a-b", 10));
    assert_null(rn_logmgr_get(fx->mgr, "a-b-c-10", 0));
    assert_null(rn_logmgr_get(fx->mgr, "nope", 0));
    /* Creating an existing partition returns it. */
    assert_int_equal(append(fx, a, 3), 0);
    assert_rc(rn_logmgr_create(fx->mgr, "orders", 0, NULL, &again), 0);
    assert_ptr_equal(again, a);
    assert_int_equal(rn_plog_end_offset(again), 3);
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 3);
    /* Partitions get the defaults unless given their own config. */
    assert_int_equal(rn_plog_config(a)->segment_bytes, fx->opts.defaults.segment_bytes);
    rn_log_config_t own = fx->opts.defaults;
    own.segment_bytes = 4096;
    rn_plog_t *d = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "orders", 1, &own, &d), 0);
    assert_int_equal(rn_plog_config(d)->segment_bytes, 4096);
    visit_t v = {0};
    assert_rc(rn_logmgr_delete(fx->mgr, "orders", 1), 0);
    rn_logmgr_foreach(fx->mgr, visit, &v);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.seen_orders, 1);
    assert_int_equal(v.seen_dotted, 1);
    assert_int_equal(v.seen_dashed, 1);
}

static void test_logmgr_invalid_topic_names_are_rejected(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    char long249[250], long250[251];
    memset(long249, 'x', 249);
    long249[249] = '\0';
    memset(long250, 'y', 250);
    long250[250] = '\0';
    const char *bad[] = {"",          "a/b",       "a b",   "t\xc3\xb6pic", "a\\b",
                         "tab\there", "new\nline", "star*", "colon:",       long250};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rn_plog_t *p = (rn_plog_t *)0x1;
        int rc = rn_logmgr_create(fx->mgr, bad[i], 0, NULL, &p);
        if (rc != RN_ECONFIG)
            fail_msg("topic \"%s\": got %s, want RN_ECONFIG", bad[i], rn_errname(rc));
    }
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 0);
    assert_false(exists_in(fx, "a"));
    rn_plog_t *p = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, long249, 0, NULL, &p), 0);
    assert_non_null(p);
    assert_rc(rn_logmgr_create(fx->mgr, "Az09._-", 0, NULL, &p), 0);
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 2);
}

static void test_logmgr_delete_removes_partition_directory(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    rn_plog_t *a = NULL, *b = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "web.logs", 2, NULL, &a), 0);
    assert_rc(rn_logmgr_create(fx->mgr, "web.logs", 3, NULL, &b), 0);
    for (int i = 0; i < 5; i++)
        append(fx, a, 2);
    assert_true(exists_in(fx, "web.logs-2"));
    assert_rc(rn_logmgr_delete(fx->mgr, "web.logs", 2), 0);
    assert_false(exists_in(fx, "web.logs-2"));
    assert_true(exists_in(fx, "web.logs-3"));
    assert_null(rn_logmgr_get(fx->mgr, "web.logs", 2));
    assert_ptr_equal(rn_logmgr_get(fx->mgr, "web.logs", 3), b);
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 1);
    assert_rc(rn_logmgr_delete(fx->mgr, "web.logs", 2), -ENOENT);
    assert_rc(rn_logmgr_delete(fx->mgr, "never", 0), -ENOENT);
    /* Created again, it starts empty. */
    assert_rc(rn_logmgr_create(fx->mgr, "web.logs", 2, NULL, &a), 0);
    assert_int_equal(rn_plog_end_offset(a), 0);
    /* And stays deleted across a restart. */
    assert_rc(rn_logmgr_delete(fx->mgr, "web.logs", 3), 0);
    mgr_close(fx, true);
    mgr_open(fx);
    assert_null(rn_logmgr_get(fx->mgr, "web.logs", 3));
    assert_non_null(rn_logmgr_get(fx->mgr, "web.logs", 2));
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 1);
}

/* ---- restarts --------------------------------------------------------------------------- */

static const struct {
    const char *topic;
    int32_t partition;
    int batches;
} parts[] = {
    {"orders", 0, 7},
    {"orders", 1, 0},
    {"click-stream.eu-west", 12, 4},
    {"a-b", 10, 2},
};
#define NPARTS ((int)(sizeof parts / sizeof parts[0]))

static void fill_parts(fx_t *fx) {
    for (int i = 0; i < NPARTS; i++) {
        rn_plog_t *p = NULL;
        assert_rc(rn_logmgr_create(fx->mgr, parts[i].topic, parts[i].partition, NULL, &p), 0);
        for (int j = 0; j < parts[i].batches; j++)
            append(fx, p, 3);
    }
}

static void check_parts(fx_t *fx, int64_t extra_on_first) {
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), NPARTS);
    for (int i = 0; i < NPARTS; i++) {
        rn_plog_t *p = rn_logmgr_get(fx->mgr, parts[i].topic, parts[i].partition);
        if (p == NULL)
            fail_msg("%s-%d missing after reopen", parts[i].topic, parts[i].partition);
        int64_t want = 3 * parts[i].batches + (i == 0 ? extra_on_first : 0);
        assert_int_equal(rn_plog_end_offset(p), want);
        assert_int_equal(rn_plog_start_offset(p), 0);
        if (want > 0) {
            rn_plog_read_t res;
            memset(&res, 0, sizeof res);
            assert_rc(rn_plog_read(p, want - 1, 1, -1, &res), 0);
            rn_batch_header_t h;
            assert_rc(rn_batch_check(res.data, res.len, &h), 0);
            assert_int_equal(rn_batch_last_offset(&h), want - 1);
            rn_plog_read_free(&res);
        }
    }
}

static void test_logmgr_reopen_after_clean_close_keeps_partitions_and_offsets(void **state) {
    fx_t *fx = *state;
    fx->opts.defaults.segment_bytes = 512; /* a few segments each */
    mgr_open(fx);
    fill_parts(fx);
    mgr_close(fx, true);
    assert_true(exists_in(fx, CLEAN));
    cp_entry_t cp[16];
    int n = read_checkpoint(fx, cp, 16);
    assert_int_equal(n, NPARTS);
    for (int i = 0; i < NPARTS; i++)
        assert_int_equal(cp_find(cp, n, parts[i].topic, parts[i].partition), 3 * parts[i].batches);
    /* No temporary checkpoint left behind. */
    DIR *d = opendir(fx->root);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, CHECKPOINT) == 0 || strcmp(name, CLEAN) == 0)
            continue;
        if (strncmp(name, CHECKPOINT, strlen(CHECKPOINT)) == 0 || strstr(name, "tmp") != NULL)
            fail_msg("temporary file left in the log dir: %s", name);
    }
    closedir(d);

    mgr_open(fx);
    /* The marker is gone as soon as the manager is open: a crash now is unclean. */
    assert_false(exists_in(fx, CLEAN));
    check_parts(fx, 0);
    for (int i = 0; i < NPARTS; i++) {
        rn_plog_t *p = rn_logmgr_get(fx->mgr, parts[i].topic, parts[i].partition);
        assert_int_equal(rn_plog_recovery_point(p), 3 * parts[i].batches);
    }
    /* Appends go on after a restart. */
    rn_plog_t *p = rn_logmgr_get(fx->mgr, "orders", 0);
    assert_int_equal(append(fx, p, 1), 21);
    mgr_close(fx, true);
    mgr_open(fx);
    check_parts(fx, 1);
}

static void test_logmgr_checkpoint_writes_recovery_points(void **state) {
    fx_t *fx = *state;
    mgr_open(fx);
    fill_parts(fx);
    rn_plog_t *p = rn_logmgr_get(fx->mgr, "orders", 0);
    assert_rc(rn_plog_flush_sync(p), 0);
    append(fx, p, 5); /* not yet flushed: not in the checkpoint */
    assert_rc(rn_logmgr_checkpoint(fx->mgr), 0);
    cp_entry_t cp[16];
    int n = read_checkpoint(fx, cp, 16);
    assert_int_equal(n, NPARTS);
    assert_int_equal(cp_find(cp, n, "orders", 0), 21);
    for (int i = 1; i < NPARTS; i++) {
        rn_plog_t *q = rn_logmgr_get(fx->mgr, parts[i].topic, parts[i].partition);
        assert_int_equal(cp_find(cp, n, parts[i].topic, parts[i].partition),
                         rn_plog_recovery_point(q));
    }
}

static void test_logmgr_reopen_after_unclean_stop_recovers(void **state) {
    fx_t *fx = *state;
    fx->opts.defaults.segment_bytes = 512;
    mgr_open(fx);
    fill_parts(fx);
    rn_plog_t *p = rn_logmgr_get(fx->mgr, "orders", 0);
    assert_rc(rn_plog_flush_sync(p), 0);
    assert_rc(rn_logmgr_checkpoint(fx->mgr), 0);
    append(fx, p, 2); /* past the checkpoint: offsets 21, 22 */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", rn_plog_dir(p));
    mgr_close(fx, false);
    assert_false(exists_in(fx, CLEAN));
    /* A torn write at the end of orders-0's last segment. */
    char last[NAME_MAX + 1];
    lt_newest_log(dir, last, sizeof last);
    char path[sizeof dir + sizeof last]; /* dir, '/' and the name, each at its longest */
    snprintf(path, sizeof path, "%s/%s", dir, last);
    long long size = rn_test_file_size(path);
    uint8_t junk[100];
    memset(junk, 0xab, sizeof junk);
    lt_file_append(path, junk, sizeof junk);
    rn_test_capture_logs();
    mgr_open(fx);
    rn_log_set_sink(NULL, NULL);
    assert_non_null(strstr(rn_test_captured(), last));
    check_parts(fx, 2);
    assert_int_equal(rn_test_file_size(path), size);
    p = rn_logmgr_get(fx->mgr, "orders", 0);
    assert_int_equal(append(fx, p, 1), 23);
}

static void test_logmgr_corrupt_checkpoint_does_not_prevent_opening(void **state) {
    fx_t *fx = *state;
    static const struct {
        const char *text;
        size_t len;
    } bad[] = {
#define V(s) {s, sizeof s - 1}
        V("hello\x00\xff world\n"),
        V("0\n9\norders 0 21\n"),                /* fewer lines than the count */
        V("7\n1\norders 0 21\n"),                /* unknown version */
        V("0\n1\norders zero twenty-one\n"),     /* not numbers */
        V("0\n2\norders 0 999999\na-b 10 -5\n"), /* past the end, negative */
        V(""),
#undef V
    };
    mgr_open(fx);
    fill_parts(fx);
    mgr_close(fx, true);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[1024];
        path_in(path, sizeof path, fx, CHECKPOINT);
        rn_test_write_file(path, bad[i].text, bad[i].len);
        /* unclean (no marker): the checkpoint is what bounds recovery */
        if (exists_in(fx, CLEAN)) {
            path_in(path, sizeof path, fx, CLEAN);
            assert_int_equal(unlink(path), 0);
        }
        int rc = rn_logmgr_open(NULL, &fx->opts, &fx->mgr);
        if (rc != 0)
            fail_msg("checkpoint variant %zu: open failed with %s", i, rn_errname(rc));
        check_parts(fx, 0);
        mgr_close(fx, true);
    }
}

/* DESIGN.md section 3: the broker keeps meta.properties and the metadata quorum's
 * __meta/ directory in the same log dir. */
static void test_logmgr_ignores_meta_properties_and_meta_quorum_dir(void **state) {
    fx_t *fx = *state;
    char path[1024];
    path_in(path, sizeof path, fx, "__meta");
    assert_int_equal(mkdir(path, 0755), 0);
    path_in(path, sizeof path, fx, "__meta/raft-log-1");
    rn_test_write_file(path, "raft", 4);
    path_in(path, sizeof path, fx, "meta.properties");
    const char *meta = "broker.id=1\ncluster.id=abc\nversion=1\n";
    rn_test_write_file(path, meta, strlen(meta));
    mgr_open(fx);
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 0);
    fill_parts(fx);
    mgr_close(fx, true);
    mgr_open(fx);
    check_parts(fx, 0);
    size_t len;
    uint8_t *got = rn_test_read_file(path, &len);
    assert_int_equal(len, strlen(meta));
    assert_memory_equal(got, meta, len);
    free(got);
    path_in(path, sizeof path, fx, "__meta/raft-log-1");
    assert_int_equal(rn_test_file_size(path), 4);
}

static void test_logmgr_bad_partition_directory_name_is_corrupt(void **state) {
    fx_t *fx = *state;
    char path[1024];
    path_in(path, sizeof path, fx, "not-a-partition-x");
    assert_int_equal(mkdir(path, 0755), 0);
    rn_test_capture_logs();
    rn_logmgr_t *mgr = NULL;
    assert_rc(rn_logmgr_open(NULL, &fx->opts, &mgr), RN_ECORRUPT);
    rn_log_set_sink(NULL, NULL);
    /* logged once */
    const char *hit = strstr(rn_test_captured(), "not-a-partition-x");
    assert_non_null(hit);
    assert_null(strstr(hit + 1, "not-a-partition-x"));
}

/* ---- retention and timers ------------------------------------------------------------- */

static void test_logmgr_retention_run_applies_each_partitions_config(void **state) {
    fx_t *fx = *state;
    size_t b;
    rn_free(make_batch(1, 0, &b));
    fx->opts.defaults.segment_bytes = (int64_t)(2 * b);
    fx->opts.defaults.retention_ms = 1000;
    mgr_open(fx);
    rn_plog_t *a = NULL, *keep = NULL;
    rn_log_config_t forever = fx->opts.defaults;
    forever.retention_ms = -1;
    assert_rc(rn_logmgr_create(fx->mgr, "short", 0, NULL, &a), 0);
    assert_rc(rn_logmgr_create(fx->mgr, "forever", 0, &forever, &keep), 0);
    for (int i = 0; i < 6; i++) { /* segments 0 2 4, active 4 */
        append(fx, a, 1);
        append(fx, keep, 1);
    }
    assert_int_equal(rn_plog_segment_count(a), 3);
    assert_int_equal(rn_logmgr_retention_run(fx->mgr, T0 + 500), 0);
    fx->now = T0 + 5000;
    assert_int_equal(rn_logmgr_retention_run(fx->mgr, T0 + 5000), 2);
    assert_int_equal(rn_plog_start_offset(a), 4);
    assert_int_equal(rn_plog_start_offset(keep), 0);
    assert_int_equal(rn_plog_segment_count(keep), 3);
    rn_plog_read_t res;
    memset(&res, 0, sizeof res);
    assert_rc(rn_plog_read(a, 3, 1 << 20, -1, &res), RN_EOFFSETRANGE);
    mgr_close(fx, true);
    mgr_open(fx);
    a = rn_logmgr_get(fx->mgr, "short", 0);
    assert_int_equal(rn_plog_start_offset(a), 4);
    assert_int_equal(rn_plog_end_offset(a), 6);
}

static void test_logmgr_with_loop_close_releases_every_handle(void **state) {
    fx_t *fx = *state;
    uv_loop_t *loop = fx_loop(fx);
    fx->opts.retention_check_ms = 100;
    fx->opts.defaults.flush_ms = 50;
    assert_rc(rn_logmgr_open(loop, &fx->opts, &fx->mgr), 0);
    fill_parts(fx);
    uv_run(loop, UV_RUN_NOWAIT);
    mgr_close(fx, true);
    fx_loop_close(fx);
    assert_true(exists_in(fx, CLEAN));
    mgr_open(fx);
    check_parts(fx, 0);
}

static void test_logmgr_open_creates_missing_dir(void **state) {
    fx_t *fx = *state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/logs", fx->root);
    assert_int_equal(mkdir(dir, 0755) == 0 ? 0 : errno, ENOENT); /* parent missing too */
    snprintf(dir, sizeof dir, "%s/data", fx->root);
    fx->opts.dir = dir;
    mgr_open(fx);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 0);
    mgr_close(fx, true);
    fx->opts.dir = fx->root;
}

typedef struct flushed_s {
    int calls;
    int status;
    int64_t flushed;
} flushed_t;

static void on_flushed(rn_plog_t *plog, int status, int64_t flushed, void *arg) {
    (void)plog;
    flushed_t *f = arg;
    f->calls++;
    f->status = status;
    f->flushed = flushed;
}

static void test_logmgr_close_waits_for_background_flush(void **state) {
    fx_t *fx = *state;
    uv_loop_t *loop = fx_loop(fx);
    assert_rc(rn_logmgr_open(loop, &fx->opts, &fx->mgr), 0);
    rn_plog_t *p = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "orders", 0, NULL, &p), 0);
    for (int i = 0; i < 20; i++)
        append(fx, p, 3);
    flushed_t f1 = {0}, f2 = {0};
    assert_rc(rn_plog_flush(p, on_flushed, &f1), 0);
    append(fx, p, 3);
    assert_rc(rn_plog_flush(p, on_flushed, &f2), 0); /* waits for the next round */
    assert_true(rn_plog_flush_pending(p));
    mgr_close(fx, true); /* the loop has not run: both rounds are still owed */
    assert_int_equal(f1.calls, 1);
    assert_int_equal(f2.calls, 1);
    assert_rc(f1.status, 0);
    assert_rc(f2.status, 0);
    assert_true(f1.flushed >= 60);
    assert_int_equal(f2.flushed, 63);
    fx_loop_close(fx);
    mgr_open(fx);
    p = rn_logmgr_get(fx->mgr, "orders", 0);
    assert_int_equal(rn_plog_end_offset(p), 63);
}

typedef struct async_close_s {
    fx_t *fx;
    int calls, status;
} async_close_t;

static void on_async_closed(void *arg, int status) {
    async_close_t *ac = arg;
    ac->calls++;
    ac->status = status;
}

/* The close runs from inside a loop callback, where uv_run must not be called. */
static void close_from_callback(uv_timer_t *timer) {
    async_close_t *ac = timer->data;
    rn_logmgr_close_async(ac->fx->mgr, true, on_async_closed, ac);
    ac->fx->mgr = NULL;
    uv_close((uv_handle_t *)timer, NULL);
}

static void test_logmgr_close_async_from_a_callback_waits_for_flush(void **state) {
    fx_t *fx = *state;
    uv_loop_t *loop = fx_loop(fx);
    assert_rc(rn_logmgr_open(loop, &fx->opts, &fx->mgr), 0);
    rn_plog_t *p = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "orders", 0, NULL, &p), 0);
    for (int i = 0; i < 20; i++)
        append(fx, p, 3);
    flushed_t f1 = {0};
    assert_rc(rn_plog_flush(p, on_flushed, &f1), 0);
    async_close_t ac = {.fx = fx};
    uv_timer_t timer;
    uv_timer_init(loop, &timer);
    timer.data = &ac;
    uv_timer_start(&timer, close_from_callback, 0, 0);
    assert_rc(uv_run(loop, UV_RUN_DEFAULT), 0); /* returns once everything closed */
    assert_int_equal(ac.calls, 1);
    assert_rc(ac.status, 0);
    assert_int_equal(f1.calls, 1);
    assert_true(exists_in(fx, ".clean-shutdown"));
    fx_loop_close(fx);
    mgr_open(fx);
    assert_int_equal(rn_plog_end_offset(rn_logmgr_get(fx->mgr, "orders", 0)), 60);
}

static void test_logmgr_delete_with_flush_in_flight(void **state) {
    fx_t *fx = *state;
    uv_loop_t *loop = fx_loop(fx);
    assert_rc(rn_logmgr_open(loop, &fx->opts, &fx->mgr), 0);
    rn_plog_t *p = NULL, *q = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "doomed", 0, NULL, &p), 0);
    assert_rc(rn_logmgr_create(fx->mgr, "kept", 0, NULL, &q), 0);
    for (int i = 0; i < 10; i++) {
        append(fx, p, 2);
        append(fx, q, 2);
    }
    flushed_t f1 = {0}, f2 = {0};
    assert_rc(rn_plog_flush(p, on_flushed, &f1), 0);
    append(fx, p, 2);
    assert_rc(rn_plog_flush(p, on_flushed, &f2), 0);
    assert_rc(rn_logmgr_delete(fx->mgr, "doomed", 0), 0);
    assert_false(exists_in(fx, "doomed-0"));
    assert_null(rn_logmgr_get(fx->mgr, "doomed", 0));
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), 1);
    /* The loop runs on; every callback owed is delivered exactly once. */
    int64_t deadline = rn_mono_ns() + 5LL * 1000 * 1000 * 1000;
    while ((f1.calls == 0 || f2.calls == 0) && rn_mono_ns() < deadline) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(500);
    }
    mgr_close(fx, true);
    assert_int_equal(f1.calls, 1);
    assert_int_equal(f2.calls, 1);
    fx_loop_close(fx);
    assert_false(exists_in(fx, "doomed-0"));
    mgr_open(fx);
    assert_null(rn_logmgr_get(fx->mgr, "doomed", 0));
    assert_int_equal(rn_plog_end_offset(rn_logmgr_get(fx->mgr, "kept", 0)), 20);
}

static void test_logmgr_flush_timer_flushes_when_flush_ms_due(void **state) {
    fx_t *fx = *state;
    uv_loop_t *loop = fx_loop(fx);
    fx->opts.defaults.flush_ms = 20;
    assert_rc(rn_logmgr_open(loop, &fx->opts, &fx->mgr), 0);
    rn_plog_t *p = NULL;
    assert_rc(rn_logmgr_create(fx->mgr, "metrics", 0, NULL, &p), 0);
    append(fx, p, 4);
    assert_int_equal(rn_plog_recovery_point(p), 0);
    /* Not due by the injected clock: the timer ticks, nothing is flushed. */
    int64_t deadline = rn_mono_ns() + 100LL * 1000 * 1000;
    while (rn_mono_ns() < deadline) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    assert_int_equal(rn_plog_recovery_point(p), 0);
    /* Due by the injected clock; no append comes: the manager's timer flushes. */
    fx->now = T0 + 1000;
    deadline = rn_mono_ns() + 5LL * 1000 * 1000 * 1000;
    while (rn_plog_recovery_point(p) != 4 && rn_mono_ns() < deadline) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    assert_int_equal(rn_plog_recovery_point(p), 4);
    mgr_close(fx, true);
    fx_loop_close(fx);
}

/* ---- 10,000 partitions ----------------------------------------------------------------- */

#define NTOPICS   100
#define NPERTOPIC 100
#define MAX_OPEN  64
#define FD_SLACK  8

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the DIR's own descriptor */
}

static void topic_name(char *out, size_t n, int t) {
    snprintf(out, n, "fleet-%02d.telemetry", t);
}

typedef struct count_s {
    int n;
    int bad;
} count_t;

static void count_visit(const char *topic, int32_t partition, rn_plog_t *plog, void *arg) {
    count_t *c = arg;
    c->n++;
    if (strncmp(topic, "fleet-", 6) != 0 || partition < 0 || partition >= NPERTOPIC ||
        rn_plog_end_offset(plog) != 3)
        c->bad++;
}

static double secs_since(int64_t t) {
    return (double)(rn_mono_ns() - t) / 1e9;
}

static void test_logmgr_ten_thousand_partitions_reopen_with_bounded_fds(void **state) {
    fx_t *fx = *state;
    size_t b;
    rn_free(make_batch(1, 0, &b));
    fx->opts.defaults.segment_bytes = (int64_t)(2 * b); /* 3 batches: 2 segments each */
    fx->opts.max_open_files = MAX_OPEN;
    int base_fds = count_fds();
    int max_fds = base_fds;
    int64_t t = rn_mono_ns();
    mgr_open(fx);
    char topic[64];
    for (int ti = 0; ti < NTOPICS; ti++) {
        topic_name(topic, sizeof topic, ti);
        for (int pi = 0; pi < NPERTOPIC; pi++) {
            rn_plog_t *p = NULL;
            assert_rc(rn_logmgr_create(fx->mgr, topic, pi, NULL, &p), 0);
            for (int k = 0; k < 3; k++)
                assert_int_equal(append(fx, p, 1), k);
        }
        int fds = count_fds();
        max_fds = fds > max_fds ? fds : max_fds;
    }
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), NTOPICS * NPERTOPIC);
    print_message("created %d partitions in %.1f s\n", NTOPICS * NPERTOPIC, secs_since(t));
    t = rn_mono_ns();
    mgr_close(fx, true);
    print_message("clean close in %.1f s\n", secs_since(t));
    assert_int_equal(count_fds(), base_fds);

    t = rn_mono_ns();
    mgr_open(fx);
    print_message("reopened in %.1f s\n", secs_since(t));
    max_fds = count_fds() > max_fds ? count_fds() : max_fds;
    assert_int_equal(rn_logmgr_partition_count(fx->mgr), NTOPICS * NPERTOPIC);
    count_t c = {0};
    rn_logmgr_foreach(fx->mgr, count_visit, &c);
    assert_int_equal(c.n, NTOPICS * NPERTOPIC);
    assert_int_equal(c.bad, 0);
    /* Read the first batch of every partition: each opens its first segment again. */
    t = rn_mono_ns();
    for (int ti = 0; ti < NTOPICS; ti++) {
        topic_name(topic, sizeof topic, ti);
        for (int pi = 0; pi < NPERTOPIC; pi++) {
            rn_plog_t *p = rn_logmgr_get(fx->mgr, topic, pi);
            if (p == NULL)
                fail_msg("%s-%d missing after reopen", topic, pi);
            assert_int_equal(rn_plog_segment_count(p), 2);
            assert_int_equal(rn_plog_end_offset(p), 3);
            rn_plog_read_t res;
            memset(&res, 0, sizeof res);
            assert_rc(rn_plog_read(p, 0, 1 << 20, -1, &res), 0);
            assert_true(res.len > 0);
            rn_batch_header_t h;
            assert_rc(rn_batch_check(res.data, res.len, &h), 0);
            assert_int_equal(h.base_offset, 0);
            rn_plog_read_free(&res);
        }
        int fds = count_fds();
        max_fds = fds > max_fds ? fds : max_fds;
    }
    print_message("read every partition in %.1f s; most fds open: %d (base %d)\n", secs_since(t),
                  max_fds, base_fds);
    if (max_fds > base_fds + MAX_OPEN + FD_SLACK)
        fail_msg("%d descriptors open at most, over the cache's %d (+%d slack, base %d)", max_fds,
                 MAX_OPEN, FD_SLACK, base_fds);
    mgr_close(fx, true);
    assert_int_equal(count_fds(), base_fds);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_logmgr_create_get_and_directory_layout),
        T(test_logmgr_invalid_topic_names_are_rejected),
        T(test_logmgr_delete_removes_partition_directory),
        T(test_logmgr_reopen_after_clean_close_keeps_partitions_and_offsets),
        T(test_logmgr_checkpoint_writes_recovery_points),
        T(test_logmgr_reopen_after_unclean_stop_recovers),
        T(test_logmgr_corrupt_checkpoint_does_not_prevent_opening),
        T(test_logmgr_ignores_meta_properties_and_meta_quorum_dir),
        T(test_logmgr_bad_partition_directory_name_is_corrupt),
        T(test_logmgr_retention_run_applies_each_partitions_config),
        T(test_logmgr_with_loop_close_releases_every_handle),
        T(test_logmgr_open_creates_missing_dir),
        T(test_logmgr_close_waits_for_background_flush),
        T(test_logmgr_flush_timer_flushes_when_flush_ms_due),
        T(test_logmgr_close_async_from_a_callback_waits_for_flush),
        T(test_logmgr_delete_with_flush_in_flight),
        T(test_logmgr_ten_thousand_partitions_reopen_with_bounded_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
