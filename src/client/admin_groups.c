/*
 * admin_groups.c — consumer group administration (docs/groups.md):
 * rn_admin_list_groups, rn_admin_describe_group and rn_admin_reset_group_offsets.
 *
 *   list      Metadata (the live brokers) ─▶ ListGroups to each ─▶ merged, sorted, unique
 *   describe  FindCoordinator (controller) ─▶ DescribeGroups + OffsetFetch (coordinator)
 *             ─▶ members' assignments decoded (consumer_protocol.h)
 *             ─▶ log ends: ListOffsets (latest, replica -1 = the HW) at each leader
 *   reset     log start / HW of the topic's partitions ─▶ DescribeGroups: refused while
 *             the group has members ─▶ simple OffsetCommit (generation -1, member "")
 *
 * The coordinator is found through the controller, as librunnel's consumer does (the
 * first FindCoordinator makes the controller create __consumer_offsets). A request to
 * the coordinator answered NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or
 * COORDINATOR_NOT_AVAILABLE — or not answered at all, the coordinator having died —
 * finds the coordinator again and is retried every retry.backoff.ms until
 * request.timeout.ms has passed since the call began. Errors are one line naming the
 * group: "group g1: GROUP_ID_NOT_FOUND: the group id does not exist".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "client/admin_int.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_find_coordinator.h"
#include "proto/api_groups_admin.h"
#include "proto/api_offsets.h"
#include "proto/consumer_protocol.h"

#define OFFSETS_TOPIC "__consumer_offsets"

/* ---- finding the coordinator and retrying at it ---------------------------------- */

typedef struct coord_s {
    rn_admin_t *a;
    const char *group;
    int64_t deadline; /* monotonic ms: the end of the whole call */
    int32_t id;       /* the coordinator's broker id, once found */
} coord_t;

/* "group G: NAME: message (detail)" into err. Returns code. */
static int group_err(const char *group, int code, rn_str_t detail, char *err, size_t errlen) {
    if (detail.len > 0)
        rn__errf(err, errlen, "group %s: %s (%.*s)", group, rn_err_str(code), (int)detail.len,
                 detail.ptr);
    else
        rn__errf(err, errlen, "group %s: %s", group, rn_err_str(code));
    return code;
}

/* rc from a request to broker target may go away if sent again later: the group moved
 * or is being loaded or created, the broker is unknown to our metadata yet, or a known
 * broker did not answer. When no broker at all answered (target any), the bootstrap
 * servers are unreachable: that is final. */
static bool retriable_at(int rc, int32_t target) {
    switch (rc) {
    case RN_WIRE_NOT_COORDINATOR:
    case RN_WIRE_COORDINATOR_LOAD_IN_PROGRESS:
    case RN_WIRE_COORDINATOR_NOT_AVAILABLE:
    case RN_WIRE_NOT_CONTROLLER:
    case RN_EUNKNOWNBROKER:
        return true;
    default:
        return rc < 0 && target != RN__ANY_BROKER && rc != RN_ECLOSED && rn_err_retriable(rc);
    }
}

/* Sleep retry.backoff.ms; false (without sleeping) when that would pass deadline. */
static bool backoff(rn_admin_t *a, int64_t deadline) {
    int ms = a->cl.conf->retry_backoff_ms > 0 ? a->cl.conf->retry_backoff_ms : 100;
    if (rn_mono_ms() + ms >= deadline)
        return false;
    uv_sleep((unsigned)ms);
    return true;
}

