/*
 * broker.c — the broker's lifecycle (broker.h): start the pieces in order, stop them in
 * reverse, and run it all on a loop with SIGINT/SIGTERM handling.
 *
 * Stop, step by step (each step starts the next from its callback):
 *
 *   controlled shutdown, when worth it (shutdown.c: the controller moves this broker's
 *   partitions away, bounded by broker.session.timeout.ms; the broker serves meanwhile)
 *   ──▶ stopping = true; listener drains (no accepts, no reads; idle connections closed);
 *   waiting fetches woken; forwarded produces answered (forward.h)
 *   ──tick: no connections left, or 5 s passed──▶ metrics.listener closed (it serves
 *   until then) ──▶ admin ops still waiting answered; rn_server_stop ──▶ rn_quorum_stop
 *   (pending proposals fail) ──▶ registry freed;
 *   rn_logmgr_close_async(clean: fsync, checkpoint, clean-shutdown marker)
 *   ──▶ tick timer closed ──▶ stop_cb; broker freed.
 *
 * A failed start takes the same path from whatever it had started. Invariant: the
 * broker is freed only in the tick timer's close callback, the last handle it owns.
 */
#include "broker/broker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "broker/coordinator.h"
#include "broker/dispatch.h"
#include "broker/forward.h"
#include "broker/meta_props.h"
#include "broker/metrics_http.h"
#include "broker/partitions.h"
#include "broker/topic_ops.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/controller.h"

#define MOD     "broker"
#define TICK_MS 100

/* ---- teardown chain ---------------------------------------------------------------- */

static void teardown(rn_broker_t *b);

static void tick_closed(uv_handle_t *h) {
    rn_broker_t *b = h->data;
    void (*cb)(void *, int) = b->stop_cb;
    void *arg = b->stop_arg;
    int status = b->stop_status;
    rn__repl_stop(b);
    rn__liveness_free(b);
    rn_coord_free(b->coord);
    rn_fwd_free(b->fwd);
    for (size_t i = 0; i < b->nexplicit; i++)
        rn_free(b->explicit_kv[i]);
    rn_free(b->explicit_kv);
    rn_free(b);
    if (cb != NULL)
        cb(arg, status);
}

static void logs_closed(void *arg, int rc) {
    rn_broker_t *b = arg;
    if (rc != 0) {
        rn_log(RN_LOG_ERROR, MOD, "closing the logs: %s", rn_strerror(rc));
        b->stop_status = b->stop_status ? b->stop_status : rc;
    } else {
        rn_log(RN_LOG_INFO, MOD, "logs flushed and closed cleanly");
    }
    uv_close((uv_handle_t *)&b->tick, tick_closed);
}

/* We run inside a loop callback here, where uv_run must not be called: the
 * asynchronous close waits for background fsyncs from the loop instead. */
static void close_logs(rn_broker_t *b) {
    rn_partitions_free(b->parts);
    b->parts = NULL;
    rn_logmgr_t *mgr = b->logmgr;
    b->logmgr = NULL;
    if (mgr != NULL)
        rn_logmgr_close_async(mgr, true, logs_closed, b);
    else
        uv_close((uv_handle_t *)&b->tick, tick_closed);
}

static void quorum_stopped(void *arg) {
    rn_broker_t *b = arg;
    rn_log(RN_LOG_DEBUG, MOD, "metadata quorum stopped");
    b->quorum = NULL;
    teardown(b);
}

static void server_stopped(rn_server_t *srv, void *arg) {
    (void)srv;
    rn_broker_t *b = arg;
    rn_log(RN_LOG_DEBUG, MOD, "listener and connections closed");
    b->server = NULL;
    teardown(b);
}

static void metrics_stopped(void *arg) {
    rn_broker_t *b = arg;
    rn_log(RN_LOG_DEBUG, MOD, "metrics listener closed");
    b->mhttp = NULL;
    teardown(b);
}

/* Close the next piece still open; each piece's callback comes back here. */
static void teardown(rn_broker_t *b) {
    if (b->mhttp != NULL) {
        if (!b->mhttp_stopping) {
            b->mhttp_stopping = true;
            rn_mhttp_stop(b->mhttp, metrics_stopped, b);
        }
        return;
    }
    if (b->server != NULL) {
        if (!b->server_stopping) {
            b->server_stopping = true;
            rn_topic_ops_abort(b);
            rn_server_stop(b->server, server_stopped);
        }
        return;
    }
    rn_topic_ops_abort(b);
    if (b->quorum != NULL) {
        rn_quorum_t *q = b->quorum;
        rn_quorum_stop(q, quorum_stopped, b);
        return;
    }
    close_logs(b);
}

