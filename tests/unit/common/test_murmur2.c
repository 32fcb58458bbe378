/* test_murmur2.c — agrees with Kafka's default partitioner on every row of
 * ../shared/vectors/murmur2-partitions.tsv (written by a real Kafka client). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/murmur2.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
    size_t n = 0;
    for (; s[0] && s[1] && n < cap; s += 2) {
        unsigned v;
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void test_murmur2_matches_kafka_vectors(void **state) {
    (void)state;
    FILE *f = fopen(RN_VECTORS_DIR "/murmur2-partitions.tsv", "r");
    assert_non_null(f);
    char line[4096];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* column names */
    while (fgets(line, sizeof line, f)) {
        char *fields[5];
        char *p = line;
        for (int i = 0; i < 5; i++) {
            /* Split on tabs without merging empty fields (the empty key). */
            fields[i] = p;
            p = strchr(p, i < 4 ? '\t' : '\n');
            if (p)
                *p++ = '\0';
            else
                assert_int_equal(i, 4);
        }
        uint8_t key[1024];
        size_t len = unhex(fields[0], key, sizeof key);
        long long want_hash = atoll(fields[2]);
        int partitions = atoi(fields[3]);
        int want_partition = atoi(fields[4]);
        int32_t h = rn_murmur2_positive(key, len);
        if (h != want_hash || h % partitions != want_partition)
            fail_msg("key %s: hash %d partition %d, Kafka says %lld and %d", fields[0], h,
                     h % partitions, want_hash, want_partition);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 50);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur2_matches_kafka_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
