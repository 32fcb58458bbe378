/* test_consumer_protocol.c — ConsumerProtocolSubscription / Assignment v0: Kafka's
 * byte layout, round trips, later versions' trailing fields, truncation at every
 * byte, huge counts, negative versions and lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_testutil.h"
#include "proto/consumer_protocol.h"

/* The two messages behind one shape, for the generic checks below. */
typedef struct {
    size_t size;
    int (*encode)(rn_writer_t *wr, const void *m);
    int (*decode)(const uint8_t *p, size_t len, void *m);
    void (*deinit)(void *m);
} cp_codec_t;

static int sub_enc(rn_writer_t *wr, const void *m) {
    return rn_consumer_subscription_encode(wr, m);
}
static int sub_dec(const uint8_t *p, size_t len, void *m) {
    return rn_consumer_subscription_decode(p, len, m);
}
static void sub_fin(void *m) {
    rn_consumer_subscription_deinit(m);
}
static int asg_enc(rn_writer_t *wr, const void *m) {
    return rn_consumer_assignment_encode(wr, m);
}
static int asg_dec(const uint8_t *p, size_t len, void *m) {
    return rn_consumer_assignment_decode(p, len, m);
}
static void asg_fin(void *m) {
    rn_consumer_assignment_deinit(m);
}

static const cp_codec_t sub_codec = {sizeof(rn_consumer_subscription_t), sub_enc, sub_dec, sub_fin};
static const cp_codec_t asg_codec = {sizeof(rn_consumer_assignment_t), asg_enc, asg_dec, asg_fin};

static uint8_t *cp_encode(const cp_codec_t *c, const void *m, size_t *len) {
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(c->encode(&wr, m), 0);
    return rn_writer_take(&wr, len);
}

/* Every prefix is malformed; so is one extra byte after a v0 body; huge counts at every
 * offset never crash or leak. */
