/* test_assignor.c — the range and roundrobin assignors against the examples of Kafka's
 * RangeAssignor / RoundRobinAssignor documentation and tests: members are taken in
 * member-id order whatever order they come in, ranges are contiguous with the extra
 * partitions going to the first members, roundrobin deals sorted partitions in turn
 * and skips members not subscribed to a topic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/assignor.h"

/* "t0-0 t0-1 t1-2" for a member's results. */
static const char *render(const rn__asg_member_t *m, char *buf, size_t len) {
    size_t off = 0;
    buf[0] = '\0';
    for (int32_t i = 0; i < m->n_assigned && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s-%d", i ? " " : "", m->asg_topics[i],
                                m->asg_parts[i]);
    return buf;
}

#define ASSERT_ASSIGNED(m, expect)                                                                 \
    do {                                                                                           \
        char b_[512];                                                                              \
        assert_string_equal(render(&(m), b_, sizeof b_), (expect));                                \
    } while (0)

static const char *const T0[] = {"t0"};
static const char *const T01[] = {"t0", "t1"};
static const char *const T1[] = {"t1"};

static void test_range_two_members_six_partitions_split_0_2_and_3_5(void **state) {
    (void)state;
    rn__asg_topic_t topics[] = {{"t0", 6}};
    /* Given out of order: the member ids decide. */
    rn__asg_member_t ms[] = {{.member_id = "c2", .n_subs = 1, .subs = T0},
                             {.member_id = "c1", .n_subs = 1, .subs = T0}};
    assert_int_equal(rn__assign("range", ms, 2, topics, 1), 0);
    ASSERT_ASSIGNED(ms[1], "t0-0 t0-1 t0-2");
    ASSERT_ASSIGNED(ms[0], "t0-3 t0-4 t0-5");
    rn__assign_free(ms, 2);
}

static void test_range_three_members_six_partitions_two_each(void **state) {
    (void)state;
    rn__asg_topic_t topics[] = {{"t0", 6}};
    rn__asg_member_t ms[] = {{.member_id = "a", .n_subs = 1, .subs = T0},
                             {.member_id = "b", .n_subs = 1, .subs = T0},
                             {.member_id = "c", .n_subs = 1, .subs = T0}};
    assert_int_equal(rn__assign("range", ms, 3, topics, 1), 0);
    ASSERT_ASSIGNED(ms[0], "t0-0 t0-1");
    ASSERT_ASSIGNED(ms[1], "t0-2 t0-3");
    ASSERT_ASSIGNED(ms[2], "t0-4 t0-5");
    rn__assign_free(ms, 3);
}

/* Kafka's RangeAssignor javadoc: t0 and t1 with 3 partitions each, C0 and C1 →
 * C0: [t0p0, t0p1, t1p0, t1p1], C1: [t0p2, t1p2]. */
static void test_range_kafka_javadoc_two_topics_three_partitions(void **state) {
    (void)state;
    rn__asg_topic_t topics[] = {{"t1", 3}, {"t0", 3}};
    rn__asg_member_t ms[] = {{.member_id = "C0", .n_subs = 2, .subs = T01},
                             {.member_id = "C1", .n_subs = 2, .subs = T01}};
    assert_int_equal(rn__assign("range", ms, 2, topics, 2), 0);
    ASSERT_ASSIGNED(ms[0], "t0-0 t0-1 t1-0 t1-1");
    ASSERT_ASSIGNED(ms[1], "t0-2 t1-2");
    rn__assign_free(ms, 2);
}

/* Kafka's RoundRobinAssignor javadoc: the same group → C0: [t0p0, t0p2, t1p1],
 * C1: [t0p1, t1p0, t1p2]. */
static void test_roundrobin_kafka_javadoc_two_topics(void **state) {
    (void)state;
    rn__asg_topic_t topics[] = {{"t0", 3}, {"t1", 3}};
    rn__asg_member_t ms[] = {{.member_id = "C1", .n_subs = 2, .subs = T01},
                             {.member_id = "C0", .n_subs = 2, .subs = T01}};
    assert_int_equal(rn__assign("roundrobin", ms, 2, topics, 2), 0);
    ASSERT_ASSIGNED(ms[1], "t0-0 t0-2 t1-1");
    ASSERT_ASSIGNED(ms[0], "t0-1 t1-0 t1-2");
    rn__assign_free(ms, 2);
}

/* Kafka's javadoc, unequal subscriptions: t0 (1 partition), t1 (2), t2 (3); C0 has
 * t0; C1 t0, t1; C2 t0, t1, t2 → C0: [t0p0], C1: [t1p0], C2: [t1p1, t2p0, t2p1, t2p2]. */
static void test_roundrobin_kafka_javadoc_unequal_subscriptions(void **state) {
    (void)state;
    static const char *const s1[] = {"t0", "t1"};
    static const char *const s2[] = {"t0", "t1", "t2"};
    rn__asg_topic_t topics[] = {{"t2", 3}, {"t0", 1}, {"t1", 2}};
    rn__asg_member_t ms[] = {{.member_id = "C0", .n_subs = 1, .subs = T0},
                             {.member_id = "C1", .n_subs = 2, .subs = s1},
                             {.member_id = "C2", .n_subs = 3, .subs = s2}};
    assert_int_equal(rn__assign("roundrobin", ms, 3, topics, 3), 0);
    ASSERT_ASSIGNED(ms[0], "t0-0");
    ASSERT_ASSIGNED(ms[1], "t1-0");
    ASSERT_ASSIGNED(ms[2], "t1-1 t2-0 t2-1 t2-2");
    rn__assign_free(ms, 3);
}

