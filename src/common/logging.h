/*
 * logging.h — one line per event on stderr: time, level, module, message.
 *
 *   2026-11-26T02:48:15.123Z WARN  log: orders-0: truncated torn tail ...
 *
 * Low-level modules return errors and do not log; the boundary that handles an
 * error logs it once. Objects are named topic-partition@offset. Never log inside a
 * per-record loop.
 *
 * Thread-safe: each line is formatted into a buffer and written with one write(2).
 */
#ifndef RN_COMMON_LOGGING_H
#define RN_COMMON_LOGGING_H

typedef enum {
    RN_LOG_DEBUG = 0,
    RN_LOG_INFO = 1,
    RN_LOG_WARN = 2,
    RN_LOG_ERROR = 3,
} rn_log_level_t;

/* Lines below `level` are dropped. Default RN_LOG_INFO. */
void rn_log_set_level(rn_log_level_t level);
rn_log_level_t rn_log_get_level(void);

/* Parse "debug", "info", "warn", "error" (case-sensitive). 0 or RN_ECONFIG. */
int rn_log_level_parse(const char *s, rn_log_level_t *out);

/* Redirect lines to fn (for tests); NULL restores stderr. The line has no newline.
 * Not thread-safe against concurrent rn_log calls: set it before starting threads. */
typedef void (*rn_log_sink_fn)(rn_log_level_t level, const char *module, const char *line,
                               void *arg);
void rn_log_set_sink(rn_log_sink_fn fn, void *arg);

void rn_log(rn_log_level_t level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
