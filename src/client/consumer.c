/*
 * consumer.c — rn_consumer_t with manual assignment: the API, the queue of fetched
 * messages poll reads, and assignments (consumer_int.h has the threads; the fetching
 * itself is consumer_fetch.c's).
 */
#include "client/consumer_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_metadata.h"

/* ---- the queue ------------------------------------------------------------------- */

/* Drop queued entries of pos (a seek). Under lock. */
static void purge_locked(rn_consumer_t *c, const cpos_t *pos) {
    cmsg_t **pp = &c->q_head;
    c->q_tail = NULL;
    while (*pp != NULL) {
        cmsg_t *m = *pp;
        if (m->pos == pos) {
            *pp = m->next;
            c->qbytes -= m->bytes;
            rn_free(m);
        } else {
            c->q_tail = m;
            pp = &m->next;
        }
    }
}

void rn__consumer_enqueue(rn_consumer_t *c, cmsg_t *head) {
    int any = 0;
    uv_mutex_lock(&c->lock);
    while (head != NULL) {
        cmsg_t *m = head;
        head = m->next;
        m->next = NULL;
        if (m->version != m->pos->version) {
            rn_free(m); /* fetched before a seek */
            continue;
        }
        if (c->q_tail != NULL)
            c->q_tail->next = m;
        else
            c->q_head = m;
        c->q_tail = m;
        c->qbytes += m->bytes;
        any = 1;
    }
    if (c->qbytes >= c->qlimit)
        c->paused = 1;
    if (any)
        uv_cond_broadcast(&c->cond);
    uv_mutex_unlock(&c->lock);
}

cmsg_t *rn__cmsg_error(cpart_t *cp, int err, const char *what) {
    cmsg_t *m = rn_calloc(1, sizeof *m);
    m->pos = cp->pos;
    m->version = cp->version;
    m->err = err;
    m->bytes = sizeof *m;
    snprintf(m->errbuf, sizeof m->errbuf, "%s-%d: %s", cp->pos->topic, cp->pos->partition, what);
    return m;
}

static void run_kick(rn__client_t *cl, rn__cmd_t *cmd) {
    rn_free(cmd);
    rn__client_kick(cl);
}

/* Take the next entry (under lock); wake the loop if it paused and the queue has
 * drained to half. */
static cmsg_t *pop_locked(rn_consumer_t *c) {
    cmsg_t *m = c->q_head;
    if (m == NULL)
        return NULL;
    c->q_head = m->next;
    if (c->q_head == NULL)
        c->q_tail = NULL;
    c->qbytes -= m->bytes;
    if (c->paused && c->qbytes <= c->qlimit / 2) {
        c->paused = 0;
        rn__cmd_t *kick = rn_calloc(1, sizeof *kick);
        kick->run = run_kick;
        if (rn__client_post(&c->cl, kick) < 0)
            rn_free(kick);
    }
    return m;
}

RN_API int rn_consumer_poll(rn_consumer_t *c, int timeout_ms, rn_message_t **msg, char *err,
                            size_t errlen) {
    *msg = NULL;
    uint64_t deadline = uv_hrtime() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
    uv_mutex_lock(&c->lock);
    cmsg_t *m;
    while ((m = pop_locked(c)) == NULL) {
        if (timeout_ms < 0) {
            uv_cond_wait(&c->cond, &c->lock);
            continue;
        }
        uint64_t now = uv_hrtime();
        if (now >= deadline || uv_cond_timedwait(&c->cond, &c->lock, deadline - now) != 0) {
            m = pop_locked(c);
            break;
        }
    }
    if (m != NULL && m->err == 0)
        m->pos->position = m->msg.offset + 1;
    uv_mutex_unlock(&c->lock);
    if (m == NULL)
        return 0;
    if (m->err != 0) {
        int rc = m->err;
        rn__errf(err, errlen, "%s", m->errbuf);
        rn_free(m);
        return rc;
    }
    *msg = &m->msg;
    return 1;
}