/* ---- tick --------------------------------------------------------------------------- */

static void on_tick(uv_timer_t *t) {
    rn_broker_t *b = t->data;
    rn_topic_ops_tick(b);
    rn__metadata_tick(b);
    if (!b->stopping) {
        rn__broker_register(b); /* the controller's own registration, retried */
        rn__liveness_tick(b);
        rn__elect_tick(b);
        rn__shutdown_tick(b);
        rn__heartbeat_tick(b);
        rn__broker_check_ready(b);
        rn__repl_tick(b);
        rn__isr_tick(b);
        rn_fwd_tick(b->fwd);
        rn_coord_tick(b->coord);
        return;
    }
    if (b->server != NULL && !b->server_stopping &&
        (rn_server_conn_count(b->server) == 0 || rn_mono_ms() >= b->drain_deadline_ms)) {
        if (rn_server_conn_count(b->server) > 0)
            rn_log(RN_LOG_WARN, MOD, "closing %d connections still busy after %d ms",
                   rn_server_conn_count(b->server), RN_BROKER_DRAIN_MS);
        uv_timer_stop(&b->tick);
        teardown(b);
    }
}

/* ---- server callbacks ---------------------------------------------------------------- */

static void on_request(rn_conn_t *conn, const uint8_t *frame, size_t len, rn_net_req_t *req,
                       void *arg) {
    rn_dispatch_frame(arg, conn, frame, len, req);
}

static void on_bad_frame(rn_conn_t *conn, int err, void *arg) {
    rn_broker_t *b = arg;
    b->counters.bad_frames++;
    rn_broker_log_bad_input(b, conn,
                            err == RN_ETOOLARGE ? "frame larger than the maximum: closing"
                                                : "negative frame size: closing");
}

/* ---- start ------------------------------------------------------------------------------ */

/* meta.properties: refuse another broker's directory; create it on the first start. */
static int check_meta_props(rn_broker_t *b, char *err, size_t errlen) {
    const char *dir = b->cfg.log_dirs[0];
    rn_meta_props_t props;
    char perr[256] = "";
    int rc = rn_meta_props_read(dir, &props, perr, sizeof perr);
    if (rc == 0) {
        if (props.broker_id != b->cfg.broker_id) {
            snprintf(err, errlen,
                     "%s/meta.properties has broker.id=%d but the config says broker.id=%d", dir,
                     (int)props.broker_id, (int)b->cfg.broker_id);
            return RN_ECONFIG;
        }
        rn__broker_set_cluster_id(b, props.cluster_id);
        return 0;
    }
    if (rc != -ENOENT) {
        snprintf(err, errlen, "%s/meta.properties: %s", dir, perr[0] ? perr : rn_strerror(rc));
        return rc;
    }
    uint8_t id[RN_META_ID_LEN];
    props = (rn_meta_props_t){.version = 0, .broker_id = b->cfg.broker_id};
    rc = rn_controller_random_id(id);
    for (int i = 0; rc == 0 && i < RN_META_ID_LEN; i++)
        snprintf(props.cluster_id + 2 * i, 3, "%02x", id[i]);
    if (rc == 0)
        rc = rn_meta_props_write(dir, &props);
    if (rc != 0) {
        snprintf(err, errlen, "%s/meta.properties: cannot write: %s", dir, rn_strerror(rc));
        return rc;
    }
    rn__broker_set_cluster_id(b, props.cluster_id);
    b->cluster_id_new = true;
    return 0;
}

static int open_logs(rn_broker_t *b, char *err, size_t errlen) {
    rn_logmgr_opts_t opts;
    rn_logmgr_opts_default(&opts);
    opts.dir = b->cfg.log_dirs[0];
    opts.defaults = b->cfg.log;
    opts.retention_check_ms = b->cfg.retention_check_interval_ms;
    opts.hw_checkpoint_ms = b->cfg.hw_checkpoint_interval_ms;
    int rc = rn_logmgr_open(b->loop, &opts, &b->logmgr);
    if (rc != 0) {
        snprintf(err, errlen, "log.dirs %s: %s", opts.dir, rn_strerror(rc));
        return rc;
    }
    rc = check_meta_props(b, err, errlen);
    if (rc != 0)
        return rc;
    b->parts = rn_partitions_new(b->cfg.broker_id, &b->cfg, b->logmgr);
    rn_logmgr_set_flush_observer(b->logmgr, rn_metrics_flush_observed, b);
    return 0;
}

