/*
 * handle_offsets.c — OffsetCommit (key 8) and OffsetFetch (key 9) at the group's
 * coordinator (docs/groups.md "Committed offsets").
 *
 *   OffsetCommit ──▶ coordinator? (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 *        COORDINATOR_LOAD_IN_PROGRESS, INVALID_GROUP_ID: request-level and every
 *        partition) ──▶ member / generation (rn_group_commit_check: the same) ──▶
 *        per partition: UNKNOWN_TOPIC_OR_PARTITION (not in the image),
 *        OFFSET_METADATA_TOO_LARGE ──▶ the rest written as one batch of offset
 *        commit records (acks=all) ──▶ written: the offsets cache takes them, NONE;
 *        failed: that error for each of them
 *
 * The commit owns copies of what it writes (names, metadata), so a closed connection
 * (the request answered with nothing at once) does not stop the cache from taking a
 * write that succeeded.
 *
 * OffsetFetch answers from the cache: -1 and null metadata for a partition without a
 * commit; null topics = every partition the group has committed, grouped by topic.
 */
#include <string.h>

#include "broker/coordinator.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "proto/api_offsets.h"

typedef struct commit_ent_s {
    char *topic;
    int32_t partition;
    int64_t offset;
    char *metadata; /* NULL: null */
    rn_wire_err_t err;
} commit_ent_t;

typedef struct commit_s {
    rn_coord_write_t w;
    rn_parked_t parked;
    rn_broker_t *b;
    rn_breq_t *breq; /* NULL once answered (connection closed) */
    char *group;
    int64_t ts;
    rn_wire_err_t top; /* request-level error */
    int32_t ntopics;
    int32_t *nparts; /* per topic */
    commit_ent_t *ents;
    int32_t nents;
} commit_t;

static void commit_free(commit_t *cm) {
    for (int32_t i = 0; i < cm->nents; i++) {
        rn_free(cm->ents[i].topic);
        rn_free(cm->ents[i].metadata);
    }
    rn_free(cm->ents);
    rn_free(cm->nparts);
    rn_free(cm->group);
    rn_free(cm);
}

static void commit_answer(commit_t *cm) {
    rn__parked_remove(&cm->parked);
    if (cm->breq == NULL)
        return;
    rn_breq_t *breq = cm->breq;
    cm->breq = NULL;
    rn_offset_commit_response_t resp = {.error_code = cm->top, .n_topics = cm->ntopics};
    resp.topics = rn_calloc((size_t)(cm->ntopics > 0 ? cm->ntopics : 1), sizeof *resp.topics);
    rn_offset_commit_part_result_t *prs =
        rn_calloc((size_t)(cm->nents > 0 ? cm->nents : 1), sizeof *prs);
    int32_t k = 0;
    for (int32_t t = 0; t < cm->ntopics; t++) {
        resp.topics[t].name = rn_str(cm->nparts[t] > 0 ? cm->ents[k].topic : "");
        resp.topics[t].n_partitions = cm->nparts[t];
        resp.topics[t].partitions = &prs[k];
        for (int32_t j = 0; j < cm->nparts[t]; j++, k++)
            prs[k] = (rn_offset_commit_part_result_t){cm->ents[k].partition, cm->ents[k].err};
    }
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 32 + (size_t)cm->nents * 8);
    if (rn_offset_commit_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
    rn_free(prs);
    rn_free(resp.topics);
}

static void commit_dropped(rn_parked_t *p) {
    commit_t *cm = (commit_t *)((char *)p - offsetof(commit_t, parked));
    rn_breq_t *breq = cm->breq;
    cm->breq = NULL;
    rn_breq_respond_none(breq); /* the write goes on; commit_written frees cm */
}

static void commit_written(rn_coord_write_t *w, rn_wire_err_t err) {
    commit_t *cm = w->arg;
    rn_group_t *g = err == RN_WIRE_NONE && cm->b->coord != NULL
                        ? rn_coord_group_loaded(cm->b->coord, rn_str(cm->group), true)
                        : NULL;
    if (g != NULL) {
        for (int32_t i = 0; i < cm->nents; i++)
            if (cm->ents[i].err == RN_WIRE_NONE)
                rn_group_offset_set(g, rn_str(cm->ents[i].topic), cm->ents[i].partition,
                                    cm->ents[i].offset, rn_str(cm->ents[i].metadata), cm->ts);
    } else if (err == RN_WIRE_NONE) {
        err = RN_WIRE_NOT_COORDINATOR; /* written, but this broker no longer serves it */
    }
    if (err != RN_WIRE_NONE)
        for (int32_t i = 0; i < cm->nents; i++)
            if (cm->ents[i].err == RN_WIRE_NONE)
                cm->ents[i].err = err;
    commit_answer(cm);
    commit_free(cm);
}

/* Does the cluster have this partition? */
static bool partition_exists(rn_broker_t *b, const char *topic, int32_t partition) {
    const rn_meta_topic_t *mt = rn_meta_image_topic(rn_broker_image(b), topic);
    return mt != NULL && partition >= 0 && partition < mt->npartitions;
}

