/*
 * broker.c — the client's connections to brokers, and its requests on them.
 *
 *   rn__client_send ──▶ wait queue ──(connected, send queue has room)──▶ pending ──▶ cb
 *                          │ connect failed: "any" requests move to another     │
 *                          │ broker, targeted ones fail                         │
 *                          ▼                                          response frame
 *                     cb(error)                               matched by correlation id
 *
 * One connection per broker (bootstrap entries have ids below 0 until metadata names
 * them). Brokers live until the client stops; connections come and go. A request
 * whose deadline passes completes with -ETIMEDOUT; if it was already sent, the
 * connection is closed too (responses come in order, so a stuck request would hold
 * the rest back) and the others on it fail with a retriable error.
 *
 * Loop thread only.
 */
#include "client/client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

typedef enum { B_DOWN, B_CONNECTING, B_UP } bstate_t;

struct rn__req_s {
    rn__req_t *next;
    int32_t corr_id;
    uint8_t *frame; /* owned until handed to the connection */
    size_t len;
    int expect_response;
    int any; /* may move to another broker when this one cannot be reached */
    int64_t deadline;
    rn__resp_fn cb;
    void *arg;
};

typedef struct reqq_s {
    rn__req_t *head, *tail;
    int n;
} reqq_t;

struct rn__broker_s {
    rn__broker_t *next;
    rn__client_t *cl;
    int32_t id;
    char host[256];
    int port;
    char name[280]; /* "host:port" */
    rn_conn_t *conn;
    bstate_t state;
    reqq_t wait;    /* not sent yet */
    reqq_t pending; /* sent, awaiting a response */
    int close_err;  /* why we closed it ourselves */
    int64_t backoff_until;
    int backoff_ms;
};

static void q_push(reqq_t *q, rn__req_t *req) {
    req->next = NULL;
    if (q->tail != NULL)
        q->tail->next = req;
    else
        q->head = req;
    q->tail = req;
    q->n++;
}

static rn__req_t *q_pop(reqq_t *q) {
    rn__req_t *req = q->head;
    if (req != NULL) {
        q->head = req->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->n--;
    }
    return req;
}

/* Unlink req (prev is its predecessor or NULL). */
static void q_unlink(reqq_t *q, rn__req_t *prev, rn__req_t *req) {
    if (prev != NULL)
        prev->next = req->next;
    else
        q->head = req->next;
    if (q->tail == req)
        q->tail = prev;
    q->n--;
}

static void complete(rn__client_t *cl, rn__broker_t *b, rn__req_t *req, int err,
                     const uint8_t *body, size_t len) {
    rn_free(req->frame);
    req->cb(cl, b, err, body, len, req->arg);
    rn_free(req);
}

static rn__broker_t *broker_new(rn__client_t *cl, int32_t id, const char *host, int port) {
    rn__broker_t *b = rn_calloc(1, sizeof *b);
    b->cl = cl;
    b->id = id;
    snprintf(b->host, sizeof b->host, "%s", host);
    b->port = port;
    if (strchr(host, ':') != NULL)
        snprintf(b->name, sizeof b->name, "[%s]:%d", host, port);
    else
        snprintf(b->name, sizeof b->name, "%s:%d", host, port);
    rn__broker_t **pp = &cl->brokers;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = b;
    return b;
}

void rn__brokers_init(rn__client_t *cl) {
    for (int i = 0; i < cl->nbootstrap; i++)
        broker_new(cl, -1 - i, cl->bootstrap[i].host, cl->bootstrap[i].port);
}

const char *rn__broker_name(const rn__broker_t *b) {
    return b->name;
}

int32_t rn__broker_id(const rn__broker_t *b) {
    return b->id;
}

int rn__broker_outstanding(const rn__broker_t *b) {
    return b->wait.n + b->pending.n;
}

int rn__broker_is_up(const rn__broker_t *b) {
    return b->state == B_UP;
}

rn__broker_t *rn__client_broker(rn__client_t *cl, int32_t id) {
    for (rn__broker_t *b = cl->brokers; b != NULL; b = b->next)
        if (b->id == id)
            return b;
    return NULL;
}

/* ---- connections ---------------------------------------------------------------- */

static void broker_pump(rn__broker_t *b);
static void broker_connect(rn__broker_t *b);

static void on_connect(rn_conn_t *conn, int status, void *arg) {
    (void)conn;
    rn__broker_t *b = arg;
    if (status < 0 || b->state != B_CONNECTING)
        return; /* on_close follows and handles it */
    b->state = B_UP;
    b->backoff_ms = 0;
    b->cl->ever_connected = 1;
    broker_pump(b);
    rn__client_kick(b->cl);
}

