/* test_wire.c — protocol primitives, frames and headers: golden bytes, null vs empty,
 * bounds, count limits, encoder rollback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/wire.h"

static void test_wire_primitives_golden_bytes(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_wire_enc_t e;
    rn_writer_init(&wr, 0);
    rn_wire_enc_init(&e, &wr, 0);
    rn_wire_write_bool(&e, true);
    rn_wire_write_str(&e, rn_str("abc"));
    rn_wire_write_nstr(&e, RN_STR_NULL);
    rn_wire_write_nbytes(&e, rn_bytes("\x01\x02", 2));
    rn_wire_write_nbytes(&e, RN_BYTES_NULL);
    int32_t v[] = {7, -1};
    rn_wire_write_i32s(&e, v, 2);
    rn_wire_write_strs(&e, NULL, -1, true);
    assert_rc(rn_wire_enc_finish(&e), 0);
    const uint8_t want[] = {0x01, 0x00, 0x03, 'a',  'b',  'c',  0xff, 0xff, 0x00, 0x00, 0x00, 0x02,
                            0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
                            0x00, 0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(wr.len, sizeof want);
    assert_memory_equal(wr.buf, want, sizeof want);

    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, wr.buf, wr.len, 0, &arena);
    assert_true(rn_wire_read_bool(&d));
    assert_str(rn_wire_read_str(&d), "abc");
    assert_str(rn_wire_read_nstr(&d), NULL);
    rn_bytes_t b = rn_wire_read_nbytes(&d);
    assert_int_equal(b.len, 2);
    assert_int_equal(b.ptr[1], 2);
    b = rn_wire_read_nbytes(&d);
    assert_int_equal(b.len, -1);
    assert_null(b.ptr);
    int32_t n;
    int32_t *got = rn_wire_read_i32s(&d, &n);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], 7);
    assert_int_equal(got[1], -1);
    assert_null(rn_wire_read_strs(&d, &n, true));
    assert_int_equal(n, -1);
    assert_rc(rn_wire_dec_finish(&d), 0);
    rn_arena_deinit(&arena);
    rn_writer_deinit(&wr);
}

static void test_wire_empty_string_is_not_null(void **state) {
    (void)state;
    const uint8_t p[] = {0x00, 0x00, 0xff, 0xff};
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, sizeof p, 0, NULL);
    rn_str_t s = rn_wire_read_nstr(&d);
    assert_int_equal(s.len, 0);
    assert_non_null(s.ptr);
    assert_false(rn_str_is_null(s));
    assert_true(rn_str_is_null(rn_wire_read_nstr(&d)));
    assert_rc(rn_wire_dec_finish(&d), 0);
    assert_true(rn_str_eq(RN_STR_NULL, RN_STR_NULL));
    assert_false(rn_str_eq(RN_STR_NULL, rn_str("")));
    assert_true(rn_str_eq(s, rn_str("")));
    assert_false(rn_str_eq_c(RN_STR_NULL, ""));
}

static void test_wire_bad_lengths_are_malformed(void **state) {
    (void)state;
    struct {
        uint8_t p[6];
        size_t len;
        int which; /* 0 str, 1 nstr, 2 nbytes */
    } cases[] = {
        {{0xff, 0xff}, 2, 0},             /* null where not nullable */
        {{0xff, 0xfe}, 2, 1},             /* -2 */
        {{0x00, 0x03, 'a', 'b'}, 4, 1},   /* longer than the input */
        {{0xff, 0xff, 0xff, 0xfe}, 4, 2}, /* -2 */
        {{0x00, 0x00, 0x00, 0x05, 1}, 5, 2},
        {{0x00}, 1, 0}, /* length cut */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rn_wire_dec_t d;
        rn_wire_dec_init(&d, cases[i].p, cases[i].len, 0, NULL);
        if (cases[i].which == 0)
            assert_true(rn_str_is_null(rn_wire_read_str(&d)));
        else if (cases[i].which == 1)
            assert_true(rn_str_is_null(rn_wire_read_nstr(&d)));
        else
            assert_int_equal(rn_wire_read_nbytes(&d).len, -1);
        assert_rc(rn_wire_dec_finish(&d), RN_EMALFORMED);
    }
}

