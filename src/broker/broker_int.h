/*
 * broker_int.h — the broker's insides, shared by the request handlers: the broker
 * object, the in-flight request, how a handler answers, and the handlers the dispatch
 * table (dispatch.c) lists. Not a public API: only src/broker/ includes it.
 *
 *   net ──frame──▶ rn_dispatch_frame: decode header, look up [api_key]
 *                    │  unknown key / version ──▶ ApiVersions v0 body, UNSUPPORTED_VERSION
 *                    │  header does not decode ──▶ close (one rate-limited DEBUG line)
 *                    ▼
 *                  handler(breq) ── decodes breq->body with the API's codec
 *                    │  decode fails ──▶ rn_breq_respond_invalid(breq)
 *                    ▼
 *                  now or later (long poll, commit wait):
 *                    rn_breq_writer_init(breq, &wr) ; rn_<resp>_encode(&wr, ver, ...)
 *                    rn_breq_respond(breq, &wr)        or   rn_breq_respond_none(breq)
 *
 * Invariants: every rn_breq_t is answered exactly once, by one of the rn_breq_respond*
 * functions, which also free it; breq->body stays valid until then (it points into the
 * network frame, which the net layer keeps until the request is answered). Answering a
 * request whose connection has closed is harmless (the bytes are dropped). While the
 * broker stops, handlers still answer what they hold; waiting fetches are woken with
 * RN_PART_WAKE_STOP (partitions.h) so that draining is quick.
 *
 * Threading: everything here runs on the broker's loop thread.
 */
#ifndef RN_BROKER_BROKER_INT_H
#define RN_BROKER_BROKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "broker/broker_config.h"
#include "broker/metrics.h"
#include "common/logging.h"
#include "log/logmgr.h"
#include "meta/image.h"
#include "meta/quorum.h"
#include "net/conn.h"
#include "net/server.h"
#include "proto/api_broker_heartbeat.h"
#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_broker_s rn_broker_t;
typedef struct rn_breq_s rn_breq_t;
typedef struct rn_partitions_s rn_partitions_t;
typedef struct rn_topic_op_s rn_topic_op_t; /* handle_topics.c: a proposal awaiting commit */
typedef struct rn_parked_s rn_parked_t;     /* parked.c: a request waiting on an event */
typedef struct rn_liveness_s rn_liveness_t; /* liveness.c: the controller's broker sessions */
typedef struct rn_fetcher_s rn_fetcher_t;   /* replica_fetch.c: one per source broker */
typedef struct rn_fwd_s rn_fwd_t;           /* forward.c: partition -1 produce forwarding */
typedef struct rn_coord_s rn_coord_t;       /* coordinator.h: consumer group coordinator */
typedef struct rn_md_wait_s rn_md_wait_t;   /* handle_metadata.c: waiting for readiness */

/* heartbeat.c: this broker's heartbeats to the controller (not used on the controller). */
typedef struct rn_hb_s {
    rn_conn_t *conn; /* to the controller's client listener; NULL when none */
    int32_t target;  /* the controller conn goes to; -1 for a bootstrap server */
    bool bootstrap;  /* conn goes to controller.bootstrap.servers[boot_next - 1] */
    int boot_next;   /* the bootstrap server to try next (round robin) */
    bool connected;
    bool inflight; /* a heartbeat awaits its answer */
    bool fenced;   /* as the controller last said */
    int32_t corr;
    int64_t sent_ms;     /* monotonic ms of the heartbeat in flight */
    int64_t next_ms;     /* next heartbeat due */
    bool want_shut_down; /* controlled shutdown under way (shutdown.c) */
    bool starting;       /* this process has not been seen fenced yet (heartbeat.c) */
} rn_hb_t;

/* Controlled shutdown (shutdown.c). */
typedef struct rn_shutdown_s {
    bool active;         /* moving partitions away before the stop proper */
    bool proposed;       /* the controller's own fencing is proposed */
    int64_t deadline_ms; /* monotonic ms: stop anyway after this */
} rn_shutdown_t;

