/* test_controller_elect.c — preferred leader election and the reconciliation of fenced
 * brokers left in an ISR (controller_elect.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/alloc.h"
#include "meta/controller.h"
#include "meta/image.h"
#include "meta_testutil.h"

/* Brokers 1..3; "orders": 3 partitions, RF 3, partition p's replicas start at 1 + p,
 * all in the ISR, each led by its preferred replica at epoch 0. */
static rn_meta_image_t *cluster(void) {
    rn_meta_image_t *img = rn_meta_image_new();
    for (int i = 1; i <= 3; i++)
        assert_int_equal(mt_apply(img, mt_register(i, "127.0.0.1", (uint16_t)(9000 + i), false)),
                         0);
    assert_int_equal(mt_apply(img, mt_create("orders", 7, 3, 3)), 0);
    return img;
}

static const rn_meta_partition_t *part(const rn_meta_image_t *img, int32_t p) {
    return &rn_meta_image_topic(img, "orders")->partitions[p];
}

/* Move partition p's leadership to its second replica (as a failover would). */
static void fail_over(rn_meta_image_t *img, int32_t p) {
    const rn_meta_partition_t *mp = part(img, p);
    int32_t isr[3];
    memcpy(isr, mp->isr, sizeof isr);
    assert_int_equal(
        mt_apply(img, mt_change("orders", 7, p, mp->replicas[1], mp->leader_epoch + 1, isr, 3)), 0);
}

static void test_elect_preferred_moves_leadership_back(void **s) {
    (void)s;
    rn_meta_image_t *img = cluster();
    rn_meta_record_t rec;
    assert_int_equal(rn_controller_elect_preferred(img, "orders", 1, &rec), RN_ELECT_NOT_NEEDED);
    fail_over(img, 1);
    assert_int_equal(part(img, 1)->leader, part(img, 1)->replicas[1]);
    assert_int_equal(rn_controller_elect_preferred(img, "orders", 1, &rec), RN_ELECT_DONE);
    assert_int_equal(rec.type, RN_MREC_PARTITION_CHANGE);
    assert_int_equal(rec.partition_change.leader, part(img, 1)->replicas[0]);
    assert_int_equal(rec.partition_change.leader_epoch, 2);
    assert_int_equal(rec.partition_change.nisr, 3);
    assert_int_equal(rn_meta_image_apply(img, &rec), 0);
    rn_meta_record_deinit(&rec);
    assert_int_equal(part(img, 1)->leader, part(img, 1)->replicas[0]);
    assert_int_equal(rn_controller_elect_preferred(img, "orders", 3, &rec), RN_ELECT_UNKNOWN);
    assert_int_equal(rn_controller_elect_preferred(img, "nope", 0, &rec), RN_ELECT_UNKNOWN);
    assert_int_equal(rn_controller_elect_preferred(img, "orders", -1, &rec), RN_ELECT_UNKNOWN);
    rn_meta_image_free(img);
}

static void test_elect_preferred_needs_a_live_in_sync_replica(void **s) {
    (void)s;
    rn_meta_image_t *img = cluster();
    fail_over(img, 0);
    const rn_meta_partition_t *mp = part(img, 0);
    int32_t pref = mp->replicas[0], leader = mp->leader;
    rn_meta_record_t rec;
    /* Out of the ISR: not eligible (it may lack acknowledged records). */
    int32_t isr[2] = {mp->replicas[1], mp->replicas[2]};
    assert_int_equal(mt_apply(img, mt_change("orders", 7, 0, leader, mp->leader_epoch, isr, 2)), 0);
    assert_int_equal(rn_controller_elect_preferred(img, "orders", 0, &rec), RN_ELECT_NOT_AVAILABLE);
    /* Back in the ISR but fenced: not eligible either. */
    int32_t all[3] = {pref, isr[0], isr[1]};
    assert_int_equal(
        mt_apply(img, mt_change("orders", 7, 0, leader, part(img, 0)->leader_epoch, all, 3)), 0);
    assert_int_equal(mt_apply(img, mt_fence(pref, true)), 0);
    assert_int_equal(rn_controller_elect_preferred(img, "orders", 0, &rec), RN_ELECT_NOT_AVAILABLE);
    assert_int_equal(mt_apply(img, mt_fence(pref, false)), 0);
    assert_int_equal(rn_controller_elect_preferred(img, "orders", 0, &rec), RN_ELECT_DONE);
    rn_meta_record_deinit(&rec);
    rn_meta_image_free(img);
}

