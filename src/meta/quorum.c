/*
 * quorum.c — libraft glue: transport, I/O backend, the FSM that applies metadata
 * records to the image, proposals, leadership tracking, and shutdown (see quorum.h).
 *
 * libraft 0.15 facts this file relies on (raft.h, raft/uv.h):
 *   - raft_uv_init needs the directory to exist; raft_bootstrap is refused
 *     (RAFT_CANTBOOTSTRAP) once anything was persisted, and must happen before
 *     raft_start.
 *   - Buffers handed to raft_apply must come from raft_malloc; libraft owns them once
 *     raft_apply returns 0 (and we free them when it fails).
 *   - FSM version 1: snapshot() returns raft_malloc'd bufs (array and bases) that
 *     libraft frees; restore() must raft_free(buf->base) on success only.
 *   - fsm->apply must return 0: a non-zero return stalls the apply loop, which would
 *     retry the same entry forever. So a record that cannot apply is skipped with a
 *     WARN line, and its error travels to the proposer through apply's result.
 *   - A raft_apply request's callback fires when its *first* entry is applied, so a
 *     batch of records is one entry, never several.
 *   - Entry data must be a multiple of 8 bytes long: the uv backend pads on disk but
 *     checksums the unpadded length, finds the segment corrupt at the next start and
 *     moves it aside, losing the entries (records.c pads every entry).
 *   - A single voter re-elects itself at start without a new term; entries of earlier
 *     runs are applied once a barrier of the current term commits.
 *   - raft_add puts a server in the configuration as a spare (no log); raft_assign
 *     then makes it a standby (replicates, never votes). Only one configuration change
 *     may be in flight (else RAFT_CANTCHANGE); its callback fires once it commits.
 *     A node started without bootstrap, with an empty configuration, never campaigns:
 *     it waits for a leader to send it the log.
 *   - There is no state-change callback in 0.15: a timer polls raft_state and
 *     raft_leader every heartbeat.
 *   - raft_close fails pending requests, closes the I/O backend (and through it the
 *     transport) and then calls back; raft_uv_close and raft_uv_tcp_close then free
 *     their memory. But raft_close while appends are still in flight crashed 0.15
 *     (a NULL dereference in its entry refcount table, seen in test_quorum), so
 *     rn_quorum_stop first refuses new proposals and waits, up to an election
 *     timeout, for those in flight to finish.
 *
 * Lifetime: q is rn_malloc'd; rn_quorum_stop closes the timer, then raft, then frees.
 */
#include "meta/quorum.h"

#include <errno.h>
#include <raft.h>
#include <raft/uv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/snapshot.h"
#include "proto/writer.h"

#define MOD "meta"

#define DEFAULT_SNAPSHOT_THRESHOLD 1024
#define DEFAULT_SNAPSHOT_TRAILING  128
#define DEFAULT_ELECTION_MS        1000
#define DEFAULT_HEARTBEAT_MS       100

struct rn_quorum_s {
    uv_loop_t *loop;
    struct raft_uv_transport transport;
    struct raft_io io;
    struct raft_fsm fsm;
    struct raft raft;
    uv_timer_t watch; /* polls leadership (libraft 0.15 has no state callback) */
    struct raft_barrier barrier;
    rn_meta_image_t *img;
    char *dir;
    int32_t id;
    rn_quorum_apply_fn on_apply;
    rn_quorum_leader_fn on_leader;
    void *arg;
    raft_term ready_term;   /* term whose barrier has been applied (0: none) */
    raft_term barrier_term; /* term of the barrier in flight (0: none) */
    int32_t seen_leader;    /* what on_leader last reported */
    int32_t followed;       /* the last other node this one followed as leader; -1 none */
    raft_time contact;      /* when (libraft's clock, ms) it last heard from it */
    bool seen_self;
    int pending;       /* proposals, barrier and membership change in flight */
    bool changing;     /* a membership change (raft_add / raft_assign) is in flight */
    unsigned drain_ms; /* how long rn_quorum_stop waits for them */
    bool stopping;
    bool closing;
    void (*stop_cb)(void *arg);
    void *stop_arg;
};

typedef struct proposal_s {
    struct raft_apply req;
    rn_quorum_t *q;
    rn_quorum_propose_cb cb;
    void *arg;
} proposal_t;

