/*
 * clock.h — injectable clocks.
 *
 * Time-driven behaviour (segment roll by age, retention by time, flush.ms) reads the
 * time through an rn_clock_t so that tests set the time instead of sleeping. A NULL
 * clock means the real one.
 */
#ifndef RN_COMMON_CLOCK_H
#define RN_COMMON_CLOCK_H

#include <stdint.h>

typedef struct rn_clock_s {
    int64_t (*now_ms)(void *arg); /* wall-clock milliseconds since the Unix epoch */
    void *arg;
} rn_clock_t;

/* Wall-clock ms since the epoch from clk, or the real clock when clk is NULL. */
int64_t rn_clock_now_ms(const rn_clock_t *clk);

/* Monotonic nanoseconds, for measuring durations. */
int64_t rn_mono_ns(void);

/* Monotonic milliseconds (rn_mono_ns() / 1e6): deadlines and timeouts. */
int64_t rn_mono_ms(void);

/* A manual clock for tests: rn_clock_t whose time is *(int64_t *)arg. */
int64_t rn_clock_manual_now(void *arg);

#endif
