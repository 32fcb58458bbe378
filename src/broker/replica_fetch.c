/*
 * replica_fetch.c — the follower side of replication: copy the leader's log into the
 * local replicas. One fetcher per source broker (the leader of some partitions this
 * broker follows), each with one outbound connection to that broker's client listener,
 * multiplexing every partition this broker follows from it in one Fetch at a time.
 *
 *   tick ──▶ reconcile: a fetcher for every leader of a partition we follow; fetchers
 *            whose leader no longer leads anything we follow are closed and freed
 *        ──▶ per fetcher: connect (after a backoff) ──▶ Fetch{replica_id = own id,
 *            per partition: fetch_offset = local log end, last_fetched_epoch = local
 *            latest epoch, current_leader_epoch} ──▶ leader long-polls (max_wait_ms)
 *   answer ──▶ per partition: records ──▶ rn_plog_append_replica, batch by batch
 *                             diverging_epoch ──▶ rn_plog_truncate to where the logs
 *                             agree (Kafka's rule, below), fetch again
 *          ──▶ no error: the next Fetch at once; errors: after a backoff
 *   conn closed / no answer in time ──▶ backoff (doubling to 1 s), reconnect
 *
 * Truncation on diverging_epoch {epoch E, end_offset O} (KIP-279): look up E in the
 * local epoch history: when we have E too, cut at min(O, our end of E); when our
 * largest epoch <= E is smaller, cut at our end of that epoch (the next answer will
 * narrow it further); when the leader does not know our epoch (E = -1), cut at
 * min(O, our log end).
 *
 * Which partitions are followed is read from the registry (partitions.h) on every
 * tick and every answer, so metadata changes (leader moves, new and deleted topics)
 * take effect within a tick. The ISR and the leader's high watermark are the leader's
 * business (isr.c); a follower keeps HW = min(leader's HW, its log end).
 *
 * This lives in src/broker, not src/repl: it drives the broker's registry, tick and
 * lifecycle, and the broker must start and stop it, so a separate library would form a
 * dependency cycle with rn_broker. Loop thread only.
 */
#include <string.h>

#include "broker/broker_int.h"
#include "broker/partitions.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "net/client_conn.h"
#include "proto/api.h"
#include "proto/api_fetch.h"
#include "proto/batch.h"
#include "proto/reader.h"

#define MOD            "repl"
#define MAX_WAIT_MS    500
#define ANSWER_SLACK   10000 /* ms past max_wait before an answer is given up on */
#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000
#define MAX_BYTES      (4 << 20)
#define PART_MAX_BYTES (1 << 20)

struct rn_fetcher_s {
    rn_fetcher_t *next;
    int32_t leader; /* the source broker */
    rn_conn_t *conn;
    bool connected, inflight, used;
    int32_t corr;
    int64_t sent_ms;
    int64_t next_ms; /* nothing (connect, send) before this: backoff */
    int64_t backoff_ms;
};

/* A partition offline here since a log write failed (partitions.h) is not copied. */
static bool follows(const rn_broker_t *b, const rn_partition_t *part) {
    return !part->is_leader && part->leader_id >= 0 && part->leader_id != b->cfg.broker_id &&
           part->storage_err == 0;
}

static rn_fetcher_t *find_leader(rn_broker_t *b, int32_t leader) {
    for (rn_fetcher_t *f = b->fetchers; f != NULL; f = f->next)
        if (f->leader == leader)
            return f;
    return NULL;
}

static rn_fetcher_t *find_conn(rn_broker_t *b, const rn_conn_t *conn) {
    for (rn_fetcher_t *f = b->fetchers; f != NULL; f = f->next)
        if (f->conn == conn)
            return f;
    return NULL;
}

/* Close the connection (on_close will find no fetcher) and wait before the next. */
static void drop_conn(rn_fetcher_t *f) {
    if (f->conn != NULL)
        rn_conn_close(f->conn);
    f->conn = NULL;
    f->connected = f->inflight = false;
    f->next_ms = rn_mono_ms() + f->backoff_ms;
    f->backoff_ms = f->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : f->backoff_ms * 2;
}

/* ---- building the Fetch ---------------------------------------------------------- */

typedef struct collect_s {
    rn_broker_t *b;
    int32_t leader;
    rn_partition_t **parts;
    int32_t n, cap;
} collect_t;

