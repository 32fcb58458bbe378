/* test_controller.c — the controller's decisions: replica assignment, validation of
 * names, partitions, replication factor and configs, delete and alter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "meta/controller.h"
#include "meta/image.h"
#include "meta_testutil.h"

static rn_meta_image_t *brokers(int n) {
    rn_meta_image_t *img = rn_meta_image_new();
    for (int i = 1; i <= n; i++)
        assert_int_equal(mt_apply(img, mt_register(i, "127.0.0.1", (uint16_t)(9000 + i), false)),
                         0);
    return img;
}

static int create(rn_meta_image_t *img, const char *name, int32_t np, int32_t rf,
                  rn_meta_record_t *out) {
    char err[256] = "";
    rn_topic_spec_t spec = {.name = name, .partitions = np, .replication_factor = rf};
    return rn_controller_create_topic(img, &spec, NULL, out, err, sizeof err);
}

static void test_controller_three_partitions_on_three_brokers_have_distinct_leaders(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(3);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "orders", 3, 3, &rec), 0);
    assert_int_equal(rec.type, RN_MREC_CREATE_TOPIC);
    assert_int_equal(rec.create_topic.npartitions, 3);
    bool led[4] = {false};
    for (int p = 0; p < 3; p++) {
        const rn_meta_partition_t *part = &rec.create_topic.partitions[p];
        assert_int_equal(part->nreplicas, 3);
        assert_int_equal(part->nisr, 1); /* {leader} until replication exists */
        assert_int_equal(part->isr[0], part->leader);
        assert_int_equal(part->leader, part->replicas[0]);
        assert_int_equal(part->leader_epoch, 0);
        assert_false(led[part->leader]);
        led[part->leader] = true;
        /* replicas distinct */
        assert_int_not_equal(part->replicas[0], part->replicas[1]);
        assert_int_not_equal(part->replicas[1], part->replicas[2]);
        assert_int_not_equal(part->replicas[0], part->replicas[2]);
    }
    static const uint8_t zero[RN_META_ID_LEN];
    assert_memory_not_equal(rec.create_topic.topic_id, zero, RN_META_ID_LEN);
    /* The record applies. */
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);

    /* The next topic's first leader moves on: leaders spread across topics too. */
    assert_int_equal(create(img, "audit", 1, 1, &rec), 0);
    int32_t first = rec.create_topic.partitions[0].leader;
    rn_meta_record_deinit(&rec);
    assert_int_equal(create(img, "audit", 2, 1, &rec), 0);
    assert_int_equal(rec.create_topic.partitions[0].leader, first);
    assert_int_not_equal(rec.create_topic.partitions[1].leader, first);
    rn_meta_record_deinit(&rec);
    rn_meta_image_free(img);
}

static void test_controller_skips_fenced_brokers(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(3);
    assert_int_equal(mt_apply(img, mt_fence(2, true)), 0);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "t", 4, 2, &rec), 0);
    for (int p = 0; p < 4; p++)
        for (int j = 0; j < 2; j++)
            assert_int_not_equal(rec.create_topic.partitions[p].replicas[j], 2);
    rn_meta_record_deinit(&rec);
    assert_int_equal(create(img, "t", 1, 3, &rec), RN_EREPLICATIONFACTOR);
    rn_meta_image_free(img);
}

static void test_controller_replication_factor_above_brokers_is_refused(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(1);
    rn_meta_record_t rec;
    char err[256] = "";
    rn_topic_spec_t spec = {.name = "t", .partitions = 1, .replication_factor = 3};
    assert_int_equal(rn_controller_create_topic(img, &spec, NULL, &rec, err, sizeof err),
                     RN_EREPLICATIONFACTOR);
    assert_non_null(strstr(err, "replication factor 3"));
    assert_int_equal(create(img, "t", 1, 0, &rec), RN_EREPLICATIONFACTOR);
    assert_int_equal(create(img, "t", 0, 1, &rec), RN_EINVALIDPARTITIONS);
    assert_int_equal(create(img, "t", RN_CONTROLLER_MAX_PARTITIONS + 1, 1, &rec),
                     RN_EINVALIDPARTITIONS);
    rn_meta_image_free(img);
    /* No brokers at all: nothing can host a replica. */
    img = rn_meta_image_new();
    assert_int_equal(create(img, "t", 1, 1, &rec), RN_EREPLICATIONFACTOR);
    rn_meta_image_free(img);
}

