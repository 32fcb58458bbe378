/*
 * consumer_fetch.c — the consumer's loop side: resolve logical offsets with
 * ListOffsets, fetch with one Fetch in flight per broker, decode the batches into
 * messages for poll (consumer_int.h).
 *
 * Everything in a Fetch response is checked before use: partitions are matched to
 * what was asked (topic, partition, and the version and offset they were asked at;
 * anything else is dropped), batches are taken only whole (a partial batch at the end
 * is ignored, as the protocol allows), every batch is CRC-checked and walked by the
 * bounds-checked iterator, and records below the fetch offset (the batch holding it
 * may start earlier) are skipped.
 */
#include "client/consumer_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_fetch.h"
#include "proto/api_list_offsets.h"
#include "proto/batch.h"

typedef struct cfetch_s {
    rn_consumer_t *c;
    int32_t n;
    cpart_t **parts;
    uint32_t *versions;
    int64_t *offsets;
} cfetch_t;

/* ---- helpers --------------------------------------------------------------------- */

static rn__broker_t *leader_of(rn_consumer_t *c, cpart_t *cp) {
    rn__mtopic_t *mt = cp->mt;
    int32_t p = cp->pos->partition;
    if (!mt->known || mt->err != RN_WIRE_NONE || p >= mt->npart || mt->parts[p].leader < 0)
        return NULL;
    return rn__client_broker(&c->cl, mt->parts[p].leader);
}

/* Retry later: back off, and refresh metadata when the leader may have moved. */
static void part_retry(rn_consumer_t *c, cpart_t *cp, int err, int64_t now) {
    cp->backoff_until = now + c->cl.conf->retry_backoff_ms;
    if (rn__metadata_stale_err(err))
        rn__metadata_refresh(&c->cl);
}

/* Report err once from poll and stop fetching the partition until a seek. Poll
 * returns 1 for a message, so OFFSET_OUT_OF_RANGE (wire code 1) is reported as the
 * local RN_EOFFSETRANGE. */
static void part_fail(rn_consumer_t *c, cpart_t *cp, int err, const char *what) {
    if (err == RN_WIRE_OFFSET_OUT_OF_RANGE)
        err = RN_EOFFSETRANGE;
    cp->state = CP_STOPPED;
    mlist_t l = {0};
    mlist_push(&l, rn__cmsg_error(cp->pos, err, what));
    rn__consumer_enqueue(c, cp, &l);
}

/* ---- ListOffsets ------------------------------------------------------------------- */

typedef struct clist_s {
    rn_consumer_t *c;
    cpart_t *cp;
    uint32_t version;
} clist_t;

static void on_list_offsets(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body,
                            size_t len, void *arg) {
    (void)b;
    clist_t *l = arg;
    rn_consumer_t *c = l->c;
    cpart_t *cp = l->cp;
    int64_t now = (int64_t)uv_now(&cl->loop);
    int64_t offset = -1;
    if (err == 0) {
        rn_list_offsets_response_t resp;
        if (rn_list_offsets_response_decode(body, len, 0, &resp) < 0) {
            err = rn__resp_error_code(body, len);
        } else {
            err = resp.error_code != 0 ? resp.error_code : RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
            if (resp.error_code == 0 && resp.n_topics == 1 && resp.topics[0].n_partitions == 1 &&
                resp.topics[0].partitions[0].partition_index == cp->pos->partition) {
                err = resp.topics[0].partitions[0].error_code;
                offset = resp.topics[0].partitions[0].offset;
            }
            rn_list_offsets_response_deinit(&resp);
        }
    }
    if (l->version != cp->version || cp->state != CP_LISTING || c->cl.stopping) {
        rn_free(l); /* sought elsewhere meanwhile */
        return;
    }
    rn_free(l);
    if (err == 0 && offset < 0)
        err = RN_WIRE_OFFSET_NOT_AVAILABLE;
    if (err != 0 && (err < 0 || rn_err_retriable(err))) {
        cp->state = CP_NEED_OFFSET;
        part_retry(c, cp, err, now);
        return;
    }
    if (err != 0) {
        char what[160];
        snprintf(what, sizeof what, "cannot look up the %s offset: %s",
                 cp->offset == RN_OFFSET_BEGINNING ? "earliest" : "latest", rn_err_str(err));
        part_fail(c, cp, err, what);
        return;
    }
    cp->offset = offset;
    cp->state = CP_FETCHABLE;
    uv_mutex_lock(&c->plock);
    if (cp->pos->version == cp->version) {
        cp->pos->position = offset;
        cp->pos->committable = offset; /* nothing before it is owed to the application */
    }
    uv_mutex_unlock(&c->plock);
}