static void collect_one(rn_partition_t *part, void *arg) {
    collect_t *c = arg;
    if (!follows(c->b, part) || part->leader_id != c->leader)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->parts = rn_realloc(c->parts, (size_t)c->cap * sizeof *c->parts);
    }
    c->parts[c->n++] = part;
}

static void fill_partition(const rn_partition_t *part, rn_fetch_partition_t *fp) {
    fp->partition = part->index;
    fp->current_leader_epoch = part->leader_epoch;
    fp->fetch_offset = rn_plog_end_offset(part->plog);
    fp->last_fetched_epoch = rn_plog_latest_epoch(part->plog);
    fp->log_start_offset = rn_plog_start_offset(part->plog);
    fp->partition_max_bytes = PART_MAX_BYTES;
}

/* The request's topics: the registry lists a topic's partitions together. */
static void build_request(rn_broker_t *b, const collect_t *c, rn_fetch_request_t *req) {
    memset(req, 0, sizeof *req);
    req->replica_id = b->cfg.broker_id;
    req->max_wait_ms = MAX_WAIT_MS;
    req->min_bytes = 1;
    req->max_bytes = MAX_BYTES;
    req->topics = rn_calloc((size_t)c->n, sizeof *req->topics);
    rn_fetch_partition_t *fps = rn_calloc((size_t)c->n, sizeof *fps);
    for (int32_t i = 0; i < c->n; i++) {
        const rn_partition_t *part = c->parts[i];
        if (i == 0 || part->topic != c->parts[i - 1]->topic) {
            rn_fetch_topic_t *ft = &req->topics[req->n_topics++];
            ft->topic = rn_str(part->topic->name);
            ft->partitions = &fps[i];
        }
        fill_partition(part, &fps[i]);
        req->topics[req->n_topics - 1].n_partitions++;
    }
}

static void free_request(rn_fetch_request_t *req) {
    if (req->n_topics > 0)
        rn_free(req->topics[0].partitions);
    rn_free(req->topics);
}

static void send_fetch(rn_broker_t *b, rn_fetcher_t *f) {
    collect_t c = {.b = b, .leader = f->leader};
    rn_partitions_each(b->parts, collect_one, &c);
    if (c.n == 0) {
        rn_free(c.parts);
        return; /* nothing to follow from it: the next reconcile frees it */
    }
    rn_fetch_request_t req;
    build_request(b, &c, &req);
    rn_request_header_t h = {RN_API_FETCH, 0, ++f->corr, rn_str("runneld-replica")};
    rn_writer_t wr;
    rn_writer_init(&wr, 64 + (size_t)c.n * 48);
    int rc = rn_request_header_encode(&wr, &h);
    if (rc == 0)
        rc = rn_fetch_request_encode(&wr, 0, &req);
    free_request(&req);
    rn_free(c.parts);
    size_t len;
    uint8_t *bytes = rn_writer_take(&wr, &len);
    if (rc == 0)
        rc = rn_conn_send(f->conn, bytes, len); /* takes bytes */
    else
        rn_free(bytes);
    if (rc != 0) {
        drop_conn(f);
        return;
    }
    f->inflight = true;
    f->sent_ms = rn_mono_ms();
}

/* ---- applying the answer ------------------------------------------------------------ */

static void truncate_diverged(rn_partition_t *part, const rn_fetch_epoch_end_offset_t *de) {
    rn_plog_t *plog = part->plog;
    int64_t end = rn_plog_end_offset(plog), to = de->end_offset < end ? de->end_offset : end;
    if (de->epoch >= 0) {
        int32_t mine;
        int64_t mine_end;
        (void)rn_plog_epoch_end_offset(plog, de->epoch, &mine, &mine_end);
        if (mine == de->epoch)
            to = de->end_offset < mine_end ? de->end_offset : mine_end;
        else if (mine >= 0)
            to = mine_end;
    }
    char name[300];
    rn_log(RN_LOG_INFO, MOD,
           "%s: log diverged from the leader's (epoch %d ends at %lld there): "
           "truncating from %lld to %lld",
           rn_partition_name(part, name, sizeof name), (int)de->epoch, (long long)de->end_offset,
           (long long)end, (long long)to);
    int rc = rn_plog_truncate(plog, to < 0 ? 0 : to);
    if (rc != 0)
        rn_log(RN_LOG_ERROR, MOD, "%s: truncate failed: %s", name, rn_strerror(rc));
}

