/*
 * accumulator.c — per-partition batches (accumulator.h has the life of a batch).
 */
#include "client/accumulator.h"

#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

void rn__pq_init(rn__pq_t *pq, const char *topic, int32_t partition, rn__sticky_t *sticky) {
    memset(pq, 0, sizeof *pq);
    pq->topic = topic;
    pq->partition = partition;
    pq->sticky = sticky;
}

void rn__batch_free(rn__batch_t *batch) {
    if (batch == NULL)
        return;
    if (batch->open)
        rn_batch_builder_deinit(&batch->bld);
    rn_free(batch->bytes);
    rn_free(batch->key);
    rn_free(batch->opaques);
    rn_free(batch);
}

void rn__pq_deinit(rn__pq_t *pq) {
    rn__batch_free(pq->open);
    pq->open = NULL;
    rn__batch_t *b = pq->ready_head;
    while (b != NULL) {
        rn__batch_t *next = b->next;
        rn__batch_free(b);
        b = next;
    }
    pq->ready_head = pq->ready_tail = NULL;
    pq->nready = 0;
}

size_t rn__record_size_bound(int32_t key_len, int32_t value_len, const rn_record_header_t *headers,
                             int32_t nheaders) {
    /* length, attributes, timestamp and offset deltas, key/value lengths: at most
     * 5 + 1 + 10 + 5 + 5 + 5 + 5 bytes of varints. */
    size_t n = 40 + (key_len > 0 ? (size_t)key_len : 0) + (value_len > 0 ? (size_t)value_len : 0);
    for (int32_t i = 0; i < nheaders; i++) {
        n += 10 + (headers[i].key_len > 0 ? (size_t)headers[i].key_len : 0);
        n += headers[i].value_len > 0 ? (size_t)headers[i].value_len : 0;
    }
    return n;
}

static rn__batch_t *batch_new(rn__pq_t *pq, const rn__acc_opts_t *opts, int64_t now) {
    rn__batch_t *batch = rn_calloc(1, sizeof *batch);
    rn_batch_opts_t bo;
    rn_batch_opts_default(&bo);
    bo.codec = opts->codec;
    rn_batch_builder_init(&batch->bld, &bo);
    batch->open = 1;
    batch->pq = pq;
    batch->seq = pq->next_seq++;
    batch->created_ms = now;
    batch->deadline_ms = INT64_MAX;
    return batch;
}

/* Append batch to the ready queue in sequence order (usually at the tail). */
static void ready_insert(rn__pq_t *pq, rn__batch_t *batch) {
    rn__batch_t **pp = &pq->ready_head;
    while (*pp != NULL && (*pp)->seq < batch->seq)
        pp = &(*pp)->next;
    batch->next = *pp;
    *pp = batch;
    if (batch->next == NULL)
        pq->ready_tail = batch;
    pq->nready++;
}

int rn__pq_close(rn__pq_t *pq) {
    rn__batch_t *batch = pq->open;
    if (batch == NULL)
        return 0;
    pq->open = NULL;
    if (pq->sticky != NULL)
        rn__sticky_batch_done(pq->sticky, pq->partition);
    int rc = rn_batch_builder_finish(&batch->bld, &batch->bytes, &batch->len);
    rn_batch_builder_deinit(&batch->bld);
    batch->open = 0;
    /* A batch that could not be finished still queues: the sender fails its records
     * (delivery reports keep flowing, flush cannot hang on them). */
    batch->err = rc;
    ready_insert(pq, batch);
    return rc;
}

static int same_key(const rn__batch_t *b, const void *key, int32_t key_len) {
    if (b->key_len != key_len)
        return 0;
    return key_len <= 0 || memcmp(b->key, key, (size_t)key_len) == 0;
}