static int find_at(coord_t *c, int32_t target, char *err, size_t errlen) {
    rn_find_coordinator_request_t req = {.key = rn_str(c->group),
                                         .key_type = RN_COORDINATOR_KEY_GROUP};
    rn_writer_t wr;
    rn_writer_init(&wr, 64);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc =
        rn__admin_call(c->a, target, RN_API_FIND_COORDINATOR, &wr,
                       rn_find_coordinator_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_find_coordinator_response_t r;
    if (rn_find_coordinator_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_FIND_COORDINATOR, resp, len, err, errlen);
    } else {
        if (r.error_code != 0)
            rc = group_err(c->group, r.error_code, r.error_message, err, errlen);
        else if (r.node_id < 0)
            rc = group_err(c->group, RN_WIRE_COORDINATOR_NOT_AVAILABLE, RN_STR_NULL, err, errlen);
        else
            c->id = r.node_id;
        rn_find_coordinator_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* FindCoordinator at the controller (which Metadata names; asking refreshes our
 * broker addresses too), retried until c->deadline. */
static int coord_find(coord_t *c, char *err, size_t errlen) {
    for (;;) {
        int32_t target = rn__admin_controller_id(c->a);
        int rc = find_at(c, target, err, errlen);
        if (rc == 0 || !retriable_at(rc, target) || !backoff(c->a, c->deadline))
            return rc;
    }
}

/* After *rc from a request to the coordinator: true when it should be sent again (the
 * coordinator found anew), else false with *rc final. */
static bool coord_retry(coord_t *c, int *rc, char *err, size_t errlen) {
    if (*rc == 0 || !retriable_at(*rc, c->id) || !backoff(c->a, c->deadline))
        return false;
    int frc = coord_find(c, err, errlen);
    if (frc != 0) {
        *rc = frc;
        return false;
    }
    return true;
}

static int check_group(const char *group, char *err, size_t errlen) {
    if (group == NULL || group[0] == '\0' || strlen(group) > INT16_MAX) {
        rn__errf(err, errlen, "invalid group id \"%s\"", group ? group : "");
        return -EINVAL;
    }
    return 0;
}

static void coord_init(coord_t *c, rn_admin_t *a, const char *group) {
    *c = (coord_t){.a = a,
                   .group = group,
                   .deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms,
                   .id = RN__ANY_BROKER};
}

/* ---- list ------------------------------------------------------------------------ */

typedef struct names_s {
    char **v;
    int32_t n, cap;
} names_t;

static void names_add(names_t *s, rn_str_t name) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = rn_realloc(s->v, (size_t)s->cap * sizeof *s->v);
    }
    s->v[s->n++] = rn_strndup(name.ptr ? name.ptr : "", (size_t)(name.len > 0 ? name.len : 0));
}

static int cmp_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sort and drop duplicates (a group seen on two brokers while it moves). */
static void names_sort_unique(names_t *s) {
    if (s->n == 0)
        return;
    qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_names);
    int32_t k = 1;
    for (int32_t i = 1; i < s->n; i++) {
        if (strcmp(s->v[i], s->v[k - 1]) == 0)
            rn_free(s->v[i]);
        else
            s->v[k++] = s->v[i];
    }
    s->n = k;
}

