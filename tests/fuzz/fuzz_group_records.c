/*
 * fuzz_group_records.c — libFuzzer target for the __consumer_offsets records
 * (src/group/group_records.c): keys, offset values and group values are untrusted
 * bytes read back from the log.
 *
 * Each input is decoded as a key, an offset commit value and a group metadata value.
 * Beyond "no crash, no sanitizer report, no leak" it checks the codec's promise:
 * whatever decodes re-encodes to exactly the input bytes (the layouts have no slack),
 * except a version-0 offset key, which re-encodes as version 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "group/group_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(int cond) {
    if (!cond)
        abort();
}

static void expect_same(const rn_writer_t *wr, const uint8_t *data, size_t size, size_t skip) {
    expect(wr->len == size);
    expect(size <= skip || memcmp(wr->buf + skip, data + skip, size - skip) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rn_grec_key_t k;
    if (rn_grec_key_decode(data, size, &k) == 0) {
        rn_writer_t wr;
        rn_writer_init(&wr, 0);
        if (k.kind == RN_GREC_OFFSET) {
            expect(rn_grec_offset_key_encode(&wr, k.group, k.topic, k.partition) == 0);
            expect_same(&wr, data, size, 2);
        } else {
            expect(k.kind == RN_GREC_GROUP);
            expect(rn_grec_group_key_encode(&wr, k.group) == 0);
            expect_same(&wr, data, size, 0);
        }
        rn_writer_deinit(&wr);
    }
    rn_grec_offset_t o;
    if (rn_grec_offset_value_decode(data, size, &o) == 0) {
        rn_writer_t wr;
        rn_writer_init(&wr, 0);
        expect(rn_grec_offset_value_encode(&wr, &o) == 0);
        expect_same(&wr, data, size, 0);
        rn_writer_deinit(&wr);
    }
    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_grec_group_t g;
    if (rn_grec_group_value_decode(data, size, &arena, &g) == 0) {
        rn_writer_t wr;
        rn_writer_init(&wr, 0);
        expect(rn_grec_group_value_encode(&wr, &g) == 0);
        expect_same(&wr, data, size, 0);
        rn_writer_deinit(&wr);
    }
    rn_arena_deinit(&arena);
    return 0;
}