static void on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    (void)conn;
    rn__broker_t *b = arg;
    rn_reader_t rd;
    int32_t corr;
    rn_reader_init(&rd, frame, len);
    if (rn_response_header_decode(&rd, &corr) < 0) {
        rn_free(frame);
        b->close_err = RN_EMALFORMED;
        rn_conn_close(b->conn);
        return;
    }
    rn__req_t *prev = NULL, *req = b->pending.head;
    while (req != NULL && req->corr_id != corr) {
        prev = req;
        req = req->next;
    }
    if (req != NULL) { /* else: a late answer to a request that timed out */
        q_unlink(&b->pending, prev, req);
        complete(b->cl, b, req, 0, frame + rd.pos, len - rd.pos);
        rn__client_kick(b->cl);
    }
    rn_free(frame);
}

static void on_writable(rn_conn_t *conn, void *arg) {
    (void)conn;
    broker_pump(arg);
}

/* Pick a broker for a request that may go anywhere: a connected one first, then one connecting,
 * then one not recently failed; exclude is skipped. When nothing else is left and exclude is NULL,
 * the one whose back-off ends first. */
static rn__broker_t *pick_any(rn__client_t *cl, const rn__broker_t *exclude, int64_t now) {
    rn__broker_t *up = NULL, *connecting = NULL, *fresh = NULL, *soonest = NULL;
    for (rn__broker_t *b = cl->brokers; b != NULL; b = b->next) {
        if (b == exclude)
            continue;
        if (b->state == B_UP && up == NULL)
            up = b;
        else if (b->state == B_CONNECTING && connecting == NULL)
            connecting = b;
        else if (b->state == B_DOWN && b->backoff_until <= now && fresh == NULL)
            fresh = b;
        if (b->state == B_DOWN && (soonest == NULL || b->backoff_until < soonest->backoff_until))
            soonest = b;
    }
    if (up != NULL)
        return up;
    if (connecting != NULL)
        return connecting;
    if (fresh != NULL)
        return fresh;
    return exclude == NULL ? soonest : NULL;
}

rn__broker_t *rn__client_any_broker(rn__client_t *cl) {
    return pick_any(cl, NULL, (int64_t)uv_now(&cl->loop));
}

/* The connection is gone: fail what was sent; move or fail what was waiting. */
static void on_close(rn_conn_t *conn, int status, void *arg) {
    (void)conn;
    rn__broker_t *b = arg;
    rn__client_t *cl = b->cl;
    int was_up = b->state == B_UP;
    int err = b->close_err != 0 ? b->close_err : status != 0 ? status : -ECONNRESET;
    b->conn = NULL;
    b->state = B_DOWN;
    b->close_err = 0;
    if (!was_up) {
        b->backoff_ms = b->backoff_ms == 0 ? 50 : b->backoff_ms * 2;
        if (b->backoff_ms > 1000)
            b->backoff_ms = 1000;
        b->backoff_until = (int64_t)uv_now(&cl->loop) + b->backoff_ms;
    }
    if (!cl->stopping)
        cl->last_conn_err = err;
    rn__req_t *req;
    while ((req = q_pop(&b->pending)) != NULL)
        complete(cl, b, req, err, NULL, 0);
    reqq_t waiting = b->wait;
    memset(&b->wait, 0, sizeof b->wait);
    while ((req = q_pop(&waiting)) != NULL) {
        rn__broker_t *other =
            req->any && !cl->stopping ? pick_any(cl, b, (int64_t)uv_now(&cl->loop)) : NULL;
        if (other != NULL) {
            q_push(&other->wait, req);
            broker_pump(other);
        } else {
            complete(cl, b, req, err, NULL, 0);
        }
    }
    rn__client_kick(cl);
}

static void broker_connect(rn__broker_t *b) {
    rn__client_t *cl = b->cl;
    rn_conn_cbs_t cbs = {
        .on_connect = on_connect,
        .on_frame = on_frame,
        .on_writable = on_writable,
        .on_close = on_close,
    };
    int64_t frame = (int64_t)cl->conf->fetch_max_bytes + cl->conf->max_partition_fetch_bytes +
                    cl->conf->message_max_bytes + 65536;
    rn_net_opts_t opts = {
        .max_frame_bytes = (size_t)(frame > INT32_MAX ? INT32_MAX : frame),
        .connect_timeout_ms = (unsigned)cl->conf->connect_timeout_ms,
    };
    b->state = B_CONNECTING;
    int rc = rn_conn_connect(&cl->loop, b->host, b->port, &opts, &cbs, b, &b->conn);
    if (rc < 0) {
        /* Nothing was started: fail as if the connect had failed. */
        b->state = B_CONNECTING;
        b->conn = NULL;
        on_close(NULL, rc, b);
    }
}

