/*
 * alloc.h — the one allocation wrapper.
 *
 * All of runnel allocates through these so that tests can count live allocations
 * (rn_alloc_live) and find leaks beside LeakSanitizer. Out of memory aborts with a
 * log line: a broker that cannot allocate a few bytes cannot keep its promises, and
 * every caller checking NULL would only hide that.
 */
#ifndef RN_COMMON_ALLOC_H
#define RN_COMMON_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *rn_malloc(size_t n);
void *rn_calloc(size_t count, size_t size);
void *rn_realloc(void *p, size_t n);
char *rn_strdup(const char *s);
char *rn_strndup(const char *s, size_t n);
void rn_free(void *p);

/* Allocations made minus frees, process-wide. Thread-safe. */
int64_t rn_alloc_live(void);

/* Free *pp and set it to NULL. */
#define RN_FREE(pp) (rn_free(*(pp)), *(pp) = NULL)

#endif