RN_API void rn_message_free(rn_message_t *msg) {
    rn_free(msg); /* the cmsg_t it begins */
}

RN_API int64_t rn_consumer_position(rn_consumer_t *c, const char *topic, int32_t partition) {
    int64_t pos = -1;
    uv_mutex_lock(&c->lock);
    for (cpos_t *p = c->positions; p != NULL; p = p->next)
        if (p->partition == partition && strcmp(p->topic, topic) == 0)
            pos = p->position;
    uv_mutex_unlock(&c->lock);
    return pos;
}

/* ---- assignment ------------------------------------------------------------------ */

typedef struct assign_cmd_s {
    rn__cmd_t cmd;
    rn_consumer_t *c;
    cpos_t *pos;
    int64_t offset;
    uint32_t version;
} assign_cmd_t;

static void run_assign(rn__client_t *cl, rn__cmd_t *cmd) {
    assign_cmd_t *a = (assign_cmd_t *)cmd;
    rn_consumer_t *c = a->c;
    cpart_t *cp = c->parts;
    while (cp != NULL && cp->pos != a->pos)
        cp = cp->next;
    if (cp == NULL) {
        cp = rn_calloc(1, sizeof *cp);
        cp->pos = a->pos;
        cp->mt = rn__metadata_want(cl, a->pos->topic);
        cp->max_bytes = cl->conf->max_partition_fetch_bytes;
        cp->next = c->parts;
        c->parts = cp;
    }
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
    assign_cmd_t *a = rn_calloc(1, sizeof *a);
    a->cmd.run = run_assign;
    a->c = c;
    a->offset = offset;
    uv_mutex_lock(&c->lock);
    cpos_t *pos = c->positions;
    while (pos != NULL && !(pos->partition == partition && strcmp(pos->topic, topic) == 0))
        pos = pos->next;
    if (pos == NULL) {
        pos = rn_calloc(1, sizeof *pos);
        pos->topic = rn_strdup(topic);
        pos->partition = partition;
        pos->next = c->positions;
        c->positions = pos;
    }
    pos->version++;
    pos->position = offset;
    purge_locked(c, pos);
    a->pos = pos;
    a->version = pos->version;
    uv_mutex_unlock(&c->lock);
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

/* ---- lifecycle ------------------------------------------------------------------- */

static int64_t serve(void *owner, int64_t now) {
    return rn__consumer_fetch_serve(owner, now);
}

static void on_stop(void *owner) {
    (void)owner; /* fetches in flight complete with RN_ECLOSED and are dropped */
}

static const rn__client_ops_t consumer_ops = {.serve = serve, .on_stop = on_stop};

RN_API rn_consumer_t *rn_consumer_new(rn_conf_t *conf, char *err, size_t errlen) {
    if (conf == NULL) {
        rn__errf(err, errlen, "no configuration");
        return NULL;
    }
    rn_consumer_t *c = rn_calloc(1, sizeof *c);
    uv_mutex_init(&c->lock);
    uv_cond_init(&c->cond);
    c->qlimit = (size_t)conf->queued_max_kbytes * 1024;
    rn__metadata_init(&c->cl, 0);
    if (rn__client_start(&c->cl, conf, &consumer_ops, c, err, errlen) < 0) {
        rn__metadata_free(&c->cl);
        rn_conf_free(conf);
        uv_cond_destroy(&c->cond);
        uv_mutex_destroy(&c->lock);
        rn_free(c);
        return NULL;
    }
    return c;
}

RN_API void rn_consumer_free(rn_consumer_t *c) {
    if (c == NULL)
        return;
    rn__client_stop(&c->cl);
    cmsg_t *m = c->q_head;
    while (m != NULL) {
        cmsg_t *nx = m->next;
        rn_free(m);
        m = nx;
    }
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
    rn_free(c);
}