static int list_at(rn_admin_t *a, int32_t broker, names_t *out, char *err, size_t errlen) {
    rn_list_groups_request_t req = {0};
    rn_writer_t wr;
    rn_writer_init(&wr, 16);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc = rn__admin_call(a, broker, RN_API_LIST_GROUPS, &wr,
                            rn_list_groups_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_list_groups_response_t r;
    if (rn_list_groups_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_LIST_GROUPS, resp, len, err, errlen);
    } else {
        if (r.error_code != 0) {
            rc = r.error_code;
            rn__errf(err, errlen, "list groups: broker %d: %s", broker, rn_err_str(rc));
        } else {
            for (int32_t i = 0; i < r.n_groups; i++)
                names_add(out, r.groups[i].group_id);
        }
        rn_list_groups_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* An offsets partition without a leader: its groups are nowhere to be listed now. */
static int leaderless(const rn_metadata_response_t *md, char *err, size_t errlen) {
    for (int32_t t = 0; t < md->n_topics; t++) {
        const rn_metadata_topic_t *mt = &md->topics[t];
        if (mt->error_code != 0 || !rn_str_eq_c(mt->name, OFFSETS_TOPIC))
            continue;
        for (int32_t p = 0; p < mt->n_partitions; p++) {
            if (mt->partitions[p].leader_id >= 0)
                continue;
            rn__errf(err, errlen, "list groups: %s partition %d has no leader", OFFSETS_TOPIC,
                     mt->partitions[p].partition_index);
            return RN_WIRE_COORDINATOR_NOT_AVAILABLE;
        }
    }
    return 0;
}

/* One pass over the live brokers (Metadata v0 leaves fenced ones out): ListGroups to
 * each, stopping at the first that fails; then every partition of __consumer_offsets
 * must have a leader (which has just answered for its groups). *again: whether a
 * failure may go away. */
static int list_pass(rn_admin_t *a, names_t *s, bool *again, char *err, size_t errlen) {
    rn_metadata_response_t md;
    uint8_t *resp = NULL;
    rn_str_t topic = rn_str(OFFSETS_TOPIC);
    *again = false; /* a Metadata failure is final */
    int rc = rn__admin_metadata(a, &topic, 1, &md, &resp, err, errlen);
    if (rc != 0)
        return rc;
    for (int32_t i = 0; i < md.n_brokers && rc == 0; i++) {
        int32_t id = md.brokers[i].node_id;
        rc = list_at(a, id, s, err, errlen);
        *again = retriable_at(rc, id);
    }
    if (rc == 0 && (rc = leaderless(&md, err, errlen)) != 0)
        *again = true;
    rn_metadata_response_deinit(&md);
    rn_free(resp);
    return rc;
}

static void names_clear(names_t *s) {
    for (int32_t i = 0; i < s->n; i++)
        rn_free(s->v[i]);
    s->n = 0;
}

/* Each broker answers for the groups it coordinates, so every live one is asked. The
 * whole pass is made again (every retry.backoff.ms, with fresh metadata, until
 * request.timeout.ms) while a broker fails — one that died drops out of the list once
 * fenced — or a partition of __consumer_offsets has no leader (its groups are moving).
 * What still fails then fails the call, rather than leave groups silently out. */
RN_API int rn_admin_list_groups(rn_admin_t *a, char ***names, int32_t *count, char *err,
                                size_t errlen) {
    *names = NULL;
    *count = 0;
    int64_t deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms;
    names_t s = {0};
    bool again = false;
    int rc;
    for (;;) {
        rc = list_pass(a, &s, &again, err, errlen);
        if (rc == 0 || !again || !backoff(a, deadline))
            break;
        names_clear(&s);
    }
    if (rc != 0) {
        rn_admin_names_free(s.v, s.n);
        return rc;
    }
    names_sort_unique(&s);
    *names = s.v ? s.v : rn_calloc(1, sizeof(char *));
    *count = s.n;
    return 0;
}

/* ---- describe ---------------------------------------------------------------------- */

static char *dup_str(rn_str_t s) {
    return rn_strndup(s.ptr ? s.ptr : "", (size_t)(s.len > 0 ? s.len : 0));
}

/* A member's assignment bytes into m (nothing assigned when empty or undecodable: a
 * member in the middle of a rebalance has none yet). */
static void decode_assignment(rn_group_member_info_t *m, rn_bytes_t bytes) {
    rn_consumer_assignment_t as;
    if (bytes.len <= 0 || rn_consumer_assignment_decode(bytes.ptr, (size_t)bytes.len, &as) < 0)
        return;
    int32_t n = 0;
    for (int32_t t = 0; t < as.n_assigned_partitions; t++)
        n += as.assigned_partitions[t].n_partitions;
    m->topics = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *m->topics);
    m->partitions = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *m->partitions);
    for (int32_t t = 0; t < as.n_assigned_partitions; t++) {
        const rn_consumer_assignment_topic_t *at = &as.assigned_partitions[t];
        for (int32_t p = 0; p < at->n_partitions; p++) {
            m->topics[m->nassigned] = dup_str(at->topic);
            m->partitions[m->nassigned++] = at->partitions[p];
        }
    }
    rn_consumer_assignment_deinit(&as);
}

static void copy_group(rn_group_info_t *g, const rn_describe_groups_group_t *dg) {
    g->state = dup_str(dg->group_state);
    g->protocol = dup_str(dg->protocol_data);
    int32_t n = dg->n_members > 0 ? dg->n_members : 0;
    g->members = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *g->members);
    for (int32_t i = 0; i < n; i++) {
        const rn_describe_groups_member_t *dm = &dg->members[i];
        rn_group_member_info_t *m = &g->members[g->nmembers++];
        m->member_id = dup_str(dm->member_id);
        m->client_id = dup_str(dm->client_id);
        m->host = dup_str(dm->client_host);
        decode_assignment(m, dm->member_assignment);
    }
}

