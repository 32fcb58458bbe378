/*
 * group_offsets.c — the group consumer's offsets and its public API: OffsetFetch of a
 * new assignment (where each partition starts), OffsetCommit (auto, on revocation, on
 * demand, at close), LeaveGroup, and rn_consumer_subscribe / commit_* / close
 * (group.h has the picture).
 */
#include "client/group_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_group.h"
#include "proto/api_offsets.h"

#define LEAVE_TIMEOUT_MS 5000 /* close waits at most this long for LeaveGroup */

/* Topic runs of (topics[i], partitions[i]) sorted by topic: the index order. */
static int32_t *sorted_order(const char *const *topics, const int32_t *parts, int32_t n) {
    int32_t *ix = rn_malloc((size_t)(n > 0 ? n : 1) * sizeof *ix);
    for (int32_t i = 0; i < n; i++)
        ix[i] = i;
    for (int32_t i = 1; i < n; i++) { /* insertion sort: assignments are small */
        int32_t v = ix[i], j = i;
        while (j > 0) {
            int c = strcmp(topics[ix[j - 1]], topics[v]);
            if (c < 0 || (c == 0 && parts[ix[j - 1]] <= parts[v]))
                break;
            ix[j] = ix[j - 1];
            j--;
        }
        ix[j] = v;
    }
    return ix;
}

/* ---- OffsetFetch ------------------------------------------------------------------- */

/* Start the assignment: each partition at its committed offset, else at
 * auto.offset.reset; then tell the polling thread. */
static void start_assignment(rn__group_t *g, const int64_t *committed) {
    rn_consumer_t *c = g->c;
    int64_t *offs = rn_malloc((size_t)(g->n_asg > 0 ? g->n_asg : 1) * sizeof *offs);
    for (int32_t i = 0; i < g->n_asg; i++)
        offs[i] = committed[i] >= 0 ? committed[i] : c->cl.conf->auto_offset_reset;
    char what[400];
    snprintf(what, sizeof what, "no committed offset for group %s and auto.offset.reset is none",
             g->group_id);
    rn__consumer_set_assignment(c, g->n_asg, g->asg_topics, g->asg_parts, offs, what);
    rn_free(offs);
    g->has_assignment = g->n_asg > 0;
    rn__group_push_rebalance(g, CEV_ASSIGNED);
    g->state = G_STABLE;
    g->next_auto = (int64_t)uv_now(&c->cl.loop) + c->cl.conf->auto_commit_interval_ms;
}

static void on_offset_fetch(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body,
                            size_t len, void *arg) {
    (void)b;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    g->main_inflight = 0;
    int is_stale = r->epoch != g->epoch || g->state != G_OFFSETS || cl->stopping;
    rn__greq_free(r);
    if (is_stale)
        return;
    int64_t *committed = rn_malloc((size_t)(g->n_asg > 0 ? g->n_asg : 1) * sizeof *committed);
    for (int32_t i = 0; i < g->n_asg; i++)
        committed[i] = -1;
    if (err == 0) {
        rn_offset_fetch_response_t resp;
        if (rn_offset_fetch_response_decode(body, len, 0, &resp) < 0) {
            err = rn__resp_error_code(body, len);
        } else {
            err = resp.error_code;
            for (int32_t t = 0; err == 0 && t < resp.n_topics; t++) {
                const rn_offset_fetch_topic_result_t *tr = &resp.topics[t];
                for (int32_t p = 0; p < tr->n_partitions; p++) {
                    const rn_offset_fetch_part_t *pr = &tr->partitions[p];
                    if (pr->error_code != 0 || pr->committed_offset < 0)
                        continue; /* nothing committed: auto.offset.reset */
                    for (int32_t i = 0; i < g->n_asg; i++)
                        if (g->asg_parts[i] == pr->partition_index &&
                            rn_str_eq_c(tr->name, g->asg_topics[i]))
                            committed[i] = pr->committed_offset;
                }
            }
            rn_offset_fetch_response_deinit(&resp);
        }
    }
    if (err == 0)
        start_assignment(g, committed);
    else if (rn__group_coord_err(err))
        rn__group_coord_lost(g);
    else if (err == RN_WIRE_UNKNOWN_MEMBER_ID || err == RN_WIRE_ILLEGAL_GENERATION ||
             err == RN_WIRE_REBALANCE_IN_PROGRESS)
        rn__group_rejoin(g, err);
    else if (rn_err_retriable(err))
        g->next_try = (int64_t)uv_now(&cl->loop) + cl->conf->retry_backoff_ms;
    else
        rn__group_fatal(g, err, "OffsetFetch");
    rn_free(committed);
    rn__client_kick(cl);
}

