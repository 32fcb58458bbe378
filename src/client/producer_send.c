/*
 * producer_send.c — Produce requests from ready batches, and what their responses
 * (or failures) mean for each batch.
 *
 * A request goes to one broker and carries at most one batch per partition (the
 * head of each partition queue led by that broker), up to message.max.bytes in all.
 * A broker takes a new request only while it has fewer than
 * max.in.flight.requests.per.connection outstanding. The response lists topics and
 * partitions in request order; entries are matched by position (a partition -1
 * entry's response names the partition the broker chose).
 *
 * Outcomes per batch: success → delivery reports with base_offset + index; a
 * retriable error with time left before the delivery deadline → back into its queue
 * after retry.backoff.ms (and a metadata refresh when the leader may have moved);
 * anything else → delivery reports with the error.
 */
#include "client/producer_int.h"

#include <errno.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_produce.h"

typedef struct preq_s {
    rn_producer_t *p;
    int32_t n;
    rn__batch_t **batches; /* request order, grouped by topic */
    ptopic_t **topics;     /* the topic of each batch */
} preq_t;

rn__broker_t *rn__producer_pq_broker(rn_producer_t *p, ptopic_t *t, rn__pq_t *pq) {
    if (pq->partition == RN_PARTITION_ANY)
        return rn__client_any_broker(&p->cl);
    if (!t->mt->known || pq->partition >= t->mt->npart)
        return NULL;
    int32_t leader = t->mt->parts[pq->partition].leader;
    if (leader < 0)
        return NULL;
    return rn__client_broker(&p->cl, leader);
}

static void batch_outcome(rn_producer_t *p, rn__batch_t *batch, int err, int32_t partition,
                          int64_t base_offset, int64_t now) {
    rn__pq_t *pq = batch->pq;
    pq->inflight--;
    if (err != 0 && !p->stopping && rn_err_retriable(err) &&
        now + p->cl.conf->retry_backoff_ms < batch->deadline_ms) {
        if (rn__metadata_stale_err(err))
            rn__metadata_refresh(&p->cl);
        rn__pq_requeue(pq, batch, now + p->cl.conf->retry_backoff_ms);
        return;
    }
    rn__producer_batch_done(p, batch, err, partition, base_offset);
}

/* Match the response's entries to the request's batches, in order. */
static void apply_response(rn_producer_t *p, preq_t *r, const rn_produce_response_t *resp,
                           int64_t now) {
    int32_t i = 0;
    for (int32_t ti = 0; ti < resp->n_responses; ti++) {
        const rn_produce_topic_response_t *tr = &resp->responses[ti];
        for (int32_t pi = 0; pi < tr->n_partition_responses && i < r->n; pi++, i++) {
            const rn_produce_partition_response_t *pr = &tr->partition_responses[pi];
            rn__batch_t *batch = r->batches[i];
            int32_t part = batch->pq->partition;
            if (part == RN_PARTITION_ANY)
                part = pr->index;
            else if (pr->index != part || !rn_str_eq_c(tr->name, batch->pq->topic)) {
                batch_outcome(p, batch, RN_EMALFORMED, part, -1, now);
                continue;
            }
            batch_outcome(p, batch, pr->error_code, part, pr->base_offset, now);
        }
    }
    /* Entries the broker left out: a broken response. */
    for (; i < r->n; i++)
        batch_outcome(p, r->batches[i], RN_EMALFORMED, r->batches[i]->pq->partition, -1, now);
}

static void on_produce(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                       void *arg) {
    (void)b;
    preq_t *r = arg;
    rn_producer_t *p = r->p;
    int64_t now = (int64_t)uv_now(&cl->loop);
    if (err == 0 && body == NULL) { /* acks=0: no response, no offsets */
        for (int32_t i = 0; i < r->n; i++)
            batch_outcome(p, r->batches[i], 0, r->batches[i]->pq->partition, -1, now);
    } else {
        rn_produce_response_t resp;
        if (err == 0 && rn_produce_response_decode(body, len, 0, &resp) < 0)
            err = rn__resp_error_code(body, len);
        else if (err == 0 && resp.error_code != RN_WIRE_NONE) {
            err = resp.error_code;
            rn_produce_response_deinit(&resp);
        }
        if (err == 0) {
            apply_response(p, r, &resp, now);
            rn_produce_response_deinit(&resp);
        } else {
            for (int32_t i = 0; i < r->n; i++)
                batch_outcome(p, r->batches[i], err, r->batches[i]->pq->partition, -1, now);
        }
    }
    rn_free(r->batches);
    rn_free(r->topics);
    rn_free(r);
    rn__client_kick(cl);
}