static int from_raft(int rv) {
    switch (rv) {
    case 0:
        return 0;
    case RAFT_NOTLEADER:
    case RAFT_LEADERSHIPLOST:
        return RN_ENOTLEADER;
    case RAFT_SHUTDOWN:
    case RAFT_CANCELED:
        return RN_ECLOSED;
    case RAFT_NOMEM:
        return -ENOMEM;
    case RAFT_TOOBIG:
        return RN_ETOOLARGE;
    default:
        return RN_ERAFT;
    }
}

/* ---- the state machine ----------------------------------------------------------- */

static void warn_skip(rn_quorum_t *q, const char *what, int type, int err) {
    /* The index being applied: libraft advances last_applied after apply returns. */
    rn_log(RN_LOG_WARN, MOD, "skipped a committed %s %s at index %llu: %s",
           type ? rn_meta_record_type_name(type) : "metadata", what,
           (unsigned long long)raft_last_applied(&q->raft) + 1, rn_strerror(err));
}

static int fsm_apply(struct raft_fsm *fsm, const struct raft_buffer *buf, void **result) {
    rn_quorum_t *q = fsm->data;
    rn_meta_entry_iter_t it;
    int32_t count;
    int first_err = rn_meta_entry_open(&it, buf->base, buf->len, &count);
    if (first_err != 0) {
        warn_skip(q, "entry that does not decode", 0, first_err);
        count = 0;
    }
    for (int32_t i = 0; i < count; i++) {
        const uint8_t *body;
        size_t len;
        rn_meta_record_t rec;
        int rc = rn_meta_entry_next(&it, &body, &len);
        if (rc != 0) {
            warn_skip(q, "entry cut short", 0, rc);
            first_err = first_err ? first_err : rc;
            break;
        }
        int type = len >= 2 ? (int16_t)(body[0] << 8 | body[1]) : 0;
        rc = rn_meta_record_decode(body, len, &rec);
        if (rc != 0) {
            warn_skip(q, "that does not decode", type, rc);
        } else if ((rc = rn_meta_image_apply(q->img, &rec)) != 0) {
            warn_skip(q, "that cannot apply", type, rc);
        } else if (q->on_apply != NULL) {
            q->on_apply(q->arg, &rec);
        }
        if (rc != 0 && first_err == 0)
            first_err = rc;
        rn_meta_record_deinit(&rec);
    }
    *result = (void *)(intptr_t)first_err;
    return 0;
}

static int fsm_snapshot(struct raft_fsm *fsm, struct raft_buffer *bufs[], unsigned *n_bufs) {
    rn_quorum_t *q = fsm->data;
    rn_writer_t wr;
    rn_writer_init(&wr, 4096);
    rn_meta_snapshot_encode(q->img, &wr);
    struct raft_buffer *b = raft_malloc(sizeof *b);
    void *base = raft_malloc(wr.len);
    if (b == NULL || base == NULL) {
        raft_free(b);
        raft_free(base);
        rn_writer_deinit(&wr);
        return RAFT_NOMEM;
    }
    memcpy(base, wr.buf, wr.len);
    b->base = base;
    b->len = wr.len;
    rn_writer_deinit(&wr);
    *bufs = b;
    *n_bufs = 1;
    return 0;
}

static int fsm_restore(struct raft_fsm *fsm, struct raft_buffer *buf) {
    rn_quorum_t *q = fsm->data;
    rn_meta_image_t *img;
    int rc = rn_meta_snapshot_decode(buf->base, buf->len, &img);
    if (rc != 0) {
        rn_log(RN_LOG_ERROR, MOD, "%s: cannot restore metadata snapshot (%zu bytes): %s", q->dir,
               buf->len, rn_strerror(rc));
        return RAFT_MALFORMED; /* libraft keeps ownership of buf and fails the start */
    }
    rn_meta_image_free(q->img);
    q->img = img;
    raft_free(buf->base);
    rn_log(RN_LOG_INFO, MOD, "restored metadata image from snapshot: %zu brokers, %zu topics",
           img->nbrokers, img->ntopics);
    if (q->on_apply != NULL)
        q->on_apply(q->arg, NULL);
    return 0;
}

/* ---- leadership ------------------------------------------------------------------ */

static void check_leader(rn_quorum_t *q);

static void request_done(rn_quorum_t *q);

static void barrier_done(struct raft_barrier *req, int status) {
    rn_quorum_t *q = req->data;
    raft_term term = q->barrier_term;
    q->barrier_term = 0;
    request_done(q);
    if (status == 0 && !q->stopping) {
        q->ready_term = term;
        check_leader(q);
    }
}