static void test_wire_bytes_are_not_nullable(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_wire_enc_t e;
    rn_writer_init(&wr, 0);
    rn_writer_u8(&wr, 0xaa);
    rn_wire_enc_init(&e, &wr, 0);
    rn_wire_write_bytes(&e, rn_bytes("\x01", 1));
    rn_wire_write_bytes(&e, rn_bytes(NULL, 0));
    assert_rc(rn_wire_enc_finish(&e), 0);
    const uint8_t want[] = {0xaa, 0, 0, 0, 1, 0x01, 0, 0, 0, 0};
    assert_int_equal(wr.len, sizeof want);
    assert_memory_equal(wr.buf, want, sizeof want);
    /* null is refused and the encoding rolled back */
    rn_wire_enc_init(&e, &wr, 0);
    rn_wire_write_bytes(&e, rn_bytes("\x02", 1));
    rn_wire_write_bytes(&e, RN_BYTES_NULL);
    assert_rc(rn_wire_enc_finish(&e), RN_EMALFORMED);
    assert_int_equal(wr.len, sizeof want);

    rn_wire_dec_t d;
    rn_wire_dec_init(&d, want + 1, sizeof want - 1, 0, NULL);
    rn_bytes_t b = rn_wire_read_bytes(&d);
    assert_int_equal(b.len, 1);
    assert_int_equal(b.ptr[0], 1);
    b = rn_wire_read_bytes(&d);
    assert_int_equal(b.len, 0);
    assert_non_null(b.ptr);
    assert_rc(rn_wire_dec_finish(&d), 0);
    const uint8_t null_len[] = {0xff, 0xff, 0xff, 0xff};
    rn_wire_dec_init(&d, null_len, sizeof null_len, 0, NULL);
    assert_int_equal(rn_wire_read_bytes(&d).len, -1);
    assert_rc(rn_wire_dec_finish(&d), RN_EMALFORMED);
    const uint8_t short_body[] = {0, 0, 0, 2, 0x01};
    rn_wire_dec_init(&d, short_body, sizeof short_body, 0, NULL);
    rn_wire_read_bytes(&d);
    assert_rc(rn_wire_dec_finish(&d), RN_EMALFORMED);
    rn_writer_deinit(&wr);
}

static void test_wire_count_is_bounded_by_remaining_bytes(void **state) {
    (void)state;
    /* count 3 of 4-byte elements needs 12 bytes; 11 are there */
    uint8_t p[4 + 12] = {0, 0, 0, 3};
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, 4 + 11, 0, NULL);
    assert_int_equal(rn_wire_read_count(&d, 4, false), 0);
    assert_rc(d.rd.err, RN_EMALFORMED);
    rn_wire_dec_init(&d, p, 4 + 12, 0, NULL);
    assert_int_equal(rn_wire_read_count(&d, 4, false), 3);
    assert_rc(d.rd.err, 0);
    /* -1 only where nullable; other negatives never */
    const uint8_t neg1[] = {0xff, 0xff, 0xff, 0xff}, neg2[] = {0xff, 0xff, 0xff, 0xfe};
    rn_wire_dec_init(&d, neg1, 4, 0, NULL);
    assert_int_equal(rn_wire_read_count(&d, 4, true), -1);
    assert_rc(rn_wire_dec_finish(&d), 0);
    rn_wire_dec_init(&d, neg1, 4, 0, NULL);
    rn_wire_read_count(&d, 4, false);
    assert_rc(d.rd.err, RN_EMALFORMED);
    rn_wire_dec_init(&d, neg2, 4, 0, NULL);
    rn_wire_read_count(&d, 4, true);
    assert_rc(d.rd.err, RN_EMALFORMED);
    /* INT32_MAX elements in a 4-byte buffer: refused before any allocation */
    int64_t live = rn_alloc_live();
    const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff};
    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_wire_dec_init(&d, huge, 4, 0, &arena);
    int32_t n;
    assert_null(rn_wire_read_i32s(&d, &n));
    assert_int_equal(n, 0);
    assert_rc(d.rd.err, RN_EMALFORMED);
    assert_int_equal(rn_alloc_live(), live);
    assert_null(arena.head);
}

static void test_wire_trailing_bytes_are_malformed(void **state) {
    (void)state;
    const uint8_t p[] = {0, 1, 'x', 0};
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, sizeof p, 0, NULL);
    assert_str(rn_wire_read_str(&d), "x");
    assert_rc(rn_wire_dec_finish(&d), RN_EMALFORMED);
}