static commit_t *commit_new(rn_breq_t *breq, const rn_offset_commit_request_t *req) {
    commit_t *cm = rn_calloc(1, sizeof *cm);
    cm->b = breq->broker;
    cm->breq = breq;
    cm->group = rn_strndup(req->group_id.ptr != NULL ? req->group_id.ptr : "",
                           req->group_id.len > 0 ? (size_t)req->group_id.len : 0);
    cm->ts = rn_clock_now_ms(NULL);
    cm->ntopics = req->n_topics > 0 ? req->n_topics : 0;
    cm->nparts = rn_calloc((size_t)(cm->ntopics > 0 ? cm->ntopics : 1), sizeof *cm->nparts);
    for (int32_t t = 0; t < cm->ntopics; t++)
        cm->nents += req->topics[t].n_partitions > 0 ? req->topics[t].n_partitions : 0;
    cm->ents = rn_calloc((size_t)(cm->nents > 0 ? cm->nents : 1), sizeof *cm->ents);
    int32_t k = 0;
    for (int32_t t = 0; t < cm->ntopics; t++) {
        const rn_offset_commit_topic_t *tp = &req->topics[t];
        cm->nparts[t] = tp->n_partitions > 0 ? tp->n_partitions : 0;
        for (int32_t j = 0; j < cm->nparts[t]; j++, k++) {
            const rn_offset_commit_part_t *pp = &tp->partitions[j];
            commit_ent_t *e = &cm->ents[k];
            e->topic = rn_strndup(tp->name.ptr != NULL ? tp->name.ptr : "",
                                  tp->name.len > 0 ? (size_t)tp->name.len : 0);
            e->partition = pp->partition_index;
            e->offset = pp->committed_offset;
            e->metadata =
                rn_str_is_null(pp->committed_metadata)
                    ? NULL
                    : rn_strndup(pp->committed_metadata.ptr != NULL ? pp->committed_metadata.ptr
                                                                    : "",
                                 (size_t)pp->committed_metadata.len);
            if (pp->committed_metadata.len > RN_OFFSET_METADATA_MAX)
                e->err = RN_WIRE_OFFSET_METADATA_TOO_LARGE;
            else if (!partition_exists(cm->b, e->topic, e->partition))
                e->err = RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
        }
    }
    return cm;
}

/* Encode the offset commit records of the valid entries; returns how many. */
static int32_t commit_records(commit_t *cm, rn_writer_t *kw, rn_writer_t *vw,
                              rn_coord_rec_t **out) {
    int32_t n = 0;
    size_t *ko = rn_calloc((size_t)(cm->nents > 0 ? cm->nents : 1), sizeof *ko);
    size_t *vo = rn_calloc((size_t)(cm->nents > 0 ? cm->nents : 1) * 2, sizeof *vo);
    for (int32_t i = 0; i < cm->nents; i++) {
        commit_ent_t *e = &cm->ents[i];
        if (e->err != RN_WIRE_NONE)
            continue;
        size_t k0 = kw->len, v0 = vw->len;
        rn_grec_offset_t v = {.offset = e->offset,
                              .leader_epoch = -1,
                              .metadata = rn_str(e->metadata),
                              .commit_timestamp = cm->ts};
        if (rn_grec_offset_key_encode(kw, rn_str(cm->group), rn_str(e->topic), e->partition) != 0 ||
            rn_grec_offset_value_encode(vw, &v) != 0) {
            kw->len = k0;
            vw->len = v0;
            e->err = RN_WIRE_INVALID_REQUEST; /* a name over 32767 bytes */
            continue;
        }
        ko[n] = k0;
        vo[2 * n] = v0;
        vo[2 * n + 1] = vw->len - v0;
        n++;
    }
    /* views only once the writers stopped moving */
    rn_coord_rec_t *recs = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *recs);
    for (int32_t r = 0; r < n; r++) {
        size_t kend = r + 1 < n ? ko[r + 1] : kw->len;
        recs[r].key = rn_bytes(kw->buf + ko[r], kend - ko[r]);
        recs[r].value = rn_bytes(vw->buf + vo[2 * r], vo[2 * r + 1]);
    }
    rn_free(ko);
    rn_free(vo);
    *out = recs;
    return n;
}

static void fail_all(commit_t *cm, rn_wire_err_t err) {
    cm->top = err;
    for (int32_t i = 0; i < cm->nents; i++)
        cm->ents[i].err = err;
}

