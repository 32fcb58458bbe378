/*
 * arena.c — chunked bump allocation (see arena.h).
 *
 *   rn_arena_chunk_t:  [ next | cap | used | data[cap] ............ ]
 *
 * A request larger than a quarter of the default chunk gets a chunk of its own, so
 * that big arrays do not waste the tail of the current chunk.
 */
#include "proto/arena.h"

#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"

#define CHUNK_SIZE 4096
#define ALIGN      alignof(max_align_t)

struct rn_arena_chunk_s {
    rn_arena_chunk_t *next;
    size_t cap;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void rn_arena_init(rn_arena_t *arena) {
    arena->head = NULL;
}

void rn_arena_deinit(rn_arena_t *arena) {
    rn_arena_chunk_t *c = arena->head;
    while (c != NULL) {
        rn_arena_chunk_t *next = c->next;
        rn_free(c);
        c = next;
    }
    arena->head = NULL;
}

static rn_arena_chunk_t *new_chunk(size_t cap) {
    rn_arena_chunk_t *c = rn_malloc(sizeof *c + cap);
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    return c;
}

void *rn_arena_alloc(rn_arena_t *arena, size_t count, size_t size) {
    assert(size == 0 || count <= (SIZE_MAX - sizeof(rn_arena_chunk_t) - ALIGN) / size);
    size_t n = (count * size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    rn_arena_chunk_t *c = arena->head;
    if (n > CHUNK_SIZE / 4) {
        /* Own chunk, linked behind the head so the head keeps filling. */
        rn_arena_chunk_t *big = new_chunk(n);
        big->used = n;
        if (c == NULL) {
            arena->head = big;
        } else {
            big->next = c->next;
            c->next = big;
        }
        memset(big->data, 0, n);
        return big->data;
    }
    if (c == NULL || c->cap - c->used < n) {
        c = new_chunk(CHUNK_SIZE);
        c->next = arena->head;
        arena->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}
