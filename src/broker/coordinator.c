/*
 * coordinator.c — the broker's group coordinator (coordinator.h, docs/groups.md):
 * which offsets partitions this broker leads, loading them, writing to them, timers.
 *
 * Per offsets partition i there is a cpart_t: `loaded` while this broker leads i and
 * has replayed its log; then it holds a registry waiter on the partition (told when
 * the HW moves, or when the partition goes) and the list of writes waiting for the
 * HW (ack_wait.h, the same structure acks=all produces use). Leadership is checked at
 * every tick and before serving a request of that partition; a partition whose leader
 * epoch changed is unloaded and loaded again.
 *
 * Loading replays the whole partition synchronously on the loop thread (no
 * compaction yet: docs/groups.md "Limits"). A read error leaves the partition
 * unloaded (requests get COORDINATOR_LOAD_IN_PROGRESS) and the next tick retries.
 *
 * Groups are kept in one array, looked up by name (linear; a coordinator serves few
 * groups). Every group belongs to the partition its id hashes to.
 */
#include "broker/coordinator.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "broker/partitions.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "common/logging.h"
#include "common/murmur2.h"
#include "meta/controller.h"
#include "proto/batch.h"

#define MOD "coordinator"

typedef struct cpart_s {
    rn_coord_t *c;
    int32_t index;
    bool loaded;
    int32_t epoch;        /* leader epoch when loaded */
    rn_partition_t *part; /* valid while loaded (the waiter says when it goes) */
    rn_part_waiter_t w;
    rn_ack_list_t writes;
} cpart_t;

struct rn_coord_s {
    rn_broker_t *b;
    rn_group_cfg_t gcfg;
    rn_group_ops_t ops;
    cpart_t *parts;
    int32_t nparts; /* partitions of the offsets topic as last seen; 0 when none */
    rn_group_t **groups;
    int32_t ngroups, cap;
    bool creating; /* a CreateTopic proposal for the offsets topic is in flight */
    bool stopped;
};

/* A fire-and-forget group record write (a group became Empty). */
typedef struct bg_write_s {
    rn_coord_write_t w;
    char *group;
} bg_write_t;

/* ---- groups ------------------------------------------------------------------------ */

static rn_group_t *find_group(rn_coord_t *c, rn_str_t id) {
    for (int32_t i = 0; i < c->ngroups; i++)
        if (rn_str_eq_c(id, c->groups[i]->id))
            return c->groups[i];
    return NULL;
}

static rn_group_t *add_group(rn_coord_t *c, rn_str_t id, int32_t partition) {
    if (c->ngroups == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->groups = rn_realloc(c->groups, (size_t)c->cap * sizeof *c->groups);
    }
    char *name = rn_strndup(id.ptr, (size_t)id.len);
    rn_group_t *g = rn_group_new(name, partition, &c->gcfg, &c->ops);
    rn_free(name);
    c->groups[c->ngroups++] = g;
    return g;
}

static void remove_group_at(rn_coord_t *c, int32_t i, rn_wire_err_t err) {
    rn_group_t *g = c->groups[i];
    c->groups[i] = c->groups[--c->ngroups];
    rn_group_free(g, err);
}

void rn_coord_group_gc(rn_coord_t *c, rn_group_t *g) {
    if (!rn_group_is_blank(g))
        return;
    for (int32_t i = 0; i < c->ngroups; i++)
        if (c->groups[i] == g) {
            remove_group_at(c, i, RN_WIRE_NOT_COORDINATOR);
            return;
        }
}

int32_t rn_coord_groups(rn_coord_t *c, rn_group_t ***out) {
    *out = c->groups;
    return c->ngroups;
}

/* ---- group callbacks: parked requests are handle_group.c's ---------------------------- */

static void op_join_done(void *arg, rn_group_t *g, void *ctx, const rn_group_join_result_t *res) {
    (void)arg;
    (void)g;
    rn__group_join_answer(ctx, res);
}

static void op_sync_done(void *arg, rn_group_t *g, void *ctx, rn_wire_err_t err,
                         rn_bytes_t assign) {
    (void)arg;
    (void)g;
    rn__group_sync_answer(ctx, err, assign);
}