/* The leader's AlterPartition connection to the controller (isr.c). */
typedef struct rn_isrc_s {
    rn_conn_t *conn; /* to the controller's client listener; NULL when none */
    int32_t target;  /* the controller it goes to */
    bool connected;
    bool inflight; /* an AlterPartition awaits its answer */
    int32_t corr;
    int64_t sent_ms;
} rn_isrc_t;

/* The controller's periodic elections (elect.c). */
typedef struct rn_elect_state_s {
    int64_t next_rebalance_ms; /* monotonic ms of the next preferred election; 0: unset */
    int64_t next_reconcile_ms; /* next check for fenced brokers still named */
    bool busy;                 /* a round's proposal is in flight */
} rn_elect_state_t;

/* Counters for logs, tests and metrics (metrics.c exports some). Plain integers: loop
 * thread only. */
typedef struct rn_broker_counters_s {
    uint64_t requests;       /* frames handed to the dispatcher */
    uint64_t responses;      /* requests answered (with or without bytes) */
    uint64_t unsupported;    /* unknown api key or version */
    uint64_t invalid;        /* body failed to decode: INVALID_REQUEST */
    uint64_t bad_frames;     /* bad size prefix or undecodable header: closed */
    uint64_t topics_created; /* by this broker's proposals */
    uint64_t topics_deleted;
} rn_broker_counters_t;

struct rn_broker_s {
    uv_loop_t *loop;        /* borrowed (rn_broker_run owns the one it creates) */
    rn_broker_config_t cfg; /* own copy; read-only after start */
    rn_logmgr_t *logmgr;    /* log.dirs[0] */
    rn_quorum_t *quorum;    /* metadata; its image is the truth for topics */
    rn_server_t *server;    /* client listener; NULL once stopped */
    rn_partitions_t *parts; /* the partitions this broker hosts (partitions.h) */
    uint8_t cluster_id[RN_META_ID_LEN];
    char cluster_id_str[2 * RN_META_ID_LEN + 1]; /* lower-case hex, "" until known */
    bool cluster_id_new; /* meta.properties was created by this start (a fresh dir) */
    rn_broker_counters_t counters;
    rn_metrics_t metrics;     /* metrics.h: by API, ISR changes, flush latency */
    struct rn_mhttp_s *mhttp; /* metrics.listener's responder; NULL when none */
    int inflight;             /* rn_breq_t allocated and not yet answered */
    bool stopping;            /* shutdown began: no new work (proposals, auto-create) */
    bool registered;          /* our RegisterBroker record is in the image */
    bool registering;         /* a RegisterBroker proposal is in flight */
    rn_topic_op_t *topic_ops; /* CreateTopics/DeleteTopics/AlterConfigs awaiting commit */
    rn_parked_t *parked;      /* long-poll fetches and acks=all produces (parked.c) */
    rn_md_wait_t *md_waiting; /* Metadata requests waiting for readiness */
    uv_timer_t tick;          /* 100 ms housekeeping: op timeouts, registration retry */
    bool meta_ready;          /* image caught up: registry follows applies live */
    int64_t ready_offset;     /* metadata index to apply to be caught up; -1 unknown */
    rn_hb_t hb;               /* heartbeats to the controller (heartbeat.c) */
    rn_isrc_t isrc;           /* ISR changes asked of the controller (isr.c) */
    rn_liveness_t *liveness;  /* broker sessions while this broker is controller */
    rn_elect_state_t elect;   /* periodic elections while this broker is controller */
    rn_shutdown_t shutdown;   /* controlled shutdown (shutdown.c) */
    rn_fetcher_t *fetchers;   /* follower fetchers, one per leader we copy from */
    rn_fwd_t *fwd;            /* Produce forwarding to other leaders (forward.h) */
    rn_coord_t *coord;        /* consumer groups this broker coordinates (coordinator.h) */
    char **explicit_kv;       /* "key=value" set by file/overrides, in order (owned) */
    size_t nexplicit;
    /* lifecycle (broker.c) */
    int64_t drain_deadline_ms; /* monotonic ms: close connections after this */
    bool server_stopping;
    bool mhttp_stopping;
    int stop_status; /* first error while stopping (or the start error) */
    void (*stop_cb)(void *arg, int status);
    void *stop_arg;
    int64_t bad_log_ms; /* last rate-limited DEBUG line about bad input */
    uint64_t bad_log_suppressed;
};