static void test_controller_invalid_names_are_refused(void **s) {
    (void)s;
    char long_name[251];
    memset(long_name, 'a', 250);
    long_name[250] = '\0';
    const char *bad[] = {"", ".", "..", "with space", "slash/x", "émoji", "tab\t", long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rn_controller_check_topic_name(bad[i]), RN_EINVALIDTOPIC);
    assert_int_equal(rn_controller_check_topic_name(NULL), RN_EINVALIDTOPIC);
    long_name[249] = '\0';
    const char *good[] = {"a", "orders", "my.topic_v-2", "...", "__consumer_offsets", long_name};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(rn_controller_check_topic_name(good[i]), 0);
    rn_meta_image_t *img = brokers(1);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "bad name", 1, 1, &rec), RN_EINVALIDTOPIC);
    rn_meta_image_free(img);
}

static void test_controller_existing_topic_is_refused(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(1);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "t", 1, 1, &rec), 0);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    assert_int_equal(create(img, "t", 1, 1, &rec), RN_ETOPICEXISTS);
    rn_meta_image_free(img);
}

static void test_controller_configs_are_validated(void **s) {
    (void)s;
    char err[256];
    struct {
        const char *key, *value;
        int rc;
    } cases[] = {
        {"retention.ms", "-1", 0},
        {"retention.ms", "-2", RN_ECONFIG},
        {"retention.ms", "soon", RN_ECONFIG},
        {"retention.ms", "", RN_ECONFIG},
        {"retention.bytes", "1073741824", 0},
        {"segment.bytes", "1048576", 0},
        {"segment.bytes", "10", RN_ECONFIG},
        {"segment.bytes", "4294967296", RN_ECONFIG},
        {"segment.ms", "0", RN_ECONFIG},
        {"min.insync.replicas", "2", 0},
        {"min.insync.replicas", "0", RN_ECONFIG},
        {"max.message.bytes", "1048588", 0},
        {"unclean.leader.election.enable", "true", 0},
        {"unclean.leader.election.enable", "yes", RN_ECONFIG},
        {"flush.messages", "1", 0},
        {"flush.ms", "0", 0},
        {"partitioner", "sticky", 0},
        {"partitioner", "hash", 0},
        {"partitioner", "default", 0},
        {"partitioner", "random", RN_ECONFIG},
        {"compression.type", "gzip", RN_ECONFIG},
        {"retention.ms", "99999999999999999999", RN_ECONFIG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        int rc = rn_controller_check_config(cases[i].key, cases[i].value, err, sizeof err);
        if (rc != cases[i].rc)
            fail_msg("%s=%s: got %d, want %d", cases[i].key, cases[i].value, rc, cases[i].rc);
        if (rc != 0)
            assert_non_null(strstr(err, cases[i].key)); /* the message names the key */
    }
}

static void test_controller_create_with_configs_and_alter(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(1);
    rn_meta_kv_t cfg[] = {{"retention.ms", "1000"}, {"partitioner", "hash"}};
    rn_topic_spec_t spec = {"t", 2, 1, cfg, 2};
    rn_meta_record_t rec;
    char err[256];
    assert_int_equal(rn_controller_create_topic(img, &spec, NULL, &rec, err, sizeof err), 0);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "t");
    assert_string_equal(rn_meta_topic_config(t, "partitioner"), "hash");

    rn_meta_kv_t dup[] = {{"retention.ms", "1"}, {"retention.ms", "2"}};
    spec = (rn_topic_spec_t){"u", 1, 1, dup, 2};
    assert_int_equal(rn_controller_create_topic(img, &spec, NULL, &rec, err, sizeof err),
                     RN_ECONFIG);

    rn_meta_kv_t changes[] = {{"retention.ms", NULL}, {"segment.bytes", "1048576"}};
    rn_meta_record_t *recs;
    size_t n;
    assert_int_equal(rn_controller_alter_configs(img, "t", changes, 2, &recs, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rn_meta_image_apply(img, &recs[i]), 0);
        rn_meta_record_deinit(&recs[i]);
    }
    rn_free(recs);
    t = rn_meta_image_topic(img, "t");
    assert_null(rn_meta_topic_config(t, "retention.ms"));
    assert_string_equal(rn_meta_topic_config(t, "segment.bytes"), "1048576");

    rn_meta_kv_t bad[] = {{"segment.bytes", "1"}};
    assert_int_equal(rn_controller_alter_configs(img, "t", bad, 1, &recs, &n, err, sizeof err),
                     RN_ECONFIG);
    assert_null(recs);
    assert_int_equal(
        rn_controller_alter_configs(img, "nope", changes, 2, &recs, &n, err, sizeof err),
        RN_EUNKNOWNTOPIC);
    rn_meta_image_free(img);
}