static void send_list_offsets(rn_consumer_t *c, cpart_t *cp, rn__broker_t *b) {
    rn_list_offsets_partition_t lp = {
        .partition_index = cp->pos->partition,
        .current_leader_epoch = -1,
        .timestamp =
            cp->offset == RN_OFFSET_BEGINNING ? RN_LIST_OFFSETS_EARLIEST : RN_LIST_OFFSETS_LATEST,
    };
    rn_list_offsets_topic_t lt = {
        .name = rn_str(cp->pos->topic), .n_partitions = 1, .partitions = &lp};
    rn_list_offsets_request_t req = {.replica_id = -1, .n_topics = 1, .topics = &lt};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    int32_t corr = rn__client_frame_begin(&c->cl, &wr, RN_API_LIST_OFFSETS);
    if (rn_list_offsets_request_encode(&wr, 0, &req) < 0) {
        rn_writer_deinit(&wr);
        part_fail(c, cp, RN_EINVALIDTOPIC, "cannot encode a ListOffsets request");
        return;
    }
    clist_t *l = rn_calloc(1, sizeof *l);
    l->c = c;
    l->cp = cp;
    l->version = cp->version;
    cp->state = CP_LISTING;
    size_t len;
    uint8_t *frame = rn_writer_take(&wr, &len);
    rn__client_send(&c->cl, b, frame, len, corr, 1, c->cl.conf->request_timeout_ms, on_list_offsets,
                    l);
}

/* ---- decoding ---------------------------------------------------------------------- */

/* The size of rec's headers and their bytes after a cmsg, or -1 when malformed. */
static int64_t headers_size(const rn_record_t *rec) {
    int64_t size = (int64_t)rec->header_count * (int64_t)sizeof(rn_header_t);
    size_t hpos = 0;
    rn_record_header_t h;
    for (int32_t i = 0; i < rec->header_count; i++) {
        if (rn_record_header_next(rec, &hpos, &h) < 0)
            return -1;
        size += (int64_t)h.key_len + 1 + (h.value_len > 0 ? h.value_len : 0);
    }
    return size;
}

/* Copy rec's headers to q (sized by headers_size): the array, then keys (with a NUL)
 * and values. */
static void headers_copy(const rn_record_t *rec, uint8_t *q, rn_header_t *hs) {
    size_t hpos = 0;
    rn_record_header_t h;
    for (int32_t i = 0; i < rec->header_count; i++) {
        rn_record_header_next(rec, &hpos, &h);
        hs[i].key = memcpy(q, h.key, (size_t)h.key_len);
        q[h.key_len] = '\0';
        q += (size_t)h.key_len + 1;
        hs[i].value_len = h.value_len;
        hs[i].value = h.value_len >= 0
                          ? memcpy(q, h.value, (size_t)(h.value_len > 0 ? h.value_len : 0))
                          : NULL;
        q += h.value_len > 0 ? (size_t)h.value_len : 0;
    }
}

/* A message for rec, carved from the consumer's slab: the cmsg, then headers, key,
 * value and the headers' bytes (consumer_slab.c). NULL when its headers are malformed. */
static cmsg_t *cmsg_new(rn_consumer_t *c, cpart_t *cp, const rn_record_t *rec) {
    size_t kl = rec->key_len > 0 ? (size_t)rec->key_len : 0;
    size_t vl = rec->value_len > 0 ? (size_t)rec->value_len : 0;
    int64_t hl = rec->header_count > 0 ? headers_size(rec) : 0;
    if (hl < 0)
        return NULL;
    cmsg_t *m = rn__cmsg_carve(&c->slab, cp->pos->topic, (size_t)hl + kl + vl);
    uint8_t *q = (uint8_t *)(m + 1);
    rn_header_t *hs = rec->header_count > 0 ? (rn_header_t *)q : NULL;
    q += (size_t)rec->header_count * sizeof(rn_header_t);
    m->msg.partition = cp->pos->partition;
    m->msg.offset = rec->offset;
    m->msg.timestamp_ms = rec->timestamp;
    m->msg.key_len = rec->key_len;
    m->msg.key = rec->key_len >= 0 ? memcpy(q, rec->key, kl) : NULL;
    q += kl;
    m->msg.value_len = rec->value_len;
    m->msg.value = rec->value_len >= 0 ? memcpy(q, rec->value, vl) : NULL;
    q += vl;
    if (hs != NULL)
        headers_copy(rec, q, hs);
    m->msg.nheaders = rec->header_count;
    m->msg.headers = hs;
    m->pos = cp->pos;
    return m;
}