static void check_leader(rn_quorum_t *q) {
    if (q->stopping)
        return;
    raft_id lid = 0;
    const char *laddr = NULL;
    raft_leader(&q->raft, &lid, &laddr);
    bool leading = raft_state(&q->raft) == RAFT_LEADER;
    raft_term term = q->raft.current_term;
    if (leading && q->ready_term != term && q->barrier_term == 0) {
        q->barrier.data = q;
        if (raft_barrier(&q->raft, &q->barrier, barrier_done) == 0) {
            q->barrier_term = term;
            q->pending++;
        }
    }
    int32_t leader = lid != 0 ? (int32_t)lid : -1;
    bool self = rn_quorum_is_leader(q);
    if (leader == q->seen_leader && self == q->seen_self)
        return;
    rn_log(RN_LOG_INFO, MOD, "controller is now %d%s (term %llu)", (int)leader,
           self ? " (this broker)" : "", (unsigned long long)term);
    q->seen_leader = leader;
    q->seen_self = self;
    if (q->on_leader != NULL)
        q->on_leader(q->arg, leader, self);
}

/* While following a leader, remember it and when it was last heard from (libraft
 * restarts the election timer at every contact): once it is gone, a new leader knows
 * how long it has been silent (rn_quorum_last_contact). */
static void sample_contact(rn_quorum_t *q) {
    struct raft *r = &q->raft;
    if (raft_state(r) != RAFT_FOLLOWER || r->follower_state.current_leader.id == 0 ||
        r->follower_state.current_leader.id == r->id)
        return;
    q->followed = (int32_t)r->follower_state.current_leader.id;
    q->contact = r->election_timer_start;
}

static void watch_tick(uv_timer_t *t) {
    sample_contact(t->data);
    check_leader(t->data);
}

int32_t rn_quorum_last_contact(const rn_quorum_t *q, uint64_t *silent_ms) {
    uint64_t now = uv_now(q->loop);
    *silent_ms = q->followed >= 0 && now > q->contact ? now - q->contact : 0;
    return q->followed;
}

bool rn_quorum_is_leader(const rn_quorum_t *q) {
    struct raft *r = (struct raft *)&q->raft; /* raft_state takes a non-const pointer */
    return !q->stopping && raft_state(r) == RAFT_LEADER && q->ready_term == r->current_term;
}

int32_t rn_quorum_leader_id(const rn_quorum_t *q) {
    raft_id lid = 0;
    const char *addr = NULL;
    raft_leader((struct raft *)&q->raft, &lid, &addr);
    return lid != 0 ? (int32_t)lid : -1;
}

uint64_t rn_quorum_applied_index(const rn_quorum_t *q) {
    return raft_last_applied((struct raft *)&q->raft);
}

const rn_meta_image_t *rn_quorum_image(const rn_quorum_t *q) {
    return q->img;
}

/* ---- proposals ------------------------------------------------------------------- */

static void proposal_done(struct raft_apply *req, int status, void *result) {
    proposal_t *prop = req->data;
    rn_quorum_t *q = prop->q;
    int rc = status != 0 ? from_raft(status) : (int)(intptr_t)result;
    prop->cb(prop->arg, rc);
    rn_free(prop);
    request_done(q);
}

int rn_quorum_propose(rn_quorum_t *q, const rn_meta_record_t *recs, size_t n,
                      rn_quorum_propose_cb cb, void *arg) {
    if (q->stopping)
        return RN_ECLOSED;
    if (!rn_quorum_is_leader(q))
        return RN_ENOTLEADER;
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    rn_meta_entry_encode(recs, n, &wr);
    struct raft_buffer buf = {.base = raft_malloc(wr.len), .len = wr.len};
    if (buf.base == NULL) {
        rn_writer_deinit(&wr);
        return -ENOMEM;
    }
    memcpy(buf.base, wr.buf, wr.len);
    rn_writer_deinit(&wr);
    proposal_t *prop = rn_calloc(1, sizeof *prop);
    prop->req.data = prop;
    prop->q = q;
    prop->cb = cb;
    prop->arg = arg;
    int rv = raft_apply(&q->raft, &prop->req, &buf, 1, proposal_done);
    if (rv != 0) {
        raft_free(buf.base);
        rn_free(prop);
        return from_raft(rv);
    }
    q->pending++;
    return 0;
}

/* ---- membership ------------------------------------------------------------------ */

