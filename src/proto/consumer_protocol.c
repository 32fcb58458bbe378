/*
 * consumer_protocol.c — ConsumerProtocolSubscription / ConsumerProtocolAssignment v0
 * (see consumer_protocol.h for the layouts and the versioning rule).
 */
#include "proto/consumer_protocol.h"

#include "common/errors.h"

#define TOPIC_MIN 6 /* topic 2 + partitions count 4 */

/* The sticky error; or, for a v0 body, RN_EMALFORMED when bytes are left over. A body
 * of a later version may carry fields after the v0 ones: they are ignored. */
static int finish(const rn_wire_dec_t *d, int16_t version) {
    if (d->rd.err)
        return d->rd.err;
    return version == 0 ? rn_wire_dec_finish(d) : 0;
}

/* ---- subscription ---------------------------------------------------------------- */

int rn_consumer_subscription_encode(rn_writer_t *wr, const rn_consumer_subscription_t *s) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, RN_CONSUMER_PROTOCOL_VERSION);
    rn_writer_i16(wr, RN_CONSUMER_PROTOCOL_VERSION);
    rn_wire_write_strs(&e, s->topics, s->n_topics, false);
    rn_wire_write_nbytes(&e, s->user_data);
    return rn_wire_enc_finish(&e);
}

int rn_consumer_subscription_decode(const uint8_t *p, size_t len, rn_consumer_subscription_t *s) {
    memset(s, 0, sizeof *s);
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, 0, &s->arena);
    s->version = rn_reader_i16(&d.rd);
    if (s->version < 0)
        rn_reader_fail(&d.rd, RN_EMALFORMED);
    s->topics = rn_wire_read_strs(&d, &s->n_topics, false);
    s->user_data = rn_wire_read_nbytes(&d);
    int rc = finish(&d, s->version);
    if (rc)
        rn_consumer_subscription_deinit(s);
    return rc;
}

void rn_consumer_subscription_deinit(rn_consumer_subscription_t *s) {
    rn_arena_deinit(&s->arena);
    memset(s, 0, sizeof *s);
}

/* ---- assignment ------------------------------------------------------------------ */

int rn_consumer_assignment_encode(rn_writer_t *wr, const rn_consumer_assignment_t *a) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, RN_CONSUMER_PROTOCOL_VERSION);
    rn_writer_i16(wr, RN_CONSUMER_PROTOCOL_VERSION);
    rn_wire_write_count(&e, a->n_assigned_partitions, false);
    for (int32_t i = 0; i < a->n_assigned_partitions; i++) {
        const rn_consumer_assignment_topic_t *t = &a->assigned_partitions[i];
        rn_wire_write_str(&e, t->topic);
        rn_wire_write_i32s(&e, t->partitions, t->n_partitions);
    }
    rn_wire_write_nbytes(&e, a->user_data);
    return rn_wire_enc_finish(&e);
}

int rn_consumer_assignment_decode(const uint8_t *p, size_t len, rn_consumer_assignment_t *a) {
    memset(a, 0, sizeof *a);
    rn_wire_dec_t d;
    rn_wire_dec_init(&d, p, len, 0, &a->arena);
    a->version = rn_reader_i16(&d.rd);
    if (a->version < 0)
        rn_reader_fail(&d.rd, RN_EMALFORMED);
    a->n_assigned_partitions = rn_wire_read_count(&d, TOPIC_MIN, false);
    a->assigned_partitions =
        rn_wire_alloc(&d, a->n_assigned_partitions, sizeof *a->assigned_partitions);
    for (int32_t i = 0; i < a->n_assigned_partitions; i++) {
        rn_consumer_assignment_topic_t *t = &a->assigned_partitions[i];
        t->topic = rn_wire_read_str(&d);
        t->partitions = rn_wire_read_i32s(&d, &t->n_partitions);
    }
    a->user_data = rn_wire_read_nbytes(&d);
    int rc = finish(&d, a->version);
    if (rc)
        rn_consumer_assignment_deinit(a);
    return rc;
}

void rn_consumer_assignment_deinit(rn_consumer_assignment_t *a) {
    rn_arena_deinit(&a->arena);
    memset(a, 0, sizeof *a);
}
