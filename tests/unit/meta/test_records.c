/* test_records.c — metadata records: round trips, truncation at every byte, hostile
 * counts, unknown types and versions, entries that batch records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "meta/records.h"
#include "meta_testutil.h"
#include "proto/writer.h"

#define NSAMPLES 10

static void samples(rn_meta_record_t recs[NSAMPLES]) {
    static const int32_t isr[] = {2, 3};
    recs[0] = mt_register(1, "127.0.0.1", 9092, false);
    recs[1] = mt_fence(2, true);
    recs[2] = mt_fence(3, false);
    recs[3] = mt_create("orders", 1, 3, 3);
    recs[4] = mt_delete("orders", 1);
    recs[5] = mt_change("orders", 1, 2, 3, 7, isr, 2);
    recs[6] = mt_config("orders", "retention.ms", "60000");
    recs[7] = mt_config("orders", "retention.ms", NULL);
    recs[8] = mt_cluster(9);
    recs[9] = mt_grow("orders", 1, 3, 2, 3);
}

static void free_samples(rn_meta_record_t recs[NSAMPLES]) {
    for (int i = 0; i < NSAMPLES; i++)
        rn_meta_record_deinit(&recs[i]);
}

static uint8_t *encode(const rn_meta_record_t *rec, size_t *len) {
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_record_encode(rec, &wr);
    return rn_writer_take(&wr, len);
}

static void test_records_round_trip_every_type(void **state) {
    (void)state;
    rn_meta_record_t recs[NSAMPLES];
    samples(recs);
    for (int i = 0; i < NSAMPLES; i++) {
        size_t len, len2;
        uint8_t *buf = encode(&recs[i], &len);
        rn_meta_record_t out;
        assert_int_equal(rn_meta_record_decode(buf, len, &out), 0);
        assert_int_equal(out.type, recs[i].type);
        uint8_t *buf2 = encode(&out, &len2);
        assert_int_equal(len, len2);
        assert_memory_equal(buf, buf2, len);
        rn_meta_record_deinit(&out);
        rn_free(buf);
        rn_free(buf2);
    }
    free_samples(recs);
}

static void test_records_decoded_fields_match(void **state) {
    (void)state;
    rn_meta_record_t recs[NSAMPLES];
    samples(recs);
    size_t len;
    rn_meta_record_t out;
    uint8_t *buf = encode(&recs[3], &len);
    assert_int_equal(rn_meta_record_decode(buf, len, &out), 0);
    assert_string_equal(out.create_topic.name, "orders");
    assert_memory_equal(out.create_topic.topic_id, recs[3].create_topic.topic_id, 16);
    assert_int_equal(out.create_topic.npartitions, 3);
    assert_int_equal(out.create_topic.partitions[1].nreplicas, 3);
    assert_int_equal(out.create_topic.partitions[1].replicas[0], 2);
    assert_int_equal(out.create_topic.partitions[1].leader, 2);
    assert_string_equal(out.create_topic.configs[0].key, "retention.ms");
    assert_string_equal(out.create_topic.configs[0].value, "1000");
    rn_meta_record_deinit(&out);
    rn_free(buf);

    buf = encode(&recs[9], &len);
    assert_int_equal(rn_meta_record_decode(buf, len, &out), 0);
    assert_int_equal(out.type, RN_MREC_CREATE_PARTITIONS);
    assert_string_equal(out.create_partitions.name, "orders");
    assert_memory_equal(out.create_partitions.topic_id, recs[9].create_partitions.topic_id, 16);
    assert_int_equal(out.create_partitions.first, 3);
    assert_int_equal(out.create_partitions.npartitions, 2);
    assert_int_equal(out.create_partitions.partitions[1].nreplicas, 3);
    assert_int_equal(out.create_partitions.partitions[1].replicas[0], 2); /* (3+1) % 3 + 1 */
    assert_int_equal(out.create_partitions.partitions[1].leader, 2);
    assert_int_equal(out.create_partitions.partitions[1].nisr, 1);
    assert_string_equal(rn_meta_record_type_name(out.type), "CreatePartitions");
    rn_meta_record_deinit(&out);
    rn_free(buf);

    buf = encode(&recs[7], &len);
    assert_int_equal(rn_meta_record_decode(buf, len, &out), 0);
    assert_null(out.set_config.value); /* null string = remove */
    rn_meta_record_deinit(&out);
    rn_free(buf);

    buf = encode(&recs[0], &len);
    assert_int_equal(rn_meta_record_decode(buf, len, &out), 0);
    assert_string_equal(out.register_broker.host, "127.0.0.1");
    assert_int_equal(out.register_broker.port, 9092);
    rn_meta_record_deinit(&out);
    rn_free(buf);
    free_samples(recs);
}