static int start_quorum(rn_broker_t *b, char *err, size_t errlen) {
    rn_quorum_voter_t voters[RN_MAX_VOTERS];
    char addrs[RN_MAX_VOTERS][RN_HOST_MAX + 8];
    char self[RN_HOST_MAX + 8];
    for (int i = 0; i < b->cfg.nvoters; i++) {
        snprintf(addrs[i], sizeof addrs[i], "%s:%u", b->cfg.voters[i].addr.host,
                 (unsigned)b->cfg.voters[i].addr.port);
        voters[i] = (rn_quorum_voter_t){b->cfg.voters[i].id, addrs[i]};
    }
    snprintf(self, sizeof self, "%s:%u", b->cfg.controller_listener.host,
             (unsigned)b->cfg.controller_listener.port);
    bool voter = false;
    for (int i = 0; i < b->cfg.nvoters; i++)
        voter = voter || b->cfg.voters[i].id == b->cfg.broker_id;
    if (!voter && b->cfg.nbootstrap == 0) /* fine once it is a standby: its log knows */
        rn_log(RN_LOG_WARN, MOD,
               "broker %d is not in controller.quorum.voters and controller.bootstrap.servers "
               "is empty: unless it is a standby already, it cannot find the controller",
               (int)b->cfg.broker_id);
    rn_quorum_config_t qc = {
        .node_id = b->cfg.broker_id,
        .address = self,
        .log_dir = b->cfg.log_dirs[0],
        .voters = voters,
        .nvoters = (size_t)b->cfg.nvoters,
        .on_apply = rn__broker_on_apply,
        .on_leader = rn__broker_on_leader,
        .arg = b,
    };
    int rc = rn_quorum_start(b->loop, &qc, &b->quorum);
    if (rc != 0) {
        b->quorum = NULL;
        snprintf(err, errlen, "metadata quorum on controller.listener %s: %s", self,
                 rn_strerror(rc));
    }
    return rc;
}

/* A connection closed: drop its parked requests (long polls, acks=all waits) now. */
static void on_conn_close(rn_conn_t *conn, void *arg) {
    rn__parked_conn_closed(arg, conn);
}

static int start_server(rn_broker_t *b, char *err, size_t errlen) {
    rn_net_opts_t opts = {0};
    opts.max_frame_bytes = (size_t)b->cfg.log.max_message_bytes + 65536;
    rn_server_cbs_t cbs = {
        .on_request = on_request, .on_bad_frame = on_bad_frame, .on_close = on_conn_close};
    int rc = rn_server_start(b->loop, b->cfg.listener.host, b->cfg.listener.port, &opts, &cbs, b,
                             &b->server);
    if (rc != 0) {
        b->server = NULL;
        snprintf(err, errlen, "listeners %s:%u: %s", b->cfg.listener.host,
                 (unsigned)b->cfg.listener.port, uv_strerror(rc));
        return rc;
    }
    rn_log(RN_LOG_INFO, MOD, "broker %d listening on %s:%d", (int)b->cfg.broker_id,
           b->cfg.listener.host, rn_server_port(b->server));
    return 0;
}

static void collect_metrics(void *arg, rn_mtext_t *t) {
    rn_metrics_collect(arg, t);
}

/* metrics.listener, when set: Prometheus text at GET /metrics (metrics_http.h). */
static int start_metrics(rn_broker_t *b, char *err, size_t errlen) {
    if (!b->cfg.has_metrics_listener)
        return 0;
    const rn_hostport_t *hp = &b->cfg.metrics_listener;
    int rc = rn_mhttp_start(b->loop, hp->host, hp->port, collect_metrics, b, &b->mhttp);
    if (rc != 0) {
        b->mhttp = NULL;
        snprintf(err, errlen, "metrics.listener %s:%u: %s", hp->host, (unsigned)hp->port,
                 uv_strerror(rc));
        return rc;
    }
    rn_log(RN_LOG_INFO, MOD, "metrics listening on %s:%d (GET /metrics)", hp->host,
           rn_mhttp_port(b->mhttp));
    return 0;
}

