/*
 * handle_produce.c — Produce (key 0): validate record batches, append them to the
 * partition logs this broker leads, forward entries without a partition to their
 * chosen leader elsewhere, answer per partition.
 *
 *   decode ──▶ acks ∈ {0, 1, -1}? ──no──▶ every partition INVALID_REQUIRED_ACKS
 *      │
 *      ▼ for each (topic, partition) entry, independently:
 *   topic known? ──no──▶ auto-create (if enabled) + UNKNOWN_TOPIC_OR_PARTITION
 *   index -1 ──▶ route.c picks one from the first record's key (DESIGN.md §7)
 *   hosted and leader? ──no──▶ index was -1? ──yes──▶ forward (below)
 *      │                            └──no──▶ NOT_LEADER_OR_FOLLOWER
 *      ▼
 *   every batch valid (rn_batch_validate, max.message.bytes)? ──no──▶ its error,
 *                                                                    nothing appended
 *   acks=-1 and ISR < min.insync.replicas ──▶ NOT_ENOUGH_REPLICAS, nothing appended
 *   append each batch (stamped with the leader epoch), HW advances, fetches wake
 *   acks=-1 and HW below the last batch ──▶ wait (produce_wait.c)
 *      │
 *      ▼
 *   acks=0: no response;  otherwise the response once nothing waits.
 *
 * Forwarding (forward.h): an entry sent with partition -1 whose chosen partition is
 * led by another broker goes to that leader as a one-entry Produce with the request's
 * acks, timeout and version, the chosen index and the entry's record bytes unchanged.
 * The leader validates and appends; its partition result (error, base offset, log
 * start offset) becomes this entry's, so the producer's acks hold end to end. The
 * entry waits like an acks=all one (npending, the request's timer and parking,
 * produce_wait.c): a request mixing local, waiting and forwarded entries is answered
 * once, when the last is done, in the request's order. Leader unknown, fenced or
 * unreachable, the connection lost, the broker stopping ──▶ NOT_LEADER_OR_FOLLOWER
 * (retriable); no answer within the request's timeout ──▶ REQUEST_TIMED_OUT. acks=0:
 * sent, not waited for. The forwarded request names a real partition, so it is never
 * forwarded again. The topic's sticky state moves after a successful append, local or
 * forwarded (acks=0: once sent).
 *
 * __consumer_offsets is internal: a client's Produce to it is refused with
 * INVALID_TOPIC_EXCEPTION (coordinators append to it directly, coordinator.c).
 *
 * The records field may carry one or more batches (docs/protocol.md); all are
 * validated before any is appended, so a bad batch appends nothing for its partition.
 * The request's bytes are borrowed (const): each batch is copied before the log
 * stamps its base offset and epoch into it. A failing partition never stops the
 * others.
 */
#include <string.h>

#include "broker/coordinator.h"
#include "broker/datapath_int.h"
#include "broker/forward.h"
#include "broker/route.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "proto/batch.h"

static void set_error(rn_produce_partition_response_t *pr, rn_wire_err_t err, const char *msg) {
    pr->error_code = err;
    pr->base_offset = -1;
    pr->log_start_offset = -1;
    pr->error_message = msg != NULL ? rn_str(msg) : RN_STR_NULL;
}

/* Check every batch in rec against max_bytes. Returns NONE or the first error. */
static rn_wire_err_t validate_records(rn_bytes_t rec, int32_t max_bytes, const char **msg) {
    if (rec.len <= 0) {
        *msg = "no record batch";
        return RN_WIRE_INVALID_RECORD;
    }
    size_t len = (size_t)rec.len, pos = 0;
    while (pos < len) {
        rn_batch_header_t h;
        int rc = rn_batch_header_decode(rec.ptr + pos, len - pos, &h);
        if (rc == 0 && rn_batch_size(&h) > (size_t)max_bytes)
            rc = RN_ETOOLARGE; /* even when it is also cut short */
        else if (rc == 0 && rn_batch_size(&h) > len - pos)
            rc = RN_EMALFORMED;
        if (rc == 0)
            rc = rn_batch_validate(rec.ptr + pos, rn_batch_size(&h), (size_t)max_bytes, &h);
        if (rc != 0) {
            *msg = rn_strerror(rc);
            return rn__datapath_err(rc);
        }
        if (h.attributes & (RN_BATCH_ATTR_CONTROL | RN_BATCH_ATTR_TRANSACTIONAL)) {
            *msg = "transactional and control batches are not accepted";
            return RN_WIRE_INVALID_RECORD;
        }
        pos += rn_batch_size(&h);
    }
    return RN_WIRE_NONE;
}