/* DescribeGroups for c->group at the coordinator: state, protocol, members into g. */
static int describe_at(coord_t *c, rn_group_info_t *g, char *err, size_t errlen) {
    rn_str_t id = rn_str(c->group);
    rn_describe_groups_request_t req = {.n_groups = 1, .groups = &id};
    rn_writer_t wr;
    rn_writer_init(&wr, 64);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc =
        rn__admin_call(c->a, c->id, RN_API_DESCRIBE_GROUPS, &wr,
                       rn_describe_groups_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_describe_groups_response_t r;
    if (rn_describe_groups_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_DESCRIBE_GROUPS, resp, len, err, errlen);
    } else {
        if (r.error_code != 0)
            rc = group_err(c->group, r.error_code, RN_STR_NULL, err, errlen);
        else if (r.n_groups != 1)
            rc =
                group_err(c->group, RN_WIRE_UNKNOWN_SERVER_ERROR, rn_str("no result"), err, errlen);
        else if (r.groups[0].error_code != 0)
            rc = group_err(c->group, r.groups[0].error_code, RN_STR_NULL, err, errlen);
        else
            copy_group(g, &r.groups[0]);
        rn_describe_groups_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* The partitions listed, before they are merged (offsets_t grows). */
typedef struct offsets_s {
    rn_group_offset_info_t *v;
    int32_t n, cap;
} offsets_t;

static void offsets_add(offsets_t *o, char *topic, int32_t partition, int64_t committed,
                        const rn_group_member_info_t *member) {
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->v = rn_realloc(o->v, (size_t)o->cap * sizeof *o->v);
    }
    o->v[o->n++] = (rn_group_offset_info_t){.topic = topic,
                                            .partition = partition,
                                            .committed = committed,
                                            .log_end = -1,
                                            .lag = -1,
                                            .member = member};
}

/* OffsetFetch of every committed partition (topics null) into o. */
static int fetch_offsets_at(coord_t *c, offsets_t *o, char *err, size_t errlen) {
    rn_offset_fetch_request_t req = {.group_id = rn_str(c->group), .n_topics = -1};
    rn_writer_t wr;
    rn_writer_init(&wr, 64);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc = rn__admin_call(c->a, c->id, RN_API_OFFSET_FETCH, &wr,
                            rn_offset_fetch_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_offset_fetch_response_t r;
    if (rn_offset_fetch_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_OFFSET_FETCH, resp, len, err, errlen);
    } else {
        if (r.error_code != 0)
            rc = group_err(c->group, r.error_code, RN_STR_NULL, err, errlen);
        for (int32_t t = 0; rc == 0 && t < r.n_topics; t++) {
            const rn_offset_fetch_topic_result_t *ft = &r.topics[t];
            for (int32_t p = 0; p < ft->n_partitions; p++) {
                const rn_offset_fetch_part_t *fp = &ft->partitions[p];
                if (fp->error_code == 0 && fp->committed_offset >= 0)
                    offsets_add(o, dup_str(ft->name), fp->partition_index, fp->committed_offset,
                                NULL);
            }
        }
        rn_offset_fetch_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

static int cmp_offsets(const void *x, const void *y) {
    const rn_group_offset_info_t *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    return c != 0 ? c : (a->partition > b->partition) - (a->partition < b->partition);
}

/* Sort by (topic, partition) and merge each partition's committed offset with the
 * member it is assigned to. */
static void offsets_merge(offsets_t *o) {
    if (o->n == 0)
        return;
    qsort(o->v, (size_t)o->n, sizeof *o->v, cmp_offsets);
    int32_t k = 0;
    for (int32_t i = 1; i < o->n; i++) {
        rn_group_offset_info_t *keep = &o->v[k], *e = &o->v[i];
        if (cmp_offsets(keep, e) != 0) {
            o->v[++k] = *e;
            continue;
        }
        if (keep->committed < 0)
            keep->committed = e->committed;
        if (keep->member == NULL)
            keep->member = e->member;
        rn_free(e->topic);
    }
    o->n = k + 1;
}

/* Log ends (high watermarks) and lags, one topic at a time (the entries are sorted by
 * topic). A topic whose offsets cannot be had (deleted, leader offline) keeps -1. */
static void fill_log_ends(rn_admin_t *a, rn_group_info_t *g) {
    for (int32_t i = 0; i < g->noffsets;) {
        const char *topic = g->offsets[i].topic;
        rn_topic_info_t *t = NULL;
        char e[256];
        if (rn__admin_topic_offsets(a, topic, &t, e, sizeof e) != 0)
            t = NULL;
        for (; i < g->noffsets && strcmp(g->offsets[i].topic, topic) == 0; i++) {
            rn_group_offset_info_t *go = &g->offsets[i];
            if (t != NULL && go->partition >= 0 && go->partition < t->npartitions)
                go->log_end = t->partitions[go->partition].high_watermark;
            if (go->log_end >= 0 && go->committed >= 0)
                go->lag = go->log_end > go->committed ? go->log_end - go->committed : 0;
        }
        rn_admin_topic_free(t);
    }
}

/* Describe + fetch at the coordinator (retried), then the merged partition list. */
static int describe_group(coord_t *c, rn_group_info_t *g, char *err, size_t errlen) {
    int rc = coord_find(c, err, errlen);
    if (rc != 0)
        return rc;
    do
        rc = describe_at(c, g, err, errlen);
    while (coord_retry(c, &rc, err, errlen));
    if (rc != 0)
        return rc;
    offsets_t o = {0};
    do {
        for (int32_t i = 0; i < o.n; i++)
            rn_free(o.v[i].topic);
        o.n = 0;
        rc = fetch_offsets_at(c, &o, err, errlen);
    } while (coord_retry(c, &rc, err, errlen));
    for (int32_t m = 0; rc == 0 && m < g->nmembers; m++) {
        const rn_group_member_info_t *mi = &g->members[m];
        for (int32_t p = 0; p < mi->nassigned; p++)
            offsets_add(&o, rn_strdup(mi->topics[p]), mi->partitions[p], -1, mi);
    }
    offsets_merge(&o);
    g->offsets = o.v;
    g->noffsets = o.n;
    return rc;
}

RN_API int rn_admin_describe_group(rn_admin_t *a, const char *group, rn_group_info_t **out,
                                   char *err, size_t errlen) {
    *out = NULL;
    int rc = check_group(group, err, errlen);
    if (rc != 0)
        return rc;
    coord_t c;
    coord_init(&c, a, group);
    rn_group_info_t *g = rn_calloc(1, sizeof *g);
    g->group_id = rn_strdup(group);
    rc = describe_group(&c, g, err, errlen);
    /* The coordinator answers an unknown group with state Dead (as Kafka does); with
     * neither members nor committed offsets there is nothing to describe. */
    if (rc == 0 && g->nmembers == 0 && g->noffsets == 0 &&
        (g->state == NULL || g->state[0] == '\0' || strcmp(g->state, "Dead") == 0))
        rc = group_err(group, RN_WIRE_GROUP_ID_NOT_FOUND, RN_STR_NULL, err, errlen);
    if (rc != 0) {
        rn_admin_group_free(g);
        return rc;
    }
    fill_log_ends(a, g);
    *out = g;
    return 0;
}

/* Everything g holds (not g itself). */
static void group_deinit(rn_group_info_t *g) {
    for (int32_t i = 0; i < g->nmembers; i++) {
        rn_group_member_info_t *m = &g->members[i];
        for (int32_t p = 0; p < m->nassigned; p++)
            rn_free(m->topics[p]);
        rn_free(m->topics);
        rn_free(m->partitions);
        rn_free(m->member_id);
        rn_free(m->client_id);
        rn_free(m->host);
    }
    for (int32_t i = 0; i < g->noffsets; i++)
        rn_free(g->offsets[i].topic);
    rn_free(g->offsets);
    rn_free(g->members);
    rn_free(g->group_id);
    rn_free(g->state);
    rn_free(g->protocol);
}

RN_API void rn_admin_group_free(rn_group_info_t *g) {
    if (g == NULL)
        return;
    group_deinit(g);
    rn_free(g);
}

/* ---- reset offsets ----------------------------------------------------------------- */

/* The offset each partition of t is reset to: the log start (RN_OFFSET_BEGINNING), the
 * high watermark (RN_OFFSET_END), or to_offset kept within [log start, HW] as Kafka's
 * tool does (a committed offset outside the log would only be reset again by the
 * consumer). Fails naming the partition whose offsets its leader did not give. */
static int reset_targets(const rn_topic_info_t *t, int64_t to_offset,
                         rn_offset_commit_part_t *parts, char *err, size_t errlen) {
    for (int32_t i = 0; i < t->npartitions; i++) {
        const rn_partition_info_t *pi = &t->partitions[i];
        int64_t lo = pi->log_start_offset, hi = pi->high_watermark, off = to_offset;
        if (to_offset == RN_OFFSET_BEGINNING)
            off = lo;
        else if (to_offset == RN_OFFSET_END)
            off = hi;
        else if (lo >= 0 && hi >= lo)
            off = off < lo ? lo : off > hi ? hi : off;
        if (off < 0) {
            rn__errf(err, errlen,
                     "topic %s partition %d: no offsets (leader %d offline or "
                     "unreachable)",
                     t->name, pi->partition, pi->leader);
            return RN_WIRE_LEADER_NOT_AVAILABLE;
        }
        parts[i] = (rn_offset_commit_part_t){.partition_index = pi->partition,
                                             .committed_offset = off,
                                             .committed_metadata = RN_STR_NULL};
    }
    return 0;
}

static int active_members(const char *group, char *err, size_t errlen) {
    rn__errf(err, errlen, "group %s has active members; stop them first", group);
    return RN_WIRE_UNKNOWN_MEMBER_ID;
}

/* The first per-partition error of a commit response, described; 0 when none. */
static int commit_result(coord_t *c, const rn_offset_commit_response_t *r, char *err,
                         size_t errlen) {
    if (r->error_code == RN_WIRE_UNKNOWN_MEMBER_ID)
        return active_members(c->group, err, errlen);
    if (r->error_code != 0)
        return group_err(c->group, r->error_code, RN_STR_NULL, err, errlen);
    for (int32_t t = 0; t < r->n_topics; t++) {
        const rn_offset_commit_topic_result_t *rt = &r->topics[t];
        for (int32_t p = 0; p < rt->n_partitions; p++) {
            int code = rt->partitions[p].error_code;
            if (code == RN_WIRE_UNKNOWN_MEMBER_ID)
                return active_members(c->group, err, errlen);
            if (code != 0) {
                rn__errf(err, errlen, "group %s: topic %.*s partition %d: %s", c->group,
                         (int)rt->name.len, rt->name.ptr, rt->partitions[p].partition_index,
                         rn_err_str(code));
                return code;
            }
        }
    }
    return 0;
}

/* A simple commit (generation -1, member ""): accepted only while the group has no
 * members; otherwise the coordinator answers UNKNOWN_MEMBER_ID. */
static int commit_at(coord_t *c, rn_offset_commit_topic_t *topic, char *err, size_t errlen) {
    rn_offset_commit_request_t req = {.group_id = rn_str(c->group),
                                      .generation_id = -1,
                                      .member_id = rn_str(""),
                                      .n_topics = 1,
                                      .topics = topic};
    rn_writer_t wr;
    rn_writer_init(&wr, 64 + (size_t)topic->n_partitions * 16);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc =
        rn__admin_call(c->a, c->id, RN_API_OFFSET_COMMIT, &wr,
                       rn_offset_commit_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_offset_commit_response_t r;
    if (rn_offset_commit_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_OFFSET_COMMIT, resp, len, err, errlen);
    } else {
        rc = commit_result(c, &r, err, errlen);
        rn_offset_commit_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* Refuse (before committing anything) while DescribeGroups lists members; the
 * coordinator refuses a simple commit then anyway, this only names the reason before
 * a commit is tried. */
static int check_no_members(coord_t *c, char *err, size_t errlen) {
    rn_group_info_t g = {0};
    int rc;
    do
        rc = describe_at(c, &g, err, errlen);
    while (coord_retry(c, &rc, err, errlen));
    if (rc == 0 && g.nmembers > 0)
        rc = active_members(c->group, err, errlen);
    group_deinit(&g);
    return rc;
}

RN_API int rn_admin_reset_group_offsets(rn_admin_t *a, const char *group, const char *topic,
                                        int64_t to_offset, int32_t *count, char *err,
                                        size_t errlen) {
    *count = 0;
    int rc = check_group(group, err, errlen);
    if (rc != 0)
        return rc;
    if (to_offset < 0 && to_offset != RN_OFFSET_BEGINNING && to_offset != RN_OFFSET_END) {
        rn__errf(err, errlen, "group %s: invalid offset %lld", group, (long long)to_offset);
        return -EINVAL;
    }
    coord_t c;
    coord_init(&c, a, group);
    rn_topic_info_t *t = NULL;
    rc = rn__admin_topic_offsets(a, topic, &t, err, errlen);
    if (rc != 0)
        return rc;
    rn_offset_commit_part_t *parts =
        rn_calloc((size_t)(t->npartitions > 0 ? t->npartitions : 1), sizeof *parts);
    rc = reset_targets(t, to_offset, parts, err, errlen);
    if (rc == 0)
        rc = coord_find(&c, err, errlen);
    if (rc == 0)
        rc = check_no_members(&c, err, errlen);
    if (rc == 0) {
        rn_offset_commit_topic_t ct = {
            .name = rn_str(t->name), .n_partitions = t->npartitions, .partitions = parts};
        do
            rc = commit_at(&c, &ct, err, errlen);
        while (coord_retry(&c, &rc, err, errlen));
    }
    if (rc == 0)
        *count = t->npartitions;
    rn_free(parts);
    rn_admin_topic_free(t);
    return rc;
}