/* Hand waiting requests to the connection while it takes them. */
static void broker_pump(rn__broker_t *b) {
    if (b->state == B_DOWN) {
        if (b->wait.n > 0)
            broker_connect(b);
        return;
    }
    if (b->state != B_UP)
        return;
    rn__req_t *req;
    while (b->wait.head != NULL && rn_conn_send_ready(b->conn)) {
        req = q_pop(&b->wait);
        uint8_t *frame = req->frame;
        req->frame = NULL;
        int rc = rn_conn_send(b->conn, frame, req->len);
        if (rc < 0) {
            complete(b->cl, b, req, rc, NULL, 0);
        } else if (req->expect_response) {
            q_push(&b->pending, req);
        } else {
            complete(b->cl, b, req, 0, NULL, 0);
        }
    }
}

void rn__client_send(rn__client_t *cl, rn__broker_t *b, uint8_t *frame, size_t len, int32_t corr_id,
                     int expect_response, int timeout_ms, rn__resp_fn cb, void *arg) {
    rn__req_t *req = rn_calloc(1, sizeof *req);
    req->corr_id = corr_id;
    req->frame = frame;
    req->len = len;
    req->expect_response = expect_response;
    req->any = b == NULL;
    req->deadline = (int64_t)uv_now(&cl->loop) + timeout_ms;
    req->cb = cb;
    req->arg = arg;
    if (cl->stopping) {
        complete(cl, b, req, RN_ECLOSED, NULL, 0);
        return;
    }
    if (b == NULL)
        b = pick_any(cl, NULL, (int64_t)uv_now(&cl->loop));
    q_push(&b->wait, req);
    broker_pump(b);
}

rn__broker_t *rn__client_broker_update(rn__client_t *cl, int32_t id, rn_str_t host, int32_t port) {
    char h[256];
    snprintf(h, sizeof h, "%.*s", host.len > 0 ? (int)host.len : 0, host.ptr ? host.ptr : "");
    rn__broker_t *b = rn__client_broker(cl, id);
    if (b != NULL) {
        if (strcmp(b->host, h) == 0 && b->port == port)
            return b;
        /* Moved: take the new address; the old connection goes. */
        snprintf(b->host, sizeof b->host, "%s", h);
        b->port = port;
        snprintf(b->name, sizeof b->name, "%s:%d", h, port);
        if (b->conn != NULL)
            rn_conn_close(b->conn);
        return b;
    }
    /* A bootstrap entry at the same address becomes this broker (one connection). */
    for (b = cl->brokers; b != NULL; b = b->next) {
        if (b->id < 0 && b->port == port && strcmp(b->host, h) == 0) {
            b->id = id;
            return b;
        }
    }
    return broker_new(cl, id, h, port);
}

/* ---- timeouts and shutdown ------------------------------------------------------ */

static void fail_expired_waiting(rn__client_t *cl, rn__broker_t *b, int64_t now) {
    rn__req_t *prev = NULL, *req = b->wait.head;
    while (req != NULL) {
        rn__req_t *next = req->next;
        if (req->deadline <= now) {
            q_unlink(&b->wait, prev, req);
            complete(cl, b, req, -ETIMEDOUT, NULL, 0);
        } else {
            prev = req;
        }
        req = next;
    }
}

void rn__brokers_check_timeouts(rn__client_t *cl, int64_t now) {
    for (rn__broker_t *b = cl->brokers; b != NULL; b = b->next) {
        fail_expired_waiting(cl, b, now);
        int expired = 0;
        rn__req_t *prev = NULL, *req = b->pending.head;
        while (req != NULL) {
            rn__req_t *next = req->next;
            if (req->deadline <= now) {
                q_unlink(&b->pending, prev, req);
                complete(cl, b, req, -ETIMEDOUT, NULL, 0);
                expired = 1;
            } else {
                prev = req;
            }
            req = next;
        }
        if (expired && b->conn != NULL) {
            b->close_err = -ETIMEDOUT;
            rn_conn_close(b->conn);
        }
    }
}

void rn__brokers_close_all(rn__client_t *cl, int err) {
    for (rn__broker_t *b = cl->brokers; b != NULL; b = b->next) {
        rn__req_t *req;
        while ((req = q_pop(&b->wait)) != NULL)
            complete(cl, b, req, err, NULL, 0);
        if (b->conn != NULL) {
            b->close_err = err;
            rn_conn_close(b->conn); /* on_close fails the pending ones */
        }
    }
}

void rn__brokers_free(rn__client_t *cl) {
    rn__broker_t *b = cl->brokers;
    while (b != NULL) {
        rn__broker_t *next = b->next;
        rn_free(b);
        b = next;
    }
    cl->brokers = NULL;
}