static void test_controller_delete(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(1);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "t", 1, 1, &rec), 0);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    char err[128];
    assert_int_equal(rn_controller_delete_topic(img, "t", &rec, err, sizeof err), 0);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    assert_null(rn_meta_image_topic(img, "t"));
    assert_int_equal(rn_controller_delete_topic(img, "t", &rec, err, sizeof err), RN_EUNKNOWNTOPIC);
    assert_non_null(strstr(err, "'t'"));
    rn_meta_image_free(img);
}

static void test_controller_grows_partitions_continuing_the_round_robin(void **s) {
    (void)s;
    rn_meta_image_t *img = brokers(3);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "other", 1, 1, &rec), 0); /* moves orders' start */
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    assert_int_equal(create(img, "orders", 2, 2, &rec), 0);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);

    char err[256] = "";
    assert_int_equal(rn_controller_create_partitions(img, "orders", 6, &rec, err, sizeof err), 0);
    assert_int_equal(rec.type, RN_MREC_CREATE_PARTITIONS);
    assert_string_equal(rec.create_partitions.name, "orders");
    assert_memory_equal(rec.create_partitions.topic_id, rn_meta_image_topic(img, "orders")->id,
                        RN_META_ID_LEN);
    assert_int_equal(rec.create_partitions.first, 2);
    assert_int_equal(rec.create_partitions.npartitions, 4);
    for (int i = 0; i < 4; i++) {
        const rn_meta_partition_t *part = &rec.create_partitions.partitions[i];
        assert_int_equal(part->nreplicas, 2);
        assert_int_not_equal(part->replicas[0], part->replicas[1]);
        assert_int_equal(part->leader, part->replicas[0]);
        assert_int_equal(part->nisr, 1);
        assert_int_equal(part->isr[0], part->leader);
        assert_int_equal(part->leader_epoch, 0);
    }
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    /* Partition p is led where creation would have put it: consecutive partitions on
     * consecutive brokers, so 6 partitions on 3 brokers give each broker two. */
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->npartitions, 6);
    int led[4] = {0};
    for (int p = 0; p < 6; p++) {
        led[t->partitions[p].leader]++;
        if (p > 0)
            assert_int_equal(t->partitions[p].leader, t->partitions[p - 1].leader % 3 + 1);
    }
    assert_int_equal(led[1], 2);
    assert_int_equal(led[2], 2);
    assert_int_equal(led[3], 2);

    /* Never shrinks, never stays. */
    assert_int_equal(rn_controller_create_partitions(img, "orders", 6, &rec, err, sizeof err),
                     RN_EINVALIDPARTITIONS);
    assert_string_equal(err, "topic orders has 6 partitions; it can only grow");
    assert_int_equal(rec.type, 0);
    assert_int_equal(rn_controller_create_partitions(img, "orders", 3, &rec, err, sizeof err),
                     RN_EINVALIDPARTITIONS);
    assert_int_equal(rn_controller_create_partitions(img, "orders", -1, &rec, err, sizeof err),
                     RN_EINVALIDPARTITIONS);
    assert_int_equal(rn_controller_create_partitions(
                         img, "orders", RN_CONTROLLER_MAX_PARTITIONS + 1, &rec, err, sizeof err),
                     RN_EINVALIDPARTITIONS);
    assert_non_null(strstr(err, "100000"));
    assert_int_equal(rn_controller_create_partitions(img, "nope", 2, &rec, err, sizeof err),
                     RN_EUNKNOWNTOPIC);
    assert_non_null(strstr(err, "'nope'"));

    /* Fenced brokers get nothing; too few live brokers for the topic's factor is refused. */
    assert_int_equal(mt_apply(img, mt_fence(t->partitions[0].leader, true)), 0);
    assert_int_equal(rn_controller_create_partitions(img, "orders", 8, &rec, err, sizeof err), 0);
    int32_t fenced = rn_meta_image_topic(img, "orders")->partitions[0].leader;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            assert_int_not_equal(rec.create_partitions.partitions[i].replicas[j], fenced);
    rn_meta_record_deinit(&rec);
    assert_int_equal(mt_apply(img, mt_fence(fenced % 3 + 1, true)), 0);
    assert_int_equal(rn_controller_create_partitions(img, "orders", 8, &rec, err, sizeof err),
                     RN_EREPLICATIONFACTOR);
    rn_meta_image_free(img);
}

