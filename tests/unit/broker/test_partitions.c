/* test_partitions.c — the partition registry: config resolution, following the
 * metadata image (create, config change, delete, re-create), lookups and waiters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker/partitions.h"
#include "common/alloc.h"
#include "meta/controller.h"
#include "meta/records.h"
#include "testutil.h"

static rn_meta_topic_t *topic_with(const char *const *kv, int n) {
    static rn_meta_kv_t cfgs[16];
    static rn_meta_topic_t t;
    memset(&t, 0, sizeof t);
    t.name = (char *)"t";
    for (int i = 0; i < n; i++)
        cfgs[i] = (rn_meta_kv_t){(char *)kv[2 * i], (char *)kv[2 * i + 1]};
    t.configs = cfgs;
    t.nconfigs = n;
    return &t;
}

static void test_partitions_resolve_overlays_topic_overrides_on_broker_defaults(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    cfg.min_insync_replicas = 2;
    rn_log_config_t lc;
    int32_t min_isr;
    rn_partitioner_t p;
    rn_partitions_resolve(&cfg, NULL, &lc, &min_isr, &p);
    assert_memory_equal(&lc, &cfg.log, sizeof lc);
    assert_int_equal(min_isr, 2);
    assert_int_equal(p, RN_PARTITIONER_DEFAULT);
    /* sorted by key, as the image keeps them */
    static const char *const kv[] = {"flush.messages",      "10",      "max.message.bytes", "2000",
                                     "min.insync.replicas", "1",       "partitioner",       "hash",
                                     "retention.bytes",     "5000",    "retention.ms",      "60000",
                                     "segment.bytes",       "1048576", "segment.ms",        "1000"};
    rn_partitions_resolve(&cfg, topic_with(kv, 8), &lc, &min_isr, &p);
    assert_int_equal(lc.flush_messages, 10);
    assert_int_equal(lc.max_message_bytes, 2000);
    assert_int_equal(lc.retention_bytes, 5000);
    assert_int_equal(lc.retention_ms, 60000);
    assert_int_equal(lc.segment_bytes, 1048576);
    assert_int_equal(lc.segment_ms, 1000);
    assert_int_equal(lc.index_interval_bytes, cfg.log.index_interval_bytes);
    assert_int_equal(min_isr, 1);
    assert_int_equal(p, RN_PARTITIONER_HASH);
}

static void test_partitions_resolve_keeps_defaults_for_unparsable_overrides(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    static const char *const kv[] = {"partitioner", "zigzag", "retention.ms", "soon"};
    rn_log_config_t lc;
    int32_t min_isr;
    rn_partitioner_t p;
    rn_test_capture_logs();
    rn_partitions_resolve(&cfg, topic_with(kv, 2), &lc, &min_isr, &p);
    assert_int_equal(lc.retention_ms, cfg.log.retention_ms);
    assert_int_equal(p, RN_PARTITIONER_DEFAULT);
    assert_int_equal(rn_test_captured_count(), 2);
    rn_test_capture_reset();
}

/* ---- the registry against a real log manager (no loop) ---------------------------- */

typedef struct fx_s {
    char *dir;
    rn_broker_config_t cfg;
    rn_logmgr_t *mgr;
    rn_meta_image_t *img;
    rn_partitions_t *reg;
} fx_t;

static void apply(fx_t *fx, rn_meta_record_t *rec) {
    assert_int_equal(rn_meta_image_apply(fx->img, rec), 0);
    rn_meta_record_deinit(rec);
}

static void create_topic(fx_t *fx, const char *name, int32_t parts) {
    rn_topic_spec_t spec = {.name = name, .partitions = parts, .replication_factor = 1};
    rn_meta_record_t rec;
    assert_int_equal(rn_controller_create_topic(fx->img, &spec, NULL, &rec, NULL, 0), 0);
    apply(fx, &rec);
}

static void fx_open(fx_t *fx) {
    memset(fx, 0, sizeof *fx);
    fx->dir = rn_test_tmpdir("partitions");
    rn_broker_config_default(&fx->cfg);
    rn_logmgr_opts_t opts;
    rn_logmgr_opts_default(&opts);
    opts.dir = fx->dir;
    opts.defaults = fx->cfg.log;
    assert_int_equal(rn_logmgr_open(NULL, &opts, &fx->mgr), 0);
    fx->img = rn_meta_image_new();
    rn_meta_record_t reg = {.type = RN_MREC_REGISTER_BROKER};
    reg.register_broker.broker_id = 1;
    reg.register_broker.host = rn_strdup("127.0.0.1");
    reg.register_broker.port = 9092;
    apply(fx, &reg);
    fx->reg = rn_partitions_new(1, &fx->cfg, fx->mgr);
}

