/*
 * handle_fetch.c — Fetch (key 1): read record batches for consumers (replica_id -1,
 * bounded by the high watermark) and followers (replica_id >= 0, up to the log end).
 *
 *   decode ──▶ build: per partition, independently ──▶ bytes >= min_bytes, or an
 *                lookup / epoch check                 error, or max_wait_ms <= 0?
 *                fetch_offset in [log start, log end]    ──yes──▶ answer now
 *                rn_plog_read(offset, limit, bound)      ──no───▶ park (fetch_wait.c),
 *                                                                 build again later
 *
 * Byte limits, as Kafka applies them: each partition reads at most
 * min(partition_max_bytes, what is left of max_bytes); the first partition that has
 * data returns at least one whole batch whatever the limits, so a consumer always
 * makes progress; after that a partition whose data does not fit returns none, and
 * once max_bytes is used up the remaining partitions read nothing (but still report
 * their high watermark and log start offset).
 *
 * Followers (replica_id >= 0): a replica_id that is not another replica of the
 * partition is answered NOT_LEADER_OR_FOLLOWER (it would otherwise read past the HW).
 * The fetch offset is recorded as that replica's log end
 * (rn_partition_follower_fetched), and when the follower's last_fetched_epoch and
 * fetch_offset disagree with this log's epoch history (the epoch ends here below the
 * fetch offset, or is unknown) the answer carries diverging_epoch {epoch, end_offset}
 * and no records: the follower truncates there and fetches again (KIP-320 style).
 *
 * A partition offline on this broker since a log write failed (partitions.h) is
 * answered KAFKA_STORAGE_ERROR to consumers. Followers still read it: what it holds
 * was written whole (the failed batch was cut back), their copies are what keeps the
 * records acknowledged before the failure once leadership moves, and an error would
 * make their fetcher back off for every partition it copies from this broker.
 *
 * Every partition carries high_watermark, last_stable_offset (= HW: no transactions)
 * and log_start_offset when it was found; -1 otherwise. The record bytes are the
 * log's read buffers, freed once the response is encoded.
 */
#include <string.h>

#include "broker/datapath_int.h"
#include "common/alloc.h"
#include "common/errors.h"

static void empty_partition(const rn_fetch_partition_t *fp, rn_fetch_partition_data_t *out) {
    memset(out, 0, sizeof *out);
    out->partition_index = fp->partition;
    out->high_watermark = -1;
    out->last_stable_offset = -1;
    out->log_start_offset = -1;
    out->diverging_epoch.epoch = -1;
    out->diverging_epoch.end_offset = -1;
    out->records = RN_BYTES_NULL;
}

/* A follower's log diverges from ours when the epoch it last fetched ends here below
 * its fetch offset, or is newer than any we know; then say where it ends. */
static bool diverged(const rn_partition_t *part, const rn_fetch_partition_t *fp,
                     rn_fetch_partition_data_t *out) {
    if (fp->last_fetched_epoch < 0)
        return false;
    int32_t epoch;
    int64_t end;
    (void)rn_plog_epoch_end_offset(part->plog, fp->last_fetched_epoch, &epoch, &end);
    if (epoch >= 0 && epoch == fp->last_fetched_epoch && end >= fp->fetch_offset)
        return false;
    if (epoch < 0)
        end = rn_plog_end_offset(part->plog); /* unknown epoch: nothing past our end is ours */
    out->diverging_epoch.epoch = epoch;
    out->diverging_epoch.end_offset = end;
    return true;
}

/* replica_id is another replica of part: only those may read up to the log end. */
static bool is_follower(const rn_broker_t *b, const rn_partition_t *part, int32_t replica_id) {
    if (replica_id == b->cfg.broker_id)
        return false;
    for (int32_t i = 0; i < part->nreplicas; i++)
        if (part->replicas[i] == replica_id)
            return true;
    return false;
}

/* How many bytes this partition may read; 0 with *skip when nothing may be added. */
static size_t partition_limit(const rn_fetch_ctx_t *ctx, const rn_fetch_partition_t *fp,
                              const rn_fetch_result_t *res, bool *skip) {
    int64_t left = (int64_t)ctx->req.max_bytes - res->bytes;
    int64_t limit = fp->partition_max_bytes < left ? fp->partition_max_bytes : left;
    if (limit < 0)
        limit = 0;
    *skip = limit == 0 && res->bytes > 0;
    return (size_t)limit;
}