static void test_records_truncated_at_every_byte_is_malformed(void **state) {
    (void)state;
    rn_meta_record_t recs[NSAMPLES];
    samples(recs);
    for (int i = 0; i < NSAMPLES; i++) {
        size_t len;
        uint8_t *buf = encode(&recs[i], &len);
        for (size_t cut = 0; cut < len; cut++) {
            rn_meta_record_t out;
            /* A copy of exactly `cut` bytes, so ASan catches any read past it. */
            uint8_t *part = rn_malloc(cut + 1);
            memcpy(part, buf, cut);
            assert_int_equal(rn_meta_record_decode(part, cut, &out), RN_EMALFORMED);
            assert_int_equal(out.type, 0);
            rn_free(part);
        }
        rn_free(buf);
    }
    free_samples(recs);
}

static void test_records_trailing_bytes_are_malformed(void **state) {
    (void)state;
    rn_meta_record_t rec = mt_fence(4, true);
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_record_encode(&rec, &wr);
    rn_writer_u8(&wr, 0);
    rn_meta_record_t out;
    assert_int_equal(rn_meta_record_decode(wr.buf, wr.len, &out), RN_EMALFORMED);
    rn_writer_deinit(&wr);
}

static void test_records_unknown_type_or_version_is_badversion(void **state) {
    (void)state;
    uint8_t unknown_type[] = {0x00, 0x63, 0x00, 0x00, 1, 2, 3, 4};
    uint8_t future_version[] = {0x00, 0x02, 0x00, 0x01, 0, 0, 0, 4};
    rn_meta_record_t out;
    assert_int_equal(rn_meta_record_decode(unknown_type, sizeof unknown_type, &out),
                     RN_EBADVERSION);
    assert_int_equal(rn_meta_record_decode(future_version, sizeof future_version, &out),
                     RN_EBADVERSION);
}

static void test_records_hostile_counts_are_malformed(void **state) {
    (void)state;
    /* CreateTopic "t", id, npartitions = 0x7fffffff with nothing behind it. */
    uint8_t huge[2 + 2 + 2 + 1 + 16 + 4] = {0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 't'};
    memset(huge + 23, 0x7f, 1);
    memset(huge + 24, 0xff, 3);
    rn_meta_record_t out;
    assert_int_equal(rn_meta_record_decode(huge, sizeof huge, &out), RN_EMALFORMED);
    /* PartitionChange with a negative ISR count. */
    uint8_t neg[2 + 2 + 3 + 16 + 12 + 4] = {0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 't'};
    memset(neg + 35, 0xff, 4);
    assert_int_equal(rn_meta_record_decode(neg, sizeof neg, &out), RN_EMALFORMED);
    /* CreatePartitions "t", id, first 1, npartitions = 0x7fffffff with nothing behind. */
    uint8_t grow[2 + 2 + 3 + 16 + 4 + 4] = {0x00, 0x09, 0x00, 0x00, 0x00, 0x01, 't'};
    memset(grow + 23, 0, 3);
    grow[26] = 1;
    grow[27] = 0x7f;
    memset(grow + 28, 0xff, 3);
    assert_int_equal(rn_meta_record_decode(grow, sizeof grow, &out), RN_EMALFORMED);
    grow[27] = 0xff; /* negative */
    assert_int_equal(rn_meta_record_decode(grow, sizeof grow, &out), RN_EMALFORMED);
}

