/*
 * producer.c — rn_producer_t: the API, records' intake on the loop, partitioning,
 * batching per partition, linger and delivery timeouts, flush and shutdown.
 * Requests and responses are producer_send.c's. Threads: producer_int.h.
 *
 *   send (API thread) ──post──▶ intake (loop): topic known? ──no──▶ topic wait list
 *                                      │ yes                       (metadata refresh;
 *                                      ▼                            fails at deadline)
 *                               partitioner ──▶ partition queue (accumulator.h)
 *   serve (loop, each iteration): linger, timeouts, wait lists ──▶ send_ready
 */
#include "client/producer_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"

#define MAX_TOPIC_LEN 249

static int64_t mono_ms(void) {
    return (int64_t)(uv_hrtime() / 1000000);
}

/* ---- outcomes -------------------------------------------------------------------- */

static void outstanding_sub(rn_producer_t *p, int64_t n) {
    if (atomic_fetch_sub(&p->outstanding, n) == n) {
        uv_mutex_lock(&p->lock);
        uv_cond_broadcast(&p->cond);
        uv_mutex_unlock(&p->lock);
    }
}

static void msg_fail(rn_producer_t *p, pmsg_t *m, int err) {
    if (p->dr != NULL)
        p->dr(p->dr_opaque, err, m->topic, m->partition, -1, m->opaque);
    rn_free(m);
    outstanding_sub(p, 1);
}

void rn__producer_batch_done(rn_producer_t *p, rn__batch_t *batch, int err, int32_t partition,
                             int64_t base_offset) {
    if (p->dr != NULL) {
        const char *topic = batch->pq->topic;
        for (int32_t i = 0; i < batch->count; i++) {
            int64_t off = err == 0 && base_offset >= 0 ? base_offset + i : -1;
            p->dr(p->dr_opaque, err, topic, partition, off, batch->opaques[i]);
        }
    }
    int64_t n = batch->count;
    rn__batch_free(batch);
    outstanding_sub(p, n);
}

/* ---- topics and partition queues ------------------------------------------------- */