static void bg_written(rn_coord_write_t *w, rn_wire_err_t err) {
    bg_write_t *bw = w->arg;
    if (err != RN_WIRE_NONE)
        rn_log(RN_LOG_WARN, MOD, "group %s: writing its empty state failed: %s", bw->group,
               rn_wire_err_name(err));
    rn_free(bw->group);
    rn_free(bw);
}

static void op_group_emptied(void *arg, rn_group_t *g) {
    rn_coord_t *c = arg;
    if (c->stopped)
        return;
    bg_write_t *bw = rn_calloc(1, sizeof *bw);
    bw->group = rn_strdup(g->id);
    bw->w.done = bg_written;
    bw->w.arg = bw;
    rn_coord_write_group(c, g, false, &bw->w);
}

/* ---- creation and lifecycle --------------------------------------------------------- */

rn_coord_t *rn_coord_new(rn_broker_t *b) {
    rn_coord_t *c = rn_calloc(1, sizeof *c);
    c->b = b;
    c->gcfg = (rn_group_cfg_t){
        .min_session_timeout_ms = b->cfg.group_min_session_timeout_ms,
        .max_session_timeout_ms = b->cfg.group_max_session_timeout_ms,
        .initial_rebalance_delay_ms = b->cfg.group_initial_rebalance_delay_ms,
    };
    c->ops = (rn_group_ops_t){.arg = c,
                              .join_done = op_join_done,
                              .sync_done = op_sync_done,
                              .group_emptied = op_group_emptied};
    return c;
}

static void unload(rn_coord_t *c, int32_t i, const char *why);

void rn_coord_stop(rn_coord_t *c) {
    if (c == NULL || c->stopped)
        return;
    for (int32_t i = 0; i < c->nparts; i++)
        if (c->parts[i].loaded)
            unload(c, i, "the broker is stopping");
    c->stopped = true;
    while (c->ngroups > 0)
        remove_group_at(c, c->ngroups - 1, RN_WIRE_NOT_COORDINATOR);
}

void rn_coord_free(rn_coord_t *c) {
    if (c == NULL)
        return;
    rn_coord_stop(c);
    rn_free(c->groups);
    rn_free(c->parts);
    rn_free(c);
}

/* ---- writes --------------------------------------------------------------------------- */

static void write_finish(rn_coord_write_t *w, rn_wire_err_t err) {
    w->done(w, err);
}

static void write_released(rn_ack_waiter_t *aw, rn_ack_result_t result) {
    rn_coord_write_t *w = (rn_coord_write_t *)((char *)aw - offsetof(rn_coord_write_t, aw));
    rn_coord_t *c = w->coord;
    cpart_t *cp = w->partition < c->nparts ? &c->parts[w->partition] : NULL;
    rn_wire_err_t err = RN_WIRE_NONE;
    if (result == RN_ACK_ABORTED || cp == NULL || !cp->loaded || !cp->part->is_leader ||
        cp->part->leader_epoch != w->epoch)
        err = RN_WIRE_NOT_COORDINATOR;
    else if (!rn_partition_max_isr_ok(cp->part))
        err = RN_WIRE_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    write_finish(w, err);
}