typedef struct change_s {
    struct raft_change req;
    rn_quorum_t *q;
    int32_t id;
} change_t;

static const struct raft_server *member(const rn_quorum_t *q, int32_t id) {
    const struct raft_configuration *c = &q->raft.configuration; /* latest, maybe uncommitted */
    for (unsigned i = 0; i < c->n; i++)
        if (c->servers[i].id == (raft_id)id)
            return &c->servers[i];
    return NULL;
}

static int start_change(rn_quorum_t *q, int32_t id, const char *address);

static void change_done(struct raft_change *req, int status) {
    change_t *ch = req->data;
    rn_quorum_t *q = ch->q;
    int32_t id = ch->id;
    rn_free(ch);
    q->changing = false;
    if (status != 0)
        rn_log(RN_LOG_WARN, MOD, "metadata quorum membership of broker %d: %s (will retry)",
               (int)id, raft_strerror(status));
    const struct raft_server *srv = status == 0 && !q->stopping ? member(q, id) : NULL;
    if (srv != NULL && srv->role == RAFT_SPARE)
        (void)start_change(q, id, NULL); /* added: now make it a standby */
    request_done(q);
}

/* raft_add (not a member yet) or raft_assign(RAFT_STANDBY) (a spare). */
static int start_change(rn_quorum_t *q, int32_t id, const char *address) {
    const struct raft_server *srv = member(q, id);
    change_t *ch = rn_malloc(sizeof *ch);
    ch->req.data = ch;
    ch->q = q;
    ch->id = id;
    int rv = srv == NULL ? raft_add(&q->raft, &ch->req, (raft_id)id, address, change_done)
                         : raft_assign(&q->raft, &ch->req, (raft_id)id, RAFT_STANDBY, change_done);
    if (rv != 0) {
        rn_free(ch);
        if (rv == RAFT_CANTCHANGE)
            return RN_EBUSY;
        rn_log(RN_LOG_WARN, MOD, "cannot %s broker %d%s%s: %s (%s)",
               srv == NULL ? "add" : "make a standby of", (int)id, srv == NULL ? " at " : "",
               srv == NULL ? address : "", raft_strerror(rv), raft_errmsg(&q->raft));
        return from_raft(rv);
    }
    q->changing = true;
    q->pending++;
    if (srv == NULL)
        rn_log(RN_LOG_INFO, MOD, "adding broker %d (%s) to the metadata quorum", (int)id, address);
    else
        rn_log(RN_LOG_INFO, MOD, "broker %d follows the metadata log as a standby", (int)id);
    return 0;
}

int rn_quorum_add_standby(rn_quorum_t *q, int32_t id, const char *address) {
    if (q->stopping)
        return RN_ECLOSED;
    if (!rn_quorum_is_leader(q))
        return RN_ENOTLEADER;
    const struct raft_server *srv = member(q, id);
    if (srv != NULL && srv->role != RAFT_SPARE)
        return 0; /* a voter, or a standby already */
    if (q->changing)
        return RN_EBUSY;
    return start_change(q, id, address);
}

/* ---- start ----------------------------------------------------------------------- */

static int mkdir_if_missing(const char *path) {
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    return -errno;
}

/* A directory is new when libraft has never written its metadata files into it. */
static bool dir_is_new(const char *dir) {
    char path[4096];
    struct stat st;
    for (int i = 1; i <= 2; i++) {
        snprintf(path, sizeof path, "%s/metadata%d", dir, i);
        if (stat(path, &st) == 0)
            return false;
    }
    return true;
}

static int check_config(const rn_quorum_config_t *cfg, bool *is_voter) {
    *is_voter = false;
    if (cfg->node_id <= 0 || cfg->address == NULL || cfg->log_dir == NULL)
        return RN_ECONFIG;
    for (size_t i = 0; i < cfg->nvoters; i++) {
        if (cfg->voters[i].id <= 0 || cfg->voters[i].address == NULL)
            return RN_ECONFIG;
        if (cfg->voters[i].id == cfg->node_id)
            *is_voter = true;
    }
    return 0;
}