static ptopic_t *topic_get(rn_producer_t *p, const char *name) {
    for (ptopic_t *t = p->topics; t != NULL; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t;
    ptopic_t *t = rn_calloc(1, sizeof *t);
    t->name = rn_strdup(name);
    t->mt = rn__metadata_want(&p->cl, name);
    rn__sticky_init(&t->sticky, (uint32_t)(uv_hrtime() ^ (uintptr_t)t));
    rn__pq_init(&t->any_pq, t->name, RN_PARTITION_ANY, NULL);
    t->any_pq.one_key = 1; /* the broker routes each batch by its first key */
    t->next = p->topics;
    p->topics = t;
    return t;
}

/* Grow the partition queues to the metadata's count (partitions never shrink; a
 * smaller count from a confused broker leaves the extra queues alone). */
static void topic_resize(ptopic_t *t, int32_t n) {
    if (n <= t->npq)
        return;
    rn__pq_t *pqs = rn_calloc((size_t)n, sizeof *pqs);
    if (t->npq > 0)
        memcpy(pqs, t->pqs, (size_t)t->npq * sizeof *pqs);
    for (int32_t i = t->npq; i < n; i++)
        rn__pq_init(&pqs[i], t->name, i, &t->sticky);
    /* Batches point at their queue: re-point them at the moved queues. */
    for (int32_t i = 0; i < t->npq; i++) {
        if (pqs[i].open != NULL)
            pqs[i].open->pq = &pqs[i];
        for (rn__batch_t *b = pqs[i].ready_head; b != NULL; b = b->next)
            b->pq = &pqs[i];
    }
    rn_free(t->pqs);
    t->pqs = pqs;
    t->npq = n;
    rn_free(t->avail);
    t->avail = NULL; /* recomputed for the new count */
}

/* Which partitions have a leader now, for the sticky choice of keyless records:
 * recomputed only when a metadata response has replaced the topic's table. */
static const uint8_t *topic_avail(ptopic_t *t) {
    const rn__mtopic_t *mt = t->mt;
    if (t->avail != NULL && t->avail_gen == mt->gen)
        return t->avail;
    if (t->avail == NULL)
        t->avail = rn_malloc((size_t)t->npq);
    for (int32_t i = 0; i < t->npq; i++)
        t->avail[i] = i < mt->npart && mt->parts[i].leader >= 0;
    t->avail_gen = mt->gen;
    return t->avail;
}

/* Place a record whose topic's metadata is known. Consumes m. */
static void msg_place(rn_producer_t *p, ptopic_t *t, pmsg_t *m, int64_t now) {
    int32_t part = m->partition;
    rn__pq_t *pq;
    if (part == RN_PARTITION_ANY && p->cl.conf->partitioner == RN__PART_BROKER) {
        pq = &t->any_pq;
    } else {
        if (part == RN_PARTITION_ANY)
            part = rn__partition_choose(p->cl.conf, &t->sticky, t->name, m->key, m->key_len, t->npq,
                                        topic_avail(t));
        if (part < 0 || part >= t->npq) {
            msg_fail(p, m,
                     part < 0 && part != RN_PARTITION_ANY ? part
                                                          : RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION);
            return;
        }
        pq = &t->pqs[part];
    }
    int rc = rn__pq_append(pq, &p->acc, now, m->deadline_ms, m->timestamp, m->key, m->key_len,
                           m->value, m->value_len, m->headers, m->nheaders, m->opaque);
    if (rc < 0) {
        m->partition = part;
        msg_fail(p, m, rc);
        return;
    }
    rn_free(m);
}

static int topic_ready(const ptopic_t *t) {
    return t->mt->known && t->mt->err == RN_WIRE_NONE && t->npq > 0;
}

static void topic_wait(ptopic_t *t, pmsg_t *m) {
    m->next = NULL;
    if (t->wait_tail != NULL)
        t->wait_tail->next = m;
    else
        t->wait_head = m;
    t->wait_tail = m;
}

/* A record from rn_producer_send arrives on the loop. */
static void run_msg(rn__client_t *cl, rn__cmd_t *cmd) {
    pmsg_t *m = (pmsg_t *)cmd;
    rn_producer_t *p = m->p;
    ptopic_t *t = topic_get(p, m->topic);
    int64_t now = (int64_t)uv_now(&cl->loop);
    if (t->mt->known)
        topic_resize(t, t->mt->npart);
    int direct = m->partition == RN_PARTITION_ANY && cl->conf->partitioner == RN__PART_BROKER;
    if (t->wait_head == NULL && (direct || topic_ready(t)))
        msg_place(p, t, m, now);
    else
        topic_wait(t, m);
}

/* Records waiting for the topic's metadata: place them, fail them (a final error,
 * or their deadline passed), or keep waiting. Returns the next deadline. */
static int64_t topic_serve_waiting(rn_producer_t *p, ptopic_t *t, int64_t now) {
    if (t->mt->known)
        topic_resize(t, t->mt->npart);
    int final = t->mt->known && t->mt->err != RN_WIRE_NONE && !rn_wire_err_retriable(t->mt->err);
    int64_t next = INT64_MAX;
    pmsg_t *m = t->wait_head, *keep_head = NULL, *keep_tail = NULL;
    t->wait_head = t->wait_tail = NULL;
    while (m != NULL) {
        pmsg_t *nx = m->next;
        int direct = m->partition == RN_PARTITION_ANY && p->cl.conf->partitioner == RN__PART_BROKER;
        if (final)
            msg_fail(p, m, t->mt->err);
        else if (direct || topic_ready(t))
            msg_place(p, t, m, now);
        else if (m->deadline_ms <= now) /* the topic's own error says more, if known */
            msg_fail(p, m, t->mt->known && t->mt->err != 0 ? t->mt->err : -ETIMEDOUT);
        else {
            if (m->deadline_ms < next)
                next = m->deadline_ms;
            m->next = NULL;
            if (keep_tail != NULL)
                keep_tail->next = m;
            else
                keep_head = m;
            keep_tail = m;
        }
        m = nx;
    }
    t->wait_head = keep_head;
    t->wait_tail = keep_tail;
    if (keep_head != NULL)
        rn__metadata_refresh(&p->cl);
    return next;
}

/* Batches past their deadline fail with the topic's own error when the metadata has
 * one (a deleted topic: UNKNOWN_TOPIC_OR_PARTITION), else with a timeout. */
static int64_t pq_serve(rn_producer_t *p, const ptopic_t *t, rn__pq_t *pq, int64_t now, int force) {
    int64_t next = rn__pq_linger(pq, &p->acc, now, force);
    rn__batch_t *b = rn__pq_expired(pq, now);
    int err = t->mt->known && t->mt->err != RN_WIRE_NONE ? t->mt->err : -ETIMEDOUT;
    while (b != NULL) {
        rn__batch_t *nx = b->next;
        rn__producer_batch_done(p, b, err, pq->partition, -1);
        b = nx;
    }
    int64_t ev = rn__pq_next_event(pq);
    return ev < next ? ev : next;
}

static int64_t serve(void *owner, int64_t now) {
    rn_producer_t *p = owner;
    int force = atomic_load(&p->flushing) > 0;
    int64_t next = INT64_MAX, n;
    for (ptopic_t *t = p->topics; t != NULL; t = t->next) {
        if (t->wait_head != NULL && (n = topic_serve_waiting(p, t, now)) < next)
            next = n;
        for (int32_t i = 0; i < t->npq; i++)
            if ((n = pq_serve(p, t, &t->pqs[i], now, force)) < next)
                next = n;
        if ((n = pq_serve(p, t, &t->any_pq, now, force)) < next)
            next = n;
    }
    rn__producer_send_ready(p, now);
    return next;
}

/* The loop is stopping: every record not in flight gets its report now; those in
 * flight get theirs as the connections close (producer_send.c sees `stopping`). */
static void fail_pq(rn_producer_t *p, rn__pq_t *pq) {
    rn__pq_close(pq);
    rn__batch_t *b;
    while ((b = rn__pq_take(pq, INT64_MAX)) != NULL)
        rn__producer_batch_done(p, b, RN_ECLOSED, pq->partition, -1);
}

static void on_stop(void *owner) {
    rn_producer_t *p = owner;
    p->stopping = 1;
    for (ptopic_t *t = p->topics; t != NULL; t = t->next) {
        pmsg_t *m = t->wait_head;
        t->wait_head = t->wait_tail = NULL;
        while (m != NULL) {
            pmsg_t *nx = m->next;
            msg_fail(p, m, RN_ECLOSED);
            m = nx;
        }
        for (int32_t i = 0; i < t->npq; i++)
            fail_pq(p, &t->pqs[i]);
        fail_pq(p, &t->any_pq);
    }
}

static const rn__client_ops_t producer_ops = {.serve = serve, .on_stop = on_stop};

/* ---- API ------------------------------------------------------------------------- */

RN_API rn_producer_t *rn_producer_new(rn_conf_t *conf, rn_delivery_fn dr, void *dr_opaque,
                                      char *err, size_t errlen) {
    if (conf == NULL) {
        rn__errf(err, errlen, "no configuration");
        return NULL;
    }
    rn_producer_t *p = rn_calloc(1, sizeof *p);
    p->dr = dr;
    p->dr_opaque = dr_opaque;
    p->acc.batch_size = conf->batch_size;
    p->acc.max_batch_bytes = conf->message_max_bytes;
    p->acc.linger_ms = conf->linger_ms;
    p->acc.codec = (rn_codec_t)conf->compression;
    atomic_init(&p->outstanding, 0);
    atomic_init(&p->flushing, 0);
    uv_mutex_init(&p->lock);
    uv_cond_init(&p->cond);
    rn__metadata_init(&p->cl, 1);
    if (rn__client_start(&p->cl, conf, &producer_ops, p, err, errlen) < 0) {
        rn__metadata_free(&p->cl);
        rn_conf_free(conf);
        uv_cond_destroy(&p->cond);
        uv_mutex_destroy(&p->lock);
        rn_free(p);
        return NULL;
    }
    return p;
}

static int check_record(const rn_producer_t *p, const char *topic, int32_t partition,
                        const void *key, int32_t key_len, const void *value, int32_t value_len,
                        const rn_header_t *headers, int32_t nheaders) {
    if (topic == NULL || topic[0] == '\0' || strlen(topic) > MAX_TOPIC_LEN)
        return RN_EINVALIDTOPIC;
    if (partition < RN_PARTITION_ANY || nheaders < 0 || (nheaders > 0 && headers == NULL))
        return -EINVAL;
    if ((key == NULL) != (key_len < 0) || (value == NULL) != (value_len < 0))
        return -EINVAL;
    size_t size = RN_BATCH_HEADER_SIZE + 40 + (key_len > 0 ? (size_t)key_len : 0) +
                  (value_len > 0 ? (size_t)value_len : 0);
    for (int32_t i = 0; i < nheaders; i++) {
        if (headers[i].key == NULL || (headers[i].value == NULL) != (headers[i].value_len < 0))
            return -EINVAL;
        size += 10 + strlen(headers[i].key) +
                (headers[i].value_len > 0 ? (size_t)headers[i].value_len : 0);
    }
    return size > (size_t)p->cl.conf->message_max_bytes ? RN_ETOOLARGE : 0;
}

/* One allocation: the message, then topic, key, value, headers and their bytes. */
static pmsg_t *msg_new(const char *topic, const void *key, int32_t key_len, const void *value,
                       int32_t value_len, const rn_header_t *headers, int32_t nheaders) {
    size_t tl = strlen(topic) + 1;
    size_t size = sizeof(pmsg_t) + (size_t)nheaders * sizeof(rn_record_header_t) + tl +
                  (key_len > 0 ? (size_t)key_len : 0) + (value_len > 0 ? (size_t)value_len : 0);
    for (int32_t i = 0; i < nheaders; i++)
        size +=
            strlen(headers[i].key) + (headers[i].value_len > 0 ? (size_t)headers[i].value_len : 0);
    pmsg_t *m = rn_malloc(size);
    memset(m, 0, sizeof *m);
    uint8_t *q = (uint8_t *)(m + 1);
    m->headers = nheaders > 0 ? (rn_record_header_t *)q : NULL;
    q += (size_t)nheaders * sizeof(rn_record_header_t);
    m->topic = memcpy(q, topic, tl);
    q += tl;
    m->key_len = key_len;
    m->key = key_len >= 0 ? memcpy(q, key, (size_t)key_len) : NULL;
    q += key_len > 0 ? (size_t)key_len : 0;
    m->value_len = value_len;
    m->value = value_len >= 0 ? memcpy(q, value, (size_t)value_len) : NULL;
    q += value_len > 0 ? (size_t)value_len : 0;
    for (int32_t i = 0; i < nheaders; i++) {
        size_t kl = strlen(headers[i].key);
        int32_t vl = headers[i].value_len;
        m->headers[i].key = memcpy(q, headers[i].key, kl);
        m->headers[i].key_len = (int32_t)kl;
        q += kl;
        m->headers[i].value = vl >= 0 ? memcpy(q, headers[i].value, (size_t)vl) : NULL;
        m->headers[i].value_len = vl;
        q += vl > 0 ? (size_t)vl : 0;
    }
    m->nheaders = nheaders;
    return m;
}

RN_API int rn_producer_send(rn_producer_t *p, const char *topic, int32_t partition, const void *key,
                            int32_t key_len, const void *value, int32_t value_len,
                            const rn_header_t *headers, int32_t nheaders, int64_t timestamp_ms,
                            void *msg_opaque) {
    int rc = check_record(p, topic, partition, key, key_len, value, value_len, headers, nheaders);
    if (rc < 0)
        return rc;
    if (atomic_load(&p->outstanding) >= p->cl.conf->queue_max_messages)
        return -ENOBUFS;
    pmsg_t *m = msg_new(topic, key, key_len, value, value_len, headers, nheaders);
    m->cmd.run = run_msg;
    m->p = p;
    m->partition = partition;
    m->timestamp = timestamp_ms != 0 ? timestamp_ms : rn_clock_now_ms(NULL);
    m->deadline_ms = mono_ms() + p->cl.conf->delivery_timeout_ms;
    m->opaque = msg_opaque;
    atomic_fetch_add(&p->outstanding, 1);
    rc = rn__client_post(&p->cl, &m->cmd);
    if (rc < 0) {
        atomic_fetch_sub(&p->outstanding, 1);
        rn_free(m);
    }
    return rc;
}

RN_API int64_t rn_producer_outstanding(rn_producer_t *p) {
    return atomic_load(&p->outstanding);
}

static void run_kick(rn__client_t *cl, rn__cmd_t *cmd) {
    rn_free(cmd);
    rn__client_kick(cl);
}

RN_API int rn_producer_flush(rn_producer_t *p, int timeout_ms) {
    atomic_fetch_add(&p->flushing, 1);
    rn__cmd_t *kick = rn_calloc(1, sizeof *kick);
    kick->run = run_kick;
    if (rn__client_post(&p->cl, kick) < 0)
        rn_free(kick);
    uint64_t deadline = uv_hrtime() + (uint64_t)(timeout_ms >= 0 ? timeout_ms : 0) * 1000000u;
    int rc = 0;
    uv_mutex_lock(&p->lock);
    while (atomic_load(&p->outstanding) > 0) {
        if (timeout_ms < 0) {
            uv_cond_wait(&p->cond, &p->lock);
            continue;
        }
        uint64_t now = uv_hrtime();
        if (now >= deadline || uv_cond_timedwait(&p->cond, &p->lock, deadline - now) != 0) {
            if (atomic_load(&p->outstanding) > 0)
                rc = -ETIMEDOUT;
            break;
        }
    }
    uv_mutex_unlock(&p->lock);
    atomic_fetch_sub(&p->flushing, 1);
    return rc;
}

static void topics_free(rn_producer_t *p) {
    ptopic_t *t = p->topics;
    while (t != NULL) {
        ptopic_t *nx = t->next;
        for (int32_t i = 0; i < t->npq; i++)
            rn__pq_deinit(&t->pqs[i]);
        rn__pq_deinit(&t->any_pq);
        rn_free(t->pqs);
        rn_free(t->avail);
        rn_free(t->name);
        rn_free(t);
        t = nx;
    }
    p->topics = NULL;
}

RN_API void rn_producer_free(rn_producer_t *p) {
    if (p == NULL)
        return;
    rn_producer_flush(p, p->cl.conf->delivery_timeout_ms);
    rn__client_stop(&p->cl); /* on_stop reports what is left */
    topics_free(p);
    uv_cond_destroy(&p->cond);
    uv_mutex_destroy(&p->lock);
    rn_free(p);
}