/* The records of one whole batch at or after cp->offset into out. 0 or an error. */
static int decode_batch(rn_consumer_t *c, cpart_t *cp, const uint8_t *p, size_t len, mlist_t *out) {
    rn_batch_iter_t it;
    int rc = rn_batch_iter_init(&it, p, len);
    if (rc < 0)
        return rc;
    int64_t next = rn_batch_last_offset(&it.hdr) + 1;
    rn_record_t rec;
    if ((it.hdr.attributes & RN_BATCH_ATTR_CONTROL) == 0) {
        while ((rc = rn_batch_iter_next(&it, &rec)) == 1) {
            if (rec.offset < cp->offset)
                continue;
            cmsg_t *m = cmsg_new(c, cp, &rec);
            if (m == NULL) {
                rc = RN_EMALFORMED;
                break;
            }
            mlist_push(out, m);
        }
    }
    rn_batch_iter_deinit(&it);
    if (rc < 0)
        return rc;
    if (next > cp->offset)
        cp->offset = next;
    return 0;
}

/* Every whole batch of a partition's records. Returns 0, 1 when only a partial
 * batch was there (the partition needs a larger fetch), or a batch error. */
static int decode_records(rn_consumer_t *c, cpart_t *cp, rn_bytes_t recs, mlist_t *out) {
    size_t pos = 0, len = recs.len > 0 ? (size_t)recs.len : 0;
    int whole = 0;
    while (len - pos >= RN_BATCH_LOG_OVERHEAD) {
        rn_batch_header_t h;
        int rc = rn_batch_header_decode(recs.ptr + pos, len - pos, &h);
        if (rc < 0 && len - pos < RN_BATCH_HEADER_SIZE)
            break; /* a partial header at the end */
        if (rc < 0)
            return rc;
        if (rn_batch_size(&h) > len - pos)
            break; /* a partial batch at the end */
        rc = decode_batch(c, cp, recs.ptr + pos, rn_batch_size(&h), out);
        if (rc < 0)
            return rc;
        pos += rn_batch_size(&h);
        whole++;
    }
    return whole == 0 && len > 0 ? 1 : 0;
}

/* ---- Fetch ------------------------------------------------------------------------- */

static void fetch_partition_result(rn_consumer_t *c, cpart_t *cp,
                                   const rn_fetch_partition_data_t *pd, int64_t now) {
    char what[200];
    int err = pd->error_code;
    if (err == RN_WIRE_OFFSET_OUT_OF_RANGE && c->group != NULL &&
        c->cl.conf->auto_offset_reset != RN__RESET_NONE) {
        /* A group consumer starts over at auto.offset.reset, as Kafka's does. */
        cp->offset = c->cl.conf->auto_offset_reset;
        cp->state = CP_NEED_OFFSET;
        return;
    }
    if (err == RN_WIRE_OFFSET_OUT_OF_RANGE) {
        snprintf(
            what, sizeof what, "offset %lld is out of range (log start %lld, high watermark %lld)",
            (long long)cp->offset, (long long)pd->log_start_offset, (long long)pd->high_watermark);
        part_fail(c, cp, err, what);
        return;
    }
    if (err != 0) {
        if (rn_err_retriable(err)) {
            part_retry(c, cp, err, now);
            return;
        }
        snprintf(what, sizeof what, "fetch failed: %s", rn_err_str(err));
        part_fail(c, cp, err, what);
        return;
    }
    mlist_t out = {0};
    int rc = decode_records(c, cp, pd->records, &out);
    rn__consumer_enqueue(c, cp, &out); /* the records before a corrupt batch come first */
    if (rc == 1) { /* a batch larger than we asked for: ask for more next time */
        int64_t more = (int64_t)cp->max_bytes * 2;
        cp->max_bytes =
            (int32_t)(more > c->cl.conf->fetch_max_bytes ? c->cl.conf->fetch_max_bytes : more);
    } else if (rc < 0) {
        snprintf(what, sizeof what, "corrupt record batch at offset %lld: %s",
                 (long long)cp->offset, rn_err_str(rc));
        part_fail(c, cp, RN_ECORRUPT, what);
    }
}

