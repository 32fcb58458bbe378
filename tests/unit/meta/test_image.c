/* test_image.c — applying records to the metadata image: create, leader/ISR changes,
 * config set/remove, delete, fence, rejected transitions leave the image unchanged,
 * thousands of topics, deep copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "meta/image.h"
#include "meta/records.h"
#include "meta_testutil.h"

static rn_meta_image_t *three_brokers(void) {
    rn_meta_image_t *img = rn_meta_image_new();
    assert_int_equal(mt_apply(img, mt_register(3, "127.0.0.1", 9292, false)), 0);
    assert_int_equal(mt_apply(img, mt_register(1, "127.0.0.1", 9092, false)), 0);
    assert_int_equal(mt_apply(img, mt_register(2, "127.0.0.1", 9192, false)), 0);
    return img;
}

static void test_image_brokers_register_fence_unfence(void **state) {
    (void)state;
    rn_meta_image_t *img = three_brokers();
    assert_int_equal(img->nbrokers, 3);
    assert_int_equal(img->brokers[0].id, 1); /* kept sorted */
    assert_int_equal(img->brokers[2].id, 3);
    assert_int_equal(rn_meta_image_live_brokers(img), 3);
    assert_int_equal(mt_apply(img, mt_fence(2, true)), 0);
    assert_true(rn_meta_image_broker(img, 2)->fenced);
    assert_int_equal(rn_meta_image_live_brokers(img), 2);
    assert_int_equal(mt_apply(img, mt_fence(2, false)), 0);
    assert_false(rn_meta_image_broker(img, 2)->fenced);
    assert_int_equal(mt_apply(img, mt_fence(9, true)), RN_EUNKNOWNBROKER);
    /* Re-registering moves the broker. */
    assert_int_equal(mt_apply(img, mt_register(2, "10.0.0.2", 9999, false)), 0);
    assert_int_equal(img->nbrokers, 3);
    assert_string_equal(rn_meta_image_broker(img, 2)->host, "10.0.0.2");
    assert_int_equal(rn_meta_image_broker(img, 2)->port, 9999);
    assert_null(rn_meta_image_broker(img, 4));
    rn_meta_image_free(img);
}

static void test_image_create_change_config_delete(void **state) {
    (void)state;
    rn_meta_image_t *img = three_brokers();
    assert_int_equal(mt_apply(img, mt_create("orders", 1, 3, 3)), 0);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "orders");
    assert_non_null(t);
    assert_int_equal(t->npartitions, 3);
    assert_int_equal(t->partitions[0].leader, 1);
    assert_string_equal(rn_meta_topic_config(t, "retention.ms"), "1000");

    /* Leader moves to 3 with a new epoch; ISR shrinks. */
    static const int32_t isr[] = {3, 1};
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 3, 1, isr, 2)), 0);
    t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->partitions[0].leader, 3);
    assert_int_equal(t->partitions[0].leader_epoch, 1);
    assert_int_equal(t->partitions[0].nisr, 2);
    assert_int_equal(t->partitions[0].isr[0], 3);
    /* ISR-only change at the same epoch; then offline leader. */
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 3, 1, isr, 1)), 0);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, -1, 2, NULL, 0)), 0);
    t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->partitions[0].leader, -1);
    assert_int_equal(t->partitions[0].nisr, 0);

    /* Config set, overwrite, remove, remove-absent. */
    assert_int_equal(mt_apply(img, mt_config("orders", "segment.bytes", "1048576")), 0);
    assert_int_equal(mt_apply(img, mt_config("orders", "retention.ms", "5")), 0);
    t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->nconfigs, 2);
    assert_string_equal(t->configs[0].key, "retention.ms"); /* sorted */
    assert_string_equal(rn_meta_topic_config(t, "retention.ms"), "5");
    assert_int_equal(mt_apply(img, mt_config("orders", "retention.ms", NULL)), 0);
    assert_int_equal(mt_apply(img, mt_config("orders", "flush.ms", NULL)), 0);
    t = rn_meta_image_topic(img, "orders");
    assert_null(rn_meta_topic_config(t, "retention.ms"));
    assert_string_equal(rn_meta_topic_config(t, "segment.bytes"), "1048576");

    assert_int_equal(mt_apply(img, mt_delete("orders", 1)), 0);
    assert_null(rn_meta_image_topic(img, "orders"));
    assert_int_equal(img->ntopics, 0);
    rn_meta_image_free(img);
}

