/*
 * group.c — the consumer group state machine and offsets cache (group.h,
 * docs/groups.md "Membership", "Committed offsets").
 *
 * Members are kept in join order: the leader is the first member to have joined, and
 * stays leader across rebalances while it remains. Every member's parked request is
 * answered by exactly one of: the end of the join phase (join_done), the leader's
 * record being written (sync_done), an error when the group rebalances or the member
 * goes, or rn_group_free.
 */
#include "group/group.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "common/alloc.h"

static const char *const state_names[] = {"Empty", "PreparingRebalance", "CompletingRebalance",
                                          "Stable", "Dead"};

const char *rn_group_state_name(rn_group_state_t s) {
    return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "Dead";
}

static char *dup_str(rn_str_t s) {
    return rn_strndup(s.ptr != NULL ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

static uint8_t *dup_bytes(rn_bytes_t b, int32_t *len) {
    *len = b.len > 0 ? b.len : 0;
    if (*len == 0)
        return NULL;
    uint8_t *p = rn_malloc((size_t)*len);
    memcpy(p, b.ptr, (size_t)*len);
    return p;
}

static bool str_is(rn_str_t s, const char *c) {
    return c != NULL && rn_str_eq_c(s, c);
}

static void set_state(rn_group_t *g, rn_group_state_t s, int64_t now_ms) {
    g->state = s;
    g->state_since_ms = now_ms;
}

/* ---- members ----------------------------------------------------------------------- */

static void free_protos(rn_group_member_t *m) {
    for (int32_t i = 0; i < m->nprotos; i++) {
        rn_free(m->protos[i].name);
        rn_free(m->protos[i].meta);
    }
    rn_free(m->protos);
    m->protos = NULL;
    m->nprotos = 0;
}

static void member_free(rn_group_member_t *m) {
    free_protos(m);
    rn_free(m->id);
    rn_free(m->client_id);
    rn_free(m->client_host);
    rn_free(m->assignment);
    rn_free(m->pending);
    rn_free(m);
}

rn_group_member_t *rn_group_member(const rn_group_t *g, rn_str_t member_id) {
    for (int32_t i = 0; i < g->nmembers; i++)
        if (rn_str_eq_c(member_id, g->members[i]->id))
            return g->members[i];
    return NULL;
}

void rn_group_cancel(rn_group_t *g, void *ctx) {
    for (int32_t i = 0; i < g->nmembers; i++) {
        rn_group_member_t *m = g->members[i];
        if (m->join_waiting && m->join_ctx == ctx)
            m->join_waiting = false;
        if (m->sync_waiting && m->sync_ctx == ctx)
            m->sync_waiting = false;
    }
}

bool rn_group_is_blank(const rn_group_t *g) {
    return g->state == RN_GROUP_EMPTY && g->generation == 0 && g->nmembers == 0 &&
           g->npending == 0 && g->noffsets == 0;
}

static void add_member(rn_group_t *g, rn_group_member_t *m) {
    if (g->nmembers == g->cap_members) {
        g->cap_members = g->cap_members ? 2 * g->cap_members : 4;
        g->members = rn_realloc(g->members, (size_t)g->cap_members * sizeof *g->members);
    }
    g->members[g->nmembers++] = m;
}

static const rn_group_proto_t *find_proto(const rn_group_member_t *m, const char *name) {
    for (int32_t i = 0; i < m->nprotos; i++)
        if (strcmp(m->protos[i].name, name) == 0)
            return &m->protos[i];
    return NULL;
}

/* Answer a member's parked requests with err (it is leaving or the phase failed). */
static void answer_join(rn_group_t *g, rn_group_member_t *m, rn_wire_err_t err) {
    if (!m->join_waiting)
        return;
    m->join_waiting = false;
    rn_group_join_result_t res = {.error = err,
                                  .generation = -1,
                                  .protocol = rn_str(""),
                                  .leader = rn_str(""),
                                  .member_id = rn_str(m->id)};
    g->ops->join_done(g->ops->arg, g, m->join_ctx, &res);
}

static void answer_sync(rn_group_t *g, rn_group_member_t *m, rn_wire_err_t err) {
    if (!m->sync_waiting)
        return;
    m->sync_waiting = false;
    rn_bytes_t a = err == RN_WIRE_NONE ? rn_bytes(m->assignment, (size_t)m->assignment_len)
                                       : rn_bytes(NULL, 0);
    g->ops->sync_done(g->ops->arg, g, m->sync_ctx, err, a);
}

/* Remove member i, answering what it has parked with err. */
static void remove_member(rn_group_t *g, int32_t i, rn_wire_err_t err) {
    rn_group_member_t *m = g->members[i];
    answer_join(g, m, err);
    answer_sync(g, m, err);
    if (g->leader != NULL && strcmp(g->leader, m->id) == 0) {
        rn_free(g->leader);
        g->leader = NULL;
    }
    memmove(&g->members[i], &g->members[i + 1], (size_t)(g->nmembers - i - 1) * sizeof *g->members);
    g->nmembers--;
    member_free(m);
}

static void clear_pending_assignments(rn_group_t *g) {
    for (int32_t i = 0; i < g->nmembers; i++) {
        rn_free(g->members[i]->pending);
        g->members[i]->pending = NULL;
        g->members[i]->pending_len = 0;
    }
    g->writing = false;
}

/* ---- pending member ids (MEMBER_ID_REQUIRED) -------------------------------------- */

static int32_t pending_index(const rn_group_t *g, rn_str_t id) {
    for (int32_t i = 0; i < g->npending; i++)
        if (rn_str_eq_c(id, g->pending_ids[i]))
            return i;
    return -1;
}

static void pending_remove(rn_group_t *g, int32_t i) {
    rn_free(g->pending_ids[i]);
    g->pending_ids[i] = g->pending_ids[g->npending - 1];
    g->pending_expiry_ms[i] = g->pending_expiry_ms[g->npending - 1];
    g->npending--;
}

static const char *pending_add(rn_group_t *g, rn_str_t client_id, int64_t expiry_ms) {
    uint8_t r[16];
    static uint64_t counter;
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        uint64_t x = (uint64_t)expiry_ms ^ (++counter * 0x9e3779b97f4a7c15ULL);
        memcpy(r, &x, 8);
        x = x * 0xbf58476d1ce4e5b9ULL + counter;
        memcpy(r + 8, &x, 8);
    }
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* a version 4 UUID */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
    int cl = client_id.len > 0 ? (client_id.len > 200 ? 200 : client_id.len) : 0;
    char buf[256];
    snprintf(buf, sizeof buf,
             "%.*s-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", cl,
             cl ? client_id.ptr : "", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
             r[10], r[11], r[12], r[13], r[14], r[15]);
    g->pending_ids = rn_realloc(g->pending_ids, (size_t)(g->npending + 1) * sizeof(char *));
    g->pending_expiry_ms =
        rn_realloc(g->pending_expiry_ms, (size_t)(g->npending + 1) * sizeof(int64_t));
    g->pending_ids[g->npending] = rn_strdup(buf);
    g->pending_expiry_ms[g->npending] = expiry_ms;
    return g->pending_ids[g->npending++];
}

/* ---- lifecycle ----------------------------------------------------------------------- */

rn_group_t *rn_group_new(const char *id, int32_t partition, const rn_group_cfg_t *cfg,
                         const rn_group_ops_t *ops) {
    rn_group_t *g = rn_calloc(1, sizeof *g);
    g->id = rn_strdup(id);
    g->partition = partition;
    g->state = RN_GROUP_EMPTY;
    g->cfg = cfg;
    g->ops = ops;
    return g;
}

void rn_group_free(rn_group_t *g, rn_wire_err_t err) {
    if (g == NULL)
        return;
    g->state = RN_GROUP_DEAD;
    while (g->nmembers > 0)
        remove_member(g, g->nmembers - 1, err);
    rn_free(g->members);
    while (g->npending > 0)
        pending_remove(g, g->npending - 1);
    rn_free(g->pending_ids);
    rn_free(g->pending_expiry_ms);
    for (int32_t i = 0; i < g->noffsets; i++) {
        rn_free(g->offsets[i].topic);
        rn_free(g->offsets[i].metadata);
    }
    rn_free(g->offsets);
    rn_free(g->protocol_type);
    rn_free(g->protocol);
    rn_free(g->leader);
    rn_free(g->id);
    rn_free(g);
}

/* ---- the rebalance --------------------------------------------------------------------- */

static int32_t max_rebalance_timeout(const rn_group_t *g) {
    int32_t t = 0;
    for (int32_t i = 0; i < g->nmembers; i++)
        if (g->members[i]->rebalance_timeout_ms > t)
            t = g->members[i]->rebalance_timeout_ms;
    return t;
}

/* The group has no members left (after a leave, an expiry or an empty join phase). */
static void become_empty(rn_group_t *g, int64_t now_ms) {
    bool was_empty = g->state == RN_GROUP_EMPTY;
    clear_pending_assignments(g);
    if (!was_empty)
        g->generation++;
    rn_free(g->protocol);
    g->protocol = NULL;
    rn_free(g->leader);
    g->leader = NULL;
    set_state(g, RN_GROUP_EMPTY, now_ms);
    if (!was_empty && g->ops->group_emptied != NULL)
        g->ops->group_emptied(g->ops->arg, g);
}

static void prepare_rebalance(rn_group_t *g, int64_t now_ms) {
    if (g->state == RN_GROUP_PREPARING_REBALANCE)
        return;
    bool from_empty = g->state == RN_GROUP_EMPTY;
    if (g->state == RN_GROUP_COMPLETING_REBALANCE) {
        clear_pending_assignments(g);
        for (int32_t i = 0; i < g->nmembers; i++)
            answer_sync(g, g->members[i], RN_WIRE_REBALANCE_IN_PROGRESS);
    }
    set_state(g, RN_GROUP_PREPARING_REBALANCE, now_ms);
    g->phase_deadline_ms = now_ms + max_rebalance_timeout(g);
    g->delay_until_ms = from_empty ? now_ms + g->cfg->initial_rebalance_delay_ms : now_ms;
    if (g->delay_until_ms > g->phase_deadline_ms)
        g->phase_deadline_ms = g->delay_until_ms;
}

/* The first of the first member's protocols that every member supports, or NULL. */
static const char *choose_protocol(const rn_group_t *g) {
    if (g->nmembers == 0)
        return NULL;
    const rn_group_member_t *first = g->members[0];
    for (int32_t p = 0; p < first->nprotos; p++) {
        const char *name = first->protos[p].name;
        bool all = true;
        for (int32_t i = 1; i < g->nmembers && all; i++)
            all = find_proto(g->members[i], name) != NULL;
        if (all)
            return name;
    }
    return NULL;
}

static void complete_join(rn_group_t *g, int64_t now_ms) {
    for (int32_t i = g->nmembers - 1; i >= 0; i--)
        if (!g->members[i]->join_waiting)
            remove_member(g, i, RN_WIRE_UNKNOWN_MEMBER_ID);
    if (g->nmembers == 0) {
        become_empty(g, now_ms);
        return;
    }
    g->generation++;
    rn_free(g->protocol);
    const char *proto = choose_protocol(g);
    g->protocol = proto != NULL ? rn_strdup(proto) : NULL;
    if (g->leader == NULL)
        g->leader = rn_strdup(g->members[0]->id);
    set_state(g, RN_GROUP_COMPLETING_REBALANCE, now_ms);
    g->phase_deadline_ms = now_ms + max_rebalance_timeout(g);
    /* The leader's answer lists every member with its metadata for the protocol. */
    const rn_group_member_t **list = rn_calloc((size_t)g->nmembers, sizeof *list);
    for (int32_t i = 0; i < g->nmembers; i++)
        list[i] = g->members[i];
    for (int32_t i = 0; i < g->nmembers; i++) {
        rn_group_member_t *m = g->members[i];
        m->last_heard_ms = now_ms;
        if (!m->join_waiting)
            continue;
        m->join_waiting = false;
        bool is_leader = strcmp(m->id, g->leader) == 0;
        rn_group_join_result_t res = {
            .error = RN_WIRE_NONE,
            .generation = g->generation,
            .protocol = rn_str(g->protocol != NULL ? g->protocol : ""),
            .leader = rn_str(g->leader),
            .member_id = rn_str(m->id),
            .n_members = is_leader ? g->nmembers : 0,
            .members = is_leader ? (const rn_group_member_t *const *)list : NULL,
        };
        g->ops->join_done(g->ops->arg, g, m->join_ctx, &res);
    }
    rn_free(list);
}

/* Preparing: end the join phase when its conditions hold. */
static void maybe_complete_join(rn_group_t *g, int64_t now_ms) {
    if (g->state != RN_GROUP_PREPARING_REBALANCE)
        return;
    bool all = true;
    for (int32_t i = 0; i < g->nmembers && all; i++)
        all = g->members[i]->join_waiting;
    if ((all && now_ms >= g->delay_until_ms) || now_ms >= g->phase_deadline_ms)
        complete_join(g, now_ms);
}

/* ---- JoinGroup ------------------------------------------------------------------------- */

static bool protos_equal(const rn_group_member_t *m, const rn_group_join_req_t *req) {
    if (m->nprotos != req->nprotos)
        return false;
    for (int32_t i = 0; i < req->nprotos; i++) {
        const rn_group_proto_t *p = &m->protos[i];
        rn_bytes_t b = req->proto_metas[i];
        int32_t bl = b.len > 0 ? b.len : 0;
        if (!rn_str_eq_c(req->proto_names[i], p->name) || bl != p->meta_len ||
            (bl > 0 && memcmp(b.ptr, p->meta, (size_t)bl) != 0))
            return false;
    }
    return true;
}

static void set_protos(rn_group_member_t *m, const rn_group_join_req_t *req) {
    free_protos(m);
    m->nprotos = req->nprotos;
    m->protos = rn_calloc((size_t)(req->nprotos > 0 ? req->nprotos : 1), sizeof *m->protos);
    for (int32_t i = 0; i < req->nprotos; i++) {
        m->protos[i].name = dup_str(req->proto_names[i]);
        m->protos[i].meta = dup_bytes(req->proto_metas[i], &m->protos[i].meta_len);
    }
}

/* The member (self: NULL for a new one) shares a protocol with every other member. */
static bool protocols_compatible(const rn_group_t *g, const rn_group_member_t *self,
                                 const rn_group_join_req_t *req) {
    for (int32_t p = 0; p < req->nprotos; p++) {
        bool all = true;
        for (int32_t i = 0; i < g->nmembers && all; i++) {
            const rn_group_member_t *m = g->members[i];
            if (m == self)
                continue;
            bool has = false;
            for (int32_t q = 0; q < m->nprotos && !has; q++)
                has = rn_str_eq_c(req->proto_names[p], m->protos[q].name);
            all = has;
        }
        if (all)
            return true;
    }
    return false;
}

static rn_group_outcome_t join_error(rn_group_join_result_t *out, rn_wire_err_t err,
                                     rn_str_t member_id) {
    *out = (rn_group_join_result_t){.error = err,
                                    .generation = -1,
                                    .protocol = rn_str(""),
                                    .leader = rn_str(""),
                                    .member_id = member_id};
    return RN_GROUP_DONE;
}

/* The member's current generation, answered at once (a rejoin that changes nothing
 * while CompletingRebalance or Stable). */
static rn_group_outcome_t join_current(rn_group_t *g, rn_group_member_t *m,
                                       rn_group_join_result_t *out) {
    *out = (rn_group_join_result_t){.error = RN_WIRE_NONE,
                                    .generation = g->generation,
                                    .protocol = rn_str(g->protocol != NULL ? g->protocol : ""),
                                    .leader = rn_str(g->leader != NULL ? g->leader : ""),
                                    .member_id = rn_str(m->id)};
    return RN_GROUP_DONE;
}

static void park_join(rn_group_t *g, rn_group_member_t *m, void *ctx) {
    answer_join(g, m, RN_WIRE_REBALANCE_IN_PROGRESS); /* a join it sent before */
    m->join_waiting = true;
    m->join_ctx = ctx;
}

rn_group_outcome_t rn_group_join(rn_group_t *g, const rn_group_join_req_t *req, void *ctx,
                                 int64_t now_ms, rn_group_join_result_t *out) {
    if (g->state == RN_GROUP_DEAD)
        return join_error(out, RN_WIRE_COORDINATOR_NOT_AVAILABLE, req->member_id);
    if (req->session_timeout_ms < g->cfg->min_session_timeout_ms ||
        req->session_timeout_ms > g->cfg->max_session_timeout_ms)
        return join_error(out, RN_WIRE_INVALID_SESSION_TIMEOUT, req->member_id);
    if (req->protocol_type.len <= 0 || req->nprotos <= 0)
        return join_error(out, RN_WIRE_INCONSISTENT_GROUP_PROTOCOL, req->member_id);
    if (g->nmembers > 0 && !str_is(req->protocol_type, g->protocol_type))
        return join_error(out, RN_WIRE_INCONSISTENT_GROUP_PROTOCOL, req->member_id);
    rn_group_member_t *m = req->member_id.len > 0 ? rn_group_member(g, req->member_id) : NULL;
    if (!protocols_compatible(g, m, req))
        return join_error(out, RN_WIRE_INCONSISTENT_GROUP_PROTOCOL, req->member_id);
    if (req->member_id.len <= 0) {
        int64_t ttl = req->session_timeout_ms > 0 ? req->session_timeout_ms : 0;
        const char *id = pending_add(g, req->client_id, now_ms + ttl);
        return join_error(out, RN_WIRE_MEMBER_ID_REQUIRED, rn_str(id));
    }
    if (m == NULL) {
        int32_t pi = pending_index(g, req->member_id);
        if (pi < 0)
            return join_error(out, RN_WIRE_UNKNOWN_MEMBER_ID, req->member_id);
        pending_remove(g, pi);
        m = rn_calloc(1, sizeof *m);
        m->id = dup_str(req->member_id);
        add_member(g, m);
        m->client_id = dup_str(req->client_id);
        m->client_host = dup_str(req->client_host);
        m->session_timeout_ms = req->session_timeout_ms;
        m->rebalance_timeout_ms = req->rebalance_timeout_ms;
        set_protos(m, req);
        m->last_heard_ms = now_ms;
        if (g->protocol_type == NULL || g->nmembers == 1) {
            rn_free(g->protocol_type);
            g->protocol_type = dup_str(req->protocol_type);
        }
        park_join(g, m, ctx);
        prepare_rebalance(g, now_ms);
        maybe_complete_join(g, now_ms);
        return RN_GROUP_PARKED;
    }
    m->last_heard_ms = now_ms;
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = req->rebalance_timeout_ms;
    bool same = protos_equal(m, req);
    bool is_leader = g->leader != NULL && strcmp(g->leader, m->id) == 0;
    if (same &&
        (g->state == RN_GROUP_COMPLETING_REBALANCE || (g->state == RN_GROUP_STABLE && !is_leader)))
        return join_current(g, m, out);
    if (!same)
        set_protos(m, req);
    park_join(g, m, ctx);
    prepare_rebalance(g, now_ms);
    maybe_complete_join(g, now_ms);
    return RN_GROUP_PARKED;
}

/* ---- SyncGroup -------------------------------------------------------------------------- */

rn_group_outcome_t rn_group_sync(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                 const rn_group_assignment_t *assigns, int32_t nassigns, void *ctx,
                                 int64_t now_ms, rn_wire_err_t *err, rn_bytes_t *assign) {
    *assign = rn_bytes(NULL, 0);
    rn_group_member_t *m = rn_group_member(g, member_id);
    if (g->state == RN_GROUP_DEAD)
        *err = RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    else if (m == NULL)
        *err = RN_WIRE_UNKNOWN_MEMBER_ID;
    else if (generation != g->generation)
        *err = RN_WIRE_ILLEGAL_GENERATION;
    else if (g->state == RN_GROUP_PREPARING_REBALANCE)
        *err = RN_WIRE_REBALANCE_IN_PROGRESS;
    else
        *err = RN_WIRE_NONE;
    if (*err != RN_WIRE_NONE)
        return RN_GROUP_DONE;
    m->last_heard_ms = now_ms;
    if (g->state == RN_GROUP_STABLE) {
        *assign = rn_bytes(m->assignment, (size_t)m->assignment_len);
        return RN_GROUP_DONE;
    }
    /* CompletingRebalance */
    answer_sync(g, m, RN_WIRE_REBALANCE_IN_PROGRESS); /* a sync it sent before */
    m->sync_waiting = true;
    m->sync_ctx = ctx;
    if (g->leader == NULL || strcmp(g->leader, m->id) != 0 || g->writing)
        return RN_GROUP_PARKED;
    for (int32_t i = 0; i < g->nmembers; i++) {
        rn_group_member_t *x = g->members[i];
        rn_free(x->pending);
        x->pending = NULL;
        x->pending_len = 0;
        for (int32_t a = 0; a < nassigns; a++)
            if (rn_str_eq_c(assigns[a].member_id, x->id)) {
                rn_free(x->pending);
                x->pending = dup_bytes(assigns[a].assignment, &x->pending_len);
            }
    }
    g->writing = true;
    return RN_GROUP_WRITE;
}

void rn_group_sync_written(rn_group_t *g, int32_t generation, rn_wire_err_t err, int64_t now_ms) {
    if (g->state != RN_GROUP_COMPLETING_REBALANCE || g->generation != generation || !g->writing)
        return;
    if (err != RN_WIRE_NONE) {
        clear_pending_assignments(g);
        for (int32_t i = 0; i < g->nmembers; i++)
            answer_sync(g, g->members[i], err);
        prepare_rebalance(g, now_ms);
        return;
    }
    for (int32_t i = 0; i < g->nmembers; i++) {
        rn_group_member_t *m = g->members[i];
        rn_free(m->assignment);
        m->assignment = m->pending;
        m->assignment_len = m->pending_len;
        m->pending = NULL;
        m->pending_len = 0;
    }
    g->writing = false;
    set_state(g, RN_GROUP_STABLE, now_ms);
    for (int32_t i = 0; i < g->nmembers; i++)
        answer_sync(g, g->members[i], RN_WIRE_NONE);
}

/* ---- Heartbeat, LeaveGroup, OffsetCommit ------------------------------------------------ */

static rn_wire_err_t check_member(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                  rn_group_member_t **out) {
    if (g->state == RN_GROUP_DEAD)
        return RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    rn_group_member_t *m = rn_group_member(g, member_id);
    if (m == NULL)
        return RN_WIRE_UNKNOWN_MEMBER_ID;
    *out = m;
    if (generation != g->generation)
        return RN_WIRE_ILLEGAL_GENERATION;
    return RN_WIRE_NONE;
}

rn_wire_err_t rn_group_heartbeat(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                 int64_t now_ms) {
    rn_group_member_t *m = NULL;
    rn_wire_err_t err = check_member(g, generation, member_id, &m);
    if (m != NULL)
        m->last_heard_ms = now_ms;
    if (err == RN_WIRE_ILLEGAL_GENERATION && g->state == RN_GROUP_PREPARING_REBALANCE)
        return RN_WIRE_REBALANCE_IN_PROGRESS; /* it must rejoin either way */
    if (err != RN_WIRE_NONE)
        return err;
    return g->state == RN_GROUP_PREPARING_REBALANCE ? RN_WIRE_REBALANCE_IN_PROGRESS : RN_WIRE_NONE;
}

/* After a member went (leave, expiry): rebalance the others, or become Empty. */
static void after_removal(rn_group_t *g, int64_t now_ms) {
    if (g->nmembers == 0) {
        become_empty(g, now_ms);
        return;
    }
    prepare_rebalance(g, now_ms);
    maybe_complete_join(g, now_ms);
}

rn_wire_err_t rn_group_leave(rn_group_t *g, rn_str_t member_id, int64_t now_ms) {
    if (g->state == RN_GROUP_DEAD)
        return RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    for (int32_t i = 0; i < g->nmembers; i++) {
        if (rn_str_eq_c(member_id, g->members[i]->id)) {
            remove_member(g, i, RN_WIRE_UNKNOWN_MEMBER_ID);
            after_removal(g, now_ms);
            return RN_WIRE_NONE;
        }
    }
    return RN_WIRE_UNKNOWN_MEMBER_ID;
}

rn_wire_err_t rn_group_commit_check(rn_group_t *g, int32_t generation, rn_str_t member_id,
                                    int64_t now_ms) {
    if (g->state == RN_GROUP_DEAD)
        return RN_WIRE_COORDINATOR_NOT_AVAILABLE;
    if (generation < 0 && member_id.len <= 0)
        return g->nmembers == 0 ? RN_WIRE_NONE : RN_WIRE_UNKNOWN_MEMBER_ID;
    rn_group_member_t *m = NULL;
    rn_wire_err_t err = check_member(g, generation, member_id, &m);
    if (m != NULL)
        m->last_heard_ms = now_ms;
    if (err != RN_WIRE_NONE)
        return err;
    /* As Kafka: a member of the current generation may commit while the group prepares
     * a rebalance (what it consumed before rejoining must not be lost); between the join
     * and the sync its assignment is not known yet. */
    return g->state == RN_GROUP_COMPLETING_REBALANCE ? RN_WIRE_REBALANCE_IN_PROGRESS : RN_WIRE_NONE;
}

/* ---- timers ------------------------------------------------------------------------------- */

void rn_group_tick(rn_group_t *g, int64_t now_ms) {
    if (g->state == RN_GROUP_DEAD)
        return;
    for (int32_t i = g->npending - 1; i >= 0; i--)
        if (now_ms >= g->pending_expiry_ms[i])
            pending_remove(g, i);
    bool removed = false;
    for (int32_t i = g->nmembers - 1; i >= 0; i--) {
        rn_group_member_t *m = g->members[i];
        if (m->join_waiting || m->sync_waiting)
            continue; /* kept alive while it waits on us */
        if (now_ms - m->last_heard_ms >= m->session_timeout_ms) {
            remove_member(g, i, RN_WIRE_UNKNOWN_MEMBER_ID);
            removed = true;
        }
    }
    if (removed) {
        after_removal(g, now_ms);
        return;
    }
    if (g->state == RN_GROUP_PREPARING_REBALANCE)
        maybe_complete_join(g, now_ms);
    else if (g->state == RN_GROUP_COMPLETING_REBALANCE && now_ms >= g->phase_deadline_ms &&
             !g->writing)
        prepare_rebalance(g, now_ms); /* the leader's assignment never came */
}

/* ---- persistence ---------------------------------------------------------------------------- */

void rn_group_record(const rn_group_t *g, bool pending, int64_t now_wall_ms, rn_grec_group_t *out) {
    *out = (rn_grec_group_t){
        .protocol_type = rn_str(g->protocol_type != NULL ? g->protocol_type : ""),
        .generation = g->generation,
        .protocol = rn_str(g->protocol),
        .leader = rn_str(g->leader),
        .current_state_timestamp = now_wall_ms,
        .n_members = g->nmembers,
    };
    out->members = rn_calloc((size_t)(g->nmembers > 0 ? g->nmembers : 1), sizeof *out->members);
    for (int32_t i = 0; i < g->nmembers; i++) {
        const rn_group_member_t *m = g->members[i];
        const rn_group_proto_t *p = g->protocol != NULL ? find_proto(m, g->protocol) : NULL;
        out->members[i] = (rn_grec_member_t){
            .member_id = rn_str(m->id),
            .group_instance_id = RN_STR_NULL,
            .client_id = rn_str(m->client_id),
            .client_host = rn_str(m->client_host),
            .rebalance_timeout = m->rebalance_timeout_ms,
            .session_timeout = m->session_timeout_ms,
            .subscription = p != NULL ? rn_bytes(p->meta, (size_t)p->meta_len) : rn_bytes(NULL, 0),
            .assignment = pending ? rn_bytes(m->pending, (size_t)m->pending_len)
                                  : rn_bytes(m->assignment, (size_t)m->assignment_len),
        };
    }
}

void rn_group_load(rn_group_t *g, const rn_grec_group_t *v, int64_t now_ms) {
    while (g->nmembers > 0)
        remove_member(g, g->nmembers - 1, RN_WIRE_NOT_COORDINATOR);
    rn_free(g->protocol_type);
    g->protocol_type = dup_str(v->protocol_type);
    rn_free(g->protocol);
    g->protocol = rn_str_is_null(v->protocol) ? NULL : dup_str(v->protocol);
    rn_free(g->leader);
    g->leader = NULL;
    g->generation = v->generation;
    g->writing = false;
    for (int32_t i = 0; i < v->n_members; i++) {
        const rn_grec_member_t *r = &v->members[i];
        rn_group_member_t *m = rn_calloc(1, sizeof *m);
        m->id = dup_str(r->member_id);
        m->client_id = dup_str(r->client_id);
        m->client_host = dup_str(r->client_host);
        m->session_timeout_ms = r->session_timeout;
        m->rebalance_timeout_ms = r->rebalance_timeout;
        m->nprotos = 1;
        m->protos = rn_calloc(1, sizeof *m->protos);
        m->protos[0].name = g->protocol != NULL ? rn_strdup(g->protocol) : rn_strdup("");
        m->protos[0].meta = dup_bytes(r->subscription, &m->protos[0].meta_len);
        m->assignment = dup_bytes(r->assignment, &m->assignment_len);
        m->last_heard_ms = now_ms;
        add_member(g, m);
    }
    if (g->nmembers > 0 && !rn_str_is_null(v->leader) && rn_group_member(g, v->leader) != NULL)
        g->leader = dup_str(v->leader);
    else if (g->nmembers > 0)
        g->leader = rn_strdup(g->members[0]->id);
    set_state(g, g->nmembers > 0 ? RN_GROUP_STABLE : RN_GROUP_EMPTY, now_ms);
}

/* ---- offsets -----------------------------------------------------------------------------------
 */

static int32_t offset_index(const rn_group_t *g, rn_str_t topic, int32_t partition) {
    for (int32_t i = 0; i < g->noffsets; i++)
        if (g->offsets[i].partition == partition && rn_str_eq_c(topic, g->offsets[i].topic))
            return i;
    return -1;
}

void rn_group_offset_set(rn_group_t *g, rn_str_t topic, int32_t partition, int64_t offset,
                         rn_str_t metadata, int64_t commit_timestamp) {
    int32_t i = offset_index(g, topic, partition);
    if (i < 0) {
        if (g->noffsets == g->cap_offsets) {
            g->cap_offsets = g->cap_offsets ? 2 * g->cap_offsets : 8;
            g->offsets = rn_realloc(g->offsets, (size_t)g->cap_offsets * sizeof *g->offsets);
        }
        i = g->noffsets++;
        g->offsets[i] = (rn_group_offset_t){.topic = dup_str(topic), .partition = partition};
    }
    rn_group_offset_t *o = &g->offsets[i];
    o->offset = offset;
    rn_free(o->metadata);
    o->metadata = rn_str_is_null(metadata) ? NULL : dup_str(metadata);
    o->commit_timestamp = commit_timestamp;
}

void rn_group_offset_delete(rn_group_t *g, rn_str_t topic, int32_t partition) {
    int32_t i = offset_index(g, topic, partition);
    if (i < 0)
        return;
    rn_free(g->offsets[i].topic);
    rn_free(g->offsets[i].metadata);
    g->offsets[i] = g->offsets[--g->noffsets];
}

const rn_group_offset_t *rn_group_offset_get(const rn_group_t *g, rn_str_t topic,
                                             int32_t partition) {
    int32_t i = offset_index(g, topic, partition);
    return i < 0 ? NULL : &g->offsets[i];
}
