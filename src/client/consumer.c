/*
 * consumer.c — rn_consumer_t with manual assignment: the API, the queue of fetched
 * messages poll reads, and assignments (consumer_int.h has the threads; the fetching
 * itself is consumer_fetch.c's).
 */
#include "client/consumer_int.h"
#include "client/group.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_metadata.h"

/* ---- the queue ------------------------------------------------------------------- */

/* Drop the entries of pos from the list at *head (a seek); their bytes leave qbytes.
 * Returns the new tail (NULL when the list is empty). Under lock (and plock for the
 * batch). */
static cmsg_t *purge_list_locked(rn_consumer_t *c, cmsg_t **head, const cpos_t *pos) {
    cmsg_t **pp = head, *tail = NULL;
    while (*pp != NULL) {
        cmsg_t *m = *pp;
        if (m->pos == pos) {
            *pp = m->next;
            c->qbytes -= m->bytes;
            rn__cmsg_free(m);
        } else {
            tail = m;
            pp = &m->next;
        }
    }
    return tail;
}

void rn__consumer_enqueue(rn_consumer_t *c, const cpart_t *cp, mlist_t *l) {
    cmsg_t *head = l->head, *last = l->last;
    size_t bytes = l->bytes;
    *l = (mlist_t){0};
    if (head == NULL)
        return;
    uv_mutex_lock(&c->lock);
    if (cp->version != cp->pos->version) {
        uv_mutex_unlock(&c->lock);
        rn__cmsg_free_list(head); /* fetched before a seek */
        return;
    }
    if (c->q_tail != NULL)
        c->q_tail->next = head;
    else
        c->q_head = head;
    c->q_tail = last;
    c->qbytes += bytes;
    c->q_gen++;
    if (c->qbytes >= c->qlimit)
        c->paused = 1;
    uv_cond_broadcast(&c->cond);
    uv_mutex_unlock(&c->lock);
}

static void run_kick(rn__client_t *cl, rn__cmd_t *cmd) {
    rn_free(cmd);
    rn__client_kick(cl);
}

/* Give back the bytes poll has returned to qbytes; wake the loop if it paused and
 * the queue and batch have drained to half. Under plock and lock. */
static void credit_locked(rn_consumer_t *c) {
    c->qbytes -= c->b_done;
    c->b_done = 0;
    if (c->paused && c->qbytes <= c->qlimit / 2) {
        c->paused = 0;
        rn__cmd_t *kick = rn_calloc(1, sizeof *kick);
        kick->run = run_kick;
        if (rn__client_post(&c->cl, kick) < 0)
            rn_free(kick);
    }
}

/* The next entry for poll, or NULL when there is none now: from the batch, taking
 * the whole queue as the next batch when it has run out. *gen gets the queue's
 * generation when it was found empty. Under plock. */
static cmsg_t *take(rn_consumer_t *c, uint64_t *gen) {
    if (c->b_head == NULL) {
        uv_mutex_lock(&c->lock);
        credit_locked(c);
        c->b_head = c->q_head;
        c->q_head = c->q_tail = NULL;
        *gen = c->q_gen;
        uv_mutex_unlock(&c->lock);
        if (c->b_head == NULL)
            return NULL;
    }
    cmsg_t *m = c->b_head;
    c->b_head = m->next;
    c->b_done += m->bytes;
    if (c->b_done >= c->qlimit / 8) {
        uv_mutex_lock(&c->lock);
        credit_locked(c);
        uv_mutex_unlock(&c->lock);
    }
    return m;
}

/* Wait (without plock) until the queue has moved on from generation gen or the
 * deadline passes (set on the first wait; timeout_ms < 0: no deadline). 1 when it
 * moved on, 0 on timeout. */
static int wait_queue(rn_consumer_t *c, int timeout_ms, uint64_t gen, uint64_t *deadline) {
    int moved = 1;
    uv_mutex_lock(&c->lock);
    while (c->q_gen == gen && c->q_head == NULL && c->ev_head == NULL) {
        if (timeout_ms < 0) {
            uv_cond_wait(&c->cond, &c->lock);
            continue;
        }
        uint64_t now = uv_hrtime();
        if (*deadline == 0)
            *deadline = now + (uint64_t)timeout_ms * 1000000u;
        if (now >= *deadline || uv_cond_timedwait(&c->cond, &c->lock, *deadline - now) != 0) {
            moved = c->q_gen != gen || c->q_head != NULL || c->ev_head != NULL;
            break;
        }
    }
    uv_mutex_unlock(&c->lock);
    return moved;
}

/* Everything poll returned before this call has been processed: its position may
 * be committed (auto commit commits `committable`). Under plock. */