/* Append the validated batches of rec. *first is the first base offset, *next the
 * offset after the last record. Returns 0 or the first append error (the batches
 * before it stay appended). */
static int append_records(rn_partition_t *part, rn_bytes_t rec, int64_t *first, int64_t *next) {
    size_t len = (size_t)rec.len, pos = 0;
    int rc = 0;
    *first = -1;
    while (pos < len && rc == 0) {
        rn_batch_header_t h;
        rc = rn_batch_header_decode(rec.ptr + pos, len - pos, &h); /* validated: cannot fail */
        if (rc != 0)
            break;
        size_t size = rn_batch_size(&h);
        uint8_t *copy = rn_malloc(size);
        memcpy(copy, rec.ptr + pos, size);
        int64_t base = -1;
        rc = rn_plog_append(part->plog, copy, size, part->leader_epoch, &base);
        rn_free(copy);
        if (rc == 0) {
            if (*first < 0)
                *first = base;
            *next = base + h.last_offset_delta + 1;
        }
        pos += size;
    }
    return rc;
}

/* The topic is unknown: ask for auto-creation, answer with a retriable error. */
static void unknown_topic(rn_produce_ctx_t *ctx, rn_str_t name,
                          rn_produce_partition_response_t *pr) {
    int rc = rn_broker_auto_create_topic(ctx->b, name);
    if (rc == RN_EINVALIDTOPIC)
        set_error(pr, RN_WIRE_INVALID_TOPIC_EXCEPTION, "invalid topic name");
    else
        set_error(pr, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION,
                  rc == 0 ? "topic is being created; retry" : NULL);
}

/* Resolve partition -1 with the topic's partitioner. Returns the index, or -1 with
 * pr's error set. */
static int32_t route(rn_ptopic_t *t, rn_bytes_t rec, rn_produce_partition_response_t *pr) {
    rn_route_key_t key;
    int rc = rec.len > 0 ? rn_route_batch_key(rec.ptr, (size_t)rec.len, &key) : RN_EMALFORMED;
    if (rc != 0) {
        set_error(pr, rec.len > 0 ? rn__datapath_err(rc) : RN_WIRE_INVALID_RECORD,
                  rec.len > 0 ? rn_strerror(rc) : "no record batch");
        return -1;
    }
    return rn_route_choose(t->partitioner, &t->sticky, t->npartitions, &key);
}

/* Validate and append one partition's batches; acks=all may leave ent waiting. */
static void produce_to(rn_produce_ctx_t *ctx, rn_partition_t *part,
                       const rn_produce_partition_data_t *pd, rn_produce_partition_response_t *pr,
                       rn_produce_ent_t *ent) {
    const char *msg = NULL;
    if (part->storage_err != 0) { /* offline here since a write failed: never append again */
        set_error(pr, RN_WIRE_KAFKA_STORAGE_ERROR,
                  "partition offline on this broker after a log write error");
        return;
    }
    rn_wire_err_t err = validate_records(pd->records, part->log_cfg.max_message_bytes, &msg);
    if (err == RN_WIRE_NONE && ctx->req.acks == -1 && !rn_partition_isr_ok(part))
        err = RN_WIRE_NOT_ENOUGH_REPLICAS;
    if (err != RN_WIRE_NONE) {
        set_error(pr, err, msg);
        return;
    }
    int64_t first = -1, next = -1;
    int rc = append_records(part, pd->records, &first, &next);
    if (first >= 0)
        rn_partition_appended(part); /* HW, waiting fetches and acks */
    if (rc != 0 && rn_partition_is_storage_error(rc)) {
        rn_partition_storage_failed(part, rc); /* logs once */
        set_error(pr, RN_WIRE_KAFKA_STORAGE_ERROR, rn_strerror(rc));
        return;
    }
    if (rc != 0) {
        char name[300];
        rn_log(RN_LOG_ERROR, RN_DATAPATH_MOD, "%s: append failed: %s",
               rn_partition_name(part, name, sizeof name), rn_strerror(rc));
        set_error(pr, rn__datapath_err(rc), rn_strerror(rc));
        return;
    }
    pr->base_offset = first;
    pr->log_start_offset = rn_plog_start_offset(part->plog);
    if (ctx->req.acks == -1 && part->high_watermark < next) {
        ent->pr = pr;
        rn__produce_wait(ctx, ent, part, next);
    }
}