static void fetch_partition(rn_fetch_ctx_t *ctx, rn_str_t topic, const rn_fetch_partition_t *fp,
                            rn_fetch_partition_data_t *out, rn_plog_read_t *rd,
                            rn_fetch_result_t *res) {
    rn_partition_t *part;
    empty_partition(fp, out);
    out->error_code =
        rn__datapath_lookup(ctx->b, topic, fp->partition, fp->current_leader_epoch, true, &part);
    if (out->error_code == RN_WIRE_NONE && part->storage_err != 0 && ctx->req.replica_id < 0)
        out->error_code = RN_WIRE_KAFKA_STORAGE_ERROR; /* offline here (partitions.h) */
    if (out->error_code != RN_WIRE_NONE) {
        res->any_error = true;
        return;
    }
    int64_t start = rn_plog_start_offset(part->plog);
    int64_t end = rn_plog_end_offset(part->plog);
    bool consumer = ctx->req.replica_id < 0;
    out->high_watermark = part->high_watermark;
    out->last_stable_offset = part->high_watermark;
    out->log_start_offset = start;
    if (!consumer && !is_follower(ctx->b, part, ctx->req.replica_id)) {
        out->error_code = RN_WIRE_NOT_LEADER_OR_FOLLOWER; /* no reading past the HW */
        res->any_error = true;
        return;
    }
    if (!consumer) { /* before the range check: a diverged follower may be past our end */
        rn_partition_follower_fetched(part, ctx->req.replica_id, fp->fetch_offset);
        if (diverged(part, fp, out))
            return;
    }
    if (fp->fetch_offset < start || fp->fetch_offset > end) {
        out->error_code = RN_WIRE_OFFSET_OUT_OF_RANGE;
        res->any_error = true;
        return;
    }
    int64_t bound = consumer ? part->high_watermark : end;
    bool skip;
    size_t limit = partition_limit(ctx, fp, res, &skip);
    if (fp->fetch_offset >= bound || skip)
        return; /* nothing visible yet, or no room left */
    int rc = rn_plog_read(part->plog, fp->fetch_offset, limit, consumer ? bound : -1, rd);
    if (rc != 0) {
        out->error_code = rn__datapath_err(rc);
        res->any_error = true;
        return;
    }
    if (rd->len == 0 || (res->bytes > 0 && rd->len > limit)) {
        rn_plog_read_free(rd); /* over the limit, and not the first data */
        return;
    }
    out->records = rn_bytes(rd->data, rd->len);
    res->bytes += (int64_t)rd->len;
}

void rn__fetch_build(rn_fetch_ctx_t *ctx, rn_fetch_result_t *res) {
    const rn_fetch_request_t *req = &ctx->req;
    memset(res, 0, sizeof *res);
    res->resp.error_code = RN_WIRE_NONE;
    res->resp.n_responses = req->n_topics;
    res->resp.responses =
        rn_calloc((size_t)(req->n_topics > 0 ? req->n_topics : 1), sizeof *res->resp.responses);
    res->nreads = ctx->nents;
    res->reads = rn_calloc((size_t)(ctx->nents > 0 ? ctx->nents : 1), sizeof *res->reads);
    int32_t k = 0;
    for (int32_t i = 0; i < req->n_topics; i++) {
        const rn_fetch_topic_t *ft = &req->topics[i];
        rn_fetch_topic_response_t *tr = &res->resp.responses[i];
        tr->topic = ft->topic;
        tr->n_partitions = ft->n_partitions;
        tr->partitions = rn_calloc((size_t)(ft->n_partitions > 0 ? ft->n_partitions : 1),
                                   sizeof *tr->partitions);
        for (int32_t j = 0; j < ft->n_partitions; j++, k++)
            fetch_partition(ctx, ft->topic, &ft->partitions[j], &tr->partitions[j], &res->reads[k],
                            res);
    }
}

void rn__fetch_result_free(rn_fetch_result_t *res) {
    for (int32_t i = 0; i < res->resp.n_responses; i++)
        rn_free(res->resp.responses[i].partitions);
    rn_free(res->resp.responses);
    for (int32_t i = 0; i < res->nreads; i++)
        rn_plog_read_free(&res->reads[i]);
    rn_free(res->reads);
    memset(res, 0, sizeof *res);
}

