/* clock.c — real and manual clocks (see clock.h). */
#include "common/clock.h"

#include <stddef.h>
#include <time.h>

int64_t rn_clock_now_ms(const rn_clock_t *clk) {
    if (clk != NULL && clk->now_ms != NULL)
        return clk->now_ms(clk->arg);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rn_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rn_mono_ms(void) {
    return rn_mono_ns() / 1000000;
}

int64_t rn_clock_manual_now(void *arg) {
    return *(const int64_t *)arg;
}