/* The leader of partition `index` of t in the metadata image, or -1. */
static int32_t leader_of(rn_broker_t *b, const rn_ptopic_t *t, int32_t index) {
    const rn_meta_topic_t *mt = rn_meta_image_topic(rn_broker_image(b), t->name);
    if (mt == NULL || memcmp(mt->id, t->id, sizeof t->id) != 0 || index >= mt->npartitions)
        return -1;
    return mt->partitions[index].leader;
}

/* The leader answered a forwarded entry (or the forwarder gave up: err). */
static void forwarded(rn_fwd_op_t *op, rn_wire_err_t err,
                      const rn_produce_partition_response_t *lpr) {
    rn_produce_ent_t *ent = op->arg;
    rn_produce_ctx_t *ctx = ent->ctx;
    rn_produce_partition_response_t *pr = ent->pr;
    if (err != RN_WIRE_NONE) {
        set_error(pr, err,
                  err == RN_WIRE_NOT_LEADER_OR_FOLLOWER ? "partition leader unreachable" : NULL);
    } else {
        pr->error_code = lpr->error_code;
        pr->base_offset = lpr->base_offset;
        pr->log_append_time_ms = lpr->log_append_time_ms;
        pr->log_start_offset = lpr->log_start_offset;
        pr->error_message = RN_STR_NULL; /* lpr's points into the leader's frame */
        rn_ptopic_t *t =
            lpr->error_code != RN_WIRE_NONE || ctx->b->parts == NULL
                ? NULL
                : rn_partitions_topic(ctx->b->parts, ent->topic.ptr, (size_t)ent->topic.len);
        if (t != NULL)
            rn_route_appended(&t->sticky, pr->index, t->npartitions);
    }
    if (--ctx->npending == 0 && !ctx->building)
        rn__produce_finish(ctx, true);
}

/* Partition `index` (chosen for a -1 entry) is not led here: send the entry to its
 * leader. ent is NULL for acks=0 (nothing waits). */
static void forward(rn_produce_ctx_t *ctx, rn_ptopic_t *t, int32_t index, rn_str_t topic,
                    const rn_produce_partition_data_t *pd, rn_produce_partition_response_t *pr,
                    rn_produce_ent_t *ent) {
    rn_fwd_op_t *op = NULL;
    pr->base_offset = -1; /* until the leader answers */
    pr->log_start_offset = -1;
    if (ctx->req.acks != 0) {
        ent->ctx = ctx;
        ent->pr = pr;
        ent->topic = topic;
        ent->fwd.done = forwarded;
        ent->fwd.arg = ent;
        op = &ent->fwd;
    }
    int rc =
        rn_fwd_produce(ctx->b->fwd, leader_of(ctx->b, t, index), ctx->req.acks, ctx->req.timeout_ms,
                       ctx->breq->hdr.api_version, topic, index, pd->records, op);
    if (rc != 0) {
        set_error(pr, RN_WIRE_NOT_LEADER_OR_FOLLOWER,
                  rc == RN_EUNKNOWNBROKER ? "partition leader unknown"
                                          : "partition leader unreachable");
        return;
    }
    if (op != NULL)
        ctx->npending++; /* forwarded() answers it */
    else
        rn_route_appended(&t->sticky, index, t->npartitions);
}

static void produce_one(rn_produce_ctx_t *ctx, const rn_produce_topic_data_t *td,
                        const rn_produce_partition_data_t *pd, rn_produce_partition_response_t *pr,
                        rn_produce_ent_t *ent) {
    pr->index = pd->index;
    pr->log_append_time_ms = -1;
    if (rn_str_eq_c(td->name, RN_OFFSETS_TOPIC)) { /* only coordinators write it */
        set_error(pr, RN_WIRE_INVALID_TOPIC_EXCEPTION, RN_OFFSETS_TOPIC " is internal");
        return;
    }
    rn_ptopic_t *t = ctx->b->parts != NULL
                         ? rn_partitions_topic(ctx->b->parts, td->name.ptr, (size_t)td->name.len)
                         : NULL;
    if (t == NULL) {
        unknown_topic(ctx, td->name, pr);
        return;
    }
    int32_t index = pd->index;
    if (index == RN_PRODUCE_ANY_PARTITION) {
        index = route(t, pd->records, pr);
        if (index < 0)
            return;
        pr->index = index;
    }
    if (index < 0 || index >= t->npartitions) {
        set_error(pr, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, "no such partition");
        return;
    }
    rn_partition_t *part = t->parts[index];
    if ((part == NULL || !part->is_leader) && pd->index == RN_PRODUCE_ANY_PARTITION) {
        forward(ctx, t, index, td->name, pd, pr, ent);
        return;
    }
    if (part == NULL || !part->is_leader) {
        set_error(pr, RN_WIRE_NOT_LEADER_OR_FOLLOWER, NULL);
        return;
    }
    produce_to(ctx, part, pd, pr, ent);
    if (pd->index == RN_PRODUCE_ANY_PARTITION && pr->error_code == RN_WIRE_NONE)
        rn_route_appended(&t->sticky, index, t->npartitions);
}