static void mark_processed_locked(rn_consumer_t *c) {
    if (c->last_returned != NULL) {
        c->last_returned->committable = c->last_returned->position;
        c->last_returned = NULL;
    }
}

void rn__cevent_free(cevent_t *ev) {
    for (int32_t i = 0; i < ev->n; i++)
        rn_free(ev->topics[i]);
    rn_free(ev->topics);
    rn_free(ev->partitions);
    rn_free(ev);
}

/* Run the events queued for the polling thread (rebalance and commit callbacks),
 * without any lock held. */
void rn__consumer_run_events(rn_consumer_t *c) {
    if (atomic_load_explicit(&c->ev_flag, memory_order_acquire) == 0 ||
        atomic_exchange(&c->ev_flag, 0) == 0)
        return; /* nothing queued: poll's fast path takes no lock here */
    uv_mutex_lock(&c->lock);
    cevent_t *ev = c->ev_head;
    c->ev_head = c->ev_tail = NULL;
    uv_mutex_unlock(&c->lock);
    const rn_conf_t *conf = c->cl.conf;
    while (ev != NULL) {
        cevent_t *next = ev->next;
        const char *const *topics = (const char *const *)ev->topics;
        if (ev->kind == CEV_ASSIGNED && conf->assigned_cb != NULL)
            conf->assigned_cb(conf->rebalance_opaque, c, topics, ev->partitions, ev->n);
        else if (ev->kind == CEV_REVOKED && conf->revoked_cb != NULL)
            conf->revoked_cb(conf->rebalance_opaque, c, topics, ev->partitions, ev->n);
        else if (ev->kind == CEV_COMMIT && ev->cb != NULL)
            ev->cb(ev->opaque, ev->err);
        rn__cevent_free(ev);
        ev = next;
    }
}

void rn__consumer_push_event(rn_consumer_t *c, cevent_t *ev) {
    ev->next = NULL;
    uv_mutex_lock(&c->lock);
    if (c->ev_tail != NULL)
        c->ev_tail->next = ev;
    else
        c->ev_head = ev;
    c->ev_tail = ev;
    atomic_store(&c->ev_flag, 1);
    c->q_gen++;
    uv_cond_broadcast(&c->cond);
    uv_mutex_unlock(&c->lock);
}

void rn__consumer_push_error(rn_consumer_t *c, int err, const char *what) {
    size_t len = strlen(what);
    cmsg_t *m = rn_calloc(1, sizeof *m + len + 1);
    memcpy(m + 1, what, len + 1);
    m->errmsg = (const char *)(m + 1);
    m->err = err;
    m->bytes = sizeof *m + len + 1;
    uv_mutex_lock(&c->lock);
    if (c->q_tail != NULL)
        c->q_tail->next = m;
    else
        c->q_head = m;
    c->q_tail = m;
    c->qbytes += m->bytes;
    c->q_gen++;
    uv_cond_broadcast(&c->cond);
    uv_mutex_unlock(&c->lock);
}

RN_API int rn_consumer_poll(rn_consumer_t *c, int timeout_ms, rn_message_t **msg, char *err,
                            size_t errlen) {
    *msg = NULL;
    uint64_t deadline = 0, gen = 0;
    cmsg_t *m;
    for (;;) {
        rn__consumer_run_events(c);
        if (atomic_load(&c->closed)) {
            rn__errf(err, errlen, "the consumer is closed");
            return RN_ERR_CLOSED;
        }
        uv_mutex_lock(&c->plock);
        mark_processed_locked(c); /* once per call: last_returned is NULL after */
        m = take(c, &gen);
        if (m != NULL && m->err == 0) {
            m->pos->position = m->msg.offset + 1;
            c->last_returned = m->pos;
        }
        uv_mutex_unlock(&c->plock);
        if (m != NULL || timeout_ms == 0)
            break;
        if (!wait_queue(c, timeout_ms, gen, &deadline)) {
            rn__consumer_run_events(c);
            uv_mutex_lock(&c->plock);
            m = take(c, &gen);
            if (m != NULL && m->err == 0) {
                m->pos->position = m->msg.offset + 1;
                c->last_returned = m->pos;
            }
            uv_mutex_unlock(&c->plock);
            break;
        }
    }
    if (m == NULL)
        return 0;
    if (m->err != 0) {
        int rc = m->err;
        rn__errf(err, errlen, "%s", m->errmsg);
        rn__cmsg_free(m);
        return rc;
    }
    *msg = &m->msg;
    return 1;
}

