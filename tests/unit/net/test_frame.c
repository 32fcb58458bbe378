/* test_frame.c — frame reassembly byte by byte, in random chunks, and bad sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "net/frame.h"

#define NFRAMES 40

/* A stream of NFRAMES frames; frame i has i * 7 % 300 bytes, byte j = i + j. */
static uint8_t *make_stream(size_t *len) {
    size_t total = 0;
    for (int i = 0; i < NFRAMES; i++)
        total += RN_FRAME_PREFIX + (size_t)(i * 7 % 300);
    uint8_t *s = malloc(total);
    size_t pos = 0;
    for (int i = 0; i < NFRAMES; i++) {
        size_t n = (size_t)(i * 7 % 300);
        rn_frame_put_prefix(s + pos, n);
        pos += RN_FRAME_PREFIX;
        for (size_t j = 0; j < n; j++)
            s[pos++] = (uint8_t)(i + (int)j);
    }
    *len = total;
    return s;
}

static void check_frame(int i, const uint8_t *frame, size_t len) {
    assert_int_equal(len, (size_t)(i * 7 % 300));
    for (size_t j = 0; j < len; j++)
        assert_int_equal(frame[j], (uint8_t)(i + (int)j));
}

/* Feed the stream in chunks chosen by next_chunk; check every frame comes out whole. */
static void feed_stream(size_t (*next_chunk)(void)) {
    int64_t live = rn_alloc_live();
    size_t len;
    uint8_t *s = make_stream(&len);
    rn_frame_rd_t frd;
    rn_frame_rd_init(&frd, 1000);
    int got = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t chunk = next_chunk();
        if (chunk > len - pos)
            chunk = len - pos;
        size_t off = 0;
        for (;;) {
            uint8_t *frame;
            size_t flen, used;
            int rc = rn_frame_rd_feed(&frd, s + pos + off, chunk - off, &used, &frame, &flen);
            assert_true(rc >= 0);
            off += used;
            if (rc == 0) {
                assert_int_equal(off, chunk);
                break;
            }
            check_frame(got++, frame, flen);
            rn_free(frame);
        }
        pos += chunk;
    }
    assert_int_equal(got, NFRAMES);
    rn_frame_rd_deinit(&frd);
    free(s);
    assert_int_equal(rn_alloc_live(), live);
}

static size_t one(void) {
    return 1;
}

static size_t random_chunk(void) {
    return (size_t)(rand() % 700);
}

static void test_frame_fed_one_byte_at_a_time_yields_every_frame(void **state) {
    (void)state;
    feed_stream(one);
}

static void test_frame_fed_in_random_chunks_yields_every_frame(void **state) {
    (void)state;
    for (unsigned seed = 1; seed <= 50; seed++) {
        srand(seed);
        feed_stream(random_chunk);
    }
}

static void test_frame_whole_stream_in_one_chunk_yields_one_frame_per_call(void **state) {
    (void)state;
    size_t len;
    uint8_t *s = make_stream(&len);
    rn_frame_rd_t frd;
    rn_frame_rd_init(&frd, 1000);
    size_t pos = 0;
    for (int i = 0; i < NFRAMES; i++) {
        uint8_t *frame;
        size_t flen, used;
        assert_int_equal(rn_frame_rd_feed(&frd, s + pos, len - pos, &used, &frame, &flen), 1);
        pos += used;
        check_frame(i, frame, flen);
        rn_free(frame);
    }
    assert_int_equal(pos, len);
    rn_frame_rd_deinit(&frd);
    free(s);
}