void rn_handle_offset_commit(rn_breq_t *breq) {
    rn_offset_commit_request_t req;
    if (rn_offset_commit_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_offset_commit_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_broker_t *b = breq->broker;
    commit_t *cm = commit_new(breq, &req);
    rn_group_t *g = NULL;
    rn_wire_err_t err = b->coord != NULL ? rn_coord_group_for(b->coord, req.group_id, true, &g)
                                         : RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    if (err == RN_WIRE_NONE)
        err = rn_group_commit_check(g, req.generation_id, req.member_id, rn_mono_ms());
    rn_offset_commit_request_deinit(&req);
    if (err != RN_WIRE_NONE) {
        fail_all(cm, err);
        if (g != NULL)
            rn_coord_group_gc(b->coord, g);
        commit_answer(cm);
        commit_free(cm);
        return;
    }
    rn_writer_t kw, vw;
    rn_writer_init(&kw, 0);
    rn_writer_init(&vw, 0);
    rn_coord_rec_t *recs = NULL;
    int32_t n = commit_records(cm, &kw, &vw, &recs);
    if (n == 0) { /* nothing valid to write */
        rn_free(recs);
        rn_writer_deinit(&kw);
        rn_writer_deinit(&vw);
        rn_coord_group_gc(b->coord, g);
        commit_answer(cm);
        commit_free(cm);
        return;
    }
    cm->parked.conn = breq->conn;
    cm->parked.drop = commit_dropped;
    rn__parked_add(b, &cm->parked);
    cm->w.done = commit_written;
    cm->w.arg = cm;
    rn_coord_write(b->coord, g->partition, recs, n, &cm->w);
    rn_free(recs);
    rn_writer_deinit(&kw);
    rn_writer_deinit(&vw);
}

/* ---- OffsetFetch ----------------------------------------------------------------------------- */

static void fill_part(const rn_group_t *g, rn_str_t topic, int32_t partition,
                      rn_offset_fetch_part_t *out) {
    const rn_group_offset_t *o = g != NULL ? rn_group_offset_get(g, topic, partition) : NULL;
    *out = (rn_offset_fetch_part_t){.partition_index = partition,
                                    .committed_offset = o != NULL ? o->offset : -1,
                                    .metadata = o != NULL ? rn_str(o->metadata) : RN_STR_NULL,
                                    .error_code = RN_WIRE_NONE};
}

/* Every committed partition of g, grouped by topic (arrays from arena). */
static void fill_all(const rn_group_t *g, rn_arena_t *arena, rn_offset_fetch_response_t *resp) {
    int32_t n = g != NULL ? g->noffsets : 0;
    resp->topics = rn_arena_alloc(arena, (size_t)(n > 0 ? n : 1), sizeof *resp->topics);
    resp->n_topics = 0;
    bool *done = rn_arena_alloc(arena, (size_t)(n > 0 ? n : 1), sizeof *done);
    for (int32_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        rn_offset_fetch_topic_result_t *t = &resp->topics[resp->n_topics++];
        t->name = rn_str(g->offsets[i].topic);
        int32_t cnt = 0;
        for (int32_t j = i; j < n; j++)
            cnt += strcmp(g->offsets[j].topic, g->offsets[i].topic) == 0;
        t->partitions = rn_arena_alloc(arena, (size_t)cnt, sizeof *t->partitions);
        for (int32_t j = i; j < n; j++) {
            if (done[j] || strcmp(g->offsets[j].topic, g->offsets[i].topic) != 0)
                continue;
            done[j] = true;
            fill_part(g, t->name, g->offsets[j].partition, &t->partitions[t->n_partitions++]);
        }
    }
}

void rn_handle_offset_fetch(rn_breq_t *breq) {
    rn_offset_fetch_request_t req;
    if (rn_offset_fetch_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_offset_fetch_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_broker_t *b = breq->broker;
    rn_group_t *g = NULL;
    rn_wire_err_t err = b->coord != NULL ? rn_coord_group_for(b->coord, req.group_id, false, &g)
                                         : RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    rn_offset_fetch_response_t resp = {.error_code = err};
    rn_arena_t arena;
    rn_arena_init(&arena);
    if (err != RN_WIRE_NONE) {
        resp.n_topics = 0;
    } else if (req.n_topics < 0) {
        fill_all(g, &arena, &resp);
    } else {
        resp.n_topics = req.n_topics;
        resp.topics = rn_arena_alloc(&arena, (size_t)(req.n_topics > 0 ? req.n_topics : 1),
                                     sizeof *resp.topics);
        for (int32_t t = 0; t < req.n_topics; t++) {
            const rn_offset_fetch_topic_t *rt = &req.topics[t];
            rn_offset_fetch_topic_result_t *ot = &resp.topics[t];
            ot->name = rt->name;
            ot->n_partitions = rt->n_partition_indexes > 0 ? rt->n_partition_indexes : 0;
            ot->partitions =
                rn_arena_alloc(&arena, (size_t)(ot->n_partitions > 0 ? ot->n_partitions : 1),
                               sizeof *ot->partitions);
            for (int32_t j = 0; j < ot->n_partitions; j++)
                fill_part(g, rt->name, rt->partition_indexes[j], &ot->partitions[j]);
        }
    }
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64);
    if (rn_offset_fetch_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
    rn_arena_deinit(&arena);
    rn_offset_fetch_request_deinit(&req);
}
