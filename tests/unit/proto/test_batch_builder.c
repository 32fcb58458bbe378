/* test_batch_builder.c — building batches and reading them back: null and empty keys
 * and values, headers, many records, gzip, extreme timestamps, header fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "batch_testutil.h"
#include "proto/batch.h"

#define MAX_BYTES ((size_t)64 << 20)

/* One record as a test wants it. */
typedef struct {
    int64_t ts;
    const char *key; /* NULL: null */
    int32_t key_len;
    const char *value;
    int32_t value_len;
    const rn_record_header_t *headers;
    int32_t nheaders;
} want_t;

static void expect_headers(const rn_record_t *rec, const want_t *w) {
    size_t pos = 0;
    assert_int_equal(rec->header_count, w->nheaders);
    for (int32_t i = 0; i < w->nheaders; i++) {
        rn_record_header_t hdr;
        assert_rc(rn_record_header_next(rec, &pos, &hdr), 0);
        assert_int_equal(hdr.key_len, w->headers[i].key_len);
        if (hdr.key_len > 0)
            assert_memory_equal(hdr.key, w->headers[i].key, (size_t)hdr.key_len);
        assert_int_equal(hdr.value_len, w->headers[i].value_len);
        if (hdr.value_len == -1)
            assert_null(hdr.value);
        else if (hdr.value_len > 0)
            assert_memory_equal(hdr.value, w->headers[i].value, (size_t)hdr.value_len);
    }
    assert_int_equal(pos, rec->headers_len);
}

static void expect_record(const rn_record_t *rec, const want_t *w, int64_t offset) {
    assert_true(rec->offset == offset);
    assert_true(rec->timestamp == w->ts);
    assert_int_equal(rec->key_len, w->key_len);
    if (w->key_len == -1)
        assert_null(rec->key);
    else
        assert_non_null(rec->key); /* empty is not null */
    if (w->key_len > 0)
        assert_memory_equal(rec->key, w->key, (size_t)w->key_len);
    assert_int_equal(rec->value_len, w->value_len);
    if (w->value_len == -1)
        assert_null(rec->value);
    else
        assert_non_null(rec->value);
    if (w->value_len > 0)
        assert_memory_equal(rec->value, w->value, (size_t)w->value_len);
    expect_headers(rec, w);
}

/* Build wants[0..n) with codec, validate, iterate, compare. */
static void roundtrip(const want_t *wants, int n, rn_codec_t codec) {
    int64_t live = rn_alloc_live();
    rn_batch_opts_t opts;
    rn_batch_builder_t b;
    rn_batch_opts_default(&opts);
    opts.codec = codec;
    rn_batch_builder_init(&b, &opts);
    for (int i = 0; i < n; i++)
        assert_rc(rn_batch_builder_add(&b, wants[i].ts, wants[i].key, wants[i].key_len,
                                       wants[i].value, wants[i].value_len, wants[i].headers,
                                       wants[i].nheaders),
                  0);
    assert_int_equal(rn_batch_builder_count(&b), n);
    size_t plain_size = rn_batch_builder_size(&b);
    uint8_t *p = NULL;
    size_t len = 0;
    assert_rc(rn_batch_builder_finish(&b, &p, &len), 0);
    rn_batch_builder_deinit(&b);
    if (codec == RN_CODEC_NONE)
        assert_int_equal(len, plain_size);

    rn_batch_header_t h;
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), 0);
    assert_int_equal(h.records_count, n);
    assert_int_equal(h.attributes & RN_BATCH_ATTR_CODEC_MASK, codec);
    assert_true(h.base_timestamp == wants[0].ts);

    rn_batch_iter_t it;
    rn_record_t rec;
    assert_rc(rn_batch_iter_init(&it, p, len), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(rn_batch_iter_next(&it, &rec), 1);
        expect_record(&rec, &wants[i], i);
    }
    assert_int_equal(rn_batch_iter_next(&it, &rec), 0);
    rn_batch_iter_deinit(&it);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

