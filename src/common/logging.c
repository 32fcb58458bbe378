/* logging.c — line-oriented logging to stderr (see logging.h). */
#include "common/logging.h"

#include "common/errors.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int min_level = RN_LOG_INFO;
static rn_log_sink_fn sink;
static void *sink_arg;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void rn_log_set_level(rn_log_level_t level) {
    atomic_store(&min_level, (int)level);
}

rn_log_level_t rn_log_get_level(void) {
    return (rn_log_level_t)atomic_load(&min_level);
}

int rn_log_level_parse(const char *s, rn_log_level_t *out) {
    static const char *const lower[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, lower[i]) == 0) {
            *out = (rn_log_level_t)i;
            return 0;
        }
    }
    return RN_ECONFIG;
}

void rn_log_set_sink(rn_log_sink_fn fn, void *arg) {
    sink = fn;
    sink_arg = arg;
}

void rn_log(rn_log_level_t level, const char *module, const char *fmt, ...) {
    if ((int)level < atomic_load(&min_level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (sink) {
        sink(level, module, msg, sink_arg);
        return;
    }
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char line[1200];
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: %s\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[level], module, msg);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w; /* Nothing sensible to do if stderr is gone. */
}
