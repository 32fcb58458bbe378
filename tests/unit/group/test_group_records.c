/* test_group_records.c — the __consumer_offsets records: golden bytes, round trips,
 * tombstone-free versions, unknown versions, every truncation, garbage. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "group/group_records.h"

static void test_offset_key_golden(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_grec_offset_key_encode(&wr, rn_str("g"), rn_str("t"), 7), 0);
    const uint8_t want[] = {0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 7};
    assert_int_equal(wr.len, sizeof want);
    assert_memory_equal(wr.buf, want, sizeof want);
    rn_grec_key_t k;
    assert_int_equal(rn_grec_key_decode(wr.buf, wr.len, &k), 0);
    assert_int_equal(k.kind, RN_GREC_OFFSET);
    assert_true(rn_str_eq_c(k.group, "g"));
    assert_true(rn_str_eq_c(k.topic, "t"));
    assert_int_equal(k.partition, 7);
    /* version 0 has the same layout */
    ((uint8_t *)wr.buf)[1] = 0;
    assert_int_equal(rn_grec_key_decode(wr.buf, wr.len, &k), 0);
    assert_int_equal(k.kind, RN_GREC_OFFSET);
    for (size_t n = 0; n < wr.len; n++)
        assert_int_equal(rn_grec_key_decode(wr.buf, n, &k), RN_EMALFORMED);
    rn_writer_deinit(&wr);
}

static void test_group_key_and_versions(void **state) {
    (void)state;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_grec_group_key_encode(&wr, rn_str("grp")), 0);
    const uint8_t want[] = {0, 2, 0, 3, 'g', 'r', 'p'};
    assert_memory_equal(wr.buf, want, sizeof want);
    rn_grec_key_t k;
    assert_int_equal(rn_grec_key_decode(wr.buf, wr.len, &k), 0);
    assert_int_equal(k.kind, RN_GREC_GROUP);
    assert_true(rn_str_eq_c(k.group, "grp"));
    ((uint8_t *)wr.buf)[1] = 9;
    assert_int_equal(rn_grec_key_decode(wr.buf, wr.len, &k), RN_EBADVERSION);
    ((uint8_t *)wr.buf)[1] = 2;
    rn_writer_u8(&wr, 0); /* trailing byte */
    assert_int_equal(rn_grec_key_decode(wr.buf, wr.len, &k), RN_EMALFORMED);
    rn_writer_deinit(&wr);
    /* a null group cannot be encoded */
    rn_writer_init(&wr, 0);
    assert_int_not_equal(rn_grec_group_key_encode(&wr, RN_STR_NULL), 0);
    assert_int_equal(wr.len, 0);
    rn_writer_deinit(&wr);
}

static void test_offset_value_round_trip(void **state) {
    (void)state;
    rn_grec_offset_t v = {.offset = 1234567890123LL,
                          .leader_epoch = -1,
                          .metadata = rn_str("meta"),
                          .commit_timestamp = 42},
                     out;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_grec_offset_value_encode(&wr, &v), 0);
    assert_int_equal(wr.len, 2 + 8 + 4 + 2 + 4 + 8);
    assert_int_equal(rn_grec_offset_value_decode(wr.buf, wr.len, &out), 0);
    assert_int_equal(out.offset, v.offset);
    assert_int_equal(out.leader_epoch, -1);
    assert_true(rn_str_eq_c(out.metadata, "meta"));
    assert_int_equal(out.commit_timestamp, 42);
    for (size_t n = 0; n < wr.len; n++)
        assert_int_equal(rn_grec_offset_value_decode(wr.buf, n, &out), RN_EMALFORMED);
    ((uint8_t *)wr.buf)[1] = 1;
    assert_int_equal(rn_grec_offset_value_decode(wr.buf, wr.len, &out), RN_EBADVERSION);
    rn_writer_deinit(&wr);
    /* null metadata */
    v.metadata = RN_STR_NULL;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_grec_offset_value_encode(&wr, &v), 0);
    assert_int_equal(rn_grec_offset_value_decode(wr.buf, wr.len, &out), 0);
    assert_true(rn_str_is_null(out.metadata));
    rn_writer_deinit(&wr);
}

