/* test_cli_hist.c — the perf latency histogram: exact small values, <1% error above,
 * percentiles by rank. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>

#include "tools/cli_hist.h"

static rn_cli_hist_t *hist_new(void) {
    rn_cli_hist_t *h = malloc(sizeof(*h));
    rn_cli_hist_init(h);
    return h;
}

static void test_cli_hist_empty_is_zero(void **state) {
    (void)state;
    rn_cli_hist_t *h = hist_new();
    assert_int_equal(rn_cli_hist_quantile(h, 0.5), 0);
    assert_int_equal(h->count, 0);
    free(h);
}

static void test_cli_hist_small_values_exact(void **state) {
    (void)state;
    rn_cli_hist_t *h = hist_new();
    for (uint64_t v = 1; v <= 100; v++)
        rn_cli_hist_record(h, v);
    assert_int_equal(rn_cli_hist_quantile(h, 0.50), 50);
    assert_int_equal(rn_cli_hist_quantile(h, 0.95), 95);
    assert_int_equal(rn_cli_hist_quantile(h, 0.99), 99);
    assert_int_equal(rn_cli_hist_quantile(h, 0.999), 100);
    assert_int_equal(rn_cli_hist_quantile(h, 1.0), 100);
    assert_int_equal(h->max_us, 100);
    assert_int_equal(h->sum_us, 5050);
    free(h);
}

static void test_cli_hist_large_values_within_one_percent(void **state) {
    (void)state;
    uint64_t vals[] = {256, 257, 1000, 4999, 5000, 123456, 9999999, 1ull << 39};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        rn_cli_hist_t *h = hist_new();
        rn_cli_hist_record(h, vals[i]);
        rn_cli_hist_record(h, vals[i] * 2); /* so the quantile is not clamped to max */
        uint64_t q = rn_cli_hist_quantile(h, 0.5);
        assert_true(q >= vals[i]);
        assert_true(q - vals[i] <= vals[i] / 100);
        free(h);
    }
}

static void test_cli_hist_uniform_percentiles_within_one_percent(void **state) {
    (void)state;
    rn_cli_hist_t *h = hist_new();
    for (uint64_t v = 1; v <= 100000; v++)
        rn_cli_hist_record(h, v);
    const double qs[] = {0.5, 0.95, 0.99, 0.999};
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        double want = qs[i] * 100000.0, got = (double)rn_cli_hist_quantile(h, qs[i]);
        assert_true(got >= want && got <= want * 1.01);
    }
    assert_int_equal(h->sum_us, 5000050000ull);
    free(h);
}

static void test_cli_hist_quantile_never_above_max(void **state) {
    (void)state;
    rn_cli_hist_t *h = hist_new();
    rn_cli_hist_record(h, 1000);
    assert_int_equal(rn_cli_hist_quantile(h, 0.5), 1000);
    free(h);
}

static void test_cli_hist_huge_value_clamped(void **state) {
    (void)state;
    rn_cli_hist_t *h = hist_new();
    rn_cli_hist_record(h, UINT64_MAX);
    assert_int_equal(h->max_us, (1ull << RN_CLI_HIST_MAX_EXP) - 1);
    assert_int_equal(rn_cli_hist_quantile(h, 0.99), h->max_us);
    free(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_hist_empty_is_zero),
        cmocka_unit_test(test_cli_hist_small_values_exact),
        cmocka_unit_test(test_cli_hist_large_values_within_one_percent),
        cmocka_unit_test(test_cli_hist_uniform_percentiles_within_one_percent),
        cmocka_unit_test(test_cli_hist_quantile_never_above_max),
        cmocka_unit_test(test_cli_hist_huge_value_clamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
