/* test_group.c — the group state machine with an injected clock: joins and
 * generations, MEMBER_ID_REQUIRED, rebalances, sync and the record write, heartbeat
 * errors, session expiry, leave, commit validation, loading, the offsets cache. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "group/group.h"

/* ---- a recording harness ------------------------------------------------------------ */

#define MAXEV 32

typedef struct ev_s {
    int ctx; /* the parked request's number */
    rn_wire_err_t err;
    int32_t generation;
    char leader[128];
    char member[128];
    char protocol[32];
    int32_t nmembers;
    char assign[32];
} ev_t;

typedef struct rec_s {
    ev_t joins[MAXEV];
    int njoins;
    ev_t syncs[MAXEV];
    int nsyncs;
    int emptied;
} rec_t;

static void join_done(void *arg, rn_group_t *g, void *ctx, const rn_group_join_result_t *res) {
    (void)g;
    rec_t *r = arg;
    assert_true(r->njoins < MAXEV);
    ev_t *e = &r->joins[r->njoins++];
    e->ctx = (int)(intptr_t)ctx;
    e->err = res->error;
    e->generation = res->generation;
    snprintf(e->leader, sizeof e->leader, "%.*s", (int)res->leader.len, res->leader.ptr);
    snprintf(e->member, sizeof e->member, "%.*s", (int)res->member_id.len, res->member_id.ptr);
    snprintf(e->protocol, sizeof e->protocol, "%.*s", (int)res->protocol.len, res->protocol.ptr);
    e->nmembers = res->n_members;
}

static void sync_done(void *arg, rn_group_t *g, void *ctx, rn_wire_err_t err, rn_bytes_t a) {
    (void)g;
    rec_t *r = arg;
    assert_true(r->nsyncs < MAXEV);
    ev_t *e = &r->syncs[r->nsyncs++];
    e->ctx = (int)(intptr_t)ctx;
    e->err = err;
    snprintf(e->assign, sizeof e->assign, "%.*s", a.len > 0 ? (int)a.len : 0,
             a.len > 0 ? (const char *)a.ptr : "");
}

static void emptied(void *arg, rn_group_t *g) {
    (void)g;
    ((rec_t *)arg)->emptied++;
}

static rec_t R;
static rn_group_ops_t OPS = {&R, join_done, sync_done, emptied};
static rn_group_cfg_t CFG = {.min_session_timeout_ms = 100,
                             .max_session_timeout_ms = 60000,
                             .initial_rebalance_delay_ms = 0};

static int setup(void **state) {
    (void)state;
    memset(&R, 0, sizeof R);
    CFG.initial_rebalance_delay_ms = 0;
    return 0;
}

static rn_str_t NAMES[2];
static rn_bytes_t METAS[2];

static rn_group_join_req_t jreq(const char *member, int32_t session) {
    NAMES[0] = rn_str("range");
    NAMES[1] = rn_str("roundrobin");
    METAS[0] = rn_bytes("sub", 3);
    METAS[1] = rn_bytes("sub", 3);
    return (rn_group_join_req_t){.member_id = rn_str(member),
                                 .client_id = rn_str("cl"),
                                 .client_host = rn_str("/127.0.0.1"),
                                 .session_timeout_ms = session,
                                 .rebalance_timeout_ms = 1000,
                                 .protocol_type = rn_str("consumer"),
                                 .nprotos = 2,
                                 .proto_names = NAMES,
                                 .proto_metas = METAS};
}

/* Join with "" then with the id given: returns the id (static buffer per slot). */
static const char *new_member(rn_group_t *g, int ctx, int64_t now, char *idbuf, size_t idlen) {
    rn_group_join_req_t req = jreq("", 1000);
    rn_group_join_result_t res;
    assert_int_equal(rn_group_join(g, &req, NULL, now, &res), RN_GROUP_DONE);
    assert_int_equal(res.error, RN_WIRE_MEMBER_ID_REQUIRED);
    assert_true(res.member_id.len > 3);
    assert_memory_equal(res.member_id.ptr, "cl-", 3);
    snprintf(idbuf, idlen, "%.*s", (int)res.member_id.len, res.member_id.ptr);
    req = jreq(idbuf, 1000);
    assert_int_equal(rn_group_join(g, &req, (void *)(intptr_t)ctx, now, &res), RN_GROUP_PARKED);
    return idbuf;
}