/* Range per topic over its own subscribers: 4 partitions over 3 → 2/1/1; a member
 * subscribed to another topic only gets none of t0. */
static void test_range_uneven_and_partial_subscriptions(void **state) {
    (void)state;
    rn__asg_topic_t topics[] = {{"t0", 4}, {"t1", 1}};
    rn__asg_member_t ms[] = {{.member_id = "m1", .n_subs = 1, .subs = T0},
                             {.member_id = "m2", .n_subs = 2, .subs = T01},
                             {.member_id = "m3", .n_subs = 1, .subs = T0},
                             {.member_id = "m4", .n_subs = 1, .subs = T1}};
    assert_int_equal(rn__assign("range", ms, 4, topics, 2), 0);
    ASSERT_ASSIGNED(ms[0], "t0-0 t0-1");
    ASSERT_ASSIGNED(ms[1], "t0-2 t1-0");
    ASSERT_ASSIGNED(ms[2], "t0-3");
    ASSERT_ASSIGNED(ms[3], "");
    rn__assign_free(ms, 4);
}

/* More members than partitions; an unknown topic (absent from the table) and an
 * unknown strategy. */
static void test_more_members_than_partitions_and_unknowns(void **state) {
    (void)state;
    static const char *const ghost[] = {"ghost"};
    rn__asg_topic_t topics[] = {{"t0", 2}};
    rn__asg_member_t ms[] = {{.member_id = "a", .n_subs = 1, .subs = T0},
                             {.member_id = "b", .n_subs = 1, .subs = T0},
                             {.member_id = "c", .n_subs = 1, .subs = ghost}};
    for (int rr = 0; rr < 2; rr++) {
        assert_int_equal(rn__assign(rr ? "roundrobin" : "range", ms, 3, topics, 1), 0);
        ASSERT_ASSIGNED(ms[0], "t0-0");
        ASSERT_ASSIGNED(ms[1], "t0-1");
        ASSERT_ASSIGNED(ms[2], "");
        rn__assign_free(ms, 3);
    }
    assert_int_equal(rn__assign("sticky", ms, 3, topics, 1), -EINVAL);
    assert_int_equal(ms[0].n_assigned, 0);
    assert_int_equal(rn__assignor_known("range"), 1);
    assert_int_equal(rn__assignor_known("roundrobin"), 1);
    assert_int_equal(rn__assignor_known("cooperative-sticky"), 0);
}

/* Every partition is assigned exactly once, for many group sizes. */
static void test_every_partition_exactly_once(void **state) {
    (void)state;
    static char ids[9][8];
    rn__asg_topic_t topics[] = {{"t0", 7}, {"t1", 5}};
    for (int rr = 0; rr < 2; rr++) {
        for (int32_t n = 1; n <= 9; n++) {
            rn__asg_member_t ms[9];
            memset(ms, 0, sizeof ms);
            for (int32_t i = 0; i < n; i++) {
                snprintf(ids[i], sizeof ids[i], "m%d", (int)i);
                ms[i] = (rn__asg_member_t){.member_id = ids[i], .n_subs = 2, .subs = T01};
            }
            assert_int_equal(rn__assign(rr ? "roundrobin" : "range", ms, n, topics, 2), 0);
            int seen[2][7] = {{0}};
            int32_t min = 100, max = 0;
            for (int32_t i = 0; i < n; i++) {
                for (int32_t k = 0; k < ms[i].n_assigned; k++)
                    seen[strcmp(ms[i].asg_topics[k], "t1") == 0][ms[i].asg_parts[k]]++;
                min = ms[i].n_assigned < min ? ms[i].n_assigned : min;
                max = ms[i].n_assigned > max ? ms[i].n_assigned : max;
            }
            for (int p = 0; p < 7; p++)
                assert_int_equal(seen[0][p], 1);
            for (int p = 0; p < 5; p++)
                assert_int_equal(seen[1][p], 1);
            if (rr) /* roundrobin with equal subscriptions is balanced to within one */
                assert_true(max - min <= 1);
            rn__assign_free(ms, n);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_two_members_six_partitions_split_0_2_and_3_5),
        cmocka_unit_test(test_range_three_members_six_partitions_two_each),
        cmocka_unit_test(test_range_kafka_javadoc_two_topics_three_partitions),
        cmocka_unit_test(test_roundrobin_kafka_javadoc_two_topics),
        cmocka_unit_test(test_roundrobin_kafka_javadoc_unequal_subscriptions),
        cmocka_unit_test(test_range_uneven_and_partial_subscriptions),
        cmocka_unit_test(test_more_members_than_partitions_and_unknowns),
        cmocka_unit_test(test_every_partition_exactly_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