int rn__pq_append(rn__pq_t *pq, const rn__acc_opts_t *opts, int64_t now, int64_t deadline_ms,
                  int64_t timestamp, const void *key, int32_t key_len, const void *value,
                  int32_t value_len, const rn_record_header_t *headers, int32_t nheaders,
                  void *opaque) {
    size_t rec = rn__record_size_bound(key_len, value_len, headers, nheaders);
    size_t limit = (size_t)opts->batch_size;
    if (limit > (size_t)opts->max_batch_bytes)
        limit = (size_t)opts->max_batch_bytes;
    int rc;
    if (pq->open != NULL && pq->open->count > 0 &&
        (rn_batch_builder_size(&pq->open->bld) + rec > limit ||
         (pq->one_key && !same_key(pq->open, key, key_len))))
        rn__pq_close(pq);
    if (pq->open == NULL) {
        pq->open = batch_new(pq, opts, now);
        if (pq->one_key) {
            pq->open->key_len = key_len;
            pq->open->key = key_len >= 0 ? rn_malloc(key_len > 0 ? (size_t)key_len : 1) : NULL;
            if (key_len > 0)
                memcpy(pq->open->key, key, (size_t)key_len);
        }
    }
    rn__batch_t *batch = pq->open;
    rc = rn_batch_builder_add(&batch->bld, timestamp, key, key_len, value, value_len, headers,
                              nheaders);
    if (rc < 0)
        return rc;
    if (batch->count == batch->cap) {
        batch->cap = batch->cap == 0 ? 64 : batch->cap * 2;
        batch->opaques = rn_realloc(batch->opaques, (size_t)batch->cap * sizeof(void *));
    }
    batch->opaques[batch->count++] = opaque;
    if (deadline_ms < batch->deadline_ms)
        batch->deadline_ms = deadline_ms;
    if (rn_batch_builder_size(&batch->bld) >= limit)
        rn__pq_close(pq);
    return 0;
}

int64_t rn__pq_linger(rn__pq_t *pq, const rn__acc_opts_t *opts, int64_t now, int force) {
    if (pq->open == NULL)
        return INT64_MAX;
    int64_t due = pq->open->created_ms + opts->linger_ms;
    if (!force && now < due)
        return due;
    rn__pq_close(pq);
    return INT64_MAX;
}

rn__batch_t *rn__pq_take(rn__pq_t *pq, int64_t now) {
    rn__batch_t *batch = pq->ready_head;
    if (batch == NULL || batch->retry_at > now)
        return NULL;
    pq->ready_head = batch->next;
    if (pq->ready_head == NULL)
        pq->ready_tail = NULL;
    pq->nready--;
    batch->next = NULL;
    return batch;
}

void rn__pq_requeue(rn__pq_t *pq, rn__batch_t *batch, int64_t retry_at) {
    batch->retry_at = retry_at;
    batch->attempts++;
    ready_insert(pq, batch);
}

rn__batch_t *rn__pq_expired(rn__pq_t *pq, int64_t now) {
    rn__batch_t *out = NULL, **tail = &out;
    rn__batch_t **pp = &pq->ready_head;
    pq->ready_tail = NULL;
    while (*pp != NULL) {
        rn__batch_t *b = *pp;
        if (b->deadline_ms <= now) {
            *pp = b->next;
            b->next = NULL;
            *tail = b;
            tail = &b->next;
            pq->nready--;
        } else {
            pq->ready_tail = b;
            pp = &b->next;
        }
    }
    return out;
}

int64_t rn__pq_next_event(const rn__pq_t *pq) {
    /* Deadlines grow with the sequence but for retried batches, which sit at the head:
     * the head's deadline and back-off are what comes first. */
    int64_t next = INT64_MAX;
    const rn__batch_t *b = pq->ready_head;
    if (b != NULL) {
        next = b->deadline_ms;
        if (b->retry_at > 0 && b->retry_at < next)
            next = b->retry_at;
    }
    if (pq->open != NULL && pq->open->deadline_ms < next)
        next = pq->open->deadline_ms;
    return next;
}
