/*
 * heartbeat.c — the broker's side of BrokerHeartbeat: every broker that is not the
 * controller sends one to the controller every broker.session.timeout.ms / 3 (at
 * least every 100 ms tick), over one outbound connection to the controller's client
 * listener, and learns from the answer how far it must apply the metadata log to be
 * caught up. The first heartbeat also registers the broker (the controller proposes
 * its RegisterBroker) and, for a broker that is not a voter, makes it a standby
 * member of the metadata quorum at its controller_address (liveness.c).
 *
 *   tick ──due, no request in flight──▶ connect to the controller (address from the
 *        image) ──▶ BrokerHeartbeat{id, listener, controller.listener, applied index}
 *   A process that has just started says so (v2 `starting`) until the controller has it
 *   fenced: a broker that restarted (kill -9, a lost disk) must not keep leading, nor
 *   stay in an ISR, with a log that may lack acknowledged records; it rejoins them by
 *   catching up like any fenced broker (liveness.c).
 *   answer NONE ──▶ ready_offset = the controller's applied index; check readiness;
 *        during a controlled shutdown (want_shut_down, v1) should_shut_down ends it
 *   answer NOT_CONTROLLER / no answer within the session timeout / controller changed
 *        ──▶ close, reconnect at the next tick
 *
 * Bootstrap. A broker that is not a voter knows no controller before the controller
 * has added it to the quorum, and that takes a heartbeat. So while the controller's
 * client address is not in the image (no leader known, or its registration not
 * applied yet) the heartbeat goes to controller.bootstrap.servers, one after the
 * other: a broker that is not the controller answers NOT_CONTROLLER and the next tick
 * tries the next address, until the controller answers. No protocol change is needed;
 * with a few voters this takes a few ticks. Once the image names the controller, the
 * bootstrap connection is replaced by a direct one.
 *
 * Readiness: a broker that is not the controller is "ready" (broker_meta.c) once its
 * own registration is in its image and it has applied at least ready_offset: it has
 * then seen everything the controller had committed when it answered.
 *
 * Loop thread only. The connection is closed when the broker stops; its on_close
 * fires long before the broker is freed (the teardown takes several loop turns).
 */
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "net/client_conn.h"
#include "proto/api.h"
#include "proto/api_broker_heartbeat.h"
#include "proto/reader.h"

#define MOD "broker"

static int64_t interval_ms(const rn_broker_t *b) {
    int64_t iv = b->cfg.broker_session_timeout_ms / 3;
    return iv < 50 ? 50 : iv;
}

static void drop_conn(rn_broker_t *b) {
    rn_hb_t *hb = &b->hb;
    if (hb->conn != NULL)
        rn_conn_close(hb->conn);
    hb->conn = NULL;
    hb->connected = false;
    hb->inflight = false;
    hb->bootstrap = false;
}

/* For log lines: "controller 2" or "bootstrap server 127.0.0.1:9092". */
static const char *target_name(const rn_broker_t *b, char *buf, size_t len) {
    const rn_hb_t *hb = &b->hb;
    if (hb->bootstrap) {
        const rn_hostport_t *hp =
            &b->cfg.bootstrap[(hb->boot_next + b->cfg.nbootstrap - 1) % b->cfg.nbootstrap];
        snprintf(buf, len, "bootstrap server %s:%u", hp->host, (unsigned)hp->port);
    } else {
        snprintf(buf, len, "controller %d", (int)hb->target);
    }
    return buf;
}

static void on_connect(rn_conn_t *conn, int status, void *arg) {
    rn_broker_t *b = arg;
    if (conn != b->hb.conn)
        return;
    if (status != 0) {
        char name[RN_HOST_MAX + 32];
        rn_log(RN_LOG_DEBUG, MOD, "heartbeat: cannot reach %s: %s",
               target_name(b, name, sizeof name), uv_strerror(status));
        return; /* on_close follows */
    }
    b->hb.connected = true;
    b->hb.next_ms = 0; /* send at once */
}

static void on_close(rn_conn_t *conn, int status, void *arg) {
    (void)status;
    rn_broker_t *b = arg;
    if (conn == b->hb.conn) {
        b->hb.conn = NULL;
        b->hb.connected = false;
        b->hb.inflight = false;
        b->hb.bootstrap = false;
    }
}

static void on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    rn_broker_t *b = arg;
    rn_hb_t *hb = &b->hb;
    rn_reader_t rd;
    int32_t corr = 0;
    rn_reader_init(&rd, frame, len);
    rn_broker_heartbeat_response_t resp;
    int rc = rn_response_header_decode(&rd, &corr);
    if (rc == 0)
        rc = rn_broker_heartbeat_response_decode(frame + rd.pos, len - rd.pos, 2, &resp);
    rn_free(frame);
    if (conn != hb->conn)
        return;
    char name[RN_HOST_MAX + 32];
    if (rc != 0 || corr != hb->corr) {
        rn_log(RN_LOG_WARN, MOD, "heartbeat: bad answer from %s: %s",
               target_name(b, name, sizeof name),
               rc ? rn_strerror(rc) : "unexpected correlation id");
        drop_conn(b);
        return;
    }
    hb->inflight = false;
    if (resp.error_code == RN_WIRE_NONE) {
        if (hb->fenced != resp.is_fenced || b->ready_offset < 0)
            rn_log(RN_LOG_INFO, MOD, "heartbeat: %s says this broker is %s",
                   target_name(b, name, sizeof name), resp.is_fenced ? "fenced" : "alive");
        hb->fenced = resp.is_fenced;
        if (resp.is_fenced)
            hb->starting = false; /* fenced once since this process started: done */
        b->ready_offset = resp.metadata_offset;
        rn__broker_check_ready(b);
        if (hb->want_shut_down && resp.should_shut_down)
            rn__shutdown_acked(b); /* stops the broker: nothing of hb after this */
    } else {
        drop_conn(b); /* NOT_CONTROLLER: the controller moved, or a bootstrap server
                       * is not it: ask the new one, or the next bootstrap server */
    }
    rn_broker_heartbeat_response_deinit(&resp);
}