static void both_codecs(const want_t *wants, int n) {
    roundtrip(wants, n, RN_CODEC_NONE);
    roundtrip(wants, n, RN_CODEC_GZIP);
}

static void test_builder_null_and_empty_keys_and_values(void **state) {
    (void)state;
    const want_t wants[] = {
        {1, NULL, -1, "v", 1, NULL, 0}, /* null key */
        {2, "k", 1, NULL, -1, NULL, 0}, /* null value (a tombstone) */
        {3, "", 0, "", 0, NULL, 0},     /* empty key and value */
        {4, NULL, -1, NULL, -1, NULL, 0}, {5, "", 0, NULL, -1, NULL, 0},
    };
    both_codecs(wants, 5);
}

static void test_builder_headers(void **state) {
    (void)state;
    const rn_record_header_t hs[] = {
        {(const uint8_t *)"trace", 5, (const uint8_t *)"abc123", 6},
        {(const uint8_t *)"", 0, (const uint8_t *)"empty key", 9},
        {(const uint8_t *)"null", 4, NULL, -1},
        {(const uint8_t *)"dup", 3, (const uint8_t *)"", 0},
        {(const uint8_t *)"dup", 3, (const uint8_t *)"second", 6},
    };
    const want_t wants[] = {
        {10, "a", 1, "b", 1, hs, 5},
        {11, NULL, -1, NULL, -1, hs + 2, 1},
        {12, "c", 1, "d", 1, NULL, 0},
    };
    both_codecs(wants, 3);
}

static void test_builder_many_records(void **state) {
    (void)state;
    enum { N = 20000 };
    static want_t wants[N];
    static char keys[N][16];
    static char values[N][32];
    for (int i = 0; i < N; i++) {
        int kl = snprintf(keys[i], sizeof keys[i], "k%d", i);
        int vl = snprintf(values[i], sizeof values[i], "value number %d", i * 7);
        wants[i] = (want_t){1700000000000LL + i / 3, keys[i], kl, values[i], vl, NULL, 0};
    }
    both_codecs(wants, N);
}

static void test_builder_large_value(void **state) {
    (void)state;
    size_t n = 300000; /* a multi-byte length varint and multiple deflate blocks */
    char *big = rn_malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + (i * 31 + i / 97) % 26);
    const want_t wants[] = {{7, "big", 3, big, (int32_t)n, NULL, 0}};
    both_codecs(wants, 1);
    rn_free(big);
}

static void test_builder_extreme_timestamps_roundtrip(void **state) {
    (void)state;
    /* Deltas from the first timestamp overflow int64; they wrap and come back. */
    const want_t wants[] = {
        {INT64_MIN, "a", 1, "x", 1, NULL, 0},
        {INT64_MAX, "b", 1, "y", 1, NULL, 0},
        {-1, "c", 1, "z", 1, NULL, 0},
        {0, "d", 1, "w", 1, NULL, 0},
    };
    both_codecs(wants, 4);
}