static void test_image_rejected_records_leave_it_unchanged(void **state) {
    (void)state;
    rn_meta_image_t *img = three_brokers();
    assert_int_equal(mt_apply(img, mt_create("orders", 1, 2, 2)), 0);
    assert_int_equal(mt_apply(img, mt_cluster(5)), 0);
    rn_meta_image_t *before = rn_meta_image_copy(img);
    static const int32_t isr_bad[] = {1, 7};
    static const int32_t isr_dup[] = {1, 1};
    static const int32_t isr_ok[] = {1};

    assert_int_equal(mt_apply(img, mt_create("orders", 2, 1, 1)), RN_ETOPICEXISTS);
    assert_int_equal(mt_apply(img, mt_delete("nope", 1)), RN_EUNKNOWNTOPIC);
    assert_int_equal(mt_apply(img, mt_delete("orders", 99)), RN_EUNKNOWNTOPIC); /* wrong id */
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 5, 1, 1, isr_ok, 1)),
                     RN_EINVALIDPARTITIONS);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, -1, 1, 1, isr_ok, 1)),
                     RN_EINVALIDPARTITIONS);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 7, 1, isr_ok, 1)), RN_EMALFORMED);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 1, 1, isr_bad, 2)), RN_EMALFORMED);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 1, 1, isr_dup, 2)), RN_EMALFORMED);
    assert_int_equal(mt_apply(img, mt_change("orders", 2, 0, 1, 1, isr_ok, 1)), RN_EUNKNOWNTOPIC);
    assert_int_equal(mt_apply(img, mt_config("nope", "retention.ms", "1")), RN_EUNKNOWNTOPIC);
    assert_int_equal(mt_apply(img, mt_cluster(6)), RN_EMALFORMED);
    rn_meta_record_t unknown = {.type = 42};
    assert_int_equal(rn_meta_image_apply(img, &unknown), RN_EBADVERSION);
    assert_true(rn_meta_image_equal(img, before));

    /* Epochs never go backwards. */
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 2, 4, isr_ok, 0)), 0);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 0, 1, 3, isr_ok, 1)), RN_EMALFORMED);
    rn_meta_image_free(before);
    rn_meta_image_free(img);
}

static void test_image_create_with_inconsistent_partitions_is_refused(void **state) {
    (void)state;
    rn_meta_image_t *img = three_brokers();
    rn_meta_record_t rec = mt_create("t", 1, 2, 2);
    rec.create_topic.partitions[1].leader = 9; /* not a replica */
    assert_int_equal(rn_meta_image_apply(img, &rec), RN_EMALFORMED);
    rn_meta_record_deinit(&rec);
    rec = mt_create("t", 1, 2, 2);
    rec.create_topic.partitions[0].nreplicas = 0;
    assert_int_equal(rn_meta_image_apply(img, &rec), RN_EMALFORMED);
    rec.create_topic.partitions[0].nreplicas = 2;
    rn_meta_record_deinit(&rec);
    assert_int_equal(img->ntopics, 0);
    rn_meta_image_free(img);
}

static void test_image_create_partitions_appends_and_refuses_what_cannot_apply(void **state) {
    (void)state;
    rn_meta_image_t *img = three_brokers();
    assert_int_equal(mt_apply(img, mt_create("orders", 1, 2, 2)), 0);
    rn_meta_image_t *before = rn_meta_image_copy(img);
    /* Refused, image unchanged: unknown name, other id, not at the current count
     * (a stale or duplicated growth), nothing added, an inconsistent partition. */
    assert_int_equal(mt_apply(img, mt_grow("nope", 1, 2, 1, 2)), RN_EUNKNOWNTOPIC);
    assert_int_equal(mt_apply(img, mt_grow("orders", 9, 2, 1, 2)), RN_EUNKNOWNTOPIC);
    assert_int_equal(mt_apply(img, mt_grow("orders", 1, 1, 1, 2)), RN_EINVALIDPARTITIONS);
    assert_int_equal(mt_apply(img, mt_grow("orders", 1, 3, 1, 2)), RN_EINVALIDPARTITIONS);
    assert_int_equal(mt_apply(img, mt_grow("orders", 1, 2, 0, 2)), RN_EINVALIDPARTITIONS);
    rn_meta_record_t rec = mt_grow("orders", 1, 2, 2, 2);
    rec.create_partitions.partitions[1].leader = 9; /* not a replica */
    assert_int_equal(rn_meta_image_apply(img, &rec), RN_EMALFORMED);
    rn_meta_record_deinit(&rec);
    rec = mt_grow("orders", 1, 2, 1, 2);
    rec.create_partitions.partitions[0].replicas[1] =
        rec.create_partitions.partitions[0].replicas[0];
    assert_int_equal(rn_meta_image_apply(img, &rec), RN_EMALFORMED); /* duplicate replica */
    rn_meta_record_deinit(&rec);
    rec = mt_grow("orders", 1, 2, 1, 2);
    rec.create_partitions.npartitions = -1; /* as no decoder yields; must not crash */
    assert_int_equal(rn_meta_image_apply(img, &rec), RN_EINVALIDPARTITIONS);
    rec.create_partitions.npartitions = 1;
    rn_meta_record_deinit(&rec);
    assert_true(rn_meta_image_equal(img, before));

    /* Applied: partitions 2..4 appended, the old ones untouched. */
    assert_int_equal(mt_apply(img, mt_grow("orders", 1, 2, 3, 2)), 0);
    const rn_meta_topic_t *t = rn_meta_image_topic(img, "orders");
    assert_int_equal(t->npartitions, 5);
    assert_int_equal(t->partitions[0].leader, before->topics[0]->partitions[0].leader);
    assert_int_equal(t->partitions[1].nisr, 2);
    assert_int_equal(t->partitions[4].nreplicas, 2);
    assert_int_equal(t->partitions[4].leader, 1); /* 1 + (4 % 2) */
    assert_int_equal(t->partitions[4].nisr, 1);
    assert_int_equal(t->partitions[4].leader_epoch, 0);
    assert_false(rn_meta_image_equal(img, before));
    /* The same record again (a race) no longer starts at the count: skipped. */
    assert_int_equal(mt_apply(img, mt_grow("orders", 1, 2, 3, 2)), RN_EINVALIDPARTITIONS);
    assert_int_equal(rn_meta_image_topic(img, "orders")->npartitions, 5);
    /* A copy carries the grown topic. */
    rn_meta_image_t *c = rn_meta_image_copy(img);
    assert_true(rn_meta_image_equal(c, img));
    rn_meta_image_free(c);
    rn_meta_image_free(before);
    rn_meta_image_free(img);
}