static void fetch_response(rn_consumer_t *c, cfetch_t *f, const rn_fetch_response_t *resp,
                           int64_t now) {
    for (int32_t ti = 0; ti < resp->n_responses; ti++) {
        const rn_fetch_topic_response_t *tr = &resp->responses[ti];
        for (int32_t pi = 0; pi < tr->n_partitions; pi++) {
            const rn_fetch_partition_data_t *pd = &tr->partitions[pi];
            for (int32_t i = 0; i < f->n; i++) {
                cpart_t *cp = f->parts[i];
                if (cp->pos->partition != pd->partition_index ||
                    !rn_str_eq_c(tr->topic, cp->pos->topic))
                    continue;
                /* Only what is still wanted from where it was asked. */
                if (cp->version == f->versions[i] && cp->offset == f->offsets[i] &&
                    cp->state == CP_FETCHABLE)
                    fetch_partition_result(c, cp, pd, now);
                f->offsets[i] = INT64_MIN; /* answered once */
                break;
            }
        }
    }
}

static void on_fetch(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                     void *arg) {
    (void)b;
    cfetch_t *f = arg;
    rn_consumer_t *c = f->c;
    int64_t now = (int64_t)uv_now(&cl->loop);
    for (int32_t i = 0; i < f->n; i++)
        f->parts[i]->fetching = NULL;
    if (err == 0 && !cl->stopping) {
        rn_fetch_response_t resp;
        if (rn_fetch_response_decode(body, len, 0, &resp) < 0) {
            err = rn__resp_error_code(body, len);
        } else {
            err = resp.error_code;
            if (err == 0)
                fetch_response(c, f, &resp, now);
            rn_fetch_response_deinit(&resp);
        }
    }
    if (err != 0 && !cl->stopping)
        for (int32_t i = 0; i < f->n; i++)
            part_retry(c, f->parts[i], err < 0 ? err : RN_WIRE_NOT_LEADER_OR_FOLLOWER, now);
    rn_free(f->parts);
    rn_free(f->versions);
    rn_free(f->offsets);
    rn_free(f);
    rn__client_kick(cl);
}

static int by_topic(const void *a, const void *b) {
    const cpart_t *x = *(cpart_t *const *)a, *y = *(cpart_t *const *)b;
    int r = strcmp(x->pos->topic, y->pos->topic);
    return r != 0
               ? r
               : (x->pos->partition > y->pos->partition) - (x->pos->partition < y->pos->partition);
}

static void send_fetch(rn_consumer_t *c, rn__broker_t *b, cfetch_t *f) {
    qsort(f->parts, (size_t)f->n, sizeof *f->parts, by_topic);
    rn_fetch_topic_t *ft = rn_calloc((size_t)f->n, sizeof *ft);
    rn_fetch_partition_t *fp = rn_calloc((size_t)f->n, sizeof *fp);
    int32_t nt = 0;
    for (int32_t i = 0; i < f->n; i++) {
        cpart_t *cp = f->parts[i];
        if (nt == 0 || strcmp(cp->pos->topic, f->parts[i - 1]->pos->topic) != 0) {
            ft[nt].topic = rn_str(cp->pos->topic);
            ft[nt].partitions = &fp[i];
            nt++;
        }
        ft[nt - 1].n_partitions++;
        fp[i] = (rn_fetch_partition_t){
            .partition = cp->pos->partition,
            .current_leader_epoch = -1,
            .fetch_offset = cp->offset,
            .last_fetched_epoch = -1,
            .log_start_offset = -1,
            .partition_max_bytes = cp->max_bytes,
        };
        f->versions[i] = cp->version;
        f->offsets[i] = cp->offset;
        cp->fetching = b;
    }
    const rn_conf_t *conf = c->cl.conf;
    rn_fetch_request_t req = {
        .replica_id = RN_FETCH_CONSUMER_REPLICA_ID,
        .max_wait_ms = conf->fetch_max_wait_ms,
        .min_bytes = conf->fetch_min_bytes,
        .max_bytes = conf->fetch_max_bytes,
        .isolation_level = RN_READ_UNCOMMITTED,
        .n_topics = nt,
        .topics = ft,
    };
    rn_writer_t wr;
    rn_writer_init(&wr, 256 + (size_t)f->n * 32);
    int32_t corr = rn__client_frame_begin(&c->cl, &wr, RN_API_FETCH);
    int rc = rn_fetch_request_encode(&wr, 0, &req);
    rn_free(ft);
    rn_free(fp);
    size_t len = 0;
    uint8_t *frame = rc == 0 ? rn_writer_take(&wr, &len) : NULL;
    rn_writer_deinit(&wr);
    if (rc < 0) { /* cannot happen for names checked at assign */
        on_fetch(&c->cl, b, rc, NULL, 0, f);
        return;
    }
    rn__client_send(&c->cl, b, frame, len, corr, 1,
                    conf->request_timeout_ms + conf->fetch_max_wait_ms, on_fetch, f);
}