void rn__group_send_offset_fetch(rn__group_t *g) {
    if (g->n_asg == 0) { /* nothing assigned to this member this generation */
        start_assignment(g, NULL);
        return;
    }
    int32_t *ix = sorted_order((const char *const *)g->asg_topics, g->asg_parts, g->n_asg);
    rn_offset_fetch_topic_t *ts = rn_calloc((size_t)g->n_asg, sizeof *ts);
    int32_t *parts = rn_malloc((size_t)g->n_asg * sizeof *parts);
    int32_t nt = 0;
    for (int32_t k = 0; k < g->n_asg; k++) {
        int32_t i = ix[k];
        if (nt == 0 || strcmp(g->asg_topics[i], g->asg_topics[ix[k - 1]]) != 0) {
            ts[nt].name = rn_str(g->asg_topics[i]);
            ts[nt].partition_indexes = &parts[k];
            nt++;
        }
        parts[k] = g->asg_parts[i];
        ts[nt - 1].n_partition_indexes++;
    }
    rn_offset_fetch_request_t req = {.group_id = rn_str(g->group_id), .n_topics = nt, .topics = ts};
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    int32_t corr = rn__client_frame_begin(&g->c->cl, &wr, RN_API_OFFSET_FETCH);
    int rc = rn_offset_fetch_request_encode(&wr, 0, &req);
    rn_free(ts);
    rn_free(parts);
    rn_free(ix);
    greq_t *r = rn__greq_new(g);
    g->main_inflight = 1;
    if (rc < 0) {
        rn_writer_deinit(&wr);
        on_offset_fetch(&g->c->cl, NULL, rc, NULL, 0, r);
        return;
    }
    rn__group_send(g, &wr, corr, rn__group_timeout(g, 0), on_offset_fetch, r);
}

/* ---- OffsetCommit ------------------------------------------------------------------ */

static void complete_user(rn__group_t *g, gcommit_t *uc, int err, const char *what) {
    rn__client_t *cl = &g->c->cl;
    if (err != 0)
        snprintf(uc->msg, sizeof uc->msg, "group %s: commit: %s", g->group_id,
                 what != NULL ? what : rn_err_str(err));
    if (uc->sync) {
        uv_mutex_lock(&cl->lock);
        uc->err = err;
        uc->done = 1;
        uv_cond_broadcast(&cl->sync_cond);
        uv_mutex_unlock(&cl->lock);
        return;
    }
    cevent_t *ev = rn_calloc(1, sizeof *ev);
    ev->kind = CEV_COMMIT;
    ev->cb = uc->cb;
    ev->opaque = uc->opaque;
    ev->err = err;
    rn__consumer_push_event(g->c, ev);
    rn_free(uc);
}

static void finish_revoke(rn__group_t *g) {
    rn__group_push_rebalance(g, CEV_REVOKED);
    if (g->state == G_REVOKING)
        g->state = G_JOIN;
}

