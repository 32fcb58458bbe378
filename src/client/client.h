/*
 * client.h — the machinery every client object shares: a libuv loop on a background
 * thread, a command queue from API threads, broker connections with correlated
 * requests, and the metadata cache. producer.c, consumer.c and admin.c are "owners"
 * of one rn__client_t each.
 *
 *   API threads                        background thread (loop)
 *   ───────────                        ────────────────────────
 *   rn__client_post(cmd) ──lock──▶ cmd queue ──uv_async──▶ drain: cmd->run(cl, cmd)
 *   rn__client_request_sync ─post─▶ (a cmd that sends a request; the response is copied
 *        waits on cond  ◀──signal── and the waiter woken)
 *                                      broker conns ◀──▶ frames, correlation ids
 *                                      prepare: owner->serve(now) once per iteration
 *                                               when something happened (dirty)
 *                                      timer:   request timeouts, metadata age, and
 *                                               the owner's next wake-up
 *
 * Threads and ownership. Everything in rn__client_t below "loop thread only" is read
 * and written by the loop thread alone: brokers, requests, metadata, the owner's own
 * loop state. The mutex `lock` guards only the command queue, `closing` and the sync
 * waiters' completion flags; the loop holds it just long enough to take the whole
 * queue. conf is immutable after start and readable from any thread.
 */
#ifndef RN_CLIENT_CLIENT_H
#define RN_CLIENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "client/conf.h"
#include "net/client_conn.h"
#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn__client_s rn__client_t;
typedef struct rn__broker_s rn__broker_t;
typedef struct rn__req_s rn__req_t;
typedef struct rn__cmd_s rn__cmd_t;

/* A command from an API thread. run executes on the loop thread and owns cmd from
 * then on (frees it or hands it back to a waiter). */
struct rn__cmd_s {
    rn__cmd_t *next;
    void (*run)(rn__client_t *cl, rn__cmd_t *cmd);
};

/* The owner's hooks, all called on the loop thread. */
typedef struct rn__client_ops_s {
    /* Do the owner's work (send batches, fetches...). now is uv_now. Returns the next
     * time (uv_now scale) serve wants to run even if nothing happens, or INT64_MAX. */
    int64_t (*serve)(void *owner, int64_t now);
    /* The client is stopping: fail whatever the owner still holds. Requests still
     * pending get their callbacks with RN_ECLOSED afterwards. */
    void (*on_stop)(void *owner);
} rn__client_ops_t;

/*
 * A request's completion: err 0 and the response body (after the correlation id,
 * valid during the call) — or err < 0 (connection failed or lost, -ETIMEDOUT after
 * the request's timeout, RN_ECLOSED when the client stops) with body NULL. A request
 * sent without a response (acks=0) completes with err 0 and body NULL once it is
 * handed to the connection. Called exactly once per request, on the loop thread.
 */
typedef void (*rn__resp_fn)(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body,
                            size_t len, void *arg);

#define RN__ANY_BROKER INT32_MIN /* rn__client_send target: any reachable broker */

struct rn__client_s {
    rn_conf_t *conf; /* owned; immutable */
    rn__hostport_t *bootstrap;
    int nbootstrap;
    const rn__client_ops_t *ops;
    void *owner;

    uv_thread_t thread;
    uv_mutex_t lock; /* cmd queue, closing, sync completion */
    uv_cond_t sync_cond;
    rn__cmd_t *cmd_head, *cmd_tail;
    int closing; /* set under lock: no more uv_async_send */

    /* ---- loop thread only ---- */
    uv_loop_t loop;
    uv_async_t async;
    uv_timer_t timer;
    uv_prepare_t prepare;
    int stopping;
    int dirty;
    int64_t owner_wake; /* serve's answer */
    int64_t next_housekeeping;
    rn__broker_t *brokers; /* bootstrap entries (id < 0) first, then by discovery */
    int32_t next_corr_id;
    int ever_connected;
    int last_conn_err;
    struct rn__metadata_s *md;
};

/* ---- lifecycle (API thread) ------------------------------------------------------ */