/* A fetch for every broker that leads a fetchable partition and has none in flight. */
static void fetch_all(rn_consumer_t *c, int64_t now) {
    int32_t n = 0;
    for (cpart_t *cp = c->parts; cp != NULL; cp = cp->next)
        n++;
    for (;;) {
        rn__broker_t *b = NULL;
        cfetch_t *f = NULL;
        for (cpart_t *cp = c->parts; cp != NULL; cp = cp->next) {
            if (cp->state != CP_FETCHABLE || cp->fetching != NULL || cp->backoff_until > now)
                continue;
            rn__broker_t *lb = leader_of(c, cp);
            if (lb == NULL) {
                rn__metadata_refresh(&c->cl);
                continue;
            }
            if (b == NULL) {
                int busy = 0;
                for (cpart_t *o = c->parts; o != NULL; o = o->next)
                    busy |= o->fetching == lb;
                if (busy)
                    continue;
                b = lb;
                f = rn_calloc(1, sizeof *f);
                f->c = c;
                f->parts = rn_malloc((size_t)n * sizeof *f->parts);
                f->versions = rn_malloc((size_t)n * sizeof *f->versions);
                f->offsets = rn_malloc((size_t)n * sizeof *f->offsets);
            }
            if (lb == b)
                f->parts[f->n++] = cp;
        }
        if (f == NULL)
            return;
        send_fetch(c, b, f);
    }
}

/* A partition the metadata says does not exist (unknown topic, index past the
 * count, a final topic error) is reported once instead of being waited for. */
static int part_missing(rn_consumer_t *c, cpart_t *cp) {
    const rn__mtopic_t *mt = cp->mt;
    char what[160];
    if (cp->state == CP_STOPPED || !mt->known)
        return 0;
    if (mt->err == RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION ||
        (mt->err != 0 && !rn_err_retriable(mt->err))) {
        snprintf(what, sizeof what, "topic %s: %s", cp->pos->topic, rn_err_str(mt->err));
        part_fail(c, cp, mt->err, what);
        return 1;
    }
    if (mt->err == 0 && cp->pos->partition >= mt->npart) {
        snprintf(what, sizeof what, "no such partition (topic %s has %d)", cp->pos->topic,
                 mt->npart);
        part_fail(c, cp, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, what);
        return 1;
    }
    return 0;
}

int64_t rn__consumer_fetch_serve(rn_consumer_t *c, int64_t now) {
    int64_t next = INT64_MAX;
    for (cpart_t *cp = c->parts; cp != NULL; cp = cp->next) {
        if (part_missing(c, cp))
            continue;
        if (cp->backoff_until > now) {
            if (cp->backoff_until < next)
                next = cp->backoff_until;
            continue;
        }
        if (cp->state != CP_NEED_OFFSET)
            continue;
        rn__broker_t *b = leader_of(c, cp);
        if (b != NULL)
            send_list_offsets(c, cp, b);
        else
            rn__metadata_refresh(&c->cl);
    }
    uv_mutex_lock(&c->lock);
    int paused = c->paused;
    uv_mutex_unlock(&c->lock);
    if (!paused)
        fetch_all(c, now);
    return next;
}
