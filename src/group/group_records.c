/*
 * group_records.c — encode / decode the __consumer_offsets records (group_records.h)
 * with the wire primitives of proto/wire.h: the decoder's reader is bounds-checked and
 * sticky, so each function reads straight through and checks once at the end.
 */
#include "group/group_records.h"

#include "common/errors.h"

/* Smallest wire size of a member: 4 strings/nstring (2 each), 2 int32, 2 bytes (4 each). */
#define MEMBER_MIN_BYTES (4 * 2 + 2 * 4 + 2 * 4)

int rn_grec_offset_key_encode(rn_writer_t *wr, rn_str_t group, rn_str_t topic, int32_t partition) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, RN_GREC_OFFSET_KEY_V1);
    rn_writer_i16(wr, RN_GREC_OFFSET_KEY_V1);
    rn_wire_write_str(&e, group);
    rn_wire_write_str(&e, topic);
    rn_writer_i32(wr, partition);
    return rn_wire_enc_finish(&e);
}

int rn_grec_group_key_encode(rn_writer_t *wr, rn_str_t group) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, RN_GREC_GROUP_KEY_V2);
    rn_writer_i16(wr, RN_GREC_GROUP_KEY_V2);
    rn_wire_write_str(&e, group);
    return rn_wire_enc_finish(&e);
}

int rn_grec_offset_value_encode(rn_writer_t *wr, const rn_grec_offset_t *v) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, RN_GREC_OFFSET_VALUE_V3);
    rn_writer_i16(wr, RN_GREC_OFFSET_VALUE_V3);
    rn_writer_i64(wr, v->offset);
    rn_writer_i32(wr, v->leader_epoch);
    rn_wire_write_nstr(&e, v->metadata);
    rn_writer_i64(wr, v->commit_timestamp);
    return rn_wire_enc_finish(&e);
}

int rn_grec_group_value_encode(rn_writer_t *wr, const rn_grec_group_t *v) {
    rn_wire_enc_t e;
    rn_wire_enc_init(&e, wr, RN_GREC_GROUP_VALUE_V3);
    rn_writer_i16(wr, RN_GREC_GROUP_VALUE_V3);
    rn_wire_write_str(&e, v->protocol_type);
    rn_writer_i32(wr, v->generation);
    rn_wire_write_nstr(&e, v->protocol);
    rn_wire_write_nstr(&e, v->leader);
    rn_writer_i64(wr, v->current_state_timestamp);
    rn_wire_write_count(&e, v->n_members, false);
    for (int32_t i = 0; i < v->n_members; i++) {
        const rn_grec_member_t *m = &v->members[i];
        rn_wire_write_str(&e, m->member_id);
        rn_wire_write_nstr(&e, m->group_instance_id);
        rn_wire_write_str(&e, m->client_id);
        rn_wire_write_str(&e, m->client_host);
        rn_writer_i32(wr, m->rebalance_timeout);
        rn_writer_i32(wr, m->session_timeout);
        rn_wire_write_bytes(&e, m->subscription);
        rn_wire_write_bytes(&e, m->assignment);
    }
    return rn_wire_enc_finish(&e);
}

int rn_grec_key_decode(const uint8_t *p, size_t len, rn_grec_key_t *key) {
    rn_wire_dec_t d;
    *key = (rn_grec_key_t){.group = RN_STR_NULL, .topic = RN_STR_NULL, .partition = -1};
    rn_wire_dec_init(&d, p, len, 0, NULL);
    int16_t version = rn_reader_i16(&d.rd);
    if (d.rd.err != 0)
        return RN_EMALFORMED;
    if (version == RN_GREC_OFFSET_KEY_V0 || version == RN_GREC_OFFSET_KEY_V1) {
        key->kind = RN_GREC_OFFSET;
        key->group = rn_wire_read_str(&d);
        key->topic = rn_wire_read_str(&d);
        key->partition = rn_reader_i32(&d.rd);
    } else if (version == RN_GREC_GROUP_KEY_V2) {
        key->kind = RN_GREC_GROUP;
        key->group = rn_wire_read_str(&d);
    } else {
        return RN_EBADVERSION;
    }
    return rn_wire_dec_finish(&d) != 0 ? RN_EMALFORMED : 0;
}

int rn_grec_offset_value_decode(const uint8_t *p, size_t len, rn_grec_offset_t *v) {
    rn_wire_dec_t d;
    *v = (rn_grec_offset_t){.offset = -1, .leader_epoch = -1, .metadata = RN_STR_NULL};
    rn_wire_dec_init(&d, p, len, 0, NULL);
    int16_t version = rn_reader_i16(&d.rd);
    if (d.rd.err != 0)
        return RN_EMALFORMED;
    if (version != RN_GREC_OFFSET_VALUE_V3)
        return RN_EBADVERSION;
    v->offset = rn_reader_i64(&d.rd);
    v->leader_epoch = rn_reader_i32(&d.rd);
    v->metadata = rn_wire_read_nstr(&d);
    v->commit_timestamp = rn_reader_i64(&d.rd);
    return rn_wire_dec_finish(&d) != 0 ? RN_EMALFORMED : 0;
}

int rn_grec_group_value_decode(const uint8_t *p, size_t len, rn_arena_t *arena,
                               rn_grec_group_t *v) {
    rn_wire_dec_t d;
    *v = (rn_grec_group_t){.protocol = RN_STR_NULL, .leader = RN_STR_NULL};
    rn_wire_dec_init(&d, p, len, 0, arena);
    int16_t version = rn_reader_i16(&d.rd);
    if (d.rd.err != 0)
        return RN_EMALFORMED;
    if (version != RN_GREC_GROUP_VALUE_V3)
        return RN_EBADVERSION;
    v->protocol_type = rn_wire_read_str(&d);
    v->generation = rn_reader_i32(&d.rd);
    v->protocol = rn_wire_read_nstr(&d);
    v->leader = rn_wire_read_nstr(&d);
    v->current_state_timestamp = rn_reader_i64(&d.rd);
    int32_t n = rn_wire_read_count(&d, MEMBER_MIN_BYTES, false);
    v->members = rn_wire_alloc(&d, n, sizeof *v->members);
    for (int32_t i = 0; i < n && d.rd.err == 0; i++) {
        rn_grec_member_t *m = &v->members[i];
        m->member_id = rn_wire_read_str(&d);
        m->group_instance_id = rn_wire_read_nstr(&d);
        m->client_id = rn_wire_read_str(&d);
        m->client_host = rn_wire_read_str(&d);
        m->rebalance_timeout = rn_reader_i32(&d.rd);
        m->session_timeout = rn_reader_i32(&d.rd);
        m->subscription = rn_wire_read_bytes(&d);
        m->assignment = rn_wire_read_bytes(&d);
    }
    if (rn_wire_dec_finish(&d) != 0) {
        v->n_members = 0;
        v->members = NULL;
        return RN_EMALFORMED;
    }
    v->n_members = n > 0 ? n : 0;
    return 0;
}