static void test_records_bad_strings_are_malformed(void **state) {
    (void)state;
    /* SetTopicConfig whose name holds a NUL byte. */
    uint8_t nul[] = {0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 'a', 0x00, 0x00, 0x01, 'k', 0xff, 0xff};
    /* DeleteTopic whose name length is -2. */
    uint8_t neg[2 + 2 + 2 + 16] = {0x00, 0x05, 0x00, 0x00, 0xff, 0xfe};
    /* DeleteTopic whose (non-nullable) name is null. */
    uint8_t null_name[2 + 2 + 2 + 16] = {0x00, 0x05, 0x00, 0x00, 0xff, 0xff};
    rn_meta_record_t out;
    assert_int_equal(rn_meta_record_decode(nul, sizeof nul, &out), RN_EMALFORMED);
    assert_int_equal(rn_meta_record_decode(neg, sizeof neg, &out), RN_EMALFORMED);
    assert_int_equal(rn_meta_record_decode(null_name, sizeof null_name, &out), RN_EMALFORMED);
}

static void test_records_entry_batches_records_in_order(void **state) {
    (void)state;
    rn_meta_record_t recs[NSAMPLES];
    samples(recs);
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_entry_encode(recs, NSAMPLES, &wr);
    rn_meta_entry_iter_t it;
    int32_t count;
    assert_int_equal(rn_meta_entry_open(&it, wr.buf, wr.len, &count), 0);
    assert_int_equal(count, NSAMPLES);
    for (int i = 0; i < NSAMPLES; i++) {
        const uint8_t *body;
        size_t len;
        rn_meta_record_t out;
        assert_int_equal(rn_meta_entry_next(&it, &body, &len), 0);
        assert_int_equal(rn_meta_record_decode(body, len, &out), 0);
        assert_int_equal(out.type, recs[i].type);
        rn_meta_record_deinit(&out);
    }
    assert_int_equal(wr.len % 8, 0);
    assert_int_equal(rn_meta_entry_close(&it), 0);
    const uint8_t *body;
    size_t len;
    assert_int_equal(rn_meta_entry_next(&it, &body, &len), RN_EMALFORMED);
    rn_writer_deinit(&wr);
    free_samples(recs);
}

static void test_records_entry_truncated_at_every_byte_fails(void **state) {
    (void)state;
    rn_meta_record_t recs[NSAMPLES];
    samples(recs);
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_meta_entry_encode(recs, NSAMPLES, &wr);
    for (size_t cut = 0; cut < wr.len; cut++) {
        uint8_t *part = rn_malloc(cut + 1);
        memcpy(part, wr.buf, cut);
        rn_meta_entry_iter_t it;
        int32_t count;
        int rc = rn_meta_entry_open(&it, part, cut, &count);
        for (int32_t i = 0; rc == 0 && i < count; i++) {
            const uint8_t *body;
            size_t len;
            rc = rn_meta_entry_next(&it, &body, &len);
        }
        if (rc == 0) /* cut inside the padding */
            rc = rn_meta_entry_close(&it);
        assert_int_equal(rc, RN_EMALFORMED);
        rn_free(part);
    }
    rn_writer_deinit(&wr);
    free_samples(recs);
}

static void test_records_copy_is_deep(void **state) {
    (void)state;
    rn_meta_record_t recs[NSAMPLES];
    samples(recs);
    for (int i = 0; i < NSAMPLES; i++) {
        rn_meta_record_t c;
        size_t a_len, b_len;
        rn_meta_record_copy(&c, &recs[i]);
        uint8_t *a = encode(&recs[i], &a_len);
        rn_meta_record_deinit(&recs[i]); /* the copy must survive its source */
        uint8_t *b = encode(&c, &b_len);
        assert_int_equal(a_len, b_len);
        assert_memory_equal(a, b, a_len);
        rn_meta_record_deinit(&c);
        rn_free(a);
        rn_free(b);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_round_trip_every_type),
        cmocka_unit_test(test_records_decoded_fields_match),
        cmocka_unit_test(test_records_truncated_at_every_byte_is_malformed),
        cmocka_unit_test(test_records_trailing_bytes_are_malformed),
        cmocka_unit_test(test_records_unknown_type_or_version_is_badversion),
        cmocka_unit_test(test_records_hostile_counts_are_malformed),
        cmocka_unit_test(test_records_bad_strings_are_malformed),
        cmocka_unit_test(test_records_entry_batches_records_in_order),
        cmocka_unit_test(test_records_entry_truncated_at_every_byte_fails),
        cmocka_unit_test(test_records_copy_is_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