static void on_commit(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                      void *arg) {
    (void)b;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    if (err == 0) {
        rn_offset_commit_response_t resp;
        if (rn_offset_commit_response_decode(body, len, 0, &resp) < 0) {
            err = rn__resp_error_code(body, len);
        } else {
            err = resp.error_code;
            for (int32_t t = 0; err == 0 && t < resp.n_topics; t++)
                for (int32_t p = 0; err == 0 && p < resp.topics[t].n_partitions; p++)
                    err = resp.topics[t].partitions[p].error_code;
            rn_offset_commit_response_deinit(&resp);
        }
    }
    if (err == 0)
        for (int32_t i = 0; i < r->n; i++)
            r->poss[i]->committed = r->offsets[i];
    int current = r->epoch == g->epoch && !cl->stopping;
    if (current && g->state == G_STABLE) {
        if (rn__group_coord_err(err))
            rn__group_coord_lost(g);
        else if (err == RN_WIRE_UNKNOWN_MEMBER_ID || err == RN_WIRE_ILLEGAL_GENERATION ||
                 err == RN_WIRE_REBALANCE_IN_PROGRESS)
            rn__group_rejoin(g, err);
    }
    switch (r->kind) {
    case GC_USER:
        complete_user(g, r->user, err, NULL);
        break;
    case GC_AUTO:
        g->auto_inflight = 0;
        break;
    case GC_REVOKE:
        g->main_inflight = 0;
        if (r->epoch == g->epoch && !cl->stopping)
            finish_revoke(g);
        break;
    case GC_CLOSE:
        g->main_inflight = 0;
        if (!cl->stopping)
            rn__group_leave(g);
        break;
    }
    rn__greq_free(r);
    rn__client_kick(cl);
}

int rn__group_send_commit(rn__group_t *g, gckind_t kind, gcommit_t *user, int32_t n,
                          const char **topics, int32_t *partitions, int64_t *offsets,
                          cpos_t **poss) {
    greq_t *r = rn__greq_new(g);
    r->kind = kind;
    r->user = user;
    r->n = n;
    r->topics = topics;
    r->partitions = partitions;
    r->offsets = offsets;
    r->poss = poss;
    int32_t *ix = sorted_order(topics, partitions, n);
    rn_offset_commit_topic_t *ts = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *ts);
    rn_offset_commit_part_t *ps = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *ps);
    int32_t nt = 0;
    for (int32_t k = 0; k < n; k++) {
        int32_t i = ix[k];
        if (nt == 0 || strcmp(topics[i], topics[ix[k - 1]]) != 0) {
            ts[nt].name = rn_str(topics[i]);
            ts[nt].partitions = &ps[k];
            nt++;
        }
        ps[k] = (rn_offset_commit_part_t){.partition_index = partitions[i],
                                          .committed_offset = offsets[i],
                                          .committed_metadata = RN_STR_NULL};
        ts[nt - 1].n_partitions++;
    }
    rn_offset_commit_request_t req = {
        .group_id = rn_str(g->group_id),
        .generation_id = g->generation,
        .member_id = rn_str(g->member_id),
        .n_topics = nt,
        .topics = ts,
    };
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    int32_t corr = rn__client_frame_begin(&g->c->cl, &wr, RN_API_OFFSET_COMMIT);
    int rc = rn_offset_commit_request_encode(&wr, 0, &req);
    rn_free(ts);
    rn_free(ps);
    rn_free(ix);
    if (kind == GC_AUTO)
        g->auto_inflight = 1;
    else if (kind != GC_USER)
        g->main_inflight = 1;
    if (rc < 0) {
        rn_writer_deinit(&wr);
        on_commit(&g->c->cl, NULL, rc, NULL, 0, r);
        return rc;
    }
    rn__group_send(g, &wr, corr, rn__group_timeout(g, 0), on_commit, r);
    return 0;
}

/* Positions to commit: committable (what the application has processed) or the
 * positions themselves; only_changed drops those committed already. */
static int32_t snapshot(rn__group_t *g, int use_position, int only_changed, const char ***topics,
                        int32_t **parts, int64_t **offs, cpos_t ***poss) {
    int32_t n = rn__consumer_offsets(g->c, use_position, topics, parts, offs, poss);
    if (!only_changed)
        return n;
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        if ((*poss)[i]->committed == (*offs)[i])
            continue;
        (*topics)[k] = (*topics)[i];
        (*parts)[k] = (*parts)[i];
        (*offs)[k] = (*offs)[i];
        (*poss)[k] = (*poss)[i];
        k++;
    }
    return k;
}