static void test_image_thousands_of_topics_stay_sorted_and_found(void **state) {
    (void)state;
    rn_meta_image_t *img = rn_meta_image_new();
    char name[32];
    /* Insert in a scrambled order: i * 7919 mod 5000 visits every i once. */
    for (int i = 0; i < 5000; i++) {
        int k = (int)((long)i * 7919 % 5000);
        snprintf(name, sizeof name, "topic-%05d", k);
        assert_int_equal(mt_apply(img, mt_create(name, (uint8_t)k, 1, 1)), 0);
    }
    assert_int_equal(img->ntopics, 5000);
    for (size_t i = 1; i < img->ntopics; i++)
        assert_true(strcmp(img->topics[i - 1]->name, img->topics[i]->name) < 0);
    for (int k = 0; k < 5000; k += 37) {
        snprintf(name, sizeof name, "topic-%05d", k);
        assert_non_null(rn_meta_image_topic(img, name));
    }
    for (int k = 0; k < 5000; k += 2) {
        snprintf(name, sizeof name, "topic-%05d", k);
        assert_int_equal(mt_apply(img, mt_delete(name, (uint8_t)k)), 0);
    }
    assert_int_equal(img->ntopics, 2500);
    assert_null(rn_meta_image_topic(img, "topic-00000"));
    assert_non_null(rn_meta_image_topic(img, "topic-00001"));
    rn_meta_image_free(img);
}

static void test_image_copy_is_deep_and_equal(void **state) {
    (void)state;
    rn_meta_image_t *img = three_brokers();
    assert_int_equal(mt_apply(img, mt_create("a", 1, 3, 3)), 0);
    assert_int_equal(mt_apply(img, mt_create("b", 2, 1, 1)), 0);
    rn_meta_image_t *c = rn_meta_image_copy(img);
    assert_true(rn_meta_image_equal(img, c));
    assert_int_equal(mt_apply(img, mt_config("a", "flush.ms", "10")), 0);
    assert_false(rn_meta_image_equal(img, c));
    assert_null(rn_meta_topic_config(rn_meta_image_topic(c, "a"), "flush.ms"));
    uint8_t id[RN_META_ID_LEN];
    mt_id(id, 2);
    assert_string_equal(rn_meta_image_topic_by_id(c, id)->name, "b");
    rn_meta_image_free(img);
    rn_meta_image_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_brokers_register_fence_unfence),
        cmocka_unit_test(test_image_create_change_config_delete),
        cmocka_unit_test(test_image_rejected_records_leave_it_unchanged),
        cmocka_unit_test(test_image_create_with_inconsistent_partitions_is_refused),
        cmocka_unit_test(test_image_create_partitions_appends_and_refuses_what_cannot_apply),
        cmocka_unit_test(test_image_thousands_of_topics_stay_sorted_and_found),
        cmocka_unit_test(test_image_copy_is_deep_and_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