/* Initialise cl around conf (ownership moves to cl only on success) and start the
 * loop thread. 0, or RN_ECONFIG/-errno with err filled. */
int rn__client_start(rn__client_t *cl, rn_conf_t *conf, const rn__client_ops_t *ops, void *owner,
                     char *err, size_t errlen);

/* Stop the loop (owner's on_stop runs on it), join the thread, free everything but
 * the embedding owner. */
void rn__client_stop(rn__client_t *cl);

/* Queue cmd for the loop. 0, or RN_ECLOSED once stopping (cmd not taken). */
int rn__client_post(rn__client_t *cl, rn__cmd_t *cmd);

/*
 * Send one request from an API thread and wait for its response. target is a broker
 * id or RN__ANY_BROKER. body is the encoded request body (borrowed). On 0, *resp
 * (rn_malloc'd, free with rn_free) holds the response body. On error, err names the
 * broker or the bootstrap servers and what failed. timeout_ms covers the whole call.
 */
int rn__client_request_sync(rn__client_t *cl, int32_t target, int16_t api_key, const uint8_t *body,
                            size_t body_len, int timeout_ms, uint8_t **resp, size_t *resp_len,
                            char *err, size_t errlen);
/* The same at API version `version` (rn__client_request_sync speaks v0). */
int rn__client_request_sync_v(rn__client_t *cl, int32_t target, int16_t api_key, int16_t version,
                              const uint8_t *body, size_t body_len, int timeout_ms, uint8_t **resp,
                              size_t *resp_len, char *err, size_t errlen);

/* ---- loop thread ----------------------------------------------------------------- */

/* Ask for serve to run in this loop iteration. */
void rn__client_kick(rn__client_t *cl);

/*
 * Send a request (loop thread). target: a broker (NULL: any reachable broker, moving
 * to the next one if a connection fails). frame is header + body from
 * rn__client_frame (ownership taken). expect_response 0 for acks=0 produce.
 * timeout_ms from now. cb gets the result exactly once (possibly before this returns
 * only when the client is stopping).
 */
void rn__client_send(rn__client_t *cl, rn__broker_t *b, uint8_t *frame, size_t len, int32_t corr_id,
                     int expect_response, int timeout_ms, rn__resp_fn cb, void *arg);

/* Start a request frame in wr: the header with a fresh correlation id (returned). The
 * caller appends the body, then takes the buffer for rn__client_send. */
int32_t rn__client_frame_begin(rn__client_t *cl, rn_writer_t *wr, int16_t api_key);
/* The same at another API version. */
int32_t rn__client_frame_begin_v(rn__client_t *cl, rn_writer_t *wr, int16_t api_key,
                                 int16_t version);

/* A broker for a request that may go to any: connected first, else one to connect
 * to. Never NULL (there is at least one bootstrap server). */
rn__broker_t *rn__client_any_broker(rn__client_t *cl);

/* The broker with this id (from metadata), or NULL. */
rn__broker_t *rn__client_broker(rn__client_t *cl, int32_t id);

/* "host:port" of b (static per broker). */
const char *rn__broker_name(const rn__broker_t *b);
int32_t rn__broker_id(const rn__broker_t *b);

/* Requests queued or awaiting a response on b. */
int rn__broker_outstanding(const rn__broker_t *b);

/* 1 when b is connected. */
int rn__broker_is_up(const rn__broker_t *b);

/* Add or update broker id at host:port (metadata). */
rn__broker_t *rn__client_broker_update(rn__client_t *cl, int32_t id, rn_str_t host, int32_t port);

/* The first bytes of a response that failed to decode: its error_code (every runnel
 * response body starts with one), or UNKNOWN_SERVER_ERROR. */
rn_wire_err_t rn__resp_error_code(const uint8_t *body, size_t len);

/* Internal to client.c / broker.c. */
void rn__brokers_init(rn__client_t *cl);
void rn__brokers_close_all(rn__client_t *cl, int err);
void rn__brokers_free(rn__client_t *cl);
void rn__brokers_check_timeouts(rn__client_t *cl, int64_t now);

#endif
