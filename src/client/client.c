/*
 * client.c — the background thread of a client object: its loop, the command queue
 * from API threads, the per-iteration serve step, timers, and blocking requests for
 * API threads (client.h has the picture and the threading rules).
 */
#include "client/client.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/metadata.h"
#include "proto/api.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "runnel/runnel.h"

#define HOUSEKEEPING_MS 100 /* request timeouts, metadata age */
#define MAX_BOOTSTRAP   64

/* ---- the loop ------------------------------------------------------------------ */

static void drain_cmds(rn__client_t *cl) {
    uv_mutex_lock(&cl->lock);
    rn__cmd_t *cmd = cl->cmd_head;
    cl->cmd_head = cl->cmd_tail = NULL;
    uv_mutex_unlock(&cl->lock);
    while (cmd != NULL) {
        rn__cmd_t *next = cmd->next;
        cmd->run(cl, cmd);
        cmd = next;
    }
}

static void on_async(uv_async_t *async) {
    rn__client_t *cl = async->data;
    drain_cmds(cl);
    cl->dirty = 1;
}

static void on_timer(uv_timer_t *timer) {
    rn__client_t *cl = timer->data;
    cl->dirty = 1;
}

/* Once per loop iteration, before the loop sleeps: serve when something happened or
 * a wake-up is due, then set the timer for the next one. */
static void on_prepare(uv_prepare_t *prep) {
    rn__client_t *cl = prep->data;
    if (cl->stopping)
        return;
    int64_t now = (int64_t)uv_now(&cl->loop);
    if (now >= cl->next_housekeeping) {
        rn__brokers_check_timeouts(cl, now);
        cl->next_housekeeping = now + HOUSEKEEPING_MS;
        cl->dirty = 1;
    }
    int64_t md_wake = rn__metadata_serve(cl, now);
    if (cl->dirty || now >= cl->owner_wake) {
        cl->dirty = 0;
        cl->owner_wake = cl->ops->serve(cl->owner, now);
    }
    if (cl->stopping)
        return;
    int64_t wake = cl->next_housekeeping;
    if (cl->owner_wake < wake)
        wake = cl->owner_wake;
    if (md_wake < wake)
        wake = md_wake;
    if (cl->dirty)
        wake = now;
    uv_timer_start(&cl->timer, on_timer, (uint64_t)(wake > now ? wake - now : 0), 0);
}

void rn__client_kick(rn__client_t *cl) {
    cl->dirty = 1;
}

static void close_handles(rn__client_t *cl) {
    uv_close((uv_handle_t *)&cl->async, NULL);
    uv_close((uv_handle_t *)&cl->timer, NULL);
    uv_close((uv_handle_t *)&cl->prepare, NULL);
}

/* The stop command: the owner fails what it holds, connections close (their pending
 * requests complete with RN_ECLOSED), the handles close and uv_run returns. */
static void run_stop(rn__client_t *cl, rn__cmd_t *cmd) {
    rn_free(cmd);
    uv_mutex_lock(&cl->lock);
    cl->closing = 1;
    uv_mutex_unlock(&cl->lock);
    drain_cmds(cl); /* anything posted before closing was set */
    cl->ops->on_stop(cl->owner);
    cl->stopping = 1;
    rn__brokers_close_all(cl, RN_ECLOSED);
    close_handles(cl);
}

/* The loop thread writes to brokers that may vanish mid-write (kill -9): a write to a
 * reset connection raises SIGPIPE in the writing thread, which would end the whole
 * application (libuv does not ignore it, and a library must not change the process's
 * dispositions). Blocked here it stays pending on this thread, never delivered; the
 * write fails with EPIPE and the connection is dropped like any other. */
static void thread_main(void *arg) {
    rn__client_t *cl = arg;
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    uv_run(&cl->loop, UV_RUN_DEFAULT);
}