static void snapshot_free(const char **topics, int32_t *parts, int64_t *offs, cpos_t **poss) {
    rn_free(topics);
    rn_free(parts);
    rn_free(offs);
    rn_free(poss);
}

void rn__group_auto_commit(rn__group_t *g, int64_t now) {
    g->next_auto = now + g->c->cl.conf->auto_commit_interval_ms;
    const char **topics;
    int32_t *parts;
    int64_t *offs;
    cpos_t **poss;
    int32_t n = snapshot(g, 0, 1, &topics, &parts, &offs, &poss);
    if (n == 0 || g->coord_id < 0) {
        snapshot_free(topics, parts, offs, poss);
        return;
    }
    rn__group_send_commit(g, GC_AUTO, NULL, n, topics, parts, offs, poss);
}

/* Before rejoining: with auto commit, commit what the application processed of the
 * partitions held (unless the generation was lost), stop fetching them, then the
 * revoked event. */
void rn__group_revoke(rn__group_t *g) {
    const char **topics;
    int32_t *parts;
    int64_t *offs;
    cpos_t **poss;
    int32_t n = snapshot(g, 0, 1, &topics, &parts, &offs, &poss);
    rn__consumer_set_assignment(g->c, 0, NULL, NULL, NULL, NULL);
    g->has_assignment = 0;
    if (g->c->cl.conf->enable_auto_commit && n > 0 && g->generation >= 0 && g->coord_id >= 0) {
        g->state = G_REVOKING;
        rn__group_send_commit(g, GC_REVOKE, NULL, n, topics, parts, offs, poss);
        return;
    }
    snapshot_free(topics, parts, offs, poss);
    g->state = G_REVOKING;
    finish_revoke(g);
}

/* ---- LeaveGroup and close ------------------------------------------------------------ */

void rn__group_finish_close(rn__group_t *g) {
    rn__client_t *cl = &g->c->cl;
    g->state = G_DEAD;
    uv_mutex_lock(&cl->lock);
    g->c->group_closed = 1;
    uv_cond_broadcast(&cl->sync_cond);
    uv_mutex_unlock(&cl->lock);
}

static void on_leave(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                     void *arg) {
    (void)cl;
    (void)b;
    (void)err;
    (void)body;
    (void)len;
    greq_t *r = arg;
    rn__group_t *g = r->g;
    rn__greq_free(r);
    g->main_inflight = 0;
    rn__group_finish_close(g); /* whatever the answer: the session ends either way */
}

void rn__group_leave(rn__group_t *g) {
    if (g->member_id[0] == '\0' || g->coord_id < 0) {
        rn__group_finish_close(g);
        return;
    }
    rn_leave_group_request_t req = {.group_id = rn_str(g->group_id),
                                    .member_id = rn_str(g->member_id)};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    int32_t corr = rn__client_frame_begin(&g->c->cl, &wr, RN_API_LEAVE_GROUP);
    if (rn_leave_group_request_encode(&wr, 0, &req) < 0) {
        rn_writer_deinit(&wr);
        rn__group_finish_close(g);
        return;
    }
    int timeout = rn__group_timeout(g, 0);
    if (timeout > LEAVE_TIMEOUT_MS)
        timeout = LEAVE_TIMEOUT_MS;
    g->main_inflight = 1;
    rn__group_send(g, &wr, corr, timeout, on_leave, rn__greq_new(g));
}

/* The close command on the loop: stop fetching, commit the positions (auto commit,
 * a current generation), leave. */