static int bootstrap(rn_quorum_t *q, const rn_quorum_config_t *cfg) {
    struct raft_configuration conf;
    raft_configuration_init(&conf);
    int rv = 0;
    for (size_t i = 0; i < cfg->nvoters && rv == 0; i++)
        rv = raft_configuration_add(&conf, (raft_id)cfg->voters[i].id, cfg->voters[i].address,
                                    RAFT_VOTER);
    if (rv == 0)
        rv = raft_bootstrap(&q->raft, &conf);
    raft_configuration_close(&conf);
    if (rv != 0)
        rn_log(RN_LOG_ERROR, MOD, "%s: bootstrap: %s (%s)", q->dir, raft_strerror(rv),
               raft_errmsg(&q->raft));
    else
        rn_log(RN_LOG_INFO, MOD, "%s: bootstrapped a new quorum of %zu voter%s", q->dir,
               cfg->nvoters, cfg->nvoters == 1 ? "" : "s");
    return rv;
}

static void q_free(rn_quorum_t *q) {
    rn_meta_image_free(q->img);
    rn_free(q->dir);
    rn_free(q);
}

/* raft_close's callback after a failed start: no user callback to call. */
static void failed_start_closed(struct raft *r) {
    rn_quorum_t *q = r->data;
    raft_uv_close(&q->io);
    raft_uv_tcp_close(&q->transport);
    q_free(q);
}

static void tune(rn_quorum_t *q, const rn_quorum_config_t *cfg) {
    unsigned hb = cfg->heartbeat_timeout_ms ? cfg->heartbeat_timeout_ms : DEFAULT_HEARTBEAT_MS;
    raft_set_election_timeout(&q->raft, cfg->election_timeout_ms ? cfg->election_timeout_ms
                                                                 : DEFAULT_ELECTION_MS);
    raft_set_heartbeat_timeout(&q->raft, hb);
    raft_set_snapshot_threshold(&q->raft, cfg->snapshot_threshold ? cfg->snapshot_threshold
                                                                  : DEFAULT_SNAPSHOT_THRESHOLD);
    raft_set_snapshot_trailing(&q->raft, cfg->snapshot_trailing ? cfg->snapshot_trailing
                                                                : DEFAULT_SNAPSHOT_TRAILING);
    raft_set_pre_vote(&q->raft, true);
}

/* Transport, I/O backend and raft_init. On failure everything is released. */
static int init_raft(rn_quorum_t *q, const rn_quorum_config_t *cfg) {
    int rv = raft_uv_tcp_init(&q->transport, q->loop);
    if (rv != 0)
        goto fail;
    rv = raft_uv_init(&q->io, q->loop, q->dir, &q->transport);
    if (rv != 0) {
        raft_uv_tcp_close(&q->transport);
        goto fail;
    }
    q->fsm = (struct raft_fsm){
        .version = 1,
        .data = q,
        .apply = fsm_apply,
        .snapshot = fsm_snapshot,
        .restore = fsm_restore,
    };
    rv = raft_init(&q->raft, &q->io, &q->fsm, (raft_id)cfg->node_id, cfg->address);
    if (rv != 0) {
        rn_log(RN_LOG_ERROR, MOD, "%s: raft_init: %s", q->dir, raft_errmsg(&q->raft));
        raft_uv_close(&q->io);
        raft_uv_tcp_close(&q->transport);
        return rv;
    }
    q->raft.data = q;
    tune(q, cfg);
    q->drain_ms = cfg->election_timeout_ms ? cfg->election_timeout_ms : DEFAULT_ELECTION_MS;
    return 0;
fail:
    rn_log(RN_LOG_ERROR, MOD, "%s: libraft I/O init: %s", q->dir, raft_strerror(rv));
    return rv;
}

