/*
 * api_testutil.h — generic checks for the API codecs (header-only, like
 * batch_testutil.h: the test glob builds one executable per test_*.c).
 *
 * TW_CODEC(msg, type) wraps rn_<msg>_encode/decode/deinit into a tw_codec_t named
 * msg_codec, so the checks below run on any message:
 *
 *   tw_roundtrip        encode, decode, re-encode: same bytes; returns the decoded copy
 *   tw_check_cuts       every prefix of the encoding (and one trailing byte) is
 *                       RN_EMALFORMED, never success, and leaks nothing
 *   tw_check_big_counts huge or negative counts (0x7fffffff, 0xffffffff, ...)
 *                       written at every offset of the encoding never crash, never
 *                       leak, never allocate out of proportion (ASan would abort)
 *   tw_check_versions   versions outside the API table's range are RN_EBADVERSION,
 *                       writing nothing
 *
 * Include after cmocka.h.
 */
#ifndef RN_TEST_API_TESTUTIL_H
#define RN_TEST_API_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/wire.h"
#include "proto/writer.h"

/* Assert two runnel codes are equal, printing both names on failure. */
#define assert_rc(got, want)                                                                       \
    do {                                                                                           \
        int got_ = (got), want_ = (want);                                                          \
        if (got_ != want_)                                                                         \
            fail_msg("%s: got %s, want %s", #got, rn_errname(got_), rn_errname(want_));            \
    } while (0)

/* A view equals a C string (NULL: the view is null). */
#define assert_str(view, cstr)                                                                     \
    do {                                                                                           \
        rn_str_t v_ = (view);                                                                      \
        const char *c_ = (cstr);                                                                   \
        if (c_ == NULL ? !rn_str_is_null(v_) : !rn_str_eq_c(v_, c_))                               \
            fail_msg("%s: got \"%.*s\" (len %d), want \"%s\"", #view, v_.len < 0 ? 0 : v_.len,     \
                     v_.ptr ? v_.ptr : "", v_.len, c_ ? c_ : "(null)");                            \
    } while (0)

typedef struct tw_codec_s {
    const char *name;
    int16_t api_key;
    size_t size; /* of the message struct */
    int (*encode)(rn_writer_t *wr, int16_t version, const void *m);
    int (*decode)(const uint8_t *p, size_t len, int16_t version, void *m);
    void (*deinit)(void *m);
} tw_codec_t;

#define TW_CODEC(msg, key)                                                                         \
    static int msg##_enc(rn_writer_t *wr, int16_t v, const void *m) {                              \
        return rn_##msg##_encode(wr, v, (const rn_##msg##_t *)m);                                  \
    }                                                                                              \
    static int msg##_dec(const uint8_t *p, size_t n, int16_t v, void *m) {                         \
        return rn_##msg##_decode(p, n, v, (rn_##msg##_t *)m);                                      \
    }                                                                                              \
    static void msg##_fin(void *m) {                                                               \
        rn_##msg##_deinit((rn_##msg##_t *)m);                                                      \
    }                                                                                              \
    static const tw_codec_t msg##_codec = {#msg,      key,       sizeof(rn_##msg##_t),             \
                                           msg##_enc, msg##_dec, msg##_fin}

/* The v0 encoding of m, rn_malloc'd (free with rn_free); asserts success. */
static inline uint8_t *tw_encode(const tw_codec_t *c, const void *m, size_t *len) {
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(c->encode(&wr, 0, m), 0);
    uint8_t *p = rn_writer_take(&wr, len);
    return p ? p : rn_malloc(1); /* an empty body still gets a buffer */
}

/* A malloc'd exact-size copy of p[0..len), so ASan sees any read past the end. */
static inline uint8_t *tw_exact(const uint8_t *p, size_t len) {
    uint8_t *q = malloc(len ? len : 1);
    if (len)
        memcpy(q, p, len);
    return q;
}

/* Encode m, decode it into out, re-encode out: the bytes must match. Returns the
 * encoding (out's views point into it): rn_free it after deinit'ing out. */
static inline uint8_t *tw_roundtrip(const tw_codec_t *c, const void *m, void *out, size_t *len) {
    uint8_t *p = tw_encode(c, m, len);
    assert_rc(c->decode(p, *len, 0, out), 0);
    size_t len2;
    uint8_t *p2 = tw_encode(c, out, &len2);
    if (len2 != *len || memcmp(p, p2, *len) != 0)
        fail_msg("%s: re-encoding differs (%zu vs %zu bytes)", c->name, len2, *len);
    rn_free(p2);
    return p;
}

static inline void tw_check_cuts(const tw_codec_t *c, const void *m) {
    int64_t live = rn_alloc_live();
    size_t len;
    uint8_t *p = tw_encode(c, m, &len);
    void *out = calloc(1, c->size);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *q = tw_exact(p, cut);
        int rc = c->decode(q, cut, 0, out);
        if (rc != RN_EMALFORMED)
            fail_msg("%s cut at %zu of %zu: got %s", c->name, cut, len, rn_errname(rc));
        free(q);
    }
    uint8_t *longer = tw_exact(p, len + 1);
    longer[len] = 0;
    assert_rc(c->decode(longer, len + 1, 0, out), RN_EMALFORMED);
    free(longer);
    free(out);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

static inline void tw_check_big_counts(const tw_codec_t *c, const void *m) {
    static const uint32_t counts[] = {0x7fffffff, 0xffffffff, 0x80000000, 0x00010000};
    size_t len;
    uint8_t *p = tw_encode(c, m, &len);
    int64_t live = rn_alloc_live();
    void *out = calloc(1, c->size);
    for (size_t i = 0; i + 4 <= len; i++) {
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            uint8_t *q = tw_exact(p, len);
            rn_put_be(q + i, counts[k], 4);
            if (c->decode(q, len, 0, out) == 0)
                c->deinit(out);
            assert_int_equal(rn_alloc_live(), live);
            free(q);
        }
    }
    free(out);
    rn_free(p);
}

static inline void tw_check_versions(const tw_codec_t *c, const void *m) {
    int16_t max = rn_api_info(c->api_key)->max_version;
    const int16_t bad[] = {(int16_t)(max + 1), (int16_t)(max + 2), -1, INT16_MAX, INT16_MIN};
    size_t len;
    uint8_t *p = tw_encode(c, m, &len);
    void *out = calloc(1, c->size);
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    rn_writer_u8(&wr, 0xaa);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_rc(c->encode(&wr, bad[i], m), RN_EBADVERSION);
        assert_int_equal(wr.len, 1); /* nothing written */
        assert_rc(c->decode(p, len, bad[i], out), RN_EBADVERSION);
    }
    assert_rc(rn_api_check_version(c->api_key, 0), 0);
    rn_writer_deinit(&wr);
    free(out);
    rn_free(p);
}

/* All generic checks on one message. */
static inline void tw_check_all(const tw_codec_t *c, const void *m) {
    int64_t live = rn_alloc_live();
    tw_check_cuts(c, m);
    tw_check_big_counts(c, m);
    tw_check_versions(c, m);
    assert_int_equal(rn_alloc_live(), live);
}

/* Decode a hand-made body that must be refused as RN_EMALFORMED, leak-free. */
static inline void tw_expect_malformed(const tw_codec_t *c, const uint8_t *p, size_t len) {
    int64_t live = rn_alloc_live();
    void *out = calloc(1, c->size);
    uint8_t *q = tw_exact(p, len);
    assert_rc(c->decode(q, len, 0, out), RN_EMALFORMED);
    assert_int_equal(rn_alloc_live(), live);
    free(q);
    free(out);
}

#endif