static void run_close(rn__client_t *cl, rn__cmd_t *cmd) {
    rn_free(cmd);
    rn_consumer_t *c = (rn_consumer_t *)cl->owner;
    rn__group_t *g = c->group;
    int was_stable = g->state == G_STABLE;
    const char **topics;
    int32_t *parts;
    int64_t *offs;
    cpos_t **poss;
    int32_t n = snapshot(g, 1, 1, &topics, &parts, &offs, &poss);
    rn__consumer_set_assignment(c, 0, NULL, NULL, NULL, NULL);
    if (g->has_assignment)
        rn__group_push_rebalance(g, CEV_REVOKED);
    g->has_assignment = 0;
    g->epoch++; /* answers to anything in flight are ignored from now on */
    g->state = G_CLOSING;
    if (cl->conf->enable_auto_commit && was_stable && n > 0 && g->coord_id >= 0) {
        rn__group_send_commit(g, GC_CLOSE, NULL, n, topics, parts, offs, poss);
        return;
    }
    snapshot_free(topics, parts, offs, poss);
    rn__group_leave(g);
}

/* ---- public API ------------------------------------------------------------------------ */

static void run_subscribe(rn__client_t *cl, rn__cmd_t *cmd) {
    rn_consumer_t *c = (rn_consumer_t *)cl->owner;
    rn__group_t *g = *(rn__group_t **)(cmd + 1);
    rn_free(cmd);
    c->group = g;
    rn__consumer_set_assignment(c, 0, NULL, NULL, NULL, NULL); /* no manual assignment */
    for (int32_t i = 0; i < g->n_topics; i++)
        rn__metadata_want(cl, g->topics[i]);
    rn__client_kick(cl);
}

RN_API int rn_consumer_subscribe(rn_consumer_t *c, const char *const *topics, int32_t n, char *err,
                                 size_t errlen) {
    const rn_conf_t *conf = c->cl.conf;
    if (conf->group_id[0] == '\0' || strlen(conf->group_id) > 32767) {
        rn__errf(err, errlen, "subscribe needs group.id");
        return -EINVAL;
    }
    int crc = rn__conf_check_group(conf, err, errlen);
    if (crc != 0)
        return crc;
    if (topics == NULL || n <= 0) {
        rn__errf(err, errlen, "subscribe needs at least one topic");
        return -EINVAL;
    }
    for (int32_t i = 0; i < n; i++) {
        if (topics[i] == NULL || topics[i][0] == '\0' || strlen(topics[i]) > 249) {
            rn__errf(err, errlen, "invalid topic name \"%s\"", topics[i] ? topics[i] : "(null)");
            return RN_EINVALIDTOPIC;
        }
    }
    uv_mutex_lock(&c->lock);
    int again = c->subscribed || atomic_load(&c->closed);
    c->subscribed = 1;
    uv_mutex_unlock(&c->lock);
    if (again) {
        rn__errf(err, errlen, "the consumer is already subscribed (or closed)");
        return -EINVAL;
    }
    rn__group_t *g = rn_calloc(1, sizeof *g);
    g->c = c;
    g->group_id = rn_strdup(conf->group_id);
    g->topics = rn_calloc((size_t)n, sizeof *g->topics);
    for (int32_t i = 0; i < n; i++) {
        int dup = 0;
        for (int32_t k = 0; k < g->n_topics; k++)
            dup |= strcmp(g->topics[k], topics[i]) == 0;
        if (!dup)
            g->topics[g->n_topics++] = rn_strdup(topics[i]);
    }
    g->state = G_FIND;
    g->resume = G_JOIN;
    g->coord_id = -1;
    g->member_id = rn_strdup("");
    g->generation = -1;
    rn__cmd_t *cmd = rn_calloc(1, sizeof *cmd + sizeof g);
    memcpy(cmd + 1, &g, sizeof g);
    cmd->run = run_subscribe;
    int rc = rn__client_post(&c->cl, cmd);
    if (rc < 0) {
        rn_free(cmd);
        rn__group_free(g);
        rn__errf(err, errlen, "the consumer is closing");
    }
    return rc;
}