RN_API int64_t rn_consumer_position(rn_consumer_t *c, const char *topic, int32_t partition) {
    int64_t pos = -1;
    uv_mutex_lock(&c->plock); /* the list changes under both locks; positions under plock */
    for (cpos_t *p = c->positions; p != NULL; p = p->next)
        if (p->assigned && p->partition == partition && strcmp(p->topic, topic) == 0)
            pos = p->position;
    uv_mutex_unlock(&c->plock);
    return pos;
}

/* ---- assignment ------------------------------------------------------------------ */

/* A new entry in the positions list. Under plock and lock. */
static cpos_t *pos_new_locked(rn_consumer_t *c, const char *topic, int32_t partition) {
    cpos_t *pos = rn_calloc(1, sizeof *pos);
    pos->topic = rn_strdup(topic);
    pos->partition = partition;
    pos->committed = -1;
    pos->committable = -1;
    pos->next = c->positions;
    c->positions = pos;
    return pos;
}

typedef struct assign_cmd_s {
    rn__cmd_t cmd;
    rn_consumer_t *c;
    cpos_t *pos;
    int64_t offset;
    uint32_t version;
} assign_cmd_t;

/* The loop side of pos, created when new. Loop thread. */
static cpart_t *cpart_of(rn_consumer_t *c, cpos_t *pos) {
    cpart_t *cp = c->parts;
    while (cp != NULL && cp->pos != pos)
        cp = cp->next;
    if (cp == NULL) {
        cp = rn_calloc(1, sizeof *cp);
        cp->pos = pos;
        cp->mt = rn__metadata_want(&c->cl, pos->topic);
        cp->max_bytes = c->cl.conf->max_partition_fetch_bytes;
        cp->next = c->parts;
        c->parts = cp;
    }
    return cp;
}

static void run_assign(rn__client_t *cl, rn__cmd_t *cmd) {
    assign_cmd_t *a = (assign_cmd_t *)cmd;
    rn_consumer_t *c = a->c;
    cpart_t *cp = cpart_of(c, a->pos);
    cp->offset = a->offset;
    cp->version = a->version;
    cp->state = a->offset >= 0 ? CP_FETCHABLE : CP_NEED_OFFSET;
    cp->backoff_until = 0;
    rn_free(a);
    rn__client_kick(cl);
}

RN_API int rn_consumer_assign(rn_consumer_t *c, const char *topic, int32_t partition,
                              int64_t offset) {
    if (topic == NULL || topic[0] == '\0' || strlen(topic) > 249)
        return RN_EINVALIDTOPIC;
    if (partition < 0 || offset < RN_OFFSET_BEGINNING)
        return -EINVAL;
    uv_mutex_lock(&c->lock);
    int subscribed = c->subscribed;
    uv_mutex_unlock(&c->lock);
    if (subscribed)
        return -EINVAL; /* the group decides the assignment */
    assign_cmd_t *a = rn_calloc(1, sizeof *a);
    a->cmd.run = run_assign;
    a->c = c;
    a->offset = offset;
    uv_mutex_lock(&c->plock);
    uv_mutex_lock(&c->lock);
    cpos_t *pos = c->positions;
    while (pos != NULL && !(pos->partition == partition && strcmp(pos->topic, topic) == 0))
        pos = pos->next;
    if (pos == NULL)
        pos = pos_new_locked(c, topic, partition);
    pos->version++;
    pos->assigned = 1;
    pos->position = offset;
    pos->committable = offset >= 0 ? offset : -1;
    c->q_tail = purge_list_locked(c, &c->q_head, pos);
    purge_list_locked(c, &c->b_head, pos);
    a->pos = pos;
    a->version = pos->version;
    uv_mutex_unlock(&c->lock);
    uv_mutex_unlock(&c->plock);
    int rc = rn__client_post(&c->cl, &a->cmd);
    if (rc < 0)
        rn_free(a);
    return rc;
}

