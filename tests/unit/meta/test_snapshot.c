/* test_snapshot.c — the image as snapshot bytes: encode → decode gives an equal image;
 * truncation, bit flips and bad magic are RN_ECORRUPT. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/crc32c.h"
#include "common/errors.h"
#include "meta/image.h"
#include "meta/snapshot.h"
#include "meta_testutil.h"
#include "proto/writer.h"

static rn_meta_image_t *sample_image(void) {
    static const int32_t isr[] = {2};
    rn_meta_image_t *img = rn_meta_image_new();
    assert_int_equal(mt_apply(img, mt_cluster(3)), 0);
    assert_int_equal(mt_apply(img, mt_register(1, "127.0.0.1", 9092, false)), 0);
    assert_int_equal(mt_apply(img, mt_register(2, "127.0.0.1", 9192, true)), 0);
    assert_int_equal(mt_apply(img, mt_create("orders", 1, 3, 2)), 0);
    assert_int_equal(mt_apply(img, mt_create("audit", 2, 1, 1)), 0);
    assert_int_equal(mt_apply(img, mt_change("orders", 1, 1, 2, 5, isr, 1)), 0);
    assert_int_equal(mt_apply(img, mt_config("orders", "partitioner", "hash")), 0);
    assert_int_equal(mt_apply(img, mt_config("audit", "retention.ms", NULL)), 0);
    /* A grown topic: the snapshot's CreateTopic carries all its partitions. */
    assert_int_equal(mt_apply(img, mt_grow("audit", 2, 1, 2, 1)), 0);
    return img;
}

static void test_snapshot_round_trip_equals_original(void **state) {
    (void)state;
    rn_meta_image_t *img = sample_image();
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_snapshot_encode(img, &wr);
    rn_meta_image_t *back;
    assert_int_equal(rn_meta_snapshot_decode(wr.buf, wr.len, &back), 0);
    assert_true(rn_meta_image_equal(img, back));
    assert_int_equal(rn_meta_image_topic(back, "orders")->partitions[1].leader_epoch, 5);
    assert_true(rn_meta_image_broker(back, 2)->fenced);
    assert_int_equal(rn_meta_image_topic(back, "audit")->npartitions, 3);
    /* Encoding is deterministic. */
    rn_writer_t wr2;
    rn_writer_init(&wr2, 0);
    rn_meta_snapshot_encode(back, &wr2);
    assert_int_equal(wr.len, wr2.len);
    assert_memory_equal(wr.buf, wr2.buf, wr.len);
    rn_writer_deinit(&wr2);
    rn_writer_deinit(&wr);
    rn_meta_image_free(back);
    rn_meta_image_free(img);
}

static void test_snapshot_of_empty_image_round_trips(void **state) {
    (void)state;
    rn_meta_image_t *img = rn_meta_image_new();
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_snapshot_encode(img, &wr);
    rn_meta_image_t *back;
    assert_int_equal(rn_meta_snapshot_decode(wr.buf, wr.len, &back), 0);
    assert_true(rn_meta_image_equal(img, back));
    rn_writer_deinit(&wr);
    rn_meta_image_free(back);
    rn_meta_image_free(img);
}

static void test_snapshot_truncated_or_flipped_is_corrupt(void **state) {
    (void)state;
    rn_meta_image_t *img = sample_image();
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_snapshot_encode(img, &wr);
    rn_meta_image_t *back;
    for (size_t cut = 0; cut < wr.len; cut++) {
        uint8_t *part = rn_malloc(cut + 1);
        memcpy(part, wr.buf, cut);
        assert_int_equal(rn_meta_snapshot_decode(part, cut, &back), RN_ECORRUPT);
        assert_null(back);
        rn_free(part);
    }
    for (size_t i = 0; i < wr.len; i++) {
        wr.buf[i] ^= 0x10;
        assert_int_equal(rn_meta_snapshot_decode(wr.buf, wr.len, &back), RN_ECORRUPT);
        wr.buf[i] ^= 0x10;
    }
    rn_writer_deinit(&wr);
    rn_meta_image_free(img);
}

static void test_snapshot_with_valid_crc_but_bad_records_is_corrupt(void **state) {
    (void)state;
    /* Two CreateTopic records of the same name: structurally fine, cannot apply. */
    rn_meta_record_t recs[2] = {mt_create("t", 1, 1, 1), mt_create("t", 2, 1, 1)};
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_writer_u32(&wr, RN_META_SNAPSHOT_MAGIC);
    rn_writer_i16(&wr, RN_META_SNAPSHOT_VERSION);
    rn_meta_entry_encode(recs, 2, &wr);
    rn_writer_u32(&wr, rn_crc32c(wr.buf, wr.len));
    rn_meta_image_t *back;
    assert_int_equal(rn_meta_snapshot_decode(wr.buf, wr.len, &back), RN_ECORRUPT);
    rn_writer_deinit(&wr);
    rn_meta_record_deinit(&recs[0]);
    rn_meta_record_deinit(&recs[1]);
}

static void test_snapshot_of_thousands_of_topics_round_trips(void **state) {
    (void)state;
    rn_meta_image_t *img = rn_meta_image_new();
    char name[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "t%04d", i);
        assert_int_equal(mt_apply(img, mt_create(name, (uint8_t)i, 4, 3)), 0);
    }
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_snapshot_encode(img, &wr);
    rn_meta_image_t *back;
    assert_int_equal(rn_meta_snapshot_decode(wr.buf, wr.len, &back), 0);
    assert_true(rn_meta_image_equal(img, back));
    rn_writer_deinit(&wr);
    rn_meta_image_free(back);
    rn_meta_image_free(img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_round_trip_equals_original),
        cmocka_unit_test(test_snapshot_of_empty_image_round_trips),
        cmocka_unit_test(test_snapshot_truncated_or_flipped_is_corrupt),
        cmocka_unit_test(test_snapshot_with_valid_crc_but_bad_records_is_corrupt),
        cmocka_unit_test(test_snapshot_of_thousands_of_topics_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