/* Mirror the request's topics and partitions in the response. */
static void alloc_response(rn_produce_ctx_t *ctx) {
    rn_produce_request_t *req = &ctx->req;
    int32_t total = 0;
    ctx->resp.n_responses = req->n_topic_data;
    ctx->resp.responses = rn_calloc((size_t)(req->n_topic_data > 0 ? req->n_topic_data : 1),
                                    sizeof *ctx->resp.responses);
    for (int32_t i = 0; i < req->n_topic_data; i++) {
        rn_produce_topic_response_t *tr = &ctx->resp.responses[i];
        int32_t n = req->topic_data[i].n_partition_data;
        tr->name = req->topic_data[i].name;
        tr->n_partition_responses = n;
        tr->partition_responses =
            rn_calloc((size_t)(n > 0 ? n : 1), sizeof *tr->partition_responses);
        total += n;
    }
    if (req->acks == -1 || req->acks == 1) /* acks=1: for forwarded entries */
        ctx->ents = rn_calloc((size_t)(total > 0 ? total : 1), sizeof *ctx->ents);
}

static void produce_all(rn_produce_ctx_t *ctx) {
    int32_t k = 0;
    for (int32_t i = 0; i < ctx->req.n_topic_data; i++) {
        const rn_produce_topic_data_t *td = &ctx->req.topic_data[i];
        for (int32_t j = 0; j < td->n_partition_data; j++, k++) {
            rn_produce_partition_response_t *pr = &ctx->resp.responses[i].partition_responses[j];
            if (ctx->req.acks != 0 && ctx->req.acks != 1 && ctx->req.acks != -1) {
                pr->index = td->partition_data[j].index;
                pr->log_append_time_ms = -1;
                set_error(pr, RN_WIRE_INVALID_REQUIRED_ACKS, NULL);
                continue;
            }
            produce_one(ctx, td, &td->partition_data[j], pr, ctx->ents ? &ctx->ents[k] : NULL);
        }
    }
}

void rn_handle_produce(rn_breq_t *breq) {
    rn_produce_ctx_t *ctx = rn_calloc(1, sizeof *ctx);
    ctx->b = breq->broker;
    ctx->breq = breq;
    if (rn_produce_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &ctx->req) !=
        0) {
        rn_produce_request_deinit(&ctx->req);
        rn_free(ctx);
        rn_breq_respond_invalid(breq);
        return;
    }
    alloc_response(ctx);
    bool bad_acks = ctx->req.acks != 0 && ctx->req.acks != 1 && ctx->req.acks != -1;
    ctx->resp.error_code = bad_acks ? RN_WIRE_INVALID_REQUIRED_ACKS : RN_WIRE_NONE;
    ctx->building = true;
    produce_all(ctx);
    ctx->building = false;
    if (ctx->npending > 0)
        rn__produce_wait_start(ctx);
    else
        rn__produce_finish(ctx, true);
}

static void free_ctx(rn_produce_ctx_t *ctx) {
    for (int32_t i = 0; i < ctx->resp.n_responses; i++)
        rn_free(ctx->resp.responses[i].partition_responses);
    rn_free(ctx->resp.responses);
    rn_free(ctx->ents);
    rn_free(ctx);
}

static void on_timer_closed(uv_handle_t *h) {
    free_ctx(h->data);
}

void rn__produce_finish(rn_produce_ctx_t *ctx, bool send) {
    rn__produce_wait_cancel(ctx);
    rn__parked_remove(&ctx->parked);
    rn_breq_t *breq = ctx->breq;
    if (!send || ctx->req.acks == 0) {
        rn_breq_respond_none(breq);
    } else {
        rn_writer_t wr;
        rn_breq_writer_init(breq, &wr, 64);
        if (rn_produce_response_encode(&wr, breq->hdr.api_version, &ctx->resp) == 0) {
            rn_breq_respond(breq, &wr);
        } else {
            rn_writer_deinit(&wr);
            rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        }
    }
    /* The response is on its way: the request's views may go. */
    rn_produce_request_deinit(&ctx->req);
    if (ctx->timer_on) {
        uv_timer_stop(&ctx->timer);
        uv_close((uv_handle_t *)&ctx->timer, on_timer_closed);
    } else {
        free_ctx(ctx);
    }
}