/* The partition count of topic from a Metadata response, or an error. */
static int topic_partitions(rn_consumer_t *c, const char *topic, char *err, size_t errlen) {
    rn_str_t name = rn_str(topic);
    rn_metadata_request_t req = {.n_topics = 1, .topics = &name};
    rn_writer_t wr;
    rn_writer_init(&wr, 64);
    int rc = rn_metadata_request_encode(&wr, 0, &req);
    uint8_t *resp = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = rn__client_request_sync(&c->cl, RN__ANY_BROKER, RN_API_METADATA, wr.buf, wr.len,
                                     c->cl.conf->request_timeout_ms, &resp, &len, err, errlen);
    rn_writer_deinit(&wr);
    if (rc < 0)
        return rc;
    rn_metadata_response_t md;
    rc = rn_metadata_response_decode(resp, len, 0, &md);
    if (rc < 0) {
        rc = rn__resp_error_code(resp, len);
    } else {
        rc = md.error_code;
        for (int32_t i = 0; rc == 0 && i < md.n_topics; i++)
            if (rn_str_eq_c(md.topics[i].name, topic))
                rc = md.topics[i].error_code != 0
                         ? md.topics[i].error_code
                         : (md.topics[i].n_partitions > 0 ? -md.topics[i].n_partitions
                                                          : RN_WIRE_LEADER_NOT_AVAILABLE);
        if (rc == 0)
            rc = RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
        rn_metadata_response_deinit(&md);
    }
    rn_free(resp);
    if (rc > 0) {
        rn__errf(err, errlen, "topic %s: %s", topic, rn_err_str(rc));
        return rc;
    }
    return -rc; /* the count, carried negated above */
}

RN_API int rn_consumer_assign_topic(rn_consumer_t *c, const char *topic, int64_t offset, char *err,
                                    size_t errlen) {
    if (topic == NULL || topic[0] == '\0' || strlen(topic) > 249) {
        rn__errf(err, errlen, "invalid topic name");
        return RN_EINVALIDTOPIC;
    }
    int n = topic_partitions(c, topic, err, errlen);
    if (n <= 0)
        return n;
    for (int32_t i = 0; i < n; i++) {
        int rc = rn_consumer_assign(c, topic, i, offset);
        if (rc < 0) {
            rn__errf(err, errlen, "topic %s: %s", topic, rn_err_str(rc));
            return rc;
        }
    }
    return n;
}

/* ---- group assignment (loop thread) -------------------------------------------------- */

void rn__consumer_set_assignment(rn_consumer_t *c, int32_t n, char *const *topics,
                                 const int32_t *partitions, const int64_t *offsets,
                                 const char *none_what) {
    cpos_t **chosen = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *chosen);
    uv_mutex_lock(&c->plock);
    uv_mutex_lock(&c->lock);
    for (cpos_t *p = c->positions; p != NULL; p = p->next) {
        int keep = -1;
        for (int32_t i = 0; i < n && keep < 0; i++)
            if (partitions[i] == p->partition && strcmp(topics[i], p->topic) == 0)
                keep = i;
        if (keep < 0 && !p->assigned)
            continue;
        p->version++; /* what was fetched or queued before is dropped */
        c->q_tail = purge_list_locked(c, &c->q_head, p);
        purge_list_locked(c, &c->b_head, p);
        p->assigned = keep >= 0;
        if (keep >= 0)
            chosen[keep] = p;
    }
    for (int32_t i = 0; i < n; i++) {
        cpos_t *p = chosen[i];
        if (p == NULL) {
            p = chosen[i] = pos_new_locked(c, topics[i], partitions[i]);
            p->version++;
            p->assigned = 1;
        }
        p->position = offsets[i] == RN__RESET_NONE ? -1 : offsets[i]; /* logical until known */
        p->committable = offsets[i] >= 0 ? offsets[i] : -1;
        p->committed = offsets[i] >= 0 ? offsets[i] : -1;
    }
    uv_mutex_unlock(&c->lock);
    uv_mutex_unlock(&c->plock);
    /* The loop side: every cpart follows its cpos's version and assignment. */
    for (cpart_t *cp = c->parts; cp != NULL; cp = cp->next) {
        if (!cp->pos->assigned) {
            cp->version = cp->pos->version;
            cp->state = CP_STOPPED;
        }
    }
    for (int32_t i = 0; i < n; i++) {
        cpart_t *cp = cpart_of(c, chosen[i]);
        cp->version = chosen[i]->version;
        cp->offset = offsets[i];
        cp->backoff_until = 0;
        if (offsets[i] == RN__RESET_NONE) {
            cp->state = CP_STOPPED;
            mlist_t l = {0};
            mlist_push(&l, rn__cmsg_error(chosen[i], RN_ERR_OFFSET_OUT_OF_RANGE, none_what));
            rn__consumer_enqueue(c, cp, &l);
        } else {
            cp->state = offsets[i] >= 0 ? CP_FETCHABLE : CP_NEED_OFFSET;
        }
    }
    rn_free(chosen);
    rn__client_kick(&c->cl);
}

