/*
 * handle_list_offsets.c — ListOffsets (key 2): a partition's earliest offset, latest
 * offset, or the first offset at or after a timestamp.
 *
 *   timestamp -2 (EARLIEST) ──▶ log start offset
 *   timestamp -1 (LATEST)   ──▶ high watermark for consumers (replica_id -1); log end
 *                               offset for the debug id -2 and for brokers (>= 0)
 *   timestamp >= 0          ──▶ rn_plog_offset_for_time finds the batch, then the
 *                               first record in it with timestamp >= ts: its offset,
 *                               its timestamp and its batch's leader epoch; none (or
 *                               only past what the requester may see) ──▶ offset -1
 *   other negative values   ──▶ INVALID_REQUEST for that partition
 *
 * Consumers and brokers must ask the leader; the debug id -2 (`topic describe`) may
 * ask any replica. leader_epoch is the partition's current epoch for EARLIEST/LATEST.
 * Every partition is answered independently.
 */
#include <string.h>

#include "broker/datapath_int.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api_list_offsets.h"
#include "proto/batch.h"

/* The first record at or after ts in the batch holding offset (below upto, when
 * upto >= 0). Returns 0 and fills out (offset -1 when none), or an error. */
static int find_record(rn_partition_t *part, int64_t offset, int64_t ts, int64_t upto,
                       rn_list_offsets_partition_response_t *out) {
    rn_plog_read_t rd = {0};
    int rc = rn_plog_read(part->plog, offset, 0, upto, &rd); /* one batch */
    if (rc != 0 || rd.len == 0) {
        rn_plog_read_free(&rd);
        return rc;
    }
    rn_batch_iter_t it;
    rn_record_t rec;
    rc = rn_batch_iter_init(&it, rd.data, rd.len);
    if (rc == 0) {
        while ((rc = rn_batch_iter_next(&it, &rec)) == 1) {
            if (rec.offset >= offset && rec.timestamp >= ts) {
                out->offset = rec.offset;
                out->timestamp = rec.timestamp;
                out->leader_epoch = it.hdr.partition_leader_epoch;
                break;
            }
        }
        rc = rc < 0 ? rc : 0;
        rn_batch_iter_deinit(&it);
    }
    rn_plog_read_free(&rd);
    return rc;
}

static void by_time(rn_partition_t *part, int64_t ts, int64_t upto,
                    rn_list_offsets_partition_response_t *out) {
    int64_t offset;
    int rc = rn_plog_offset_for_time(part->plog, ts, &offset);
    if (rc == RN_EOFFSETRANGE)
        return; /* no record that new: offset -1, as Kafka */
    if (rc == 0 && upto >= 0 && offset >= upto)
        return; /* not visible to this requester yet */
    if (rc == 0)
        rc = find_record(part, offset, ts, upto, out);
    if (rc != 0)
        out->error_code = rn__datapath_err(rc);
}

static void list_one(rn_broker_t *b, int32_t replica_id, rn_str_t topic,
                     const rn_list_offsets_partition_t *lp,
                     rn_list_offsets_partition_response_t *out) {
    rn_partition_t *part;
    out->partition_index = lp->partition_index;
    out->timestamp = -1;
    out->offset = -1;
    out->leader_epoch = -1;
    bool debug = replica_id == RN_LIST_OFFSETS_DEBUG_ID;
    out->error_code =
        rn__datapath_lookup(b, topic, lp->partition_index, lp->current_leader_epoch, !debug, &part);
    if (out->error_code != RN_WIRE_NONE)
        return;
    bool consumer = replica_id == -1;
    int64_t visible_end = consumer ? part->high_watermark : rn_plog_end_offset(part->plog);
    if (lp->timestamp == RN_LIST_OFFSETS_EARLIEST) {
        out->offset = rn_plog_start_offset(part->plog);
        out->leader_epoch = part->leader_epoch;
    } else if (lp->timestamp == RN_LIST_OFFSETS_LATEST) {
        out->offset = visible_end;
        out->leader_epoch = part->leader_epoch;
    } else if (lp->timestamp >= 0) {
        by_time(part, lp->timestamp, consumer ? visible_end : -1, out);
    } else {
        out->error_code = RN_WIRE_INVALID_REQUEST;
    }
}

static void free_response(rn_list_offsets_response_t *resp) {
    for (int32_t i = 0; i < resp->n_topics; i++)
        rn_free(resp->topics[i].partitions);
    rn_free(resp->topics);
}

void rn_handle_list_offsets(rn_breq_t *breq) {
    rn_list_offsets_request_t req;
    memset(&req, 0, sizeof req);
    if (rn_list_offsets_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_list_offsets_request_deinit(&req);
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_list_offsets_response_t resp;
    memset(&resp, 0, sizeof resp);
    resp.n_topics = req.n_topics;
    resp.topics = rn_calloc((size_t)(req.n_topics > 0 ? req.n_topics : 1), sizeof *resp.topics);
    for (int32_t i = 0; i < req.n_topics; i++) {
        const rn_list_offsets_topic_t *t = &req.topics[i];
        rn_list_offsets_topic_response_t *tr = &resp.topics[i];
        tr->name = t->name;
        tr->n_partitions = t->n_partitions;
        tr->partitions =
            rn_calloc((size_t)(t->n_partitions > 0 ? t->n_partitions : 1), sizeof *tr->partitions);
        for (int32_t j = 0; j < t->n_partitions; j++)
            list_one(breq->broker, req.replica_id, t->name, &t->partitions[j], &tr->partitions[j]);
    }
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 64);
    if (rn_list_offsets_response_encode(&wr, breq->hdr.api_version, &resp) == 0) {
        rn_breq_respond(breq, &wr);
    } else {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
    }
    free_response(&resp);
    rn_list_offsets_request_deinit(&req);
}