/* One request being handled. Allocated by the dispatcher, freed when answered. */
struct rn_breq_s {
    rn_broker_t *broker;
    rn_conn_t *conn;         /* the client connection (kept alive by the net req) */
    rn_net_req_t *nreq;      /* the net layer's handle; consumed by the answer */
    rn_request_header_t hdr; /* api_key, api_version, correlation_id, client_id (view) */
    const uint8_t *body;     /* request body: view into the frame, valid until answered */
    size_t body_len;
    int64_t received_ns; /* rn_mono_ns() at dispatch */
};

/* A handler takes charge of breq and answers it exactly once, now or later. */
typedef void (*rn_handler_fn)(rn_breq_t *breq);

/* ---- answering ----------------------------------------------------------------- */

/* Initialise wr with the response header (breq's correlation id) already written;
 * the handler appends the response body (rn_<resp>_encode(wr, hdr.api_version, ...))
 * and then calls rn_breq_respond. hint: expected body size (0: a default). */
void rn_breq_writer_init(rn_breq_t *breq, rn_writer_t *wr, size_t hint);

/* Send wr's bytes (from rn_breq_writer_init) as the response, take wr's buffer (wr is
 * left empty), free breq. Returns 0, or RN_ECLOSED when the client has gone (nothing
 * is sent; still freed). */
int rn_breq_respond(rn_breq_t *breq, rn_writer_t *wr);

/* Answer with no response at all (Produce acks=0). Frees breq. 0 or RN_ECLOSED. */
int rn_breq_respond_none(rn_breq_t *breq);

/* The request's body did not decode: answer INVALID_REQUEST at the request's API and
 * version (docs/protocol.md: every array empty, other fields 0, offsets -1), log one
 * rate-limited DEBUG line. Frees breq. 0 or RN_ECLOSED. */
int rn_breq_respond_invalid(rn_breq_t *breq);

/* Answer with that API's response carrying only the request-level error_code err
 * (empty arrays), e.g. NOT_CONTROLLER or REQUEST_TIMED_OUT for a whole request. */
int rn_breq_respond_error(rn_breq_t *breq, rn_wire_err_t err);

/* ---- shared services for handlers ----------------------------------------------- */

/* The metadata image as applied so far (borrowed; changes under every apply). */
const rn_meta_image_t *rn_broker_image(const rn_broker_t *b);

/* This broker is the controller and ready to decide: the quorum's ready leader, with
 * its own registration committed (so the image counts it as a live broker). */
bool rn_broker_is_controller(const rn_broker_t *b);

/* The controller's broker id as far as this broker knows, or -1 (also while this
 * broker leads the quorum but is not yet ready). */
int32_t rn_broker_controller_id(const rn_broker_t *b);

/* The value `key` was given in the config file or an override (the last one wins), or
 * NULL when it was left at its default. Borrowed. */
const char *rn_broker_explicit_value(const rn_broker_t *b, const char *key);

/* Auto-create `name` (not NUL-terminated) with num.partitions and
 * default.replication.factor, if auto.create.topics.enable is set, the name is valid
 * and this broker is the controller. Does not wait for the commit: the caller answers
 * with a retriable error (LEADER_NOT_AVAILABLE for Metadata, UNKNOWN_TOPIC_OR_PARTITION
 * for Produce) and the client retries. Returns 0 (proposed, or already being created),
 * RN_ECONFIG (auto-create disabled), RN_EINVALIDTOPIC, RN_ENOTLEADER, RN_ECLOSED. */