static void test_group_value_round_trip(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_grec_member_t mem[2] = {
        {.member_id = rn_str("c-1"),
         .group_instance_id = RN_STR_NULL,
         .client_id = rn_str("c"),
         .client_host = rn_str("/127.0.0.1"),
         .rebalance_timeout = 300000,
         .session_timeout = 10000,
         .subscription = rn_bytes("\x00\x01", 2),
         .assignment = rn_bytes("abc", 3)},
        {.member_id = rn_str("c-2"),
         .group_instance_id = RN_STR_NULL,
         .client_id = rn_str("c"),
         .client_host = rn_str("h"),
         .rebalance_timeout = 1,
         .session_timeout = 2,
         .subscription = rn_bytes(NULL, 0),
         .assignment = rn_bytes(NULL, 0)},
    };
    rn_grec_group_t v = {.protocol_type = rn_str("consumer"),
                         .generation = 5,
                         .protocol = rn_str("range"),
                         .leader = rn_str("c-1"),
                         .current_state_timestamp = 99,
                         .n_members = 2,
                         .members = mem},
                    out;
    rn_writer_t wr;
    rn_writer_init(&wr, 0);
    assert_int_equal(rn_grec_group_value_encode(&wr, &v), 0);
    rn_arena_t arena;
    rn_arena_init(&arena);
    assert_int_equal(rn_grec_group_value_decode(wr.buf, wr.len, &arena, &out), 0);
    assert_true(rn_str_eq_c(out.protocol_type, "consumer"));
    assert_int_equal(out.generation, 5);
    assert_true(rn_str_eq_c(out.protocol, "range"));
    assert_true(rn_str_eq_c(out.leader, "c-1"));
    assert_int_equal(out.current_state_timestamp, 99);
    assert_int_equal(out.n_members, 2);
    assert_true(rn_str_eq_c(out.members[0].member_id, "c-1"));
    assert_true(rn_str_is_null(out.members[0].group_instance_id));
    assert_true(rn_str_eq_c(out.members[0].client_host, "/127.0.0.1"));
    assert_int_equal(out.members[0].rebalance_timeout, 300000);
    assert_int_equal(out.members[0].session_timeout, 10000);
    assert_int_equal(out.members[0].subscription.len, 2);
    assert_memory_equal(out.members[0].assignment.ptr, "abc", 3);
    assert_int_equal(out.members[1].assignment.len, 0);
    for (size_t n = 0; n < wr.len; n++)
        assert_int_equal(rn_grec_group_value_decode(wr.buf, n, &arena, &out), RN_EMALFORMED);
    rn_arena_deinit(&arena);
    rn_writer_deinit(&wr);

    /* empty group, null protocol and leader */
    v = (rn_grec_group_t){.protocol_type = rn_str(""),
                          .generation = 3,
                          .protocol = RN_STR_NULL,
                          .leader = RN_STR_NULL};
    rn_writer_init(&wr, 0);
    rn_arena_init(&arena);
    assert_int_equal(rn_grec_group_value_encode(&wr, &v), 0);
    assert_int_equal(rn_grec_group_value_decode(wr.buf, wr.len, &arena, &out), 0);
    assert_int_equal(out.n_members, 0);
    assert_true(rn_str_is_null(out.protocol));
    assert_true(rn_str_is_null(out.leader));
    rn_arena_deinit(&arena);
    rn_writer_deinit(&wr);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_group_value_huge_count(void **state) {
    (void)state;
    /* v3, "" type, gen 0, null, null, ts 0, count 0x7fffffff and nothing behind it */
    const uint8_t bad[] = {0, 3, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
                           0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff};
    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_grec_group_t out;
    assert_int_equal(rn_grec_group_value_decode(bad, sizeof bad, &arena, &out), RN_EMALFORMED);
    assert_int_equal(out.n_members, 0);
    rn_arena_deinit(&arena);
}

static void test_garbage(void **state) {
    (void)state;
    uint8_t buf[64];
    uint32_t x = 12345;
    rn_arena_t arena;
    rn_arena_init(&arena);
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(round % (int)sizeof buf);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        if (n >= 2 && round % 3 == 0) {
            buf[0] = 0;
            buf[1] = (uint8_t)(round % 4);
        }
        rn_grec_key_t k;
        rn_grec_offset_t o;
        rn_grec_group_t g;
        (void)rn_grec_key_decode(buf, n, &k);
        (void)rn_grec_offset_value_decode(buf, n, &o);
        (void)rn_grec_group_value_decode(buf, n, &arena, &g);
    }
    rn_arena_deinit(&arena);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_key_golden),
        cmocka_unit_test(test_group_key_and_versions),
        cmocka_unit_test(test_offset_value_round_trip),
        cmocka_unit_test(test_group_value_round_trip),
        cmocka_unit_test(test_group_value_huge_count),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
