/* alloc.c — allocation wrapper with a live-allocation counter (see alloc.h). */
#include "common/alloc.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_int_fast64_t live;

static void *check(void *p, size_t n) {
    if (p == NULL && n != 0) {
        fprintf(stderr, "runnel: out of memory allocating %zu bytes\n", n);
        abort();
    }
    return p;
}

void *rn_malloc(size_t n) {
    void *p = check(malloc(n ? n : 1), n);
    atomic_fetch_add(&live, 1);
    return p;
}

void *rn_calloc(size_t count, size_t size) {
    void *p = check(calloc(count ? count : 1, size ? size : 1), count * size);
    atomic_fetch_add(&live, 1);
    return p;
}

void *rn_realloc(void *p, size_t n) {
    if (p == NULL)
        return rn_malloc(n);
    return check(realloc(p, n ? n : 1), n);
}

char *rn_strndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *d = rn_malloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *rn_strdup(const char *s) {
    return rn_strndup(s, strlen(s));
}

void rn_free(void *p) {
    if (p == NULL)
        return;
    atomic_fetch_sub(&live, 1);
    free(p);
}

int64_t rn_alloc_live(void) {
    return atomic_load(&live);
}