int rn_broker_start(uv_loop_t *loop, const rn_broker_config_t *cfg, char *const *explicit_kv,
                    size_t nexplicit, rn_broker_t **out, char *err, size_t errlen) {
    rn_broker_t *b = rn_calloc(1, sizeof *b);
    b->loop = loop;
    b->cfg = *cfg;
    b->explicit_kv = rn_calloc(nexplicit ? nexplicit : 1, sizeof *b->explicit_kv);
    for (size_t i = 0; i < nexplicit; i++)
        b->explicit_kv[i] = rn_strdup(explicit_kv[i]);
    b->nexplicit = nexplicit;
    uv_timer_init(loop, &b->tick);
    b->tick.data = b;
    b->ready_offset = -1;
    b->hb.starting = true; /* heartbeat.c: the controller fences a freshly started broker */
    b->fwd = rn_fwd_new(b);
    b->coord = rn_coord_new(b);
    *out = NULL;
    int rc = open_logs(b, err, errlen);
    if (rc == 0)
        rc = start_quorum(b, err, errlen);
    if (rc == 0)
        rc = start_server(b, err, errlen);
    if (rc == 0)
        rc = start_metrics(b, err, errlen);
    if (rc != 0) {
        b->stopping = true;
        b->stop_status = rc;
        teardown(b);
        return rc;
    }
    uv_timer_start(&b->tick, on_tick, TICK_MS, TICK_MS);
    *out = b;
    return 0;
}

int rn_broker_port(const rn_broker_t *b) {
    return b->server ? rn_server_port(b->server) : -1;
}

void rn_broker_stop(rn_broker_t *b, void (*cb)(void *arg, int status), void *arg) {
    if (b->stopping || b->shutdown.active) {
        rn_log(RN_LOG_INFO, MOD, "already shutting down");
        return;
    }
    b->stop_cb = cb;
    b->stop_arg = arg;
    if (!rn__shutdown_begin(b)) /* controlled shutdown first, when it is worth it */
        rn__broker_stop_now(b);
}

void rn__broker_stop_now(rn_broker_t *b) {
    rn_log(RN_LOG_INFO, MOD, "shutting down: %d requests in flight", b->inflight);
    b->stopping = true;
    b->drain_deadline_ms = rn_mono_ms() + RN_BROKER_DRAIN_MS;
    rn__heartbeat_stop(b);
    rn__isr_stop(b);
    rn__repl_stop(b);
    rn_fwd_stop(b->fwd);     /* forwarded produces answered NOT_LEADER_OR_FOLLOWER */
    rn_coord_stop(b->coord); /* parked group requests answered NOT_COORDINATOR */
    rn_server_drain(b->server);
    rn_partitions_wake_all(b->parts, RN_PART_WAKE_STOP);
    on_tick(&b->tick); /* nothing busy: go on at once */
}

/* ---- run ------------------------------------------------------------------------------- */

typedef struct run_s {
    rn_broker_t *b;
    uv_signal_t sigint, sigterm;
    int status;
    bool done;
} run_t;

static void stopped(void *arg, int status) {
    run_t *r = arg;
    r->status = status;
    r->done = true;
    uv_close((uv_handle_t *)&r->sigint, NULL);
    uv_close((uv_handle_t *)&r->sigterm, NULL);
}

static void on_signal(uv_signal_t *s, int signum) {
    run_t *r = s->data;
    rn_log(RN_LOG_INFO, MOD, "received %s", signum == SIGINT ? "SIGINT" : "SIGTERM");
    if (!r->done)
        rn_broker_stop(r->b, stopped, r);
}

int rn_broker_run(const rn_broker_config_t *cfg, char *const *explicit_kv, size_t nexplicit,
                  char *err, size_t errlen) {
    /* A peer that vanished (a broker killed mid-write, a client gone) must cost an
     * EPIPE on that connection, not the process: libuv does not ignore SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    uv_loop_t loop;
    int rc = uv_loop_init(&loop);
    if (rc != 0) {
        snprintf(err, errlen, "event loop: %s", uv_strerror(rc));
        return rc;
    }
    run_t r = {.status = 0};
    rc = rn_broker_start(&loop, cfg, explicit_kv, nexplicit, &r.b, err, errlen);
    if (rc == 0) {
        uv_signal_init(&loop, &r.sigint);
        uv_signal_init(&loop, &r.sigterm);
        r.sigint.data = r.sigterm.data = &r;
        uv_signal_start(&r.sigint, on_signal, SIGINT);
        uv_signal_start(&r.sigterm, on_signal, SIGTERM);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        rn_log(RN_LOG_WARN, MOD, "event loop closed with handles still open");
    if (rc != 0)
        return rc;
    rn_log(RN_LOG_INFO, MOD, "stopped%s", r.status ? " with errors" : "");
    return r.status;
}