/* Append the whole batches of records (the last may be partial: ignored). */
static int append_records(rn_partition_t *part, rn_bytes_t records) {
    const uint8_t *p = records.ptr;
    size_t left = records.len > 0 ? (size_t)records.len : 0;
    while (left >= RN_BATCH_HEADER_SIZE) {
        rn_batch_header_t h;
        int rc = rn_batch_header_decode(p, left, &h);
        if (rc != 0 || rn_batch_size(&h) > left)
            return 0;
        rc = rn_plog_append_replica(part->plog, p, rn_batch_size(&h));
        if (rc != 0 && rn_partition_is_storage_error(rc)) {
            rn_partition_storage_failed(part, rc); /* one ERROR line; no longer followed */
            return rc;
        }
        if (rc != 0) {
            char name[300];
            rn_log(RN_LOG_WARN, MOD, "%s@%lld: replica append failed: %s",
                   rn_partition_name(part, name, sizeof name), (long long)h.base_offset,
                   rn_strerror(rc));
            return rc;
        }
        p += rn_batch_size(&h);
        left -= rn_batch_size(&h);
    }
    return 0;
}

/* Our log ends below the leader's log start (retention deleted what we lack): drop it
 * and copy on from the leader's start (Kafka's truncateFullyAndStartAt). */
static bool restart_at(rn_partition_t *part, int64_t leader_start) {
    char name[300];
    int64_t end = rn_plog_end_offset(part->plog);
    int rc = rn_plog_reset(part->plog, leader_start);
    if (rc != 0) {
        rn_log(RN_LOG_ERROR, MOD, "%s: cannot restart the log at %lld: %s",
               rn_partition_name(part, name, sizeof name), (long long)leader_start,
               rn_strerror(rc));
        return false;
    }
    rn_log(RN_LOG_WARN, MOD,
           "%s: log end %lld is below the leader's log start %lld: log dropped, copying "
           "from %lld",
           rn_partition_name(part, name, sizeof name), (long long)end, (long long)leader_start,
           (long long)leader_start);
    rn_partition_set_hw(part, leader_start);
    return true;
}

/* One partition's answer; false when it was an error worth a backoff. */
static bool apply_partition(rn_broker_t *b, const rn_fetcher_t *f, rn_str_t topic,
                            const rn_fetch_partition_data_t *pd) {
    rn_partition_t *part =
        rn_partitions_get(b->parts, topic.ptr, (size_t)topic.len, pd->partition_index);
    if (part == NULL || !follows(b, part) || part->leader_id != f->leader)
        return true; /* the metadata moved on meanwhile */
    if (pd->error_code == RN_WIRE_OFFSET_OUT_OF_RANGE &&
        pd->log_start_offset > rn_plog_end_offset(part->plog))
        return restart_at(part, pd->log_start_offset);
    if (pd->error_code != RN_WIRE_NONE)
        return false;
    if (pd->diverging_epoch.epoch >= 0 || pd->diverging_epoch.end_offset >= 0) {
        truncate_diverged(part, &pd->diverging_epoch);
        rn_partition_set_hw(part, part->high_watermark); /* never above the new log end */
        return true;
    }
    if (append_records(part, pd->records) != 0)
        return false;
    rn_partition_set_hw(part, pd->high_watermark); /* min(leader's HW, log end) */
    return true;
}

static void on_frame(rn_conn_t *conn, uint8_t *frame, size_t len, void *arg) {
    rn_broker_t *b = arg;
    rn_fetcher_t *f = find_conn(b, conn);
    rn_reader_t rd;
    int32_t corr = 0;
    rn_reader_init(&rd, frame, len);
    rn_fetch_response_t resp;
    memset(&resp, 0, sizeof resp);
    int rc = rn_response_header_decode(&rd, &corr);
    if (rc == 0)
        rc = rn_fetch_response_decode(frame + rd.pos, len - rd.pos, 0, &resp);
    if (f == NULL || rc != 0 || corr != f->corr) {
        if (f != NULL) {
            rn_log(RN_LOG_WARN, MOD, "bad Fetch answer from broker %d: %s", (int)f->leader,
                   rc ? rn_strerror(rc) : "unexpected correlation id");
            drop_conn(f);
        }
        if (rc == 0)
            rn_fetch_response_deinit(&resp);
        rn_free(frame);
        return;
    }
    f->inflight = false;
    bool ok = resp.error_code == RN_WIRE_NONE;
    for (int32_t i = 0; i < resp.n_responses && !b->stopping; i++)
        for (int32_t j = 0; j < resp.responses[i].n_partitions; j++)
            ok &= apply_partition(b, f, resp.responses[i].topic, &resp.responses[i].partitions[j]);
    rn_fetch_response_deinit(&resp);
    rn_free(frame); /* after: topic names and records point into it */
    if (b->stopping)
        return;
    if (ok) {
        f->backoff_ms = BACKOFF_MIN_MS;
        send_fetch(b, f);
    } else {
        f->next_ms = rn_mono_ms() + f->backoff_ms;
    }
}