static void send_heartbeat(rn_broker_t *b) {
    rn_hb_t *hb = &b->hb;
    char caddr[RN_HOST_MAX + 8];
    snprintf(caddr, sizeof caddr, "%s:%u", b->cfg.controller_listener.host,
             (unsigned)b->cfg.controller_listener.port);
    rn_request_header_t h = {RN_API_BROKER_HEARTBEAT, 2, ++hb->corr, rn_str("runneld")};
    rn_broker_heartbeat_request_t req = {
        .broker_id = b->cfg.broker_id,
        .host = rn_str(b->cfg.listener.host),
        .port = b->cfg.listener.port,
        .controller_address = rn_str(caddr),
        .metadata_offset = (int64_t)rn_quorum_applied_index(b->quorum),
        .want_shut_down = hb->want_shut_down,
        .starting = hb->starting,
    };
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    int rc = rn_request_header_encode(&wr, &h);
    if (rc == 0)
        rc = rn_broker_heartbeat_request_encode(&wr, 2, &req);
    size_t len;
    uint8_t *bytes = rn_writer_take(&wr, &len);
    if (rc == 0)
        rc = rn_conn_send(hb->conn, bytes, len); /* takes bytes */
    else
        rn_free(bytes);
    if (rc != 0) {
        drop_conn(b);
        return;
    }
    hb->inflight = true;
    hb->sent_ms = rn_mono_ms();
    /* Registering, catching up or fenced: ask again soon, so that readiness and
     * unfencing take a round trip or two, not a session timeout. */
    int64_t iv = interval_ms(b);
    if ((hb->fenced || !b->meta_ready || hb->want_shut_down) && iv > 200)
        iv = 200;
    hb->next_ms = hb->sent_ms + iv;
}

/* Open a connection to the controller, as the image knows its client address. */
static void connect_controller(rn_broker_t *b, int32_t ctl) {
    const rn_meta_broker_t *mb = rn_meta_image_broker(rn_broker_image(b), ctl);
    if (mb == NULL)
        return; /* not applied yet: the next tick tries again */
    rn_conn_cbs_t cbs = {.on_connect = on_connect, .on_frame = on_frame, .on_close = on_close};
    rn_net_opts_t opts = {0};
    opts.connect_timeout_ms = (unsigned)interval_ms(b);
    rn_conn_t *conn;
    if (rn_conn_connect(b->loop, mb->host, mb->port, &opts, &cbs, b, &conn) != 0)
        return;
    b->hb.conn = conn;
    b->hb.target = ctl;
}

/* Open a connection to the next of controller.bootstrap.servers. */
static void connect_bootstrap(rn_broker_t *b) {
    rn_hb_t *hb = &b->hb;
    const rn_hostport_t *hp = &b->cfg.bootstrap[hb->boot_next % b->cfg.nbootstrap];
    hb->boot_next = (hb->boot_next + 1) % b->cfg.nbootstrap;
    rn_conn_cbs_t cbs = {.on_connect = on_connect, .on_frame = on_frame, .on_close = on_close};
    rn_net_opts_t opts = {0};
    opts.connect_timeout_ms = (unsigned)interval_ms(b);
    rn_conn_t *conn;
    if (rn_conn_connect(b->loop, hp->host, hp->port, &opts, &cbs, b, &conn) != 0)
        return;
    hb->conn = conn;
    hb->target = -1;
    hb->bootstrap = true;
}

void rn__heartbeat_tick(rn_broker_t *b) {
    rn_hb_t *hb = &b->hb;
    if (b->stopping || b->quorum == NULL) {
        drop_conn(b);
        return;
    }
    int32_t ctl = rn_quorum_leader_id(b->quorum);
    if (ctl == b->cfg.broker_id) {
        drop_conn(b); /* it is us (liveness.c) */
        return;
    }
    /* The controller's client address unknown: ask the bootstrap servers, if any. */
    bool via_bootstrap =
        b->cfg.nbootstrap > 0 && (ctl < 0 || rn_meta_image_broker(rn_broker_image(b), ctl) == NULL);
    if (ctl < 0 && !via_bootstrap) {
        drop_conn(b); /* no controller known */
        return;
    }
    int64_t now = rn_mono_ms();
    if (hb->conn != NULL &&
        ((hb->bootstrap ? !via_bootstrap : hb->target != ctl) ||
         (hb->inflight && now - hb->sent_ms > b->cfg.broker_session_timeout_ms)))
        drop_conn(b);
    if (hb->conn == NULL) {
        if (via_bootstrap)
            connect_bootstrap(b);
        else
            connect_controller(b, ctl);
        return;
    }
    if (hb->connected && !hb->inflight && now >= hb->next_ms)
        send_heartbeat(b);
}

void rn__heartbeat_stop(rn_broker_t *b) {
    drop_conn(b);
}