static void fx_close(fx_t *fx) {
    rn_partitions_free(fx->reg);
    assert_int_equal(rn_logmgr_close(fx->mgr, true), 0);
    rn_meta_image_free(fx->img);
    rn_test_rmtree(fx->dir);
    free(fx->dir);
}

static bool exists(fx_t *fx, const char *rel) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
    return stat(path, &st) == 0;
}

typedef struct wake_log_s {
    rn_part_waiter_t w;
    int appends, gone, stops;
} wake_log_t;

static void on_wake(rn_part_waiter_t *w, rn_partition_t *part, rn_part_wake_t why) {
    (void)part;
    wake_log_t *l = w->arg;
    if (why == RN_PART_WAKE_APPEND)
        l->appends++;
    else if (why == RN_PART_WAKE_GONE)
        l->gone++;
    else
        l->stops++;
}

static void test_partitions_sync_creates_logs_and_looks_up_by_name_view(void **state) {
    (void)state;
    fx_t fx;
    fx_open(&fx);
    create_topic(&fx, "orders", 3);
    assert_int_equal(rn_partitions_sync(fx.reg, fx.img, true), 0);
    assert_int_equal(rn_partitions_count(fx.reg), 3);
    assert_true(exists(&fx, "orders-2/partition.metadata"));
    const char view[] = "orders-and-more";
    rn_partition_t *p = rn_partitions_get(fx.reg, view, 6, 2);
    assert_non_null(p);
    assert_int_equal(p->index, 2);
    assert_true(p->is_leader);
    assert_int_equal(p->leader_epoch, 0);
    assert_int_equal(p->high_watermark, 0);
    assert_true(rn_partition_isr_ok(p));
    assert_null(rn_partitions_get(fx.reg, view, 7, 0));
    assert_null(rn_partitions_get(fx.reg, "orders", 6, 3));
    assert_null(rn_partitions_get(fx.reg, "orders", 6, -1));
    assert_int_equal(rn_partitions_topic(fx.reg, "orders", 6)->npartitions, 3);
    char name[64];
    assert_string_equal(rn_partition_name(p, name, sizeof name), "orders-2");
    fx_close(&fx);
}

static void test_partitions_config_change_reaches_the_log(void **state) {
    (void)state;
    fx_t fx;
    fx_open(&fx);
    create_topic(&fx, "t", 1);
    assert_int_equal(rn_partitions_sync(fx.reg, fx.img, true), 0);
    rn_meta_kv_t kv[] = {{(char *)"retention.ms", (char *)"1234"},
                         {(char *)"partitioner", (char *)"sticky"}};
    rn_meta_record_t *recs;
    size_t n;
    assert_int_equal(rn_controller_alter_configs(fx.img, "t", kv, 2, &recs, &n, NULL, 0), 0);
    for (size_t i = 0; i < n; i++)
        apply(&fx, &recs[i]);
    rn_free(recs);
    assert_int_equal(rn_partitions_sync_topic(fx.reg, fx.img, "t", true), 0);
    rn_partition_t *p = rn_partitions_get(fx.reg, "t", 1, 0);
    assert_int_equal(p->log_cfg.retention_ms, 1234);
    assert_int_equal(rn_plog_config(p->plog)->retention_ms, 1234);
    assert_int_equal(p->topic->partitioner, RN_PARTITIONER_STICKY);
    fx_close(&fx);
}