int rn_broker_auto_create_topic(rn_broker_t *b, rn_str_t name);

/* Copy a view into buf as a C string; false (buf untouched) when it is null or does
 * not fit in len - 1 bytes. (topic_ops.c) */
bool rn_str_to_buf(rn_str_t s, char *buf, size_t len);

/* Log one DEBUG line about bad client input, at most one per second per broker (with
 * a count of the suppressed ones). peer may be NULL. */
void rn_broker_log_bad_input(rn_broker_t *b, rn_conn_t *conn, const char *what);

/* ---- the broker and its metadata (broker_meta.c), for broker.c ------------------- */

/* The cluster id read from meta.properties (32 hex digits; anything else is ignored). */
void rn__broker_set_cluster_id(rn_broker_t *b, const char *id_hex);
/* Propose the cluster id (first controller) and this broker's registration, if this
 * broker leads the quorum and is not registered or registering yet. */
void rn__broker_register(rn_broker_t *b);
/* Become ready if caught up: registered in the image and applied >= ready_offset
 * (a broker that is not the controller; broker_meta.c). */
void rn__broker_check_ready(rn_broker_t *b);
/* rn_quorum_config_t's on_apply and on_leader. */
void rn__broker_on_apply(void *arg, const rn_meta_record_t *rec);
void rn__broker_on_leader(void *arg, int32_t leader_id, bool is_self);

/* ---- liveness: heartbeats (heartbeat.c) and the controller's sessions (liveness.c) */

void rn__heartbeat_tick(rn_broker_t *b); /* broker tick: send the next heartbeat if due */
void rn__heartbeat_stop(rn_broker_t *b); /* close the connection to the controller */
void rn__isr_tick(rn_broker_t *b);       /* broker tick: ISR expansions and shrinks (isr.c) */
void rn__isr_stop(rn_broker_t *b);       /* close the AlterPartition connection */
void rn__liveness_tick(rn_broker_t *b);  /* broker tick: fence silent brokers */
void rn__elect_tick(rn_broker_t *b);     /* broker tick: preferred election, reconcile */
/* shutdown.c: true when a controlled shutdown began (it calls rn__broker_stop_now when
 * done); the tick; the controller's answer that it is done. */
bool rn__shutdown_begin(rn_broker_t *b);
void rn__shutdown_tick(rn_broker_t *b);
void rn__shutdown_acked(rn_broker_t *b);
/* broker.c: the stop proper (what rn_broker_stop does after a controlled shutdown). */
void rn__broker_stop_now(rn_broker_t *b);
/* A BrokerHeartbeat arrived: act on it as the controller, or answer NOT_CONTROLLER. */
void rn__liveness_heartbeat(rn_broker_t *b, const rn_broker_heartbeat_request_t *req,
                            rn_broker_heartbeat_response_t *resp);
void rn__liveness_free(rn_broker_t *b);
/* Propose the one change that fences broker id (controller_brokers.c), with cb(arg) as
 * the proposal's callback; one log line at `level` ("<why>: fencing broker N (...)")
 * and a WARN for unclean elections. 0 when proposed (cb will run), else an error and
 * nothing was proposed. Shared by fencing a silent, stopping or restarted broker and
 * the controller fencing itself (shutdown.c, broker_meta.c). */
int rn__propose_fencing(rn_broker_t *b, int32_t id, bool unclean_default, rn_log_level_t level,
                        const char *why, rn_quorum_propose_cb cb, void *arg);
/* isr.c: a PartitionChange for topic-partition was applied to the image (before the
 * registry follows it): count an ISR shrink / expand when this broker leads it. */
void rn__isr_count_change(rn_broker_t *b, const char *topic, int32_t partition);

/* ---- replication, follower side (replica_fetch.c) ---------------------------------- */

void rn__repl_tick(rn_broker_t *b); /* broker tick: follow the leaders, fetch */
void rn__repl_stop(rn_broker_t *b); /* close every fetcher (shutdown) */