static void run_commit(rn__client_t *cl, rn__cmd_t *cmd) {
    gcommit_t *uc = (gcommit_t *)cmd;
    rn__group_t *g = ((rn_consumer_t *)cl->owner)->group;
    if (g->state != G_STABLE || g->coord_id < 0) {
        int err = g->state == G_FIND                            ? RN_WIRE_COORDINATOR_NOT_AVAILABLE
                  : g->state == G_CLOSING || g->state == G_DEAD ? RN_ECLOSED
                                                                : RN_WIRE_REBALANCE_IN_PROGRESS;
        complete_user(g, uc, err, NULL);
        return;
    }
    const char **topics;
    int32_t *parts;
    int64_t *offs;
    cpos_t **poss;
    int32_t n = snapshot(g, 1, 0, &topics, &parts, &offs, &poss);
    if (n == 0) {
        snapshot_free(topics, parts, offs, poss);
        complete_user(g, uc, 0, NULL);
        return;
    }
    rn__group_send_commit(g, GC_USER, uc, n, topics, parts, offs, poss);
}

static int commit(rn_consumer_t *c, int sync, rn_commit_fn cb, void *opaque, char *err,
                  size_t errlen) {
    uv_mutex_lock(&c->lock);
    int subscribed = c->subscribed, closed = atomic_load(&c->closed);
    uv_mutex_unlock(&c->lock);
    if (!subscribed || closed) {
        rn__errf(err, errlen,
                 closed ? "the consumer is closed"
                        : "commit needs a group subscription (rn_consumer_subscribe)");
        return closed ? RN_ERR_CLOSED : -EINVAL;
    }
    gcommit_t *uc = rn_calloc(1, sizeof *uc);
    uc->cmd.run = run_commit;
    uc->c = c;
    uc->sync = sync;
    uc->cb = cb;
    uc->opaque = opaque;
    int rc = rn__client_post(&c->cl, &uc->cmd);
    if (rc < 0) {
        rn_free(uc);
        rn__errf(err, errlen, "the consumer is closing");
        return rc;
    }
    if (!sync)
        return 0;
    rn__client_t *cl = &c->cl;
    uv_mutex_lock(&cl->lock);
    while (!uc->done)
        uv_cond_wait(&cl->sync_cond, &cl->lock);
    uv_mutex_unlock(&cl->lock);
    rc = uc->err;
    if (rc != 0)
        rn__errf(err, errlen, "%s", uc->msg);
    rn_free(uc);
    return rc;
}

RN_API int rn_consumer_commit_sync(rn_consumer_t *c, char *err, size_t errlen) {
    return commit(c, 1, NULL, NULL, err, errlen);
}

RN_API int rn_consumer_commit_async(rn_consumer_t *c, rn_commit_fn cb, void *opaque) {
    return commit(c, 0, cb, opaque, NULL, 0);
}

RN_API void rn_consumer_close(rn_consumer_t *c) {
    if (c == NULL)
        return;
    uv_mutex_lock(&c->lock);
    int subscribed = c->subscribed, closed = atomic_load(&c->closed);
    uv_mutex_unlock(&c->lock);
    if (closed)
        return;
    if (subscribed) {
        rn__cmd_t *cmd = rn_calloc(1, sizeof *cmd);
        cmd->run = run_close;
        if (rn__client_post(&c->cl, cmd) == 0) {
            /* The group is set by the subscribe command, which ran before this one;
             * every path of the close sequence ends in finish_close (the requests
             * in it have timeouts). */
            rn__client_t *cl = &c->cl;
            uv_mutex_lock(&cl->lock);
            while (!c->group_closed)
                uv_cond_wait(&cl->sync_cond, &cl->lock);
            uv_mutex_unlock(&cl->lock);
        } else {
            rn_free(cmd);
        }
    }
    uv_mutex_lock(&c->lock);
    atomic_store(&c->closed, 1);
    c->q_gen++; /* a poll waiting without a timeout returns */
    uv_cond_broadcast(&c->cond);
    uv_mutex_unlock(&c->lock);
    rn__consumer_run_events(c); /* the last commit callbacks and the revocation */
}