static void test_frame_negative_size_is_malformed_before_allocating(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    const uint8_t bad[] = {0x80, 0x00, 0x00, 0x00, 'x'};
    rn_frame_rd_t frd;
    rn_frame_rd_init(&frd, 1000);
    uint8_t *frame = NULL;
    size_t flen = 0, used = 0;
    assert_int_equal(rn_frame_rd_feed(&frd, bad, 3, &used, &frame, &flen), 0);
    assert_int_equal(used, 3);
    assert_int_equal(rn_frame_rd_feed(&frd, bad + 3, 2, &used, &frame, &flen), RN_EMALFORMED);
    assert_int_equal(rn_alloc_live(), live);
    /* Sticky: the stream has lost its framing. */
    assert_int_equal(rn_frame_rd_feed(&frd, bad, 1, &used, &frame, &flen), RN_EMALFORMED);
    assert_int_equal(used, 0);
    const uint8_t minus_one[] = {0xff, 0xff, 0xff, 0xff};
    rn_frame_rd_init(&frd, 1000);
    assert_int_equal(rn_frame_rd_feed(&frd, minus_one, 4, &used, &frame, &flen), RN_EMALFORMED);
    assert_null(frame);
    rn_frame_rd_deinit(&frd);
}

static void test_frame_size_over_max_is_too_large_and_max_itself_is_fine(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    uint8_t prefix[RN_FRAME_PREFIX];
    uint8_t *frame = NULL;
    size_t flen = 0, used = 0;
    rn_frame_rd_t frd;
    rn_frame_rd_init(&frd, 1000);
    rn_frame_put_prefix(prefix, 1001);
    assert_int_equal(rn_frame_rd_feed(&frd, prefix, 4, &used, &frame, &flen), RN_ETOOLARGE);
    assert_int_equal(rn_alloc_live(), live);
    rn_frame_put_prefix(prefix, INT32_MAX);
    rn_frame_rd_init(&frd, 1000);
    assert_int_equal(rn_frame_rd_feed(&frd, prefix, 4, &used, &frame, &flen), RN_ETOOLARGE);
    assert_int_equal(rn_alloc_live(), live);

    uint8_t *s = calloc(1, RN_FRAME_PREFIX + 1000);
    rn_frame_put_prefix(s, 1000);
    rn_frame_rd_init(&frd, 1000);
    assert_int_equal(rn_frame_rd_feed(&frd, s, RN_FRAME_PREFIX + 1000, &used, &frame, &flen), 1);
    assert_int_equal(flen, 1000);
    rn_free(frame);
    free(s);
    rn_frame_rd_deinit(&frd);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_frame_zero_size_is_an_empty_frame(void **state) {
    (void)state;
    const uint8_t zero[] = {0, 0, 0, 0, 0, 0, 0, 0};
    rn_frame_rd_t frd;
    rn_frame_rd_init(&frd, 1000);
    uint8_t *frame;
    size_t flen = 99, used;
    assert_int_equal(rn_frame_rd_feed(&frd, zero, 8, &used, &frame, &flen), 1);
    assert_int_equal(used, 4);
    assert_int_equal(flen, 0);
    rn_free(frame);
    assert_int_equal(rn_frame_rd_feed(&frd, zero + 4, 4, &used, &frame, &flen), 1);
    rn_free(frame);
    rn_frame_rd_deinit(&frd);
}

static void test_frame_deinit_frees_a_partial_body(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    const uint8_t part[] = {0, 0, 0, 10, 1, 2, 3};
    rn_frame_rd_t frd;
    rn_frame_rd_init(&frd, 1000);
    uint8_t *frame;
    size_t flen, used;
    assert_int_equal(rn_frame_rd_feed(&frd, part, sizeof part, &used, &frame, &flen), 0);
    assert_int_equal(used, sizeof part);
    rn_frame_rd_deinit(&frd);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_fed_one_byte_at_a_time_yields_every_frame),
        cmocka_unit_test(test_frame_fed_in_random_chunks_yields_every_frame),
        cmocka_unit_test(test_frame_whole_stream_in_one_chunk_yields_one_frame_per_call),
        cmocka_unit_test(test_frame_negative_size_is_malformed_before_allocating),
        cmocka_unit_test(test_frame_size_over_max_is_too_large_and_max_itself_is_fine),
        cmocka_unit_test(test_frame_zero_size_is_an_empty_frame),
        cmocka_unit_test(test_frame_deinit_frees_a_partial_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
