/*
 * forward.c — forwarding Produce entries to their partition's leader (forward.h).
 *
 *   rn_fwd_t ── targets ──▶ target{id 2} ──▶ target{id 3} ──▶ NULL
 *                             │ conn (lazily opened; NULL when none)
 *                             ▼
 *                             ops: head ⇄ [corr 7, sent] ⇄ [corr 8, unsent bytes] ⇄ tail
 *
 * Invariants:
 *  - ops are in submission order; an unsent op (bytes != NULL) only exists while the
 *    connection is connecting, and on_connect(0) sends them all in that order;
 *  - a target has ops only while it has a connection: whoever clears t->conn fails
 *    every op first (NOT_LEADER_OR_FOLLOWER), so nothing waits on a dead connection;
 *  - every connection a target opened ends with exactly one on_close (whose arg is the
 *    target), counted in nconns: a target is freed only at nconns == 0 — by the tick
 *    when idle, or by the last on_close once the forwarder is gone (fw NULL);
 *  - after a failed connect no new one is tried for backoff_ms (100 ms doubling to 1 s):
 *    forwards to that broker fail at once meanwhile. The tick keeps such a target (and
 *    its backoff) until a connect succeeds or the broker is fenced or gone.
 *
 * Loop thread only.
 */
#include "broker/forward.h"

#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "net/client_conn.h"
#include "proto/api.h"
#include "proto/reader.h"
#include "proto/writer.h"

#define MOD                "forward"
#define CONNECT_TIMEOUT_MS 2000
#define BACKOFF_MIN_MS     100 /* after a failed connect, doubling up to BACKOFF_MAX_MS */
#define BACKOFF_MAX_MS     1000

typedef struct rn_fwd_target_s {
    struct rn_fwd_target_s *next; /* fw->targets; unlinked once orphaned */
    rn_fwd_t *fw;                 /* NULL once the forwarder was freed */
    int32_t id;                   /* the broker it goes to */
    rn_conn_t *conn;              /* NULL when none */
    bool connected;               /* on_connect(0) came for conn */
    int nconns;                   /* connections opened whose on_close has not run */
    int32_t corr;                 /* last correlation id used */
    int64_t retry_ms;             /* loop ms before which no new connect is tried */
    int64_t backoff_ms;           /* 0 while connects succeed */
    int connect_err;              /* the last connect error, answered during backoff */
    rn_fwd_op_t *ops, **tail;     /* submission order */
} rn_fwd_target_t;

struct rn_fwd_s {
    rn_broker_t *b;
    rn_fwd_target_t *targets;
    bool stopped;
};

/* ---- op lists ------------------------------------------------------------------------ */

static void op_append(rn_fwd_target_t *t, rn_fwd_op_t *op) {
    op->target = t;
    op->next = NULL;
    op->pprev = t->tail;
    *t->tail = op;
    t->tail = &op->next;
}

static void op_unlist(rn_fwd_op_t *op) {
    if (op->pprev == NULL)
        return;
    rn_fwd_target_t *t = op->target;
    *op->pprev = op->next;
    if (op->next != NULL)
        op->next->pprev = op->pprev;
    else
        t->tail = op->pprev;
    op->next = NULL;
    op->pprev = NULL;
    op->target = NULL;
}

/* Unlist op and release what the forwarder holds for it; an owned op is freed. */
static void op_release(rn_fwd_op_t *op) {
    op_unlist(op);
    rn_free(op->bytes);
    op->bytes = NULL;
    if (op->owned)
        rn_free(op);
}

void rn_fwd_cancel(rn_fwd_op_t *op) {
    if (op != NULL && op->pprev != NULL)
        op_release(op);
}

/* Take op off and tell its owner (owned acks=0 ops just go). */
static void op_finish(rn_fwd_op_t *op, rn_wire_err_t err,
                      const rn_produce_partition_response_t *pr) {
    bool owned = op->owned;
    op_release(op);
    if (!owned && op->done != NULL)
        op->done(op, err, pr);
}

/* Fail every op of t. done may cancel others: restart from the head each time. */
static void fail_all(rn_fwd_target_t *t) {
    while (t->ops != NULL)
        op_finish(t->ops, RN_WIRE_NOT_LEADER_OR_FOLLOWER, NULL);
}

/* Close t's connection (its on_close will find it no longer current) and fail its ops. */
static void drop_conn(rn_fwd_target_t *t, const char *why) {
    if (t->conn == NULL)
        return;
    rn_log(RN_LOG_INFO, MOD, "closing the connection to broker %d: %s", (int)t->id, why);
    rn_conn_close(t->conn);
    t->conn = NULL;
    t->connected = false;
    fail_all(t);
}

/* ---- sending ------------------------------------------------------------------------- */

/* Send op's bytes on t's open connection. Returns 0, or the send error (op's bytes are
 * gone either way; the op stays listed). An owned op is freed once sent. */