static void sync_leader(rn_group_t *g, const char *leader, const char *other, int ctx,
                        int64_t now) {
    rn_group_assignment_t as[2] = {{rn_str(leader), rn_bytes("A", 1)},
                                   {rn_str(other ? other : "none"), rn_bytes("B", 1)}};
    rn_wire_err_t err;
    rn_bytes_t a;
    assert_int_equal(rn_group_sync(g, g->generation, rn_str(leader), as, other ? 2 : 1,
                                   (void *)(intptr_t)ctx, now, &err, &a),
                     RN_GROUP_WRITE);
    rn_grec_group_t v;
    rn_group_record(g, true, 1, &v);
    assert_int_equal(v.generation, g->generation);
    assert_int_equal(v.n_members, g->nmembers);
    assert_int_equal(v.members[0].assignment.len, 1);
    rn_free(v.members);
    rn_group_sync_written(g, g->generation, RN_WIRE_NONE, now);
}

/* ---- scenarios ------------------------------------------------------------------------- */

static void test_two_members_generation_one(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    char a[128], b[128];
    new_member(g, 1, 0, a, sizeof a);
    /* one member, delay 0: the join phase ends at once */
    assert_int_equal(R.njoins, 1);
    assert_int_equal(R.joins[0].generation, 1);
    assert_string_equal(R.joins[0].leader, a);
    assert_string_equal(R.joins[0].protocol, "range");
    assert_int_equal(R.joins[0].nmembers, 1);
    assert_int_equal(g->state, RN_GROUP_COMPLETING_REBALANCE);
    sync_leader(g, a, NULL, 2, 1);
    assert_int_equal(R.nsyncs, 1);
    assert_string_equal(R.syncs[0].assign, "A");
    assert_int_equal(g->state, RN_GROUP_STABLE);

    /* a second member: rebalance; the first learns it from its heartbeat */
    new_member(g, 3, 10, b, sizeof b);
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);
    assert_int_equal(rn_group_heartbeat(g, 1, rn_str(a), 20), RN_WIRE_REBALANCE_IN_PROGRESS);
    rn_group_join_req_t req = jreq(a, 1000);
    rn_group_join_result_t res;
    assert_int_equal(rn_group_join(g, &req, (void *)4, 30, &res), RN_GROUP_PARKED);
    assert_int_equal(R.njoins, 3);
    /* both answered with generation 2; the leader (first to join) gets the members */
    for (int i = 1; i < 3; i++) {
        assert_int_equal(R.joins[i].generation, 2);
        assert_string_equal(R.joins[i].leader, a);
        assert_int_equal(R.joins[i].nmembers, strcmp(R.joins[i].member, a) == 0 ? 2 : 0);
    }
    /* the follower's sync waits for the leader's */
    rn_wire_err_t err;
    rn_bytes_t asg;
    assert_int_equal(rn_group_sync(g, 2, rn_str(b), NULL, 0, (void *)5, 40, &err, &asg),
                     RN_GROUP_PARKED);
    assert_int_equal(rn_group_heartbeat(g, 2, rn_str(b), 41), RN_WIRE_NONE);
    sync_leader(g, a, b, 6, 50);
    assert_int_equal(R.nsyncs, 3);
    for (int i = 1; i < 3; i++)
        assert_string_equal(R.syncs[i].assign, R.syncs[i].ctx == 5 ? "B" : "A");
    assert_int_equal(g->state, RN_GROUP_STABLE);
    /* a late sync of a Stable group is answered at once */
    assert_int_equal(rn_group_sync(g, 2, rn_str(b), NULL, 0, (void *)7, 60, &err, &asg),
                     RN_GROUP_DONE);
    assert_int_equal(err, RN_WIRE_NONE);
    assert_int_equal(asg.len, 1);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_join_errors(void **state) {
    (void)state;
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    rn_group_join_result_t res;
    rn_group_join_req_t req = jreq("", 50); /* below the minimum */
    assert_int_equal(rn_group_join(g, &req, NULL, 0, &res), RN_GROUP_DONE);
    assert_int_equal(res.error, RN_WIRE_INVALID_SESSION_TIMEOUT);
    req = jreq("", 60001);
    rn_group_join(g, &req, NULL, 0, &res);
    assert_int_equal(res.error, RN_WIRE_INVALID_SESSION_TIMEOUT);
    req = jreq("made-up", 1000);
    rn_group_join(g, &req, NULL, 0, &res);
    assert_int_equal(res.error, RN_WIRE_UNKNOWN_MEMBER_ID);
    char a[128];
    new_member(g, 1, 0, a, sizeof a);
    /* another protocol type, or no protocol in common */
    req = jreq("", 1000);
    req.protocol_type = rn_str("connect");
    rn_group_join(g, &req, NULL, 0, &res);
    assert_int_equal(res.error, RN_WIRE_INCONSISTENT_GROUP_PROTOCOL);
    rn_str_t other = rn_str("sticky");
    req = jreq("", 1000);
    req.nprotos = 1;
    req.proto_names = &other;
    rn_group_join(g, &req, NULL, 0, &res);
    assert_int_equal(res.error, RN_WIRE_INCONSISTENT_GROUP_PROTOCOL);
    /* an id given out expires after the session timeout */
    req = jreq("", 1000);
    rn_group_join(g, &req, NULL, 0, &res);
    char id[128];
    snprintf(id, sizeof id, "%.*s", (int)res.member_id.len, res.member_id.ptr);
    rn_group_tick(g, 1001);
    req = jreq(id, 1000);
    rn_group_join(g, &req, NULL, 1001, &res);
    assert_int_equal(res.error, RN_WIRE_UNKNOWN_MEMBER_ID);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
}

