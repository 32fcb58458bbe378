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
#include "testutil.h"

static void test_murmur2_matches_kafka_vectors(void **state) {
    (void)state;
    rn_test_murmur2_row_t *rows;
    int n = rn_test_murmur2_rows(&rows);
    for (int i = 0; i < n; i++) {
        const rn_test_murmur2_row_t *r = &rows[i];
        int32_t h = rn_murmur2_positive(r->key, r->key_len);
        if (h != r->hash || h % r->partitions != r->partition)
            fail_msg("key %s: hash %d partition %d, Kafka says %lld and %d", r->key_hex, h,
                     h % r->partitions, r->hash, r->partition);
    }
    free(rows);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur2_matches_kafka_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
