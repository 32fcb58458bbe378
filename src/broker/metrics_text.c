/*
 * metrics_text.c — fixed-bucket histograms and the Prometheus text exposition format
 * (version 0.0.4) that metrics.c renders the broker's metrics in (metrics.h).
 *
 *   # HELP runnel_request_latency_seconds Time from a request's arrival to its answer.
 *   # TYPE runnel_request_latency_seconds histogram
 *   runnel_request_latency_seconds_bucket{api="Produce",le="0.0001"} 3
 *   ...                                                     (cumulative counts)
 *   runnel_request_latency_seconds_bucket{api="Produce",le="+Inf"} 12
 *   runnel_request_latency_seconds_sum{api="Produce"} 0.004211000
 *   runnel_request_latency_seconds_count{api="Produce"} 12
 *
 * Label values are the only untrusted text (topic names are restricted, group ids are
 * not): they are escaped and forced into valid UTF-8 byte by byte.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker/metrics.h"
#include "common/alloc.h"

/* ---- histograms ------------------------------------------------------------------- */

static const struct {
    int64_t ns;
    const char *le;
} bounds[RN_HISTO_NBOUNDS] = {
    {100000, "0.0001"},  {250000, "0.00025"},   {500000, "0.0005"},  {1000000, "0.001"},
    {2500000, "0.0025"}, {5000000, "0.005"},    {10000000, "0.01"},  {25000000, "0.025"},
    {50000000, "0.05"},  {100000000, "0.1"},    {250000000, "0.25"}, {500000000, "0.5"},
    {1000000000, "1"},   {2500000000LL, "2.5"}, {5000000000LL, "5"}, {10000000000LL, "10"},
};

int64_t rn_histo_bound_ns(int i) {
    return bounds[i].ns;
}

const char *rn_histo_bound_le(int i) {
    return bounds[i].le;
}

void rn_histo_observe(rn_histo_t *h, int64_t ns) {
    if (ns < 0)
        ns = 0;
    int i = 0;
    while (i < RN_HISTO_NBOUNDS && ns > bounds[i].ns)
        i++;
    h->bucket[i]++;
    h->count++;
    h->sum_ns += (uint64_t)ns;
}

/* ---- the text buffer ------------------------------------------------------------------ */

void rn_mtext_init(rn_mtext_t *t) {
    memset(t, 0, sizeof *t);
}

void rn_mtext_deinit(rn_mtext_t *t) {
    rn_free(t->p);
    memset(t, 0, sizeof *t);
}

static void reserve(rn_mtext_t *t, size_t n) {
    if (t->len + n + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + n + 1)
        cap *= 2;
    t->p = rn_realloc(t->p, cap);
    t->cap = cap;
}

static void append(rn_mtext_t *t, const char *s, size_t n) {
    reserve(t, n);
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void append_str(rn_mtext_t *t, const char *s) {
    append(t, s, strlen(s));
}

static void appendf(rn_mtext_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void appendf(rn_mtext_t *t, const char *fmt, ...) {
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        append(t, small, (size_t)n);
        return;
    }
    reserve(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

char *rn_mtext_take(rn_mtext_t *t, size_t *len) {
    reserve(t, 0);
    t->p[t->len] = '\0'; /* an empty text was never written to */
    char *p = t->p;
    *len = t->len;
    memset(t, 0, sizeof *t);
    return p;
}

/* ---- label values ------------------------------------------------------------------- */

/* Length of the valid UTF-8 multi-byte sequence at s[0..n) (lead byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

void rn_mtext_label_value(rn_mtext_t *t, const char *str, size_t len) {
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        size_t run = i; /* copy plain ASCII in runs */
        while (run < len && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '\\' && s[run] != '"')
            run++;
        if (run > i) {
            append(t, str + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        if (c == '\\' || c == '"') {
            char esc[2] = {'\\', (char)c};
            append(t, esc, 2);
            i++;
        } else if (c == '\n') {
            append(t, "\\n", 2);
            i++;
        } else if (c >= 0x80) {
            size_t n = utf8_seq(s + i, len - i);
            if (n > 0)
                append(t, str + i, n);
            else
                append(t, replacement, 3);
            i += n > 0 ? n : 1;
        } else { /* other control characters, DEL */
            append(t, replacement, 3);
            i++;
        }
    }
}

/* ---- lines ------------------------------------------------------------------------- */

void rn_mtext_family(rn_mtext_t *t, const char *name, const char *type, const char *help) {
    appendf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample_head(rn_mtext_t *t, const char *name, const char *suffix,
                        const rn_mlabel_t *labels, int nlabels) {
    append_str(t, name);
    append_str(t, suffix);
    if (nlabels <= 0)
        return;
    append(t, "{", 1);
    for (int i = 0; i < nlabels; i++) {
        if (i > 0)
            append(t, ",", 1);
        append_str(t, labels[i].name);
        append(t, "=\"", 2);
        rn_mtext_label_value(t, labels[i].value, strlen(labels[i].value));
        append(t, "\"", 1);
    }
    append(t, "}", 1);
}

void rn_mtext_int(rn_mtext_t *t, const char *name, const rn_mlabel_t *labels, int nlabels,
                  int64_t value) {
    sample_head(t, name, "", labels, nlabels);
    appendf(t, " %" PRId64 "\n", value);
}

void rn_mtext_uint(rn_mtext_t *t, const char *name, const rn_mlabel_t *labels, int nlabels,
                   uint64_t value) {
    sample_head(t, name, "", labels, nlabels);
    appendf(t, " %" PRIu64 "\n", value);
}

void rn_mtext_histo(rn_mtext_t *t, const char *name, const rn_mlabel_t *labels, int nlabels,
                    const rn_histo_t *h) {
    rn_mlabel_t l[8];
    if (nlabels > 7)
        nlabels = 7;
    for (int i = 0; i < nlabels; i++)
        l[i] = labels[i];
    uint64_t cum = 0;
    for (int i = 0; i <= RN_HISTO_NBOUNDS; i++) {
        cum += h->bucket[i];
        l[nlabels] = (rn_mlabel_t){"le", i < RN_HISTO_NBOUNDS ? bounds[i].le : "+Inf"};
        sample_head(t, name, "_bucket", l, nlabels + 1);
        appendf(t, " %" PRIu64 "\n", cum);
    }
    sample_head(t, name, "_sum", labels, nlabels);
    appendf(t, " %" PRIu64 ".%09" PRIu64 "\n", h->sum_ns / 1000000000u, h->sum_ns % 1000000000u);
    sample_head(t, name, "_count", labels, nlabels);
    appendf(t, " %" PRIu64 "\n", h->count);
}
