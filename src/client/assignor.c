/*
 * assignor.c — range and roundrobin assignors (assignor.h). Both sort what they are
 * given (members by id, topics by name) so that every leader computes the same
 * assignment from the same group, whatever order JoinGroup listed the members in.
 */
#include "client/assignor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

int rn__assignor_known(const char *name) {
    return strcmp(name, "range") == 0 || strcmp(name, "roundrobin") == 0;
}

/* Both sorts run over arrays of pointers, so the callers' arrays keep their order. */
static int by_member_id(const void *a, const void *b) {
    const rn__asg_member_t *const *x = a, *const *y = b;
    return strcmp((*x)->member_id, (*y)->member_id);
}

static int by_topic_name(const void *a, const void *b) {
    const rn__asg_topic_t *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static int subscribed(const rn__asg_member_t *m, const char *topic) {
    for (int32_t i = 0; i < m->n_subs; i++)
        if (strcmp(m->subs[i], topic) == 0)
            return 1;
    return 0;
}

static void add(rn__asg_member_t *m, const char *topic, int32_t partition, int32_t cap) {
    if (m->asg_topics == NULL) {
        m->asg_topics = rn_malloc((size_t)(cap > 0 ? cap : 1) * sizeof *m->asg_topics);
        m->asg_parts = rn_malloc((size_t)(cap > 0 ? cap : 1) * sizeof *m->asg_parts);
    }
    m->asg_topics[m->n_assigned] = topic;
    m->asg_parts[m->n_assigned] = partition;
    m->n_assigned++;
}

static void assign_range(rn__asg_member_t **ms, int32_t nm, const rn__asg_topic_t **ts, int32_t nt,
                         int32_t total) {
    rn__asg_member_t **subs = rn_malloc((size_t)(nm > 0 ? nm : 1) * sizeof *subs);
    for (int32_t t = 0; t < nt; t++) {
        int32_t n = 0;
        for (int32_t i = 0; i < nm; i++)
            if (subscribed(ms[i], ts[t]->name))
                subs[n++] = ms[i];
        if (n == 0 || ts[t]->npart <= 0)
            continue;
        int32_t each = ts[t]->npart / n, extra = ts[t]->npart % n;
        for (int32_t i = 0; i < n; i++) {
            int32_t start = i * each + (i < extra ? i : extra);
            int32_t len = each + (i < extra ? 1 : 0);
            for (int32_t p = start; p < start + len; p++)
                add(subs[i], ts[t]->name, p, total);
        }
    }
    rn_free(subs);
}

static void assign_roundrobin(rn__asg_member_t **ms, int32_t nm, const rn__asg_topic_t **ts,
                              int32_t nt, int32_t total) {
    int32_t next = 0; /* the circular iterator over the sorted members */
    for (int32_t t = 0; t < nt; t++) {
        int any = 0;
        for (int32_t i = 0; i < nm; i++)
            any |= subscribed(ms[i], ts[t]->name);
        if (!any)
            continue;
        for (int32_t p = 0; p < ts[t]->npart; p++) {
            while (!subscribed(ms[next], ts[t]->name))
                next = (next + 1) % nm;
            add(ms[next], ts[t]->name, p, total);
            next = (next + 1) % nm;
        }
    }
}

int rn__assign(const char *strategy, rn__asg_member_t *members, int32_t n_members,
               const rn__asg_topic_t *topics, int32_t n_topics) {
    for (int32_t i = 0; i < n_members; i++) {
        members[i].n_assigned = 0;
        members[i].asg_topics = NULL;
        members[i].asg_parts = NULL;
    }
    if (!rn__assignor_known(strategy))
        return -EINVAL;
    if (n_members <= 0)
        return 0;
    rn__asg_member_t **ms = rn_malloc((size_t)n_members * sizeof *ms);
    const rn__asg_topic_t **ts = rn_malloc((size_t)(n_topics > 0 ? n_topics : 1) * sizeof *ts);
    int32_t total = 0;
    for (int32_t i = 0; i < n_members; i++)
        ms[i] = &members[i];
    for (int32_t i = 0; i < n_topics; i++) {
        ts[i] = &topics[i];
        total += topics[i].npart > 0 ? topics[i].npart : 0;
    }
    qsort(ms, (size_t)n_members, sizeof *ms, by_member_id);
    qsort(ts, (size_t)n_topics, sizeof *ts, by_topic_name);
    if (strcmp(strategy, "range") == 0)
        assign_range(ms, n_members, ts, n_topics, total);
    else
        assign_roundrobin(ms, n_members, ts, n_topics, total);
    rn_free(ms);
    rn_free(ts);
    return 0;
}

void rn__assign_free(rn__asg_member_t *members, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        rn_free(members[i].asg_topics);
        rn_free(members[i].asg_parts);
        members[i].asg_topics = NULL;
        members[i].asg_parts = NULL;
        members[i].n_assigned = 0;
    }
}