int rn_quorum_start(uv_loop_t *loop, const rn_quorum_config_t *cfg, rn_quorum_t **out) {
    bool is_voter;
    *out = NULL;
    int rc = check_config(cfg, &is_voter);
    if (rc != 0)
        return rc;
    rn_quorum_t *q = rn_calloc(1, sizeof *q);
    q->loop = loop;
    q->id = cfg->node_id;
    q->on_apply = cfg->on_apply;
    q->on_leader = cfg->on_leader;
    q->arg = cfg->arg;
    q->seen_leader = -1;
    q->followed = -1;
    q->img = rn_meta_image_new();
    size_t n = strlen(cfg->log_dir) + sizeof "/__meta";
    q->dir = rn_malloc(n);
    snprintf(q->dir, n, "%s/__meta", cfg->log_dir);
    if ((rc = mkdir_if_missing(cfg->log_dir)) != 0 || (rc = mkdir_if_missing(q->dir)) != 0) {
        rn_log(RN_LOG_ERROR, MOD, "%s: %s", q->dir, rn_strerror(rc));
        q_free(q);
        return rc;
    }
    bool fresh = dir_is_new(q->dir);
    if (init_raft(q, cfg) != 0) {
        q_free(q);
        return RN_ERAFT;
    }
    int rv = fresh && is_voter ? bootstrap(q, cfg) : 0;
    if (rv == 0) {
        rv = raft_start(&q->raft);
        if (rv != 0)
            rn_log(RN_LOG_ERROR, MOD, "%s: cannot start the metadata quorum on %s: %s", q->dir,
                   cfg->address, raft_errmsg(&q->raft));
    }
    if (rv != 0) {
        raft_close(&q->raft, failed_start_closed);
        return RN_ERAFT;
    }
    uv_timer_init(loop, &q->watch);
    q->watch.data = q;
    unsigned hb = cfg->heartbeat_timeout_ms ? cfg->heartbeat_timeout_ms : DEFAULT_HEARTBEAT_MS;
    uv_timer_start(&q->watch, watch_tick, 0, hb);
    rn_log(RN_LOG_INFO, MOD, "%s: node %d on %s started (%s, %zu voter%s)", q->dir,
           (int)cfg->node_id, cfg->address, fresh ? "new" : "restarted", cfg->nvoters,
           cfg->nvoters == 1 ? "" : "s");
    if (!is_voter)
        rn_log(RN_LOG_INFO, MOD,
               "node %d is not a voter: it follows the metadata log as a "
               "standby once the controller has added it",
               (int)cfg->node_id);
    *out = q;
    return 0;
}

/* ---- stop ------------------------------------------------------------------------ */

static void raft_closed(struct raft *r) {
    rn_quorum_t *q = r->data;
    void (*cb)(void *) = q->stop_cb;
    void *arg = q->stop_arg;
    raft_uv_close(&q->io);
    raft_uv_tcp_close(&q->transport);
    q_free(q);
    if (cb != NULL)
        cb(arg);
}

static void watch_closed(uv_handle_t *h) {
    rn_quorum_t *q = h->data;
    raft_close(&q->raft, raft_closed);
}

/* Close the timer, then raft: once the drain is over or has timed out. */
static void finish_stop(rn_quorum_t *q) {
    if (q->closing)
        return;
    q->closing = true;
    if (q->pending > 0)
        rn_log(RN_LOG_WARN, MOD, "%s: stopping with %d metadata proposals still in flight", q->dir,
               q->pending);
    uv_timer_stop(&q->watch);
    uv_close((uv_handle_t *)&q->watch, watch_closed);
}

static void drain_timeout(uv_timer_t *t) {
    finish_stop(t->data);
}

static void request_done(rn_quorum_t *q) {
    q->pending--;
    if (q->stopping && q->pending == 0)
        finish_stop(q);
}

void rn_quorum_stop(rn_quorum_t *q, void (*cb)(void *arg), void *arg) {
    if (q->stopping)
        return;
    q->stopping = true;
    q->stop_cb = cb;
    q->stop_arg = arg;
    uv_timer_stop(&q->watch);
    if (q->pending == 0)
        finish_stop(q);
    else /* the watch timer, idle now, bounds the drain */
        uv_timer_start(&q->watch, drain_timeout, q->drain_ms, 0);
}

/* ---- status ----------------------------------------------------------------------- */

size_t rn_quorum_status(const rn_quorum_t *q, rn_quorum_status_t *st, rn_quorum_member_t *members,
                        size_t cap) {
    struct raft *r = (struct raft *)&q->raft; /* raft_state & co. take non-const pointers */
    st->leader_id = rn_quorum_leader_id(q);
    st->term = r->current_term;
    st->commit_index = r->commit_index;
    st->applied_index = raft_last_applied(r);
    /* leader_state.progress is parallel to configuration.servers while leading. */
    bool leading = raft_state(r) == RAFT_LEADER && r->leader_state.progress != NULL;
    const struct raft_configuration *conf = &r->configuration;
    for (unsigned i = 0; i < conf->n && i < cap; i++) {
        const struct raft_server *s = &conf->servers[i];
        int64_t end = -1;
        if (s->id == r->id)
            end = (int64_t)raft_last_index(r);
        else if (leading && r->leader_state.progress[i].match_index > 0)
            end = (int64_t)r->leader_state.progress[i].match_index; /* 0: not heard yet */
        members[i] = (rn_quorum_member_t){(int32_t)s->id, s->role == RAFT_VOTER, end};
    }
    return conf->n;
}