static int send_op(rn_fwd_target_t *t, rn_fwd_op_t *op) {
    uint8_t *bytes = op->bytes;
    op->bytes = NULL;
    int rc = rn_conn_send(t->conn, bytes, op->len); /* takes bytes */
    if (rc == 0 && op->owned)
        op_release(op); /* acks=0: no answer will come */
    return rc;
}

static int encode_request(rn_writer_t *wr, int32_t corr, int16_t acks, int32_t timeout_ms,
                          int16_t version, rn_str_t topic, int32_t index, rn_bytes_t records) {
    rn_produce_partition_data_t pd = {index, records};
    rn_produce_topic_data_t td = {topic, 1, &pd};
    rn_produce_request_t req = {RN_STR_NULL, acks, timeout_ms, 1, &td, {0}};
    rn_request_header_t h = {RN_API_PRODUCE, version, corr, rn_str("runneld-forward")};
    int rc = rn_request_header_encode(wr, &h);
    if (rc == 0)
        rc = rn_produce_request_encode(wr, version, &req);
    return rc;
}

/* ---- the answer ---------------------------------------------------------------------- */

static rn_fwd_op_t *find_sent(rn_fwd_target_t *t, int32_t corr) {
    for (rn_fwd_op_t *op = t->ops; op != NULL; op = op->next)
        if (op->bytes == NULL && op->corr == corr)
            return op;
    return NULL;
}

static void on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    rn_fwd_target_t *t = arg;
    if (conn != t->conn) {
        rn_free(frame);
        return;
    }
    rn_reader_t rd;
    int32_t corr = 0;
    rn_reader_init(&rd, frame, len);
    int rc = rn_response_header_decode(&rd, &corr);
    rn_fwd_op_t *op = rc == 0 ? find_sent(t, corr) : NULL;
    if (rc == 0 && op == NULL) {
        rn_free(frame); /* the answer to a cancelled op (timed out, client gone) */
        return;
    }
    rn_produce_response_t resp;
    if (rc == 0)
        rc = rn_produce_response_decode(frame + rd.pos, len - rd.pos, op->version, &resp);
    if (rc != 0) {
        rn_free(frame);
        drop_conn(t, "undecodable Produce answer"); /* fails op too */
        return;
    }
    const rn_produce_partition_response_t *pr = NULL;
    if (resp.n_responses >= 1 && resp.responses[0].n_partition_responses >= 1)
        pr = &resp.responses[0].partition_responses[0];
    if (resp.error_code != RN_WIRE_NONE)
        op_finish(op, resp.error_code, NULL);
    else if (pr == NULL)
        op_finish(op, RN_WIRE_UNKNOWN_SERVER_ERROR, NULL);
    else
        op_finish(op, RN_WIRE_NONE, pr);
    rn_produce_response_deinit(&resp);
    rn_free(frame); /* after: pr's message pointed into it */
}

/* ---- connection ---------------------------------------------------------------------- */

static void free_target(rn_fwd_target_t *t) {
    rn_free(t);
}

static int64_t loop_ms(const rn_fwd_target_t *t) {
    return (int64_t)uv_now(t->fw->b->loop);
}

static void on_connect(rn_conn_t *conn, int status, void *arg) {
    rn_fwd_target_t *t = arg;
    if (conn != t->conn)
        return;
    if (status != 0) {
        /* One line per outage, not per attempt: the clients retry at their own pace. */
        rn_log(t->backoff_ms == 0 ? RN_LOG_INFO : RN_LOG_DEBUG, MOD,
               "cannot connect to broker %d: %s (its partitions answer NOT_LEADER_OR_FOLLOWER)",
               (int)t->id, rn_strerror(status));
        t->backoff_ms = t->backoff_ms == 0 ? BACKOFF_MIN_MS : t->backoff_ms * 2;
        if (t->backoff_ms > BACKOFF_MAX_MS)
            t->backoff_ms = BACKOFF_MAX_MS;
        t->retry_ms = loop_ms(t) + t->backoff_ms;
        t->connect_err = status;
        return; /* on_close follows and fails the ops */
    }
    if (t->backoff_ms != 0)
        rn_log(RN_LOG_INFO, MOD, "connected to broker %d again", (int)t->id);
    t->backoff_ms = 0;
    t->connected = true;
    /* Send what waited, in order. A send failure drops the connection and every op. */
    rn_fwd_op_t *op = t->ops;
    while (op != NULL) {
        rn_fwd_op_t *next = op->next;
        if (op->bytes != NULL && send_op(t, op) != 0) {
            drop_conn(t, "cannot send");
            return;
        }
        op = next;
    }
}

static void on_close(rn_conn_t *conn, int status, void *arg) {
    rn_fwd_target_t *t = arg;
    t->nconns--;
    if (conn == t->conn) {
        if (t->connected)
            rn_log(RN_LOG_INFO, MOD, "connection to broker %d closed: %s", (int)t->id,
                   status != 0 ? rn_strerror(status) : "closed");
        t->conn = NULL;
        t->connected = false;
        fail_all(t);
    }
    if (t->fw == NULL && t->nconns == 0)
        free_target(t); /* the forwarder has gone: nobody else frees it */
}