/* Encode and send the request for r's batches to b. */
static void send_request(rn_producer_t *p, rn__broker_t *b, preq_t *r) {
    rn_produce_topic_data_t *td = rn_calloc((size_t)r->n, sizeof *td);
    rn_produce_partition_data_t *pd = rn_calloc((size_t)r->n, sizeof *pd);
    int32_t nt = 0;
    for (int32_t i = 0; i < r->n; i++) {
        if (nt == 0 || r->topics[i] != r->topics[i - 1]) {
            td[nt].name = rn_str(r->topics[i]->name);
            td[nt].partition_data = &pd[i];
            nt++;
        }
        td[nt - 1].n_partition_data++;
        pd[i].index = r->batches[i]->pq->partition;
        pd[i].records = rn_bytes(r->batches[i]->bytes, r->batches[i]->len);
        r->batches[i]->pq->inflight++;
    }
    const rn_conf_t *conf = p->cl.conf;
    rn_produce_request_t req = {
        .transactional_id = RN_STR_NULL,
        .acks = (int16_t)conf->acks,
        .timeout_ms = conf->request_timeout_ms,
        .n_topic_data = nt,
        .topic_data = td,
    };
    rn_writer_t wr;
    size_t total = 0;
    for (int32_t i = 0; i < r->n; i++)
        total += r->batches[i]->len;
    rn_writer_init(&wr, total + 256 + (size_t)r->n * 64);
    int32_t corr = rn__client_frame_begin(&p->cl, &wr, RN_API_PRODUCE);
    int rc = rn_produce_request_encode(&wr, 0, &req);
    rn_free(td);
    rn_free(pd);
    if (rc < 0) {
        rn_writer_deinit(&wr);
        for (int32_t i = 0; i < r->n; i++) {
            r->batches[i]->pq->inflight--;
            rn__producer_batch_done(p, r->batches[i], rc, r->batches[i]->pq->partition, -1);
        }
        rn_free(r->batches);
        rn_free(r->topics);
        rn_free(r);
        return;
    }
    size_t len;
    uint8_t *frame = rn_writer_take(&wr, &len);
    rn__client_send(&p->cl, b, frame, len, corr, conf->acks != 0, conf->request_timeout_ms,
                    on_produce, r);
}

/* Take the head batch of pq into r when it fits; 1 if taken. */
static int take_into(rn_producer_t *p, preq_t *r, int32_t cap, size_t *bytes, ptopic_t *t,
                     rn__pq_t *pq, int64_t now) {
    rn__batch_t *head = pq->ready_head;
    if (head == NULL || head->retry_at > now || r->n == cap)
        return 0;
    if (r->n > 0 && *bytes + head->len > (size_t)p->cl.conf->message_max_bytes)
        return 0;
    rn__batch_t *batch = rn__pq_take(pq, now);
    if (batch->err != 0) { /* could not be built: fail it here */
        rn__producer_batch_done(p, batch, batch->err, pq->partition, -1);
        return 0;
    }
    r->batches[r->n] = batch;
    r->topics[r->n] = t;
    r->n++;
    *bytes += batch->len;
    return 1;
}

/* Build one request for b from every partition it leads; NULL when nothing is
 * ready for it. */
static preq_t *collect(rn_producer_t *p, rn__broker_t *b, int64_t now) {
    int32_t cap = 0;
    for (ptopic_t *t = p->topics; t != NULL; t = t->next)
        cap += t->npq + 1;
    preq_t *r = rn_calloc(1, sizeof *r);
    r->p = p;
    r->batches = rn_malloc((size_t)cap * sizeof *r->batches);
    r->topics = rn_malloc((size_t)cap * sizeof *r->topics);
    size_t bytes = 0;
    for (ptopic_t *t = p->topics; t != NULL; t = t->next) {
        for (int32_t i = 0; i < t->npq; i++) {
            rn__pq_t *pq = &t->pqs[i];
            if (pq->ready_head != NULL && rn__producer_pq_broker(p, t, pq) == b)
                take_into(p, r, cap, &bytes, t, pq, now);
        }
        if (t->any_pq.ready_head != NULL && rn__producer_pq_broker(p, t, &t->any_pq) == b)
            take_into(p, r, cap, &bytes, t, &t->any_pq, now);
    }
    if (r->n > 0)
        return r;
    rn_free(r->batches);
    rn_free(r->topics);
    rn_free(r);
    return NULL;
}

/* The broker of the first partition with a batch to send whose broker has room. */
static rn__broker_t *next_target(rn_producer_t *p, int64_t now, int *waiting_leader) {
    int max = p->cl.conf->max_inflight;
    for (ptopic_t *t = p->topics; t != NULL; t = t->next) {
        for (int32_t i = -1; i < t->npq; i++) {
            rn__pq_t *pq = i < 0 ? &t->any_pq : &t->pqs[i];
            if (pq->ready_head == NULL || pq->ready_head->retry_at > now)
                continue;
            rn__broker_t *b = rn__producer_pq_broker(p, t, pq);
            if (b == NULL)
                *waiting_leader = 1;
            else if (rn__broker_outstanding(b) < max)
                return b;
        }
    }
    return NULL;
}

void rn__producer_send_ready(rn_producer_t *p, int64_t now) {
    int waiting_leader = 0;
    rn__broker_t *b;
    while ((b = next_target(p, now, &waiting_leader)) != NULL) {
        preq_t *r = collect(p, b, now);
        if (r == NULL)
            break; /* only failed batches were there; serve runs again */
        send_request(p, b, r);
    }
    if (waiting_leader)
        rn__metadata_refresh(&p->cl);
}