static void test_elect_all_preferred_is_bounded(void **s) {
    (void)s;
    rn_meta_image_t *img = cluster();
    rn_meta_record_t *recs;
    size_t n;
    rn_controller_elect_all_preferred(img, 10, &recs, &n);
    assert_int_equal(n, 0); /* balanced already */
    rn_controller_records_free(recs, n);
    fail_over(img, 0);
    fail_over(img, 2);
    rn_controller_elect_all_preferred(img, 10, &recs, &n);
    assert_int_equal(n, 2);
    assert_int_equal(recs[0].partition_change.partition, 0);
    assert_int_equal(recs[1].partition_change.partition, 2);
    rn_controller_records_free(recs, n);
    rn_controller_elect_all_preferred(img, 1, &recs, &n);
    assert_int_equal(n, 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rn_meta_image_apply(img, &recs[i]), 0);
    rn_controller_records_free(recs, n);
    rn_controller_elect_all_preferred(img, 10, &recs, &n);
    assert_int_equal(n, 1);
    assert_int_equal(recs[0].partition_change.partition, 2);
    rn_controller_records_free(recs, n);
    rn_meta_image_free(img);
}

/* A fencing change that raced with an ISR change left fenced broker 3 in an ISR. */
static void test_reconcile_removes_fenced_brokers_left_in_an_isr(void **s) {
    (void)s;
    rn_meta_image_t *img = cluster();
    rn_meta_record_t *recs;
    size_t n;
    assert_int_equal(mt_apply(img, mt_fence(3, true)), 0); /* the Fence record alone */
    rn_controller_reconcile_fenced(img, &recs, &n);
    assert_int_equal(n, 3); /* in every ISR, leader of partition 2 */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rn_meta_image_apply(img, &recs[i]), 0);
    rn_controller_records_free(recs, n);
    for (int32_t p = 0; p < 3; p++) {
        const rn_meta_partition_t *mp = part(img, p);
        assert_int_equal(mp->nisr, 2);
        assert_int_not_equal(mp->leader, 3);
        assert_int_not_equal(mp->isr[0], 3);
        assert_int_not_equal(mp->isr[1], 3);
        assert_int_equal(mp->leader_epoch, p == 2 ? 1 : 0); /* partition 2 was led by 3 */
    }
    rn_controller_reconcile_fenced(img, &recs, &n);
    assert_int_equal(n, 0); /* nothing left */
    rn_controller_records_free(recs, n);
    rn_meta_image_free(img);
}

static void test_reconcile_leaves_offline_partitions_alone(void **s) {
    (void)s;
    rn_meta_image_t *img = cluster();
    const rn_meta_partition_t *mp = part(img, 0);
    int32_t leader = mp->leader;
    int32_t only[1] = {leader};
    assert_int_equal(mt_apply(img, mt_change("orders", 7, 0, leader, 0, only, 1)), 0);
    assert_int_equal(mt_apply(img, mt_change("orders", 7, 0, -1, 1, only, 1)), 0);
    assert_int_equal(mt_apply(img, mt_fence(leader, true)), 0);
    rn_meta_record_t *recs;
    size_t n;
    rn_controller_reconcile_fenced(img, &recs, &n);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(recs[i].partition_change.partition, 0);
    rn_controller_records_free(recs, n);
    rn_meta_image_free(img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elect_preferred_moves_leadership_back),
        cmocka_unit_test(test_elect_preferred_needs_a_live_in_sync_replica),
        cmocka_unit_test(test_elect_all_preferred_is_bounded),
        cmocka_unit_test(test_reconcile_removes_fenced_brokers_left_in_an_isr),
        cmocka_unit_test(test_reconcile_leaves_offline_partitions_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