static void cp_check_all(const cp_codec_t *c, const void *m) {
    int64_t live = rn_alloc_live();
    size_t len;
    uint8_t *p = cp_encode(c, m, &len);
    void *out = calloc(1, c->size);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *q = tw_exact(p, cut);
        int rc = c->decode(q, cut, out);
        if (rc != RN_EMALFORMED)
            fail_msg("cut at %zu of %zu: got %s", cut, len, rn_errname(rc));
        free(q);
    }
    uint8_t *longer = tw_exact(p, len + 1);
    longer[len] = 0;
    assert_rc(c->decode(longer, len + 1, out), RN_EMALFORMED);
    free(longer);
    static const uint32_t counts[] = {0x7fffffff, 0xffffffff, 0x80000000, 0x00010000};
    int64_t live_p = rn_alloc_live(); /* with p */
    for (size_t i = 0; i + 4 <= len; i++) {
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            uint8_t *q = tw_exact(p, len);
            rn_put_be(q + i, counts[k], 4);
            if (c->decode(q, len, out) == 0)
                c->deinit(out);
            assert_int_equal(rn_alloc_live(), live_p);
            free(q);
        }
    }
    free(out);
    rn_free(p);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_consumer_subscription_kafka_layout(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_str_t topics[] = {rn_str("a"), rn_str("b")};
    rn_consumer_subscription_t sub = {.n_topics = 2, .topics = topics, .user_data = RN_BYTES_NULL},
                               out;
    size_t len;
    uint8_t *p = cp_encode(&sub_codec, &sub, &len);
    const uint8_t want[] = {0,    0,                 /* version 0 */
                            0,    0,    0,    2,     /* topics count */
                            0,    1,    'a',         /* "a" */
                            0,    1,    'b',         /* "b" */
                            0xff, 0xff, 0xff, 0xff}; /* user_data null */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    assert_rc(rn_consumer_subscription_decode(p, len, &out), 0);
    assert_int_equal(out.version, 0);
    assert_int_equal(out.n_topics, 2);
    assert_str(out.topics[0], "a");
    assert_str(out.topics[1], "b");
    assert_int_equal(out.user_data.len, -1);
    rn_consumer_subscription_deinit(&out);
    rn_free(p);
    cp_check_all(&sub_codec, &sub);
    rn_consumer_subscription_t with_data = {.user_data = rn_bytes("\x07", 1)};
    p = cp_encode(&sub_codec, &with_data, &len);
    assert_int_equal(len, 2 + 4 + 4 + 1);
    assert_rc(rn_consumer_subscription_decode(p, len, &out), 0);
    assert_int_equal(out.n_topics, 0);
    assert_int_equal(out.user_data.len, 1);
    assert_int_equal(out.user_data.ptr[0], 7);
    rn_consumer_subscription_deinit(&out);
    rn_free(p);
    cp_check_all(&sub_codec, &with_data);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_consumer_assignment_kafka_layout(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    int32_t pa[] = {0, 2}, pb[] = {1};
    rn_consumer_assignment_topic_t ts[] = {
        {.topic = rn_str("a"), .n_partitions = 2, .partitions = pa},
        {.topic = rn_str("b"), .n_partitions = 1, .partitions = pb},
    };
    rn_consumer_assignment_t asg = {.n_assigned_partitions = 2,
                                    .assigned_partitions = ts,
                                    .user_data = rn_bytes(NULL, 0)},
                             out;
    size_t len;
    uint8_t *p = cp_encode(&asg_codec, &asg, &len);
    const uint8_t want[] = {0, 0,                     /* version 0 */
                            0, 0, 0,   2,             /* assigned_partitions count */
                            0, 1, 'a',                /* topic */
                            0, 0, 0,   2,             /* partitions count */
                            0, 0, 0,   0, 0, 0, 0, 2, /* 0, 2 */
                            0, 1, 'b',                /* topic */
                            0, 0, 0,   1, 0, 0, 0, 1, /* [1] */
                            0, 0, 0,   0};            /* user_data empty */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    assert_rc(rn_consumer_assignment_decode(p, len, &out), 0);
    assert_int_equal(out.version, 0);
    assert_int_equal(out.n_assigned_partitions, 2);
    assert_str(out.assigned_partitions[0].topic, "a");
    assert_int_equal(out.assigned_partitions[0].n_partitions, 2);
    assert_int_equal(out.assigned_partitions[0].partitions[1], 2);
    assert_str(out.assigned_partitions[1].topic, "b");
    assert_int_equal(out.assigned_partitions[1].partitions[0], 1);
    assert_int_equal(out.user_data.len, 0);
    rn_consumer_assignment_deinit(&out);
    rn_free(p);
    cp_check_all(&asg_codec, &asg);
    rn_consumer_assignment_t empty = {.user_data = RN_BYTES_NULL};
    p = cp_encode(&asg_codec, &empty, &len);
    const uint8_t want_empty[] = {0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(len, sizeof want_empty);
    assert_memory_equal(p, want_empty, sizeof want_empty);
    rn_free(p);
    cp_check_all(&asg_codec, &empty);
    assert_int_equal(rn_alloc_live(), live);
}

/* Kafka appends fields in later versions (v1 owned_partitions, ...): a reader takes the
 * v0 fields and ignores the rest; a v0 body must end exactly. */
static void test_consumer_protocol_later_versions_and_bad_input(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    const uint8_t v1_sub[] = {
        0,    1,    0,    0,    0, 1, 0, 1, 't',
        0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}; /* + owned_partitions: empty array */
    rn_consumer_subscription_t sub;
    assert_rc(rn_consumer_subscription_decode(v1_sub, sizeof v1_sub, &sub), 0);
    assert_int_equal(sub.version, 1);
    assert_int_equal(sub.n_topics, 1);
    assert_str(sub.topics[0], "t");
    rn_consumer_subscription_deinit(&sub);
    /* the same trailing bytes after a v0 header are malformed */
    uint8_t v0_sub[sizeof v1_sub];
    memcpy(v0_sub, v1_sub, sizeof v1_sub);
    v0_sub[1] = 0;
    assert_rc(rn_consumer_subscription_decode(v0_sub, sizeof v0_sub, &sub), RN_EMALFORMED);
    /* a v1 body still needs its v0 fields */
    assert_rc(rn_consumer_subscription_decode(v1_sub, 9, &sub), RN_EMALFORMED);
    const uint8_t neg_version[] = {0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    assert_rc(rn_consumer_subscription_decode(neg_version, sizeof neg_version, &sub),
              RN_EMALFORMED);
    const uint8_t null_topics[] = {0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_rc(rn_consumer_subscription_decode(null_topics, sizeof null_topics, &sub),
              RN_EMALFORMED);
    const uint8_t bad_user_data[] = {0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe};
    assert_rc(rn_consumer_subscription_decode(bad_user_data, sizeof bad_user_data, &sub),
              RN_EMALFORMED);

    const uint8_t v3_asg[] = {
        0, 3, 0, 0, 0, 1, 0, 1, 't', 0,    0,   0,
        1, 0, 0, 0, 5, 0, 0, 0, 0,   0xde, 0xad}; /* + bytes of a later version */
    rn_consumer_assignment_t asg;
    assert_rc(rn_consumer_assignment_decode(v3_asg, sizeof v3_asg, &asg), 0);
    assert_int_equal(asg.version, 3);
    assert_int_equal(asg.assigned_partitions[0].partitions[0], 5);
    assert_int_equal(asg.user_data.len, 0);
    /* re-encoding writes v0 without the unknown fields */
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_rc(rn_consumer_assignment_encode(&wr, &asg), 0);
    assert_int_equal(wr.len, sizeof v3_asg - 2);
    assert_int_equal(wr.buf[1], 0);
    assert_memory_equal(wr.buf + 2, v3_asg + 2, sizeof v3_asg - 4);
    rn_writer_deinit(&wr);
    rn_consumer_assignment_deinit(&asg);
    const uint8_t null_parts[] = {0,    0,    0,    0,    0,    1,    0,    1,   't',
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_rc(rn_consumer_assignment_decode(null_parts, sizeof null_parts, &asg), RN_EMALFORMED);
    const uint8_t neg_asg_version[] = {0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    assert_rc(rn_consumer_assignment_decode(neg_asg_version, sizeof neg_asg_version, &asg),
              RN_EMALFORMED);

    /* encoders refuse what the wire cannot carry, writing nothing */
    rn_str_t null_topic[] = {RN_STR_NULL};
    rn_consumer_subscription_t bad = {.n_topics = 1, .topics = null_topic};
    rn_writer_init(&wr, 0);
    assert_rc(rn_consumer_subscription_encode(&wr, &bad), RN_EMALFORMED);
    rn_consumer_assignment_t bad_asg = {.n_assigned_partitions = -1};
    assert_rc(rn_consumer_assignment_encode(&wr, &bad_asg), RN_EMALFORMED);
    assert_int_equal(wr.len, 0);
    rn_writer_deinit(&wr);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consumer_subscription_kafka_layout),
        cmocka_unit_test(test_consumer_assignment_kafka_layout),
        cmocka_unit_test(test_consumer_protocol_later_versions_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