static void test_builder_header_fields(void **state) {
    (void)state;
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    assert_int_equal(opts.codec, RN_CODEC_NONE);
    assert_true(opts.base_offset == 0);
    assert_int_equal(opts.partition_leader_epoch, -1);
    assert_true(opts.producer_id == -1);
    assert_int_equal(opts.producer_epoch, -1);
    assert_int_equal(opts.base_sequence, -1);

    opts.base_offset = 100;
    opts.partition_leader_epoch = 7;
    opts.producer_id = 123456789012LL;
    opts.producer_epoch = 3;
    opts.base_sequence = 99;
    rn_batch_builder_t b;
    rn_batch_builder_init(&b, &opts);
    /* Out of order timestamps: base is the first, max the largest. */
    assert_rc(rn_batch_builder_add(&b, 500, "a", 1, "1", 1, NULL, 0), 0);
    assert_rc(rn_batch_builder_add(&b, 900, "b", 1, "2", 1, NULL, 0), 0);
    assert_rc(rn_batch_builder_add(&b, 100, "c", 1, "3", 1, NULL, 0), 0);
    uint8_t *p;
    size_t len;
    assert_rc(rn_batch_builder_finish(&b, &p, &len), 0);
    rn_batch_builder_deinit(&b);
    rn_batch_header_t h;
    assert_rc(rn_batch_validate(p, len, MAX_BYTES, &h), 0);
    assert_true(h.base_offset == 100);
    assert_int_equal(h.partition_leader_epoch, 7);
    assert_true(h.producer_id == 123456789012LL);
    assert_int_equal(h.producer_epoch, 3);
    assert_int_equal(h.base_sequence, 99);
    assert_int_equal(h.attributes, 0);
    assert_int_equal(h.last_offset_delta, 2);
    assert_true(h.base_timestamp == 500);
    assert_true(h.max_timestamp == 900);
    assert_true(rn_batch_last_offset(&h) == 102);
    rn_free(p);
}

static void test_builder_null_opts_mean_defaults(void **state) {
    (void)state;
    rn_batch_builder_t b;
    rn_batch_builder_init(&b, NULL);
    assert_int_equal(rn_batch_builder_count(&b), 0);
    assert_int_equal(rn_batch_builder_size(&b), RN_BATCH_HEADER_SIZE);
    assert_rc(rn_batch_builder_add(&b, 1, NULL, -1, "v", 1, NULL, 0), 0);
    uint8_t *p;
    size_t len;
    assert_rc(rn_batch_builder_finish(&b, &p, &len), 0);
    rn_batch_builder_deinit(&b);
    rn_batch_header_t h;
    assert_rc(rn_batch_check(p, len, &h), 0);
    assert_int_equal(h.partition_leader_epoch, -1);
    rn_free(p);
}

static void test_builder_unsupported_codec_is_refused(void **state) {
    (void)state;
    const rn_codec_t codecs[] = {RN_CODEC_SNAPPY, RN_CODEC_LZ4, RN_CODEC_ZSTD};
    for (size_t i = 0; i < 3; i++) {
        rn_batch_opts_t opts;
        rn_batch_builder_t b;
        rn_batch_opts_default(&opts);
        opts.codec = codecs[i];
        rn_batch_builder_init(&b, &opts);
        assert_rc(rn_batch_builder_add(&b, 1, "k", 1, "v", 1, NULL, 0), 0);
        uint8_t *p = NULL;
        size_t len = 0;
        assert_rc(rn_batch_builder_finish(&b, &p, &len), RN_EBADCODEC);
        assert_null(p);
        rn_batch_builder_deinit(&b);
    }
}

static void test_builder_gzip_is_smaller_for_repetitive_values(void **state) {
    (void)state;
    size_t plain_len, gzip_len;
    uint8_t *plain = tb_build(500, RN_CODEC_NONE, &plain_len);
    uint8_t *gz = tb_build(500, RN_CODEC_GZIP, &gzip_len);
    assert_true(gzip_len < plain_len / 2);
    assert_int_equal(gz[RN_BATCH_HEADER_SIZE], 0x1f); /* gzip member right after header */
    assert_int_equal(gz[RN_BATCH_HEADER_SIZE + 1], 0x8b);
    rn_free(plain);
    rn_free(gz);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_null_and_empty_keys_and_values),
        cmocka_unit_test(test_builder_headers),
        cmocka_unit_test(test_builder_many_records),
        cmocka_unit_test(test_builder_large_value),
        cmocka_unit_test(test_builder_extreme_timestamps_roundtrip),
        cmocka_unit_test(test_builder_header_fields),
        cmocka_unit_test(test_builder_null_opts_mean_defaults),
        cmocka_unit_test(test_builder_unsupported_codec_is_refused),
        cmocka_unit_test(test_builder_gzip_is_smaller_for_repetitive_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