static void test_third_member_and_stale_generation(void **state) {
    (void)state;
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    char a[128], b[128], c[128];
    new_member(g, 1, 0, a, sizeof a);
    sync_leader(g, a, NULL, 2, 0);
    new_member(g, 3, 0, b, sizeof b);
    rn_group_join_req_t req = jreq(a, 1000);
    rn_group_join_result_t res;
    rn_group_join(g, &req, (void *)4, 0, &res);
    sync_leader(g, a, b, 5, 0);
    assert_int_equal(g->generation, 2);
    /* a third member joins: rebalance; b's sync of gen 2 during it */
    new_member(g, 6, 100, c, sizeof c);
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);
    rn_wire_err_t err;
    rn_bytes_t asg;
    rn_group_sync(g, 2, rn_str(b), NULL, 0, NULL, 100, &err, &asg);
    assert_int_equal(err, RN_WIRE_REBALANCE_IN_PROGRESS);
    /* ... while a member of the current generation may still commit what it read */
    assert_int_equal(rn_group_commit_check(g, 2, rn_str(b), 100), RN_WIRE_NONE);
    /* a and b rejoin; gen 3 */
    req = jreq(a, 1000);
    rn_group_join(g, &req, (void *)7, 110, &res);
    req = jreq(b, 1000);
    rn_group_join(g, &req, (void *)8, 120, &res);
    assert_int_equal(g->generation, 3);
    assert_int_equal(g->state, RN_GROUP_COMPLETING_REBALANCE);
    /* stale generation */
    assert_int_equal(rn_group_heartbeat(g, 2, rn_str(b), 130), RN_WIRE_ILLEGAL_GENERATION);
    assert_int_equal(rn_group_commit_check(g, 2, rn_str(b), 130), RN_WIRE_ILLEGAL_GENERATION);
    rn_group_sync(g, 2, rn_str(b), NULL, 0, NULL, 130, &err, &asg);
    assert_int_equal(err, RN_WIRE_ILLEGAL_GENERATION);
    assert_int_equal(rn_group_heartbeat(g, 3, rn_str("nobody"), 130), RN_WIRE_UNKNOWN_MEMBER_ID);
    assert_int_equal(rn_group_commit_check(g, 3, rn_str("nobody"), 130), RN_WIRE_UNKNOWN_MEMBER_ID);
    /* joined, assignment not synced yet: no commits */
    assert_int_equal(rn_group_commit_check(g, 3, rn_str(c), 130), RN_WIRE_REBALANCE_IN_PROGRESS);
    /* simple commit refused while there are members */
    assert_int_equal(rn_group_commit_check(g, -1, rn_str(""), 130), RN_WIRE_UNKNOWN_MEMBER_ID);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
}