static void test_wire_encoder_refuses_and_rolls_back(void **state) {
    (void)state;
    static char big[INT16_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    rn_writer_t wr;
    rn_wire_enc_t e;
    rn_writer_init(&wr, 0);
    rn_writer_u8(&wr, 0x55);
    rn_wire_enc_init(&e, &wr, 0);
    rn_wire_write_str(&e, rn_str("fine"));
    rn_wire_write_nstr(&e, rn_str(big)); /* 32768 bytes: one too many */
    rn_wire_write_str(&e, rn_str("after"));
    assert_rc(rn_wire_enc_finish(&e), RN_ETOOLARGE);
    assert_int_equal(wr.len, 1);
    big[INT16_MAX] = '\0'; /* exactly 32767 fits */
    rn_wire_enc_init(&e, &wr, 0);
    rn_wire_write_str(&e, rn_str(big));
    assert_rc(rn_wire_enc_finish(&e), 0);
    assert_int_equal(wr.len, 1 + 2 + INT16_MAX);
    rn_wire_enc_init(&e, &wr, 0);
    rn_wire_write_count(&e, -2, true);
    assert_rc(rn_wire_enc_finish(&e), RN_EMALFORMED);
    assert_int_equal(wr.len, 1 + 2 + INT16_MAX);
    rn_writer_deinit(&wr);
}

static void test_wire_frame_decode(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    size_t at = rn_wire_frame_begin(&wr);
    rn_writer_bytes(&wr, "hello", 5);
    assert_rc(rn_wire_frame_end(&wr, at), 0);
    const uint8_t want[] = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
    assert_memory_equal(wr.buf, want, sizeof want);
    const uint8_t *msg;
    size_t msg_len;
    for (size_t n = 0; n < sizeof want; n++) /* partial frames: wait for more */
        assert_int_equal(rn_wire_frame_decode(want, n, 100, &msg, &msg_len), 0);
    assert_int_equal(rn_wire_frame_decode(want, sizeof want, 100, &msg, &msg_len), 1);
    assert_ptr_equal(msg, want + 4);
    assert_int_equal(msg_len, 5);
    assert_int_equal(rn_wire_frame_decode(want, sizeof want, 5, &msg, &msg_len), 1);
    assert_rc(rn_wire_frame_decode(want, sizeof want, 4, &msg, &msg_len), RN_ETOOLARGE);
    /* too large is known from the size alone, before the body arrives */
    const uint8_t big[] = {0x7f, 0xff, 0xff, 0xff};
    assert_rc(rn_wire_frame_decode(big, 4, 1 << 20, &msg, &msg_len), RN_ETOOLARGE);
    const uint8_t neg[] = {0x80, 0, 0, 0};
    assert_rc(rn_wire_frame_decode(neg, 4, 1 << 20, &msg, &msg_len), RN_EMALFORMED);
    const uint8_t empty[] = {0, 0, 0, 0};
    assert_int_equal(rn_wire_frame_decode(empty, 4, 0, &msg, &msg_len), 1);
    assert_int_equal(msg_len, 0);
    rn_writer_deinit(&wr);
}

static void test_wire_request_header_golden_bytes(void **state) {
    (void)state;
    rn_request_header_t h = {RN_API_METADATA, 0, 0x01020304, rn_str("cli")}, got;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(rn_request_header_encode(&wr, &h), 0);
    rn_writer_u8(&wr, 0xee); /* the body */
    const uint8_t want[] = {0, 3, 0, 0, 1, 2, 3, 4, 0, 3, 'c', 'l', 'i', 0xee};
    assert_int_equal(wr.len, sizeof want);
    assert_memory_equal(wr.buf, want, sizeof want);
    rn_reader_t rd;
    rn_reader_init(&rd, wr.buf, wr.len);
    assert_rc(rn_request_header_decode(&rd, &got), 0);
    assert_int_equal(got.api_key, RN_API_METADATA);
    assert_int_equal(got.api_version, 0);
    assert_int_equal(got.correlation_id, 0x01020304);
    assert_str(got.client_id, "cli");
    assert_int_equal(rd.pos, sizeof want - 1); /* at the body */
    /* null client id */
    h.client_id = RN_STR_NULL;
    wr.len = 0;
    assert_rc(rn_request_header_encode(&wr, &h), 0);
    rn_reader_init(&rd, wr.buf, wr.len);
    assert_rc(rn_request_header_decode(&rd, &got), 0);
    assert_str(got.client_id, NULL);
    rn_writer_deinit(&wr);
}

static void test_wire_request_header_cut_keeps_correlation_id(void **state) {
    (void)state;
    const uint8_t p[] = {0, 18, 0, 0, 0, 0, 0, 42, 0, 9, 'x'};
    rn_request_header_t h;
    for (size_t cut = 0; cut < sizeof p; cut++) {
        uint8_t *q = tw_exact(p, cut);
        rn_reader_t rd;
        rn_reader_init(&rd, q, cut);
        assert_rc(rn_request_header_decode(&rd, &h), RN_EMALFORMED);
        if (cut >= 8)
            assert_int_equal(h.correlation_id, 42);
        free(q);
    }
}

static void test_wire_response_header(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_response_header_encode(&wr, -7);
    const uint8_t want[] = {0xff, 0xff, 0xff, 0xf9};
    assert_memory_equal(wr.buf, want, 4);
    rn_reader_t rd;
    int32_t corr;
    rn_reader_init(&rd, wr.buf, wr.len);
    assert_rc(rn_response_header_decode(&rd, &corr), 0);
    assert_int_equal(corr, -7);
    rn_reader_init(&rd, wr.buf, 3);
    assert_rc(rn_response_header_decode(&rd, &corr), RN_EMALFORMED);
    rn_writer_deinit(&wr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_primitives_golden_bytes),
        cmocka_unit_test(test_wire_empty_string_is_not_null),
        cmocka_unit_test(test_wire_bad_lengths_are_malformed),
        cmocka_unit_test(test_wire_bytes_are_not_nullable),
        cmocka_unit_test(test_wire_count_is_bounded_by_remaining_bytes),
        cmocka_unit_test(test_wire_trailing_bytes_are_malformed),
        cmocka_unit_test(test_wire_encoder_refuses_and_rolls_back),
        cmocka_unit_test(test_wire_frame_decode),
        cmocka_unit_test(test_wire_request_header_golden_bytes),
        cmocka_unit_test(test_wire_request_header_cut_keeps_correlation_id),
        cmocka_unit_test(test_wire_response_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