static void test_partitions_delete_wakes_waiters_and_deletes_logs(void **state) {
    (void)state;
    fx_t fx;
    fx_open(&fx);
    create_topic(&fx, "gone", 1);
    create_topic(&fx, "kept", 1);
    assert_int_equal(rn_partitions_sync(fx.reg, fx.img, true), 0);
    wake_log_t a = {.w = {.fn = on_wake}}, k = {.w = {.fn = on_wake}};
    a.w.arg = &a;
    k.w.arg = &k;
    rn_partition_t *p = rn_partitions_get(fx.reg, "gone", 4, 0);
    rn_partition_wait(p, &a.w);
    rn_partition_wait(rn_partitions_get(fx.reg, "kept", 4, 0), &k.w);
    rn_partition_appended(p);
    rn_partition_appended(p);
    assert_int_equal(a.appends, 2);
    assert_ptr_equal(a.w.part, p); /* stays registered after an append */
    rn_meta_record_t rec;
    assert_int_equal(rn_controller_delete_topic(fx.img, "gone", &rec, NULL, 0), 0);
    apply(&fx, &rec);
    assert_int_equal(rn_partitions_sync_topic(fx.reg, fx.img, "gone", true), 0);
    assert_int_equal(a.gone, 1);
    assert_null(a.w.part);
    assert_null(rn_partitions_get(fx.reg, "gone", 4, 0));
    assert_false(exists(&fx, "gone-0"));
    assert_int_equal(rn_partitions_count(fx.reg), 1);
    rn_partitions_wake_all(fx.reg, RN_PART_WAKE_STOP);
    assert_int_equal(k.stops, 1);
    assert_null(k.w.part);
    fx_close(&fx);
}

static void test_partitions_recreated_topic_gets_a_fresh_log(void **state) {
    (void)state;
    fx_t fx;
    fx_open(&fx);
    create_topic(&fx, "t", 1);
    assert_int_equal(rn_partitions_sync(fx.reg, fx.img, true), 0);
    /* a stale directory of an older "t": forge its partition.metadata */
    char path[1024];
    snprintf(path, sizeof path, "%s/t-0/partition.metadata", fx.dir);
    rn_test_write_file(path, "version: 0\ntopic_id: 00\n", 24);
    rn_partitions_free(fx.reg);
    fx.reg = rn_partitions_new(1, &fx.cfg, fx.mgr);
    rn_test_capture_logs();
    assert_int_equal(rn_partitions_sync(fx.reg, fx.img, true), 0);
    assert_non_null(strstr(rn_test_captured(), "older topic"));
    rn_test_capture_reset();
    size_t len;
    uint8_t *text = rn_test_read_file(path, &len);
    assert_false(len == 24 && memcmp(text, "version: 0\ntopic_id: 00\n", 24) == 0);
    assert_true(len > 24); /* rewritten with the topic's 32-digit id */
    free(text);
    fx_close(&fx);
}

static void test_partitions_hw_is_the_minimum_over_the_maximal_isr(void **state) {
    (void)state;
    rn_replica_pos_t fol[] = {{.replica_id = 2, .log_end = 7}, {.replica_id = 3, .log_end = 4}};
    int32_t isr1[] = {1}, isr12[] = {1, 2}, isr123[] = {1, 2, 3}, want13[] = {1, 3};
    /* The leader alone: its own log end. */
    assert_int_equal(rn_isr_high_watermark(1, 10, isr1, 1, NULL, 0, fol, 2), 10);
    /* Committed {1,2}: the lagging follower 3 does not count. */
    assert_int_equal(rn_isr_high_watermark(1, 10, isr12, 2, NULL, 0, fol, 2), 7);
    assert_int_equal(rn_isr_high_watermark(1, 10, isr123, 3, NULL, 0, fol, 2), 4);
    /* A pending addition counts at once (maximal ISR)... */
    assert_int_equal(rn_isr_high_watermark(1, 10, isr12, 2, want13, 2, fol, 2), 4);
    /* ...and a pending removal still counts: want {1,3} against committed {1,2}. */
    assert_int_equal(rn_isr_high_watermark(1, 10, isr1, 1, want13, 2, fol, 1), -1);
    /* A member that never fetched holds the HW back. */
    assert_int_equal(rn_isr_high_watermark(1, 10, isr123, 3, NULL, 0, fol, 1), -1);
    assert_int_equal(rn_isr_max_size(isr12, 2, want13, 2), 3);
    assert_int_equal(rn_isr_max_size(isr123, 3, NULL, 0), 3);
    assert_int_equal(rn_isr_max_size(isr1, 1, NULL, 0), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partitions_resolve_overlays_topic_overrides_on_broker_defaults),
        cmocka_unit_test(test_partitions_resolve_keeps_defaults_for_unparsable_overrides),
        cmocka_unit_test(test_partitions_sync_creates_logs_and_looks_up_by_name_view),
        cmocka_unit_test(test_partitions_config_change_reaches_the_log),
        cmocka_unit_test(test_partitions_delete_wakes_waiters_and_deletes_logs),
        cmocka_unit_test(test_partitions_recreated_topic_gets_a_fresh_log),
        cmocka_unit_test(test_partitions_hw_is_the_minimum_over_the_maximal_isr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