/* ---- handlers (one file per API) -------------------------------------------------- */

void rn_handle_api_versions(rn_breq_t *breq);     /* handle_api_versions.c */
void rn_handle_metadata(rn_breq_t *breq);         /* handle_metadata.c */
void rn__metadata_tick(rn_broker_t *b);           /* handle_metadata.c: answer the waiting ones */
void rn_handle_create_topics(rn_breq_t *breq);    /* handle_topics.c */
void rn_handle_delete_topics(rn_breq_t *breq);    /* handle_topics.c */
void rn_handle_describe_configs(rn_breq_t *breq); /* handle_configs.c */
void rn_handle_alter_configs(rn_breq_t *breq);    /* handle_configs.c */
void rn_handle_produce(rn_breq_t *breq);          /* handle_produce.c (data path) */
void rn_handle_fetch(rn_breq_t *breq);            /* handle_fetch.c (data path) */
void rn_handle_list_offsets(rn_breq_t *breq);     /* handle_list_offsets.c (data path) */
void rn_handle_broker_heartbeat(rn_breq_t *breq); /* handle_broker_heartbeat.c */
void rn_handle_describe_quorum(rn_breq_t *breq);  /* handle_describe_quorum.c */
/* DescribeQuorum's error body (dispatch.h's encode_error; handle_describe_quorum.c). */
int rn__describe_quorum_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err);
void rn_handle_create_partitions(rn_breq_t *breq); /* handle_create_partitions.c */
void rn_handle_alter_partition(rn_breq_t *breq);   /* handle_alter_partition.c */
/* AlterPartition's error body (dispatch.h's encode_error; handle_alter_partition.c). */
int rn__alter_partition_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err);
/* CreatePartitions' error body (dispatch.h's encode_error; handle_create_partitions.c). */
int rn__create_partitions_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err);
void rn_handle_elect_leaders(rn_breq_t *breq);    /* handle_elect_leaders.c */
void rn_handle_find_coordinator(rn_breq_t *breq); /* handle_find_coordinator.c */
void rn_handle_join_group(rn_breq_t *breq);       /* handle_group.c */
void rn_handle_sync_group(rn_breq_t *breq);       /* handle_group.c */
void rn_handle_heartbeat(rn_breq_t *breq);        /* handle_group.c */
void rn_handle_leave_group(rn_breq_t *breq);      /* handle_group.c */
void rn_handle_offset_commit(rn_breq_t *breq);    /* handle_offsets.c */
void rn_handle_offset_fetch(rn_breq_t *breq);     /* handle_offsets.c */
void rn_handle_list_groups(rn_breq_t *breq);      /* handle_groups_admin.c */
void rn_handle_describe_groups(rn_breq_t *breq);  /* handle_groups_admin.c */
/* ElectLeaders' error body (dispatch.h's encode_error; handle_elect_leaders.c). */
int rn__elect_leaders_encode_error(rn_writer_t *wr, int16_t version, rn_wire_err_t err);

/* ---- parked requests (parked.c) ---------------------------------------------------
 * A request that waits for an event (a long-poll Fetch, an acks=all Produce) is
 * "parked": listed on the broker with its connection, so that when the connection
 * closes the request is dropped at once rather than holding memory and a timer until
 * its own timeout. Embedded in the waiting request's state. */
struct rn_parked_s {
    rn_parked_t *next, **pprev; /* broker-owned links; pprev NULL when not listed */
    rn_conn_t *conn;            /* the requesting connection */
    /* The connection closed: release everything, answering the request with
     * rn_breq_respond_none (nothing goes on the wire). p is already unlisted. */
    void (*drop)(rn_parked_t *p);
};

void rn__parked_add(rn_broker_t *b, rn_parked_t *p);
void rn__parked_remove(rn_parked_t *p); /* harmless when not listed */

/* Called from the server's on_close: drops every parked request of conn. */
void rn__parked_conn_closed(rn_broker_t *b, rn_conn_t *conn);

#endif
