/*
 * arena.h — a bump allocator for one decoded message.
 *
 * A decoded request or response owns one arena; every array it holds is carved out of
 * it, and one rn_arena_deinit frees them all (no per-array frees, no partial-free
 * paths when a decode fails half way).
 *
 *   chunk list:  [hdr | used ........ | free ]──▶[hdr | used ........... ]──▶ NULL
 *
 * Chunks come from rn_malloc (which aborts when memory runs out), so allocation never
 * fails. Every block is aligned for any object type. Not thread-safe; one owner.
 */
#ifndef RN_PROTO_ARENA_H
#define RN_PROTO_ARENA_H

#include <stddef.h>

typedef struct rn_arena_chunk_s rn_arena_chunk_t;

typedef struct rn_arena_s {
    rn_arena_chunk_t *head; /* owned; the chunk being filled, NULL when empty */
} rn_arena_t;

/* An empty arena (no allocation until the first rn_arena_alloc). */
void rn_arena_init(rn_arena_t *arena);

/* Free every block; the arena is empty (and usable) afterwards. */
void rn_arena_deinit(rn_arena_t *arena);

/* count * size zeroed bytes, valid until rn_arena_deinit. count * size must not
 * overflow (asserted): callers bound counts by the bytes of input they hold. Never
 * returns NULL, even for 0 bytes. */
void *rn_arena_alloc(rn_arena_t *arena, size_t count, size_t size);

#endif