/* Apply n records in order, asserting each applies, then free them. */
static void apply_all(rn_meta_image_t *img, rn_meta_record_t *recs, size_t n) {
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rn_meta_image_apply(img, &recs[i]), 0);
    rn_controller_records_free(recs, n);
}

/* orders: 3 partitions, RF 3 on brokers 1..3; full_isr puts every replica in the ISR. */
static rn_meta_image_t *three_brokers_with_orders(bool full_isr) {
    rn_meta_image_t *img = brokers(3);
    rn_meta_record_t rec;
    assert_int_equal(create(img, "orders", 3, 3, &rec), 0);
    for (int p = 0; full_isr && p < 3; p++) {
        rn_meta_partition_t *part = &rec.create_topic.partitions[p];
        part->isr = rn_realloc(part->isr, 3 * sizeof *part->isr);
        memcpy(part->isr, part->replicas, 3 * sizeof *part->isr);
        part->nisr = 3;
    }
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    return img;
}

static void test_controller_fencing_the_only_isr_member_takes_its_partition_offline(void **s) {
    (void)s;
    rn_meta_image_t *img = three_brokers_with_orders(false);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "orders");
    int32_t victim = t->partitions[0].leader;
    rn_meta_record_t *recs;
    size_t n;
    int unclean;
    assert_int_equal(rn_controller_fence_broker(img, victim, false, &recs, &n, &unclean), 0);
    assert_int_equal(n, 2); /* FenceBroker + the one partition it leads */
    assert_int_equal(unclean, 0);
    assert_int_equal(recs[0].type, RN_MREC_FENCE_BROKER);
    assert_int_equal(recs[0].fence.broker_id, victim);
    assert_int_equal(recs[1].type, RN_MREC_PARTITION_CHANGE);
    assert_int_equal(recs[1].partition_change.partition, 0);
    assert_int_equal(recs[1].partition_change.leader, -1);
    assert_int_equal(recs[1].partition_change.leader_epoch, 1);
    assert_int_equal(recs[1].partition_change.nisr, 1); /* kept: who has the data */
    apply_all(img, recs, n);
    t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->partitions[0].leader, -1);
    assert_true(rn_meta_image_broker(img, victim)->fenced);
    assert_int_equal(rn_meta_image_live_brokers(img), 2);

    /* It comes back: unfenced, and it leads its partition again at a new epoch. */
    assert_int_equal(rn_controller_unfence_broker(img, victim, &recs, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(recs[0].type, RN_MREC_UNFENCE_BROKER);
    assert_int_equal(recs[1].partition_change.leader, victim);
    assert_int_equal(recs[1].partition_change.leader_epoch, 2);
    apply_all(img, recs, n);
    t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->partitions[0].leader, victim);
    assert_false(rn_meta_image_broker(img, victim)->fenced);
    assert_int_equal(rn_controller_fence_broker(img, 9, false, &recs, &n, &unclean),
                     RN_EUNKNOWNBROKER);
    assert_int_equal(rn_controller_unfence_broker(img, 9, &recs, &n), RN_EUNKNOWNBROKER);
    rn_meta_image_free(img);
}

static void test_controller_fencing_moves_leadership_to_the_next_live_isr_member(void **s) {
    (void)s;
    rn_meta_image_t *img = three_brokers_with_orders(true);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "orders");
    int32_t victim = t->partitions[0].leader;
    int32_t next = t->partitions[0].replicas[1];
    rn_meta_record_t *recs;
    size_t n;
    int unclean;
    assert_int_equal(rn_controller_fence_broker(img, victim, false, &recs, &n, &unclean), 0);
    assert_int_equal(n, 4); /* it is in every partition's ISR */
    apply_all(img, recs, n);
    t = rn_meta_image_topic(img, "orders");
    for (int p = 0; p < 3; p++) {
        const rn_meta_partition_t *part = &t->partitions[p];
        assert_int_equal(part->nisr, 2);
        assert_int_not_equal(part->isr[0], victim);
        assert_int_not_equal(part->isr[1], victim);
        assert_int_not_equal(part->leader, victim);
        /* only the partition it led changes leader and epoch */
        assert_int_equal(part->leader_epoch, p == 0 ? 1 : 0);
    }
    assert_int_equal(t->partitions[0].leader, next);
    rn_meta_image_free(img);
}