int rn__client_start(rn__client_t *cl, rn_conf_t *conf, const rn__client_ops_t *ops, void *owner,
                     char *err, size_t errlen) {
    rn__hostport_t hp[MAX_BOOTSTRAP];
    int n = rn__hostports_parse(conf->bootstrap_servers, hp, MAX_BOOTSTRAP, err, errlen);
    if (n < 0)
        return n;
    if (n > MAX_BOOTSTRAP) {
        rn__errf(err, errlen, "bootstrap.servers: more than %d addresses", MAX_BOOTSTRAP);
        return RN_ECONFIG;
    }
    int rc = uv_loop_init(&cl->loop);
    if (rc < 0) {
        rn__errf(err, errlen, "cannot start the client loop: %s", uv_strerror(rc));
        return rc;
    }
    cl->conf = conf;
    cl->ops = ops;
    cl->owner = owner;
    cl->bootstrap = rn_malloc((size_t)n * sizeof *cl->bootstrap);
    memcpy(cl->bootstrap, hp, (size_t)n * sizeof *hp);
    cl->nbootstrap = n;
    cl->next_corr_id = 1;
    cl->owner_wake = INT64_MAX;
    uv_mutex_init(&cl->lock);
    uv_cond_init(&cl->sync_cond);
    uv_async_init(&cl->loop, &cl->async, on_async);
    uv_timer_init(&cl->loop, &cl->timer);
    uv_prepare_init(&cl->loop, &cl->prepare);
    cl->async.data = cl->timer.data = cl->prepare.data = cl;
    uv_prepare_start(&cl->prepare, on_prepare);
    rn__brokers_init(cl);
    rc = uv_thread_create(&cl->thread, thread_main, cl);
    if (rc < 0) {
        rn__errf(err, errlen, "cannot start the client thread: %s", uv_strerror(rc));
        close_handles(cl);
        uv_run(&cl->loop, UV_RUN_DEFAULT);
        cl->conf = NULL; /* not taken on failure */
        rn__client_stop(cl);
        return rc;
    }
    return 0;
}

int rn__client_post(rn__client_t *cl, rn__cmd_t *cmd) {
    cmd->next = NULL;
    uv_mutex_lock(&cl->lock);
    if (cl->closing) {
        uv_mutex_unlock(&cl->lock);
        return RN_ECLOSED;
    }
    if (cl->cmd_tail != NULL)
        cl->cmd_tail->next = cmd;
    else
        cl->cmd_head = cmd;
    cl->cmd_tail = cmd;
    uv_async_send(&cl->async);
    uv_mutex_unlock(&cl->lock);
    return 0;
}

void rn__client_stop(rn__client_t *cl) {
    if (cl->conf != NULL) {
        rn__cmd_t *cmd = rn_calloc(1, sizeof *cmd);
        cmd->run = run_stop;
        if (rn__client_post(cl, cmd) == 0)
            uv_thread_join(&cl->thread);
        else
            rn_free(cmd);
    }
    uv_loop_close(&cl->loop);
    rn__brokers_free(cl);
    rn__metadata_free(cl);
    uv_cond_destroy(&cl->sync_cond);
    uv_mutex_destroy(&cl->lock);
    rn_free(cl->bootstrap);
    rn_conf_free(cl->conf);
    cl->conf = NULL;
}

int32_t rn__client_frame_begin(rn__client_t *cl, rn_writer_t *wr, int16_t api_key) {
    return rn__client_frame_begin_v(cl, wr, api_key, 0);
}

int32_t rn__client_frame_begin_v(rn__client_t *cl, rn_writer_t *wr, int16_t api_key,
                                 int16_t version) {
    int32_t corr = cl->next_corr_id++;
    if (cl->next_corr_id == INT32_MAX)
        cl->next_corr_id = 1;
    rn_request_header_t h = {
        .api_key = api_key,
        .api_version = version,
        .correlation_id = corr,
        .client_id = rn_str(cl->conf->client_id),
    };
    rn_request_header_encode(wr, &h);
    return corr;
}

rn_wire_err_t rn__resp_error_code(const uint8_t *body, size_t len) {
    if (body == NULL || len < 2)
        return RN_WIRE_UNKNOWN_SERVER_ERROR;
    int16_t code = (int16_t)((body[0] << 8) | body[1]);
    return code != 0 ? code : RN_WIRE_UNKNOWN_SERVER_ERROR;
}

/* ---- blocking requests for API threads ------------------------------------------ */

typedef struct sync_req_s {
    rn__cmd_t cmd;
    int32_t target;
    int16_t api_key;
    int16_t version;
    uint8_t *body; /* owned copy */
    size_t body_len;
    int timeout_ms;
    /* results, under cl->lock */
    int done;
    int err;
    uint8_t *resp;
    size_t resp_len;
    char where[300];     /* the broker answered or failed */
    int never_connected; /* no broker was ever reached */
} sync_req_t;

