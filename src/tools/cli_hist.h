/*
 * cli_hist.h — a latency histogram for `runnel perf produce`.
 *
 * Microsecond values in log-linear buckets: exact below 256 µs, then 128 buckets per
 * power of two (under 1% error), so a run of any length costs a fixed ~36 kB and
 * percentiles need no per-record storage. Values above 2^40 µs (12 days) are clamped.
 *
 *   index:  0 .. 255                | 256 + (e - 8) * 128 + (m - 128)
 *   value:  v (exact)               | v = m << (e - 7), m in [128, 256), e = floor(log2 v)
 *
 * Not thread-safe: one writer, read once the writer is done.
 */
#ifndef RN_TOOLS_CLI_HIST_H
#define RN_TOOLS_CLI_HIST_H

#include <stdint.h>

#define RN_CLI_HIST_MAX_EXP 40
#define RN_CLI_HIST_BUCKETS (256 + (RN_CLI_HIST_MAX_EXP - 8) * 128)

typedef struct rn_cli_hist_s {
    uint64_t count;
    uint64_t sum_us;
    uint64_t max_us;
    uint64_t buckets[RN_CLI_HIST_BUCKETS];
} rn_cli_hist_t;

/* Zero h (embedded; no deinit needed). */
void rn_cli_hist_init(rn_cli_hist_t *h);

void rn_cli_hist_record(rn_cli_hist_t *h, uint64_t us);

/* The smallest recorded value v such that at least q (0 < q <= 1) of all values are
 * <= v, as the upper bound of v's bucket (never above the maximum); 0 when empty. */
uint64_t rn_cli_hist_quantile(const rn_cli_hist_t *h, double q);

#endif