int32_t rn__consumer_offsets(rn_consumer_t *c, int use_position, const char ***topics,
                             int32_t **partitions, int64_t **offsets, cpos_t ***poss) {
    int32_t n = 0;
    uv_mutex_lock(&c->plock);
    for (cpos_t *p = c->positions; p != NULL; p = p->next)
        n++;
    *topics = rn_malloc((size_t)(n > 0 ? n : 1) * sizeof **topics);
    *partitions = rn_malloc((size_t)(n > 0 ? n : 1) * sizeof **partitions);
    *offsets = rn_malloc((size_t)(n > 0 ? n : 1) * sizeof **offsets);
    *poss = rn_malloc((size_t)(n > 0 ? n : 1) * sizeof **poss);
    n = 0;
    for (cpos_t *p = c->positions; p != NULL; p = p->next) {
        int64_t off = use_position ? p->position : p->committable;
        if (!p->assigned || off < 0)
            continue;
        (*topics)[n] = p->topic;
        (*partitions)[n] = p->partition;
        (*offsets)[n] = off;
        (*poss)[n] = p;
        n++;
    }
    uv_mutex_unlock(&c->plock);
    return n;
}

RN_API int32_t rn_consumer_assignment(rn_consumer_t *c, char ***topics, int32_t **partitions) {
    int32_t n = 0;
    uv_mutex_lock(&c->plock);
    for (cpos_t *p = c->positions; p != NULL; p = p->next)
        n += p->assigned;
    *topics = rn_calloc((size_t)(n > 0 ? n : 1), sizeof **topics);
    *partitions = rn_calloc((size_t)(n > 0 ? n : 1), sizeof **partitions);
    int32_t i = 0;
    for (cpos_t *p = c->positions; p != NULL; p = p->next) {
        if (!p->assigned)
            continue;
        (*topics)[i] = rn_strdup(p->topic);
        (*partitions)[i] = p->partition;
        i++;
    }
    uv_mutex_unlock(&c->plock);
    return n;
}

RN_API void rn_consumer_assignment_free(char **topics, int32_t *partitions, int32_t count) {
    if (topics != NULL)
        for (int32_t i = 0; i < count; i++)
            rn_free(topics[i]);
    rn_free(topics);
    rn_free(partitions);
}

/* ---- lifecycle ------------------------------------------------------------------- */

static int64_t serve(void *owner, int64_t now) {
    rn_consumer_t *c = owner;
    int64_t next = INT64_MAX;
    if (c->group != NULL)
        next = rn__group_serve(c->group, now);
    int64_t f = rn__consumer_fetch_serve(c, now);
    return f < next ? f : next;
}

static void on_stop(void *owner) {
    rn_consumer_t *c = owner; /* fetches in flight complete with RN_ECLOSED and are dropped */
    if (c->group != NULL)
        rn__group_on_stop(c->group);
}

static const rn__client_ops_t consumer_ops = {.serve = serve, .on_stop = on_stop};

RN_API rn_consumer_t *rn_consumer_new(rn_conf_t *conf, char *err, size_t errlen) {
    if (conf == NULL) {
        rn__errf(err, errlen, "no configuration");
        return NULL;
    }
    rn_consumer_t *c = rn_calloc(1, sizeof *c);
    uv_mutex_init(&c->plock);
    uv_mutex_init(&c->lock);
    uv_cond_init(&c->cond);
    c->qlimit = (size_t)conf->queued_max_kbytes * 1024;
    rn__metadata_init(&c->cl, 0);
    if (rn__client_start(&c->cl, conf, &consumer_ops, c, err, errlen) < 0) {
        rn__metadata_free(&c->cl);
        rn_conf_free(conf);
        uv_cond_destroy(&c->cond);
        uv_mutex_destroy(&c->lock);
        uv_mutex_destroy(&c->plock);
        rn_free(c);
        return NULL;
    }
    return c;
}

RN_API void rn_consumer_free(rn_consumer_t *c) {
    if (c == NULL)
        return;
    rn_consumer_close(c);
    rn__client_stop(&c->cl);
    rn__group_free(c->group);
    for (cevent_t *ev = c->ev_head; ev != NULL;) {
        cevent_t *nx = ev->next;
        rn__cevent_free(ev);
        ev = nx;
    }
    rn__cmsg_free_list(c->b_head);
    rn__cmsg_free_list(c->q_head);
    rn__cslab_release(&c->slab); /* messages the application holds keep theirs */
    for (cpart_t *cp = c->parts; cp != NULL;) {
        cpart_t *nx = cp->next;
        rn_free(cp);
        cp = nx;
    }
    for (cpos_t *p = c->positions; p != NULL;) {
        cpos_t *nx = p->next;
        rn_free(p->topic);
        rn_free(p);
        p = nx;
    }
    uv_cond_destroy(&c->cond);
    uv_mutex_destroy(&c->lock);
    uv_mutex_destroy(&c->plock);
    rn_free(c);
}