static void test_expiry_and_leave(void **state) {
    (void)state;
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    char a[128], b[128];
    new_member(g, 1, 0, a, sizeof a);
    sync_leader(g, a, NULL, 2, 0);
    new_member(g, 3, 0, b, sizeof b);
    rn_group_join_req_t req = jreq(a, 1000);
    rn_group_join_result_t res;
    rn_group_join(g, &req, (void *)4, 0, &res);
    sync_leader(g, a, b, 5, 0);
    /* b heartbeats, a goes silent: after a's session timeout a is removed */
    assert_int_equal(rn_group_heartbeat(g, 2, rn_str(b), 900), RN_WIRE_NONE);
    rn_group_tick(g, 999);
    assert_int_equal(g->nmembers, 2);
    rn_group_tick(g, 1000);
    assert_int_equal(g->nmembers, 1);
    assert_null(rn_group_member(g, rn_str(a)));
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);
    assert_int_equal(rn_group_heartbeat(g, 2, rn_str(b), 1001), RN_WIRE_REBALANCE_IN_PROGRESS);
    int before = R.njoins;
    req = jreq(b, 1000);
    rn_group_join(g, &req, (void *)6, 1002, &res);
    assert_int_equal(R.njoins, before + 1);
    assert_int_equal(R.joins[before].generation, 3);
    assert_string_equal(R.joins[before].leader, b); /* the leader left: b leads */
    assert_int_equal(R.joins[before].nmembers, 1);
    /* b's sync is parked; the leave answers it, and the group becomes Empty */
    rn_wire_err_t err;
    rn_bytes_t asg;
    assert_int_equal(rn_group_sync(g, 3, rn_str(b), NULL, 0, (void *)7, 1003, &err, &asg),
                     RN_GROUP_WRITE);
    /* sent again while the record is being written: the first is answered */
    assert_int_equal(rn_group_sync(g, 3, rn_str(b), NULL, 0, (void *)8, 1003, &err, &asg),
                     RN_GROUP_PARKED);
    before = R.nsyncs;
    assert_int_equal(rn_group_leave(g, rn_str(b), 1004), RN_WIRE_NONE);
    assert_int_equal(R.nsyncs, before + 1);
    assert_int_equal(R.syncs[before].ctx, 8);
    assert_int_equal(R.syncs[before].err, RN_WIRE_UNKNOWN_MEMBER_ID);
    /* the first parked sync (ctx 7) was answered REBALANCE_IN_PROGRESS when replaced */
    assert_int_equal(R.syncs[before - 1].ctx, 7);
    assert_int_equal(g->state, RN_GROUP_EMPTY);
    assert_int_equal(R.emptied, 1);
    assert_int_equal(rn_group_leave(g, rn_str(b), 1005), RN_WIRE_UNKNOWN_MEMBER_ID);
    /* a late write completion is ignored */
    rn_group_sync_written(g, 3, RN_WIRE_NONE, 1006);
    assert_int_equal(g->state, RN_GROUP_EMPTY);
    /* simple commits are allowed now */
    assert_int_equal(rn_group_commit_check(g, -1, rn_str(""), 1007), RN_WIRE_NONE);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
}

static void test_rebalance_timeout_removes_laggard(void **state) {
    (void)state;
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    char a[128], b[128];
    new_member(g, 1, 0, a, sizeof a);
    sync_leader(g, a, NULL, 2, 0);
    new_member(g, 3, 10, b, sizeof b);
    /* a never rejoins (but heartbeats): the rebalance timeout (1000) ends the phase */
    rn_group_heartbeat(g, 1, rn_str(a), 500);
    rn_group_tick(g, 1009);
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);
    rn_group_tick(g, 1010);
    assert_int_equal(g->state, RN_GROUP_COMPLETING_REBALANCE);
    assert_int_equal(g->nmembers, 1);
    assert_string_equal(g->leader, b);
    /* the leader's sync never comes: back to PreparingRebalance */
    assert_int_equal(rn_group_heartbeat(g, 2, rn_str(b), 1900), RN_WIRE_NONE);
    rn_group_tick(g, 2009);
    assert_int_equal(g->state, RN_GROUP_COMPLETING_REBALANCE);
    rn_group_tick(g, 2010);
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
}

static void test_initial_delay_and_write_failure(void **state) {
    (void)state;
    CFG.initial_rebalance_delay_ms = 300;
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    char a[128], b[128];
    new_member(g, 1, 0, a, sizeof a);
    assert_int_equal(R.njoins, 0); /* waits for more members */
    new_member(g, 2, 100, b, sizeof b);
    assert_int_equal(R.njoins, 0);
    rn_group_tick(g, 299);
    assert_int_equal(R.njoins, 0);
    rn_group_tick(g, 300);
    assert_int_equal(R.njoins, 2);
    assert_int_equal(g->generation, 1);
    rn_wire_err_t err;
    rn_bytes_t asg;
    rn_group_sync(g, 1, rn_str(b), NULL, 0, (void *)3, 310, &err, &asg);
    rn_group_assignment_t as[1] = {{rn_str(a), rn_bytes("A", 1)}};
    assert_int_equal(rn_group_sync(g, 1, rn_str(a), as, 1, (void *)4, 320, &err, &asg),
                     RN_GROUP_WRITE);
    rn_group_sync_written(g, 1, RN_WIRE_NOT_ENOUGH_REPLICAS, 330);
    assert_int_equal(R.nsyncs, 2);
    assert_int_equal(R.syncs[0].err, RN_WIRE_NOT_ENOUGH_REPLICAS);
    assert_int_equal(R.syncs[1].err, RN_WIRE_NOT_ENOUGH_REPLICAS);
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);
    assert_null(g->members[0]->assignment); /* nothing took effect */
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
}