static void test_controller_unclean_election_picks_a_live_replica(void **s) {
    (void)s;
    rn_meta_image_t *img = three_brokers_with_orders(false);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "orders");
    int32_t victim = t->partitions[0].leader;
    int32_t next = t->partitions[0].replicas[1];
    rn_meta_record_t *recs;
    size_t n;
    int unclean;
    assert_int_equal(rn_controller_fence_broker(img, victim, true, &recs, &n, &unclean), 0);
    assert_int_equal(unclean, 1);
    assert_int_equal(recs[1].partition_change.leader, next);
    assert_int_equal(recs[1].partition_change.nisr, 1);
    assert_int_equal(recs[1].partition_change.isr[0], next);
    apply_all(img, recs, n);
    rn_meta_image_free(img);
}

static void test_controller_alter_isr_validates_and_changes_the_isr(void **s) {
    (void)s;
    rn_meta_image_t *img = three_brokers_with_orders(false);
    const rn_meta_partition_t *mp = &rn_meta_image_topic(img, "orders")->partitions[0];
    int32_t l = mp->leader, f1 = mp->replicas[1], f2 = mp->replicas[2];
    rn_meta_record_t rec;
    bool changed;
    int32_t grow[] = {f2, l}; /* any order: the record lists assignment order */
    assert_int_equal(rn_controller_alter_isr(img, "nope", 0, l, 0, grow, 2, &rec, &changed),
                     RN_ALTER_ISR_UNKNOWN);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 7, l, 0, grow, 2, &rec, &changed),
                     RN_ALTER_ISR_UNKNOWN);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, f1, 0, grow, 2, &rec, &changed),
                     RN_ALTER_ISR_NOT_LEADER);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 1, grow, 2, &rec, &changed),
                     RN_ALTER_ISR_STALE);
    int32_t no_leader[] = {f1}, dup[] = {l, l}, stranger[] = {l, 9};
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, no_leader, 1, &rec, &changed),
                     RN_ALTER_ISR_INVALID);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, dup, 2, &rec, &changed),
                     RN_ALTER_ISR_INVALID);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, stranger, 2, &rec, &changed),
                     RN_ALTER_ISR_INVALID);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, grow, 0, &rec, &changed),
                     RN_ALTER_ISR_INVALID);
    int32_t same[] = {l};
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, same, 1, &rec, &changed),
                     RN_ALTER_ISR_OK);
    assert_false(changed);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, grow, 2, &rec, &changed),
                     RN_ALTER_ISR_OK);
    assert_true(changed);
    assert_int_equal(rec.type, RN_MREC_PARTITION_CHANGE);
    assert_int_equal(rec.partition_change.leader, l);
    assert_int_equal(rec.partition_change.leader_epoch, 0);
    assert_int_equal(rec.partition_change.nisr, 2);
    assert_int_equal(rec.partition_change.isr[0], l);
    assert_int_equal(rec.partition_change.isr[1], f2);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    /* A fenced broker cannot be added, but can still be removed. */
    rn_meta_record_t fence = mt_fence(f1, true);
    assert_int_equal(rn_meta_image_apply(img, &fence), 0);
    rn_meta_record_deinit(&fence);
    int32_t all[] = {l, f1, f2};
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, all, 3, &rec, &changed),
                     RN_ALTER_ISR_INELIGIBLE);
    assert_int_equal(rn_controller_alter_isr(img, "orders", 0, l, 0, same, 1, &rec, &changed),
                     RN_ALTER_ISR_OK);
    assert_true(changed);
    assert_int_equal(rec.partition_change.nisr, 1);
    rn_meta_record_deinit(&rec);
    rn_meta_image_free(img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controller_three_partitions_on_three_brokers_have_distinct_leaders),
        cmocka_unit_test(test_controller_skips_fenced_brokers),
        cmocka_unit_test(test_controller_replication_factor_above_brokers_is_refused),
        cmocka_unit_test(test_controller_invalid_names_are_refused),
        cmocka_unit_test(test_controller_existing_topic_is_refused),
        cmocka_unit_test(test_controller_configs_are_validated),
        cmocka_unit_test(test_controller_create_with_configs_and_alter),
        cmocka_unit_test(test_controller_delete),
        cmocka_unit_test(test_controller_grows_partitions_continuing_the_round_robin),
        cmocka_unit_test(test_controller_fencing_the_only_isr_member_takes_its_partition_offline),
        cmocka_unit_test(test_controller_fencing_moves_leadership_to_the_next_live_isr_member),
        cmocka_unit_test(test_controller_unclean_election_picks_a_live_replica),
        cmocka_unit_test(test_controller_alter_isr_validates_and_changes_the_isr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