void rn_coord_write(rn_coord_t *c, int32_t partition, const rn_coord_rec_t *recs, int32_t n,
                    rn_coord_write_t *w) {
    w->coord = c;
    w->partition = partition;
    w->aw.next = w->aw.prev = NULL;
    cpart_t *cp = partition >= 0 && partition < c->nparts ? &c->parts[partition] : NULL;
    if (c->stopped || cp == NULL || !cp->loaded || !cp->part->is_leader) {
        write_finish(w, RN_WIRE_NOT_COORDINATOR);
        return;
    }
    rn_partition_t *part = cp->part;
    if (!rn_partition_isr_ok(part)) {
        write_finish(w, RN_WIRE_NOT_ENOUGH_REPLICAS);
        return;
    }
    rn_batch_opts_t opts;
    rn_batch_opts_default(&opts);
    rn_batch_builder_t bb;
    rn_batch_builder_init(&bb, &opts);
    int64_t ts = rn_clock_now_ms(NULL);
    int rc = 0;
    for (int32_t i = 0; i < n && rc == 0; i++)
        rc = rn_batch_builder_add(&bb, ts, recs[i].key.ptr, recs[i].key.len, recs[i].value.ptr,
                                  recs[i].value.len, NULL, 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = rn_batch_builder_finish(&bb, &buf, &len);
    rn_batch_builder_deinit(&bb);
    int64_t base = -1;
    if (rc == 0)
        rc = rn_plog_append(part->plog, buf, len, part->leader_epoch, &base);
    rn_free(buf);
    if (rc != 0) {
        char name[300];
        rn_log(RN_LOG_ERROR, MOD, "%s: append failed: %s",
               rn_partition_name(part, name, sizeof name), rn_strerror(rc));
        write_finish(w, rc < 0 && rc > -4096 ? RN_WIRE_KAFKA_STORAGE_ERROR
                                             : RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    w->epoch = part->leader_epoch;
    w->deadline_ms = rn_mono_ms() + RN_COORD_WRITE_TIMEOUT_MS;
    w->aw.fn = write_released;
    w->aw.arg = w;
    rn_ack_list_add(&cp->writes, &w->aw, base + n);
    rn_partition_appended(part); /* HW (releases w when it passes), fetches, acks */
}

void rn_coord_write_group(rn_coord_t *c, rn_group_t *g, bool pending, rn_coord_write_t *w) {
    rn_grec_group_t v;
    rn_group_record(g, pending, rn_clock_now_ms(NULL), &v);
    rn_writer_t kw, vw;
    rn_writer_init(&kw, 0);
    rn_writer_init(&vw, 0);
    int rc = rn_grec_group_key_encode(&kw, rn_str(g->id));
    if (rc == 0)
        rc = rn_grec_group_value_encode(&vw, &v);
    rn_free(v.members);
    if (rc != 0) {
        rn_writer_deinit(&kw);
        rn_writer_deinit(&vw);
        w->coord = c;
        write_finish(w, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_coord_rec_t rec = {rn_bytes(kw.buf, kw.len), rn_bytes(vw.buf, vw.len)};
    rn_coord_write(c, g->partition, &rec, 1, w);
    rn_writer_deinit(&kw);
    rn_writer_deinit(&vw);
}

/* ---- loading ----------------------------------------------------------------------------- */

static rn_group_t *group_at(rn_coord_t *c, rn_str_t id, int32_t partition) {
    rn_group_t *g = find_group(c, id);
    return g != NULL ? g : add_group(c, id, partition);
}

static void replay_record(rn_coord_t *c, int32_t i, const rn_record_t *r, int64_t now,
                          int *skipped) {
    rn_grec_key_t k;
    if (r->key_len < 0 || rn_grec_key_decode(r->key, (size_t)r->key_len, &k) != 0 ||
        k.group.len <= 0) {
        (*skipped)++;
        return;
    }
    if (k.kind == RN_GREC_OFFSET) {
        rn_group_t *g = group_at(c, k.group, i);
        if (r->value_len < 0) {
            rn_group_offset_delete(g, k.topic, k.partition);
            return;
        }
        rn_grec_offset_t v;
        if (rn_grec_offset_value_decode(r->value, (size_t)r->value_len, &v) != 0) {
            (*skipped)++;
            return;
        }
        rn_group_offset_set(g, k.topic, k.partition, v.offset, v.metadata, v.commit_timestamp);
        return;
    }
    rn_group_t *g = group_at(c, k.group, i);
    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_grec_group_t v = {
        .protocol_type = rn_str(""), .protocol = RN_STR_NULL, .leader = RN_STR_NULL};
    if (r->value_len >= 0 &&
        rn_grec_group_value_decode(r->value, (size_t)r->value_len, &arena, &v) != 0) {
        (*skipped)++;
    } else {
        rn_group_load(g, &v, now); /* a tombstone loads an empty membership */
        if (r->value_len < 0)
            g->generation = 0;
    }
    rn_arena_deinit(&arena);
}

/* Replay the batches in data; returns the number of records. */
static int64_t replay(rn_coord_t *c, int32_t i, const uint8_t *data, size_t len, int64_t now,
                      int *skipped) {
    int64_t n = 0;
    size_t pos = 0;
    while (pos < len) {
        rn_batch_header_t h;
        if (rn_batch_header_decode(data + pos, len - pos, &h) != 0 || rn_batch_size(&h) > len - pos)
            break;
        rn_batch_iter_t it;
        if (rn_batch_iter_init(&it, data + pos, rn_batch_size(&h)) == 0) {
            rn_record_t r;
            while (rn_batch_iter_next(&it, &r) == 1) {
                replay_record(c, i, &r, now, skipped);
                n++;
            }
            rn_batch_iter_deinit(&it);
        } else {
            (*skipped)++;
        }
        pos += rn_batch_size(&h);
    }
    return n;
}

static void free_groups_of(rn_coord_t *c, int32_t i, rn_wire_err_t err) {
    for (int32_t k = c->ngroups - 1; k >= 0; k--)
        if (c->groups[k]->partition == i)
            remove_group_at(c, k, err);
}

static void part_wake(rn_part_waiter_t *w, rn_partition_t *part, rn_part_wake_t why);

static void load(rn_coord_t *c, int32_t i, rn_partition_t *part) {
    cpart_t *cp = &c->parts[i];
    int64_t now = rn_mono_ms();
    int64_t off = rn_plog_start_offset(part->plog), end = rn_plog_end_offset(part->plog);
    int64_t records = 0;
    int skipped = 0, rc = 0;
    free_groups_of(c, i, RN_WIRE_NOT_COORDINATOR); /* none expected */
    while (off < end) {
        rn_plog_read_t res;
        rc = rn_plog_read(part->plog, off, (size_t)1 << 20, -1, &res);
        if (rc == 0 && res.len == 0)
            rc = RN_ECORRUPT; /* the log ends before its end offset */
        if (rc != 0)
            break;
        records += replay(c, i, res.data, res.len, now, &skipped);
        off = res.next_offset;
        rn_plog_read_free(&res);
    }
    char name[300];
    rn_partition_name(part, name, sizeof name);
    if (rc != 0) {
        rn_log(RN_LOG_ERROR, MOD, "%s: loading failed at offset %lld: %s (retrying)", name,
               (long long)off, rn_strerror(rc));
        free_groups_of(c, i, RN_WIRE_NOT_COORDINATOR);
        return;
    }
    if (skipped > 0)
        rn_log(RN_LOG_WARN, MOD, "%s: skipped %d records or batches that do not decode", name,
               skipped);
    int ngroups = 0;
    for (int32_t k = 0; k < c->ngroups; k++)
        ngroups += c->groups[k]->partition == i;
    rn_log(RN_LOG_INFO, MOD, "%s: coordinator loaded %lld records, %d groups (epoch %d)", name,
           (long long)records, ngroups, (int)part->leader_epoch);
    cp->loaded = true;
    cp->part = part;
    cp->epoch = part->leader_epoch;
    rn_ack_list_init(&cp->writes);
    cp->w.fn = part_wake;
    cp->w.arg = cp;
    rn_partition_wait(part, &cp->w);
}

static void unload(rn_coord_t *c, int32_t i, const char *why) {
    cpart_t *cp = &c->parts[i];
    if (!cp->loaded)
        return;
    rn_log(RN_LOG_INFO, MOD, "%s-%d: coordinator unloads its groups: %s", RN_OFFSETS_TOPIC, (int)i,
           why);
    cp->loaded = false;
    rn_part_waiter_remove(&cp->w);
    rn_ack_list_abort(&cp->writes); /* NOT_COORDINATOR: loaded is false */
    cp->part = NULL;
    free_groups_of(c, i, RN_WIRE_NOT_COORDINATOR);
}

static void part_wake(rn_part_waiter_t *w, rn_partition_t *part, rn_part_wake_t why) {
    cpart_t *cp = w->arg;
    if (why == RN_PART_WAKE_APPEND) {
        rn_ack_list_release(&cp->writes, part->high_watermark);
        return;
    }
    unload(cp->c, cp->index, why == RN_PART_WAKE_GONE ? "partition gone" : "stopping");
}

/* Bring partition i's state in line with the registry. */
static void sync_one(rn_coord_t *c, rn_ptopic_t *t, int32_t i) {
    cpart_t *cp = &c->parts[i];
    rn_partition_t *part = t != NULL && i < t->npartitions ? t->parts[i] : NULL;
    bool leads = part != NULL && part->is_leader;
    if (cp->loaded && (!leads || part != cp->part || part->leader_epoch != cp->epoch))
        unload(c, i, leads ? "new leader epoch" : "no longer the leader");
    if (!cp->loaded && leads && !c->stopped && !c->b->stopping)
        load(c, i, part);
}

static rn_ptopic_t *offsets_ptopic(rn_coord_t *c) {
    if (c->b->parts == NULL)
        return NULL;
    return rn_partitions_topic(c->b->parts, RN_OFFSETS_TOPIC, strlen(RN_OFFSETS_TOPIC));
}

/* The partition count changed (created, deleted, re-created): start over. */
static void resize(rn_coord_t *c, int32_t n) {
    for (int32_t i = 0; i < c->nparts; i++)
        unload(c, i, "the offsets topic changed");
    while (c->ngroups > 0)
        remove_group_at(c, c->ngroups - 1, RN_WIRE_NOT_COORDINATOR);
    rn_free(c->parts);
    c->parts = n > 0 ? rn_calloc((size_t)n, sizeof *c->parts) : NULL;
    for (int32_t i = 0; i < n; i++) {
        c->parts[i].c = c;
        c->parts[i].index = i;
        rn_ack_list_init(&c->parts[i].writes);
    }
    c->nparts = n;
}

static rn_ptopic_t *sync_shape(rn_coord_t *c) {
    rn_ptopic_t *t = offsets_ptopic(c);
    int32_t n = t != NULL ? t->npartitions : 0;
    if (n != c->nparts)
        resize(c, n);
    return t;
}

/* Writes past their deadline fail with REQUEST_TIMED_OUT. */
static void expire_writes(rn_coord_t *c, int64_t now) {
    for (int32_t i = 0; i < c->nparts; i++) {
        cpart_t *cp = &c->parts[i];
        bool again = true;
        while (again && cp->loaded) {
            again = false;
            for (rn_ack_waiter_t *aw = cp->writes.head.next; aw != &cp->writes.head;
                 aw = aw->next) {
                rn_coord_write_t *w = aw->arg;
                if (now >= w->deadline_ms) {
                    rn_ack_waiter_remove(aw);
                    write_finish(w, RN_WIRE_REQUEST_TIMED_OUT);
                    again = true; /* done may have changed the list */
                    break;
                }
            }
        }
    }
}

void rn_coord_tick(rn_coord_t *c) {
    if (c == NULL || c->stopped)
        return;
    rn_ptopic_t *t = sync_shape(c);
    for (int32_t i = 0; i < c->nparts; i++)
        sync_one(c, t, i);
    int64_t now = rn_mono_ms();
    expire_writes(c, now);
    for (int32_t k = 0; k < c->ngroups; k++)
        rn_group_tick(c->groups[k], now);
}

/* ---- lookups ------------------------------------------------------------------------------ */

int32_t rn_coord_partition_of(rn_coord_t *c, rn_str_t group, rn_wire_err_t *err) {
    const rn_meta_topic_t *mt = rn_meta_image_topic(rn_broker_image(c->b), RN_OFFSETS_TOPIC);
    if (mt == NULL || mt->npartitions <= 0) {
        *err = RN_WIRE_COORDINATOR_NOT_AVAILABLE;
        return -1;
    }
    *err = RN_WIRE_NONE;
    size_t len = group.len > 0 ? (size_t)group.len : 0;
    return rn_murmur2_positive(len ? group.ptr : "", len) % mt->npartitions;
}

rn_wire_err_t rn_coord_group_for(rn_coord_t *c, rn_str_t group, bool create, rn_group_t **g) {
    *g = NULL;
    if (group.len <= 0)
        return RN_WIRE_INVALID_GROUP_ID;
    if (c->stopped || c->b->stopping)
        return RN_WIRE_NOT_COORDINATOR;
    rn_wire_err_t err;
    int32_t p = rn_coord_partition_of(c, group, &err);
    if (p < 0)
        return err;
    rn_ptopic_t *t = sync_shape(c);
    if (p >= c->nparts) /* the image has the topic, the registry not yet */
        return RN_WIRE_NOT_COORDINATOR;
    sync_one(c, t, p);
    cpart_t *cp = &c->parts[p];
    if (!cp->loaded) {
        rn_partition_t *part = t->parts[p];
        return part != NULL && part->is_leader ? RN_WIRE_COORDINATOR_LOAD_IN_PROGRESS
                                               : RN_WIRE_NOT_COORDINATOR;
    }
    *g = find_group(c, group);
    if (*g == NULL && create)
        *g = add_group(c, group, p);
    return RN_WIRE_NONE;
}

rn_group_t *rn_coord_group_loaded(rn_coord_t *c, rn_str_t group, bool create) {
    if (group.len <= 0 || c->stopped)
        return NULL;
    rn_wire_err_t err;
    int32_t p = rn_coord_partition_of(c, group, &err);
    if (p < 0 || p >= c->nparts || !c->parts[p].loaded)
        return NULL;
    rn_group_t *g = find_group(c, group);
    return g == NULL && create ? add_group(c, group, p) : g;
}

/* ---- the offsets topic ----------------------------------------------------------------------- */

static void created(void *arg, int status) {
    rn_broker_t *b = arg;
    if (status != 0 && status != RN_ETOPICEXISTS)
        rn_log(RN_LOG_WARN, MOD, "creating %s failed: %s", RN_OFFSETS_TOPIC, rn_strerror(status));
    else if (status == 0)
        rn_log(RN_LOG_INFO, MOD, "created %s", RN_OFFSETS_TOPIC);
    if (b->coord != NULL)
        b->coord->creating = false;
}

int rn_coord_create_offsets_topic(rn_broker_t *b) {
    if (rn_meta_image_topic(rn_broker_image(b), RN_OFFSETS_TOPIC) != NULL)
        return 0;
    if (b->stopping || b->quorum == NULL || b->coord == NULL)
        return RN_ECLOSED;
    if (!rn_broker_is_controller(b))
        return RN_ENOTLEADER;
    if (b->coord->creating)
        return 0;
    int32_t rf = b->cfg.offsets_topic_replication_factor;
    if (rf == -1) {
        size_t live = rn_meta_image_live_brokers(rn_broker_image(b));
        rf = live >= 3 ? 3 : (live > 0 ? (int32_t)live : 1);
    }
    rn_meta_kv_t kv[2] = {{(char *)"retention.bytes", (char *)"-1"},
                          {(char *)"retention.ms", (char *)"-1"}};
    rn_topic_spec_t spec = {.name = RN_OFFSETS_TOPIC,
                            .partitions = b->cfg.offsets_topic_num_partitions,
                            .replication_factor = rf,
                            .configs = kv,
                            .nconfigs = 2};
    rn_meta_record_t rec;
    char err[256] = "";
    int rc = rn_controller_create_topic(rn_broker_image(b), &spec, NULL, &rec, err, sizeof err);
    if (rc == RN_ETOPICEXISTS)
        return 0;
    if (rc != 0) {
        rn_log(RN_LOG_WARN, MOD, "cannot create %s: %s", RN_OFFSETS_TOPIC,
               err[0] ? err : rn_strerror(rc));
        return rc;
    }
    rc = rn_quorum_propose(b->quorum, &rec, 1, created, b);
    rn_meta_record_deinit(&rec);
    if (rc == 0)
        b->coord->creating = true;
    return rc;
}