static void sync_done(rn__client_t *cl, rn__broker_t *b, int err, const uint8_t *body, size_t len,
                      void *arg) {
    sync_req_t *sr = arg;
    uint8_t *copy = NULL;
    if (err == 0) {
        copy = rn_malloc(len > 0 ? len : 1);
        memcpy(copy, body, len);
        if (sr->api_key == RN_API_METADATA) {
            rn_metadata_response_t md;
            if (rn_metadata_response_decode(body, len, sr->version, &md) == 0) {
                rn__metadata_apply(cl, &md);
                rn_metadata_response_deinit(&md);
            }
        }
    }
    uv_mutex_lock(&cl->lock);
    if (b != NULL && rn__broker_id(b) >= 0)
        snprintf(sr->where, sizeof sr->where, "broker %d (%s)", rn__broker_id(b),
                 rn__broker_name(b));
    else if (b != NULL)
        snprintf(sr->where, sizeof sr->where, "bootstrap server %s", rn__broker_name(b));
    sr->never_connected = !cl->ever_connected;
    sr->err = err;
    sr->resp = copy;
    sr->resp_len = len;
    sr->done = 1;
    uv_cond_broadcast(&cl->sync_cond);
    uv_mutex_unlock(&cl->lock);
}

static void run_sync(rn__client_t *cl, rn__cmd_t *cmd) {
    sync_req_t *sr = (sync_req_t *)cmd;
    rn__broker_t *b = NULL;
    if (sr->target != RN__ANY_BROKER) {
        b = rn__client_broker(cl, sr->target);
        if (b == NULL) {
            sync_done(cl, NULL, RN_EUNKNOWNBROKER, NULL, 0, sr);
            return;
        }
    }
    rn_writer_t wr;
    rn_writer_init(&wr, sr->body_len + 64);
    int32_t corr = rn__client_frame_begin_v(cl, &wr, sr->api_key, sr->version);
    rn_writer_bytes(&wr, sr->body, sr->body_len);
    size_t len;
    uint8_t *frame = rn_writer_take(&wr, &len);
    rn__client_send(cl, b, frame, len, corr, 1, sr->timeout_ms, sync_done, sr);
}

static void describe_failure(rn__client_t *cl, const sync_req_t *sr, char *err, size_t errlen) {
    int conn_err = sr->err < 0 && sr->err != RN_EUNKNOWNBROKER && sr->err != RN_ECLOSED;
    if (conn_err && sr->never_connected)
        rn__errf(err, errlen, "cannot reach any bootstrap server (%s): %s",
                 cl->conf->bootstrap_servers, rn_err_str(sr->err));
    else if (sr->err == RN_EUNKNOWNBROKER)
        rn__errf(err, errlen, "broker %d is not in the cluster metadata", sr->target);
    else
        rn__errf(err, errlen, "%s: %s", sr->where[0] ? sr->where : "request", rn_err_str(sr->err));
}

int rn__client_request_sync(rn__client_t *cl, int32_t target, int16_t api_key, const uint8_t *body,
                            size_t body_len, int timeout_ms, uint8_t **resp, size_t *resp_len,
                            char *err, size_t errlen) {
    return rn__client_request_sync_v(cl, target, api_key, 0, body, body_len, timeout_ms, resp,
                                     resp_len, err, errlen);
}

int rn__client_request_sync_v(rn__client_t *cl, int32_t target, int16_t api_key, int16_t version,
                              const uint8_t *body, size_t body_len, int timeout_ms, uint8_t **resp,
                              size_t *resp_len, char *err, size_t errlen) {
    sync_req_t *sr = rn_calloc(1, sizeof *sr);
    sr->cmd.run = run_sync;
    sr->target = target;
    sr->api_key = api_key;
    sr->version = version;
    sr->body = rn_malloc(body_len > 0 ? body_len : 1);
    if (body_len > 0) /* an empty body (DescribeQuorum) may come with body NULL */
        memcpy(sr->body, body, body_len);
    sr->body_len = body_len;
    sr->timeout_ms = timeout_ms;
    int rc = rn__client_post(cl, &sr->cmd);
    if (rc < 0) {
        rn__errf(err, errlen, "the client is closing");
        goto done;
    }
    /* The loop enforces the timeout (the request's deadline, connects included), so
     * waiting without one here cannot hang: every request completes exactly once. */
    uv_mutex_lock(&cl->lock);
    while (!sr->done)
        uv_cond_wait(&cl->sync_cond, &cl->lock);
    uv_mutex_unlock(&cl->lock);
    rc = sr->err;
    if (rc == 0) {
        *resp = sr->resp;
        *resp_len = sr->resp_len;
    } else {
        describe_failure(cl, sr, err, errlen);
    }
done:
    rn_free(sr->body);
    rn_free(sr);
    return rc;
}