static int open_conn(rn_fwd_t *fw, rn_fwd_target_t *t, const rn_meta_broker_t *mb) {
    if (t->backoff_ms != 0 && loop_ms(t) < t->retry_ms)
        return t->connect_err; /* it just failed: do not hammer a dead broker */
    rn_conn_cbs_t cbs = {.on_connect = on_connect, .on_frame = on_frame, .on_close = on_close};
    rn_net_opts_t opts = {0};
    opts.connect_timeout_ms = CONNECT_TIMEOUT_MS;
    int rc = rn_conn_connect(fw->b->loop, mb->host, mb->port, &opts, &cbs, t, &t->conn);
    if (rc != 0) {
        t->conn = NULL;
        return rc;
    }
    t->nconns++;
    t->connected = false;
    rn_log(RN_LOG_DEBUG, MOD, "connecting to broker %d at %s:%u", (int)t->id, mb->host,
           (unsigned)mb->port);
    return 0;
}

static rn_fwd_target_t *get_target(rn_fwd_t *fw, int32_t id) {
    for (rn_fwd_target_t *t = fw->targets; t != NULL; t = t->next)
        if (t->id == id)
            return t;
    rn_fwd_target_t *t = rn_calloc(1, sizeof *t);
    t->fw = fw;
    t->id = id;
    t->tail = &t->ops;
    t->next = fw->targets;
    fw->targets = t;
    return t;
}

/* ---- API ------------------------------------------------------------------------------ */

rn_fwd_t *rn_fwd_new(rn_broker_t *b) {
    rn_fwd_t *fw = rn_calloc(1, sizeof *fw);
    fw->b = b;
    return fw;
}

int rn_fwd_produce(rn_fwd_t *fw, int32_t leader, int16_t acks, int32_t timeout_ms, int16_t version,
                   rn_str_t topic, int32_t index, rn_bytes_t records, rn_fwd_op_t *op) {
    if (fw->stopped)
        return RN_ECLOSED;
    const rn_meta_broker_t *mb =
        leader < 0 ? NULL : rn_meta_image_broker(rn_broker_image(fw->b), leader);
    if (mb == NULL || mb->fenced || leader == fw->b->cfg.broker_id)
        return RN_EUNKNOWNBROKER;
    rn_fwd_target_t *t = get_target(fw, leader);
    if (t->conn != NULL && t->connected && !rn_conn_send_ready(t->conn))
        return UV_ENOBUFS;
    rn_writer_t wr;
    rn_writer_init(&wr, (size_t)(records.len > 0 ? records.len : 0) + 128);
    int32_t corr = t->corr < INT32_MAX ? t->corr + 1 : 1; /* no signed overflow */
    int rc = encode_request(&wr, corr, acks, timeout_ms, version, topic, index, records);
    size_t len = 0;
    uint8_t *bytes = rn_writer_take(&wr, &len);
    if (rc == 0 && t->conn == NULL)
        rc = open_conn(fw, t, mb);
    if (rc != 0) {
        rn_free(bytes);
        return rc;
    }
    t->corr = corr;
    if (acks == 0) {
        op = rn_calloc(1, sizeof *op);
        op->owned = true;
    }
    op->bytes = bytes;
    op->len = len;
    op->corr = corr;
    op->version = version;
    op_append(t, op);
    if (!t->connected)
        return 0; /* on_connect sends it */
    rc = send_op(t, op);
    if (rc != 0)
        op_release(op); /* nothing went out: the caller answers */
    return rc;
}

void rn_fwd_tick(rn_fwd_t *fw) {
    if (fw == NULL || fw->stopped)
        return;
    const rn_meta_image_t *img = rn_broker_image(fw->b);
    rn_fwd_target_t **pt = &fw->targets;
    while (*pt != NULL) {
        rn_fwd_target_t *t = *pt;
        const rn_meta_broker_t *mb = rn_meta_image_broker(img, t->id);
        if (t->conn != NULL && (mb == NULL || mb->fenced))
            drop_conn(t, mb == NULL ? "no longer registered" : "fenced");
        bool gone = mb == NULL || mb->fenced;
        if (t->conn == NULL && t->nconns == 0 && (gone || t->backoff_ms == 0)) {
            *pt = t->next; /* idle (so no ops), and not keeping a backoff */
            free_target(t);
            continue;
        }
        pt = &t->next;
    }
}

void rn_fwd_stop(rn_fwd_t *fw) {
    if (fw == NULL || fw->stopped)
        return;
    fw->stopped = true;
    for (rn_fwd_target_t *t = fw->targets; t != NULL; t = t->next)
        drop_conn(t, "broker stopping");
}

void rn_fwd_free(rn_fwd_t *fw) {
    if (fw == NULL)
        return;
    rn_fwd_stop(fw);
    rn_fwd_target_t *t = fw->targets;
    while (t != NULL) {
        rn_fwd_target_t *next = t->next;
        t->next = NULL;
        t->fw = NULL;
        if (t->nconns == 0)
            free_target(t); /* else its last on_close frees it */
        t = next;
    }
    rn_free(fw);
}
