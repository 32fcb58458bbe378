/*
 * cli_hist.c — log-linear latency histogram (see cli_hist.h for the bucket layout).
 */
#include "tools/cli_hist.h"

#include <string.h>

void rn_cli_hist_init(rn_cli_hist_t *h) {
    memset(h, 0, sizeof(*h));
}

static int floor_log2(uint64_t v) {
    return 63 - __builtin_clzll(v);
}

static int bucket_of(uint64_t v) {
    if (v < 256)
        return (int)v;
    int e = floor_log2(v);
    uint64_t m = v >> (e - 7);
    return 256 + (e - 8) * 128 + (int)(m - 128);
}

/* The largest value that falls into bucket idx. */
static uint64_t bucket_top(int idx) {
    if (idx < 256)
        return (uint64_t)idx;
    int e = (idx - 256) / 128 + 8;
    uint64_t m = (uint64_t)((idx - 256) % 128 + 128);
    return ((m + 1) << (e - 7)) - 1;
}

void rn_cli_hist_record(rn_cli_hist_t *h, uint64_t us) {
    const uint64_t cap = ((uint64_t)1 << RN_CLI_HIST_MAX_EXP) - 1;
    if (us > cap)
        us = cap;
    h->buckets[bucket_of(us)]++;
    h->count++;
    h->sum_us += us;
    if (us > h->max_us)
        h->max_us = us;
}

uint64_t rn_cli_hist_quantile(const rn_cli_hist_t *h, double q) {
    if (h->count == 0)
        return 0;
    /* Rank of the value wanted: ceil(q * count), at least 1. */
    double want = q * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want || rank == 0)
        rank++;
    uint64_t seen = 0;
    for (int i = 0; i < RN_CLI_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t top = bucket_top(i);
            return top < h->max_us ? top : h->max_us;
        }
    }
    return h->max_us;
}
