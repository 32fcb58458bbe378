/*
 * consumer_slab.c — the memory fetched messages live in (consumer_int.h).
 *
 * The loop thread decodes records into messages one after another; allocating each
 * on its own costs a malloc on the loop thread and a free on the application's thread,
 * which in glibc also contend for the loop thread's arena lock. Instead the loop
 * carves messages from the front of a slab, a block of CSLAB_SIZE bytes:
 *
 *   cslab_t ┌──────┬──────────────────────┬───────────────────────┬─────┬────────┐
 *           │ refs │ cmsg │ hdrs │ key │ val │ topic │ cmsg │ key │ val │ ... │ unused │
 *           └──────┴──────────────────────┴───────────────────────┴─────┴────────┘
 *                   ◀── one message ──────▶ ◀─ the topic, copied once per slab
 *
 * refs counts the messages carved and not yet freed, plus one while the slab is the
 * loop's current slab. Messages are freed on any thread (rn_message_free, a seek's
 * purge, rn_consumer_free) in any order; whoever drops the last reference frees the
 * slab, so a message stays valid until its own rn_message_free, even after the
 * consumer is freed. The price: a message still held keeps its whole slab (at most
 * CSLAB_SIZE, or the message itself when it is larger) allocated.
 *
 * A message larger than a slab gets a slab of its own. Error entries (cmsg.slab NULL)
 * are allocated on their own: they are rare and never handed to the application.
 */
#include "client/consumer_int.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"

#define CSLAB_SIZE ((size_t)64 * 1024)

struct cslab_s {
    atomic_size_t refs;
    size_t cap, used;              /* bytes of data; loop thread only */
    const char *topic_src, *topic; /* the last topic copied in: its source and copy */
    alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n) {
    return (n + alignof(cmsg_t) - 1) & ~(alignof(cmsg_t) - 1);
}

static void slab_unref(cslab_t *s) {
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        rn_free(s);
}

void rn__cslab_release(cslab_t **cur) {
    if (*cur != NULL)
        slab_unref(*cur); /* the loop's reference, taken in slab_new */
    *cur = NULL;
}

static cslab_t *slab_new(size_t need) {
    size_t cap = need > CSLAB_SIZE ? need : CSLAB_SIZE;
    cslab_t *s = rn_malloc(sizeof *s + cap);
    atomic_init(&s->refs, 1); /* the loop's, while it carves from it */
    s->cap = cap;
    s->used = 0;
    s->topic_src = s->topic = NULL;
    return s;
}

cmsg_t *rn__cmsg_carve(cslab_t **cur, const char *topic, size_t extra) {
    size_t size = align_up(sizeof(cmsg_t) + extra);
    cslab_t *s = *cur;
    /* The pointer identifies the source string cheaply, but a freed name's address
     * can be reused for another topic: compare the text too. */
    int copy_topic = s == NULL || s->topic_src != topic || strcmp(s->topic, topic) != 0;
    size_t tl = copy_topic ? strlen(topic) + 1 : 0;
    if (s == NULL || s->cap - s->used < size + tl) {
        rn__cslab_release(cur);
        s = *cur = slab_new(size + tl);
        copy_topic = 1;
        tl = strlen(topic) + 1;
    }
    cmsg_t *m = (cmsg_t *)(s->data + s->used);
    s->used += size;
    if (copy_topic) {
        s->topic = memcpy(s->data + s->used, topic, tl);
        s->topic_src = topic;
        s->used = align_up(s->used + tl);
        if (s->used > s->cap)
            s->used = s->cap;
    }
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    memset(m, 0, sizeof *m);
    m->slab = s;
    m->bytes = size;
    m->msg.topic = s->topic;
    return m;
}

cmsg_t *rn__cmsg_error(cpos_t *pos, int err, const char *what) {
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s-%d: %s", pos->topic, pos->partition, what);
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof buf ? sizeof buf - 1 : (size_t)n;
    cmsg_t *m = rn_calloc(1, sizeof *m + len + 1);
    char *text = (char *)(m + 1);
    memcpy(text, buf, len);
    text[len] = '\0';
    m->errmsg = text;
    m->pos = pos;
    m->err = err;
    m->bytes = sizeof *m + len + 1;
    return m;
}

void rn__cmsg_free(cmsg_t *m) {
    if (m->slab != NULL)
        slab_unref(m->slab); /* the message's reference, taken in rn__cmsg_carve */
    else
        rn_free(m);
}

void rn__cmsg_free_list(cmsg_t *m) {
    while (m != NULL) {
        cmsg_t *nx = m->next;
        rn__cmsg_free(m);
        m = nx;
    }
}

RN_API void rn_message_free(rn_message_t *msg) {
    if (msg != NULL)
        rn__cmsg_free((cmsg_t *)msg); /* msg is the cmsg's first member */
}