static void test_free_answers_parked(void **state) {
    (void)state;
    CFG.initial_rebalance_delay_ms = 1000;
    rn_group_t *g = rn_group_new("g", 0, &CFG, &OPS);
    char a[128];
    new_member(g, 9, 0, a, sizeof a);
    assert_int_equal(R.njoins, 0);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
    assert_int_equal(R.njoins, 1);
    assert_int_equal(R.joins[0].ctx, 9);
    assert_int_equal(R.joins[0].err, RN_WIRE_NOT_COORDINATOR);
}

static void test_load_and_offsets(void **state) {
    (void)state;
    int64_t live = rn_alloc_live();
    rn_grec_member_t mem[2] = {
        {.member_id = rn_str("m1"),
         .client_id = rn_str("c"),
         .client_host = rn_str("h"),
         .rebalance_timeout = 1000,
         .session_timeout = 500,
         .subscription = rn_bytes("s", 1),
         .assignment = rn_bytes("x", 1)},
        {.member_id = rn_str("m2"),
         .client_id = rn_str("c"),
         .client_host = rn_str("h"),
         .rebalance_timeout = 1000,
         .session_timeout = 500,
         .subscription = rn_bytes("s", 1),
         .assignment = rn_bytes("y", 1)},
    };
    rn_grec_group_t v = {.protocol_type = rn_str("consumer"),
                         .generation = 7,
                         .protocol = rn_str("range"),
                         .leader = rn_str("m2"),
                         .n_members = 2,
                         .members = mem};
    rn_group_t *g = rn_group_new("g", 3, &CFG, &OPS);
    rn_group_load(g, &v, 1000);
    assert_int_equal(g->state, RN_GROUP_STABLE);
    assert_int_equal(g->generation, 7);
    assert_string_equal(g->leader, "m2");
    assert_int_equal(rn_group_heartbeat(g, 7, rn_str("m1"), 1200), RN_WIRE_NONE);
    rn_wire_err_t err;
    rn_bytes_t asg;
    rn_group_sync(g, 7, rn_str("m2"), NULL, 0, NULL, 1200, &err, &asg);
    assert_int_equal(err, RN_WIRE_NONE);
    assert_memory_equal(asg.ptr, "y", 1);
    /* the record written back carries the same members */
    rn_grec_group_t out;
    rn_group_record(g, false, 5, &out);
    assert_int_equal(out.n_members, 2);
    assert_true(rn_str_eq_c(out.members[1].assignment.ptr ? rn_str("y") : rn_str(""), "y"));
    assert_true(rn_str_eq_c(out.protocol, "range"));
    rn_free(out.members);
    /* m2 heartbeats; m1 is gone after its session */
    rn_group_heartbeat(g, 7, rn_str("m2"), 1600);
    rn_group_tick(g, 1700);
    assert_int_equal(g->nmembers, 1);
    assert_int_equal(g->state, RN_GROUP_PREPARING_REBALANCE);

    /* offsets */
    assert_null(rn_group_offset_get(g, rn_str("t"), 0));
    rn_group_offset_set(g, rn_str("t"), 0, 10, RN_STR_NULL, 1);
    rn_group_offset_set(g, rn_str("t"), 1, 20, rn_str("md"), 2);
    rn_group_offset_set(g, rn_str("t"), 0, 11, rn_str("x"), 3);
    const rn_group_offset_t *o = rn_group_offset_get(g, rn_str("t"), 0);
    assert_non_null(o);
    assert_int_equal(o->offset, 11);
    assert_string_equal(o->metadata, "x");
    assert_int_equal(g->noffsets, 2);
    rn_group_offset_delete(g, rn_str("t"), 0);
    rn_group_offset_delete(g, rn_str("t"), 5);
    assert_null(rn_group_offset_get(g, rn_str("t"), 0));
    assert_int_equal(rn_group_offset_get(g, rn_str("t"), 1)->offset, 20);
    rn_group_free(g, RN_WIRE_NOT_COORDINATOR);
    assert_int_equal(rn_alloc_live(), live);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_two_members_generation_one, setup),
        cmocka_unit_test_setup(test_join_errors, setup),
        cmocka_unit_test_setup(test_third_member_and_stale_generation, setup),
        cmocka_unit_test_setup(test_expiry_and_leave, setup),
        cmocka_unit_test_setup(test_rebalance_timeout_removes_laggard, setup),
        cmocka_unit_test_setup(test_initial_delay_and_write_failure, setup),
        cmocka_unit_test_setup(test_free_answers_parked, setup),
        cmocka_unit_test_setup(test_load_and_offsets, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