static void on_connect(rn_conn_t *conn, int status, void *arg) {
    rn_broker_t *b = arg;
    rn_fetcher_t *f = find_conn(b, conn);
    if (f == NULL)
        return;
    if (status != 0) {
        rn_log(RN_LOG_DEBUG, MOD, "cannot reach broker %d: %s", (int)f->leader,
               uv_strerror(status));
        return; /* on_close follows */
    }
    f->connected = true;
    f->backoff_ms = BACKOFF_MIN_MS;
}

static void on_close(rn_conn_t *conn, int status, void *arg) {
    (void)status;
    rn_fetcher_t *f = find_conn(arg, conn);
    if (f != NULL) {
        f->conn = NULL; /* already closed: only the state and the backoff */
        drop_conn(f);
    }
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void connect_leader(rn_broker_t *b, rn_fetcher_t *f) {
    const rn_meta_broker_t *mb = rn_meta_image_broker(rn_broker_image(b), f->leader);
    if (mb == NULL)
        return;
    rn_conn_cbs_t cbs = {.on_connect = on_connect, .on_frame = on_frame, .on_close = on_close};
    rn_net_opts_t opts = {0};
    opts.connect_timeout_ms = 2000;
    opts.max_frame_bytes = 2 * MAX_BYTES;
    if (rn_conn_connect(b->loop, mb->host, mb->port, &opts, &cbs, b, &f->conn) != 0) {
        f->conn = NULL;
        f->next_ms = rn_mono_ms() + f->backoff_ms;
    }
}

static void mark_leader(rn_partition_t *part, void *arg) {
    rn_broker_t *b = arg;
    if (!follows(b, part))
        return;
    rn_fetcher_t *f = find_leader(b, part->leader_id);
    if (f == NULL) {
        f = rn_calloc(1, sizeof *f);
        f->leader = part->leader_id;
        f->backoff_ms = BACKOFF_MIN_MS;
        f->next = b->fetchers;
        b->fetchers = f;
        rn_log(RN_LOG_INFO, MOD, "following broker %d", (int)f->leader);
    }
    f->used = true;
}

/* A fetcher per leader we follow; close the others. */
static void reconcile(rn_broker_t *b) {
    for (rn_fetcher_t *f = b->fetchers; f != NULL; f = f->next)
        f->used = false;
    if (b->parts != NULL && b->meta_ready)
        rn_partitions_each(b->parts, mark_leader, b);
    for (rn_fetcher_t **pf = &b->fetchers; *pf != NULL;) {
        rn_fetcher_t *f = *pf;
        if (f->used) {
            pf = &f->next;
            continue;
        }
        rn_log(RN_LOG_INFO, MOD, "no longer following broker %d", (int)f->leader);
        *pf = f->next;
        if (f->conn != NULL)
            rn_conn_close(f->conn);
        rn_free(f);
    }
}

void rn__repl_tick(rn_broker_t *b) {
    if (b->stopping)
        return;
    reconcile(b);
    int64_t now = rn_mono_ms();
    for (rn_fetcher_t *f = b->fetchers; f != NULL; f = f->next) {
        if (f->inflight && now - f->sent_ms > MAX_WAIT_MS + ANSWER_SLACK)
            drop_conn(f);
        if (f->conn == NULL && now >= f->next_ms)
            connect_leader(b, f);
        else if (f->connected && !f->inflight && now >= f->next_ms)
            send_fetch(b, f);
    }
}

void rn__repl_stop(rn_broker_t *b) {
    while (b->fetchers != NULL) {
        rn_fetcher_t *f = b->fetchers;
        b->fetchers = f->next;
        if (f->conn != NULL)
            rn_conn_close(f->conn);
        rn_free(f);
    }
}