static void free_ctx(rn_fetch_ctx_t *ctx) {
    rn_fetch_request_deinit(&ctx->req);
    rn_free(ctx->ents);
    rn_free(ctx);
}

static void on_timer_closed(uv_handle_t *h) {
    free_ctx(h->data);
}

void rn__fetch_finish(rn_fetch_ctx_t *ctx, rn_fetch_result_t *res, bool send) {
    rn__fetch_unpark(ctx);
    rn_breq_t *breq = ctx->breq;
    if (send) {
        rn_fetch_result_t local;
        if (res == NULL) {
            rn__fetch_build(ctx, &local);
            res = &local;
        }
        rn_writer_t wr;
        rn_breq_writer_init(breq, &wr, (size_t)res->bytes + 256);
        if (rn_fetch_response_encode(&wr, breq->hdr.api_version, &res->resp) == 0) {
            rn_breq_respond(breq, &wr);
        } else {
            rn_writer_deinit(&wr);
            rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        }
        rn__fetch_result_free(res);
    } else {
        if (res != NULL)
            rn__fetch_result_free(res);
        rn_breq_respond_none(breq);
    }
    if (ctx->timer_on) {
        uv_timer_stop(&ctx->timer);
        uv_close((uv_handle_t *)&ctx->timer, on_timer_closed);
    } else {
        free_ctx(ctx);
    }
}

/* One entry per (topic, partition) of the request, in request order. */
static void flatten(rn_fetch_ctx_t *ctx) {
    int32_t n = 0;
    for (int32_t i = 0; i < ctx->req.n_topics; i++)
        n += ctx->req.topics[i].n_partitions;
    ctx->nents = n;
    ctx->ents = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *ctx->ents);
    int32_t k = 0;
    for (int32_t i = 0; i < ctx->req.n_topics; i++) {
        for (int32_t j = 0; j < ctx->req.topics[i].n_partitions; j++, k++) {
            ctx->ents[k].ctx = ctx;
            ctx->ents[k].topic = ctx->req.topics[i].topic;
            ctx->ents[k].fp = &ctx->req.topics[i].partitions[j];
        }
    }
}

/* A follower's fetch may have moved HWs (hw_dirty): the partitions to wake once this
 * request is answered or parked (no waiter runs inside a build). */
static rn_partition_t **collect_dirty(rn_fetch_ctx_t *ctx, int32_t *n) {
    *n = 0;
    if (ctx->req.replica_id < 0)
        return NULL;
    rn_partition_t **v = NULL;
    for (int32_t k = 0; k < ctx->nents; k++) {
        const rn_fetch_ent_t *ent = &ctx->ents[k];
        rn_partition_t *p = rn_partitions_get(ctx->b->parts, ent->topic.ptr, (size_t)ent->topic.len,
                                              ent->fp->partition);
        if (p == NULL || !p->hw_dirty)
            continue;
        v = rn_realloc(v, (size_t)(*n + 1) * sizeof *v);
        v[(*n)++] = p;
    }
    return v;
}

static void flush_dirty(rn_partition_t **v, int32_t n) {
    for (int32_t i = 0; i < n; i++)
        rn_partition_flush_hw(v[i]);
    rn_free(v);
}

void rn_handle_fetch(rn_breq_t *breq) {
    rn_fetch_ctx_t *ctx = rn_calloc(1, sizeof *ctx);
    ctx->b = breq->broker;
    ctx->breq = breq;
    if (rn_fetch_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &ctx->req) !=
        0) {
        free_ctx(ctx);
        rn_breq_respond_invalid(breq);
        return;
    }
    flatten(ctx);
    rn_fetch_result_t res;
    rn__fetch_build(ctx, &res);
    int32_t ndirty;
    rn_partition_t **dirty = collect_dirty(ctx, &ndirty);
    bool now = res.bytes >= ctx->req.min_bytes || ctx->req.max_wait_ms <= 0 || res.any_error ||
               ctx->nents == 0 || ctx->b->stopping;
    if (now) {
        rn__fetch_finish(ctx, &res, true);
    } else {
        /* Not enough yet: drop what was read and build again when woken. */
        rn__fetch_result_free(&res);
        if (rn__fetch_park(ctx) != 0)
            rn__fetch_finish(ctx, NULL, true);
    }
    flush_dirty(dirty, ndirty);
}
