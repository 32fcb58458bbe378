"""The consumer-group coordinator on the broker, driven with the raw protocol
(docs/groups.md, docs/protocol.md keys 8-16).

One broker, offsets.topic.num.partitions=3, group.min.session.timeout.ms=500:
- FindCoordinator: COORDINATOR_NOT_AVAILABLE first (the controller creates
  __consumer_offsets), then this broker; the topic is internal (Metadata), and
  DeleteTopics / Produce of it are refused with INVALID_TOPIC_EXCEPTION.
- JoinGroup with member id "" -> MEMBER_ID_REQUIRED -> join -> generation 1, leader;
  SyncGroup hands the leader's assignment back.
- A second member joins: the first one's Heartbeat gets REBALANCE_IN_PROGRESS, it
  rejoins, both get generation 2 (the leader with both members), SyncGroup gives each
  its assignment from the leader.
- OffsetCommit / OffsetFetch round trip; a stale generation is ILLEGAL_GENERATION, an
  unknown member UNKNOWN_MEMBER_ID, a simple commit (-1, "") UNKNOWN_MEMBER_ID while
  the group has members; per partition UNKNOWN_TOPIC_OR_PARTITION and
  OFFSET_METADATA_TOO_LARGE.
- ListGroups / DescribeGroups.
- A member that stops heartbeating is removed after its session timeout (the other
  one sees REBALANCE_IN_PROGRESS and rejoins alone: generation 3).
- LeaveGroup of the last member of another group: Empty, and a simple commit is OK.
- kill -9 and restart: the offsets and the group (generation, member) come back from
  the log.

Three brokers (broker.session.timeout.ms=2000): commit offsets, kill -9 the
coordinator's broker, FindCoordinator names another broker once the partition has a
new leader, and OffsetFetch there returns the committed offsets."""
import struct
import time

import rawproto as rp
from rnlib import *

NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, LOAD_IN_PROGRESS = 16, 15, 14
ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS = 22, 25, 27
MEMBER_ID_REQUIRED, INVALID_TOPIC, METADATA_TOO_LARGE = 79, 17, 12
RETRIABLE = (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, LOAD_IN_PROGRESS)
OFFSETS = "__consumer_offsets"


def until(what, fn, timeout=20.0, logs=None):
    """Call fn() until it returns something true; return it."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        check(time.time() < deadline,
              "timed out waiting for %s%s" % (what, "\n" + logs() if logs else ""))
        time.sleep(0.1)


def find(port, group):
    c = rp.Conn(port, timeout=5)
    try:
        return rp.find_coordinator(c, group)
    finally:
        c.close()


def new_member(c, group, session_ms=10000):
    """MEMBER_ID_REQUIRED, then the id to join with."""
    r = rp.join_group(c, group, "", session_ms=session_ms)
    check_eq(r["error_code"], MEMBER_ID_REQUIRED, "first JoinGroup")
    check(r["member_id"].startswith("rawproto-"), "member id %r" % r["member_id"])
    check_eq(r["generation"], -1, "generation with MEMBER_ID_REQUIRED")
    return r["member_id"]


def single_broker(runneld):
    b = Broker(runneld, extra=["offsets.topic.num.partitions=3",
                               "group.min.session.timeout.ms=500"])
    try:
        b.start()
        c = rp.Conn(b.port)
        check_eq(c.create_topic("t", partitions=3)[0], 0, "create t")
        rp.wait_for_topic(c, "t", 3)

        # ---- FindCoordinator, the internal topic -----------------------------------------
        first = rp.find_coordinator(c, "g1")
        check_eq(first[0], COORDINATOR_NOT_AVAILABLE, "first FindCoordinator")
        check_eq(first[1:], (-1, "", -1), "node, host, port with the error")
        err, node, host, port = until("a coordinator",
                                      lambda: (lambda r: r if r[0] == 0 else None)(
                                          rp.find_coordinator(c, "g1")), logs=b.log)
        check_eq((node, host, port), (1, "127.0.0.1", b.port), "coordinator of g1")
        check_eq(rp.find_coordinator(c, "g1", key_type=1)[0], 42, "key_type 1: INVALID_REQUEST")
        m = b.conn().metadata([OFFSETS])
        check_eq(len(m["topics"][0]["partitions"]), 3, "offsets partitions")
        check(m["topics"][0]["internal"], "is_internal")
        check_eq(c.delete_topic(OFFSETS), INVALID_TOPIC, "DeleteTopics of the offsets topic")
        p = c.produce_one(OFFSETS, 0, rp.make_batch([(b"k", b"v")]))
        check_eq(p["error_code"], INVALID_TOPIC, "Produce to the offsets topic")
        until("partitions led", lambda: rp.describe_groups(c, ["g1"])[1][0]["error_code"] == 0)

        # ---- membership -----------------------------------------------------------------
        c1 = rp.Conn(b.port)
        m1 = new_member(c1, "g1")
        j = rp.join_group(c1, "g1", m1)
        check_eq((j["error_code"], j["generation"], j["leader"], j["member_id"], j["protocol"]),
                 (0, 1, m1, m1, "range"), "join of the first member")
        check_eq(j["members"], [(m1, b"sub")], "the leader gets the members")
        check_eq(rp.sync_group(c1, "g1", 1, m1, [(m1, b"all-of-it")]), (0, b"all-of-it"),
                 "leader's SyncGroup")
        check_eq(rp.heartbeat(c1, "g1", 1, m1), 0, "heartbeat gen 1")

        c2 = rp.Conn(b.port)
        m2 = new_member(c2, "g1", session_ms=1000)
        corr2 = rp.join_group_send(c2, "g1", m2, session_ms=1000)
        check_eq(rp.heartbeat(c1, "g1", 1, m1), REBALANCE_IN_PROGRESS, "heartbeat in rebalance")
        j1 = rp.join_group(c1, "g1", m1)
        j2 = rp.join_group_recv(c2, corr2)
        check_eq((j1["error_code"], j1["generation"], j1["leader"]), (0, 2, m1), "rejoin m1")
        check_eq((j2["error_code"], j2["generation"], j2["leader"]), (0, 2, m1), "join m2")
        check_eq(sorted(j1["members"]), sorted([(m1, b"sub"), (m2, b"sub")]), "leader's members")
        check_eq(j2["members"], [], "a follower gets no members")
        corr2 = rp.sync_group_send(c2, "g1", 2, m2)
        check_eq(rp.sync_group(c1, "g1", 2, m1, [(m1, b"A"), (m2, b"B")]), (0, b"A"), "sync m1")
        check_eq(rp.sync_group_recv(c2, corr2), (0, b"B"), "sync m2 (parked until the leader's)")
        check_eq(rp.heartbeat(c2, "g1", 2, m2), 0, "heartbeat m2")
        m2_last = time.time()  # m2's last word: its session (1 s) runs from here
        check_eq(rp.heartbeat(c1, "g1", 1, m1), ILLEGAL_GENERATION, "stale heartbeat")
        check_eq(rp.heartbeat(c1, "g1", 2, "nobody"), UNKNOWN_MEMBER_ID, "unknown heartbeat")

        # ---- offsets ----------------------------------------------------------------------
        top, parts = rp.offset_commit(c1, "g1", [("t", 0, 10, "m0"), ("t", 1, 11, None)], 2, m1)
        check_eq((top, parts), (0, {("t", 0): 0, ("t", 1): 0}), "commit by m1")
        top, parts = rp.offset_commit(c1, "g1", [("t", 0, 99, None)], 1, m1)
        check_eq(parts[("t", 0)], ILLEGAL_GENERATION, "commit of a stale generation")
        top, parts = rp.offset_commit(c1, "g1", [("t", 0, 99, None)], 2, "nobody")
        check_eq(parts[("t", 0)], UNKNOWN_MEMBER_ID, "commit of an unknown member")
        top, parts = rp.offset_commit(c1, "g1", [("t", 0, 99, None)])
        check_eq(parts[("t", 0)], UNKNOWN_MEMBER_ID, "simple commit while members exist")
        top, parts = rp.offset_commit(c1, "g1", [("t", 2, 12, "x" * 5000), ("nope", 0, 1, None),
                                                 ("t", 9, 1, None), ("t", 2, 13, None)], 2, m1)
        check_eq(parts, {("t", 2): 0, ("nope", 0): 3, ("t", 9): 3}, "per-partition errors")
        top, got = rp.offset_fetch(c, "g1", [("t", 0), ("t", 1), ("t", 2), ("u", 0)])
        check_eq(top, 0, "OffsetFetch error")
        check_eq(got, {("t", 0): (10, "m0", 0), ("t", 1): (11, None, 0), ("t", 2): (13, None, 0),
                       ("u", 0): (-1, None, 0)}, "fetched offsets")
        top, got = rp.offset_fetch(c, "g1", None)
        check_eq(got, {("t", 0): (10, "m0", 0), ("t", 1): (11, None, 0), ("t", 2): (13, None, 0)},
                 "every committed offset")
        check_eq(rp.offset_fetch(c, "nobody-group", None), (0, {}), "unknown group")
        big = rp.offset_commit(c1, "g1", [("t", 0, 1, "x" * 5000)], 2, m1)[1]
        check_eq(big, {("t", 0): METADATA_TOO_LARGE}, "metadata over 4096 bytes")

        # ---- ListGroups / DescribeGroups -----------------------------------------------------
        top, groups = rp.list_groups(c)
        check_eq((top, groups), (0, [("g1", "consumer", "Stable")]), "ListGroups")
        top, desc = rp.describe_groups(c, ["g1", "unknown"])
        g = desc[0]
        check_eq((g["error_code"], g["group_id"], g["state"], g["protocol_type"], g["protocol"]),
                 (0, "g1", "Stable", "consumer", "range"), "DescribeGroups g1")
        check_eq(sorted((x["member_id"], x["client_id"], x["client_host"], x["metadata"],
                         x["assignment"]) for x in g["members"]),
                 sorted([(m1, "rawproto", "/127.0.0.1", b"sub", b"A"),
                         (m2, "rawproto", "/127.0.0.1", b"sub", b"B")]), "members")
        check_eq((desc[1]["error_code"], desc[1]["state"], desc[1]["members"]), (0, "Dead", []),
                 "an unknown group")

        # ---- session expiry: m2 goes silent ---------------------------------------------------
        t0 = time.time()
        while True:
            e = rp.heartbeat(c1, "g1", 2, m1)
            if e == REBALANCE_IN_PROGRESS:
                break
            check_eq(e, 0, "m1's heartbeat")
            check(time.time() - t0 < 10, "m2 never expired")
            time.sleep(0.1)
        took = time.time() - m2_last
        check(0.9 <= took <= 3.0, "m2 removed %.2f s after its last heartbeat" % took)
        j = rp.join_group(c1, "g1", m1)
        check_eq((j["error_code"], j["generation"], j["leader"], [x[0] for x in j["members"]]),
                 (0, 3, m1, [m1]), "m1 rejoins alone")
        check_eq(rp.sync_group(c1, "g1", 3, m1, [(m1, b"AB")]), (0, b"AB"), "sync gen 3")
        check_eq(rp.heartbeat(c2, "g1", 2, m2), UNKNOWN_MEMBER_ID, "the expired member")
        check_eq(rp.offset_commit(c1, "g1", [("t", 0, 20, None)], 3, m1)[1], {("t", 0): 0},
                 "commit gen 3")

        # ---- leave: another group becomes Empty; simple commits allowed ---------------------
        c3 = rp.Conn(b.port)
        m3 = new_member(c3, "g2")
        j = rp.join_group(c3, "g2", m3)
        check_eq(j["generation"], 1, "g2 gen 1")
        check_eq(rp.sync_group(c3, "g2", 1, m3, [(m3, b"x")]), (0, b"x"), "g2 sync")
        check_eq(rp.offset_commit(c3, "g2", [("t", 1, 5, None)])[1], {("t", 1): UNKNOWN_MEMBER_ID},
                 "simple commit to g2 with a member")
        check_eq(rp.leave_group(c3, "g2", m3), 0, "LeaveGroup")
        check_eq(rp.leave_group(c3, "g2", m3), UNKNOWN_MEMBER_ID, "LeaveGroup again")
        check_eq(rp.offset_commit(c3, "g2", [("t", 1, 5, None)]), (0, {("t", 1): 0}),
                 "simple commit to the Empty g2")
        desc = rp.describe_groups(c, ["g2"])[1][0]
        check_eq((desc["state"], desc["members"]), ("Empty", []), "g2 after the leave")
        top, groups = rp.list_groups(c)
        check_eq(sorted(groups), [("g1", "consumer", "Stable"), ("g2", "consumer", "Empty")],
                 "ListGroups with g2")
        for x in (c, c1, c2, c3):
            x.close()

        # ---- kill -9 and restart: state comes back from the log ----------------------------------
        b.kill()
        b.start()
        c = rp.Conn(b.port)
        until("the coordinator after the restart",
              lambda: rp.find_coordinator(c, "g1")[0] == 0, logs=b.log)
        got = until("g1's offsets", lambda: (lambda r: r[1] if r[0] == 0 else None)(
            rp.offset_fetch(c, "g1", None)), logs=b.log)
        check_eq(got, {("t", 0): (20, None, 0), ("t", 1): (11, None, 0), ("t", 2): (13, None, 0)},
                 "g1's offsets after the restart")
        check_eq(rp.offset_fetch(c, "g2", None), (0, {("t", 1): (5, None, 0)}), "g2's offsets")
        desc = rp.describe_groups(c, ["g1", "g2"])[1]
        check_eq((desc[0]["state"], [(x["member_id"], x["assignment"]) for x in desc[0]["members"]]),
                 ("Stable", [(m1, b"AB")]), "g1 after the restart")
        check_eq((desc[1]["state"], desc[1]["members"]), ("Empty", []), "g2 after the restart")
        check_eq(rp.heartbeat(c, "g1", 3, m1), 0, "m1's heartbeat to the restarted coordinator")
        check_eq(rp.offset_commit(c, "g1", [("t", 0, 21, None)], 3, m1)[1], {("t", 0): 0},
                 "m1 commits after the restart")

        # ---- a parked JoinGroup whose connection closes is forgotten ------------------------
        ca, cb = rp.Conn(b.port), rp.Conn(b.port)
        ma = new_member(ca, "g4")
        check_eq(rp.join_group(ca, "g4", ma, rebalance_ms=1000)["generation"], 1, "g4 gen 1")
        check_eq(rp.sync_group(ca, "g4", 1, ma, [(ma, b"a")]), (0, b"a"), "g4 sync")
        mb = new_member(cb, "g4")
        rp.join_group_send(cb, "g4", mb, rebalance_ms=1000)  # parked: ma has not rejoined
        time.sleep(0.2)
        cb.close()
        time.sleep(0.2)  # the broker sees the close before ma's join
        t0 = time.time()
        j = rp.join_group(ca, "g4", ma, rebalance_ms=1000)
        check_eq((j["error_code"], j["generation"], [x[0] for x in j["members"]]), (0, 2, [ma]),
                 "g4 rebalanced without the member whose connection closed")
        check(time.time() - t0 < 3, "the join phase ended by the rebalance timeout")

        # ---- stopping answers parked requests NOT_COORDINATOR --------------------------------
        cb = rp.Conn(b.port)
        mb = new_member(cb, "g4")
        corr = rp.join_group_send(cb, "g4", mb, rebalance_ms=60000)
        time.sleep(0.2)
        check_eq(b.stop(), 0, "runneld exit status (SIGTERM with a parked JoinGroup)")
        check_eq(rp.join_group_recv(cb, corr)["error_code"], NOT_COORDINATOR,
                 "the parked JoinGroup at shutdown")
        for x in (c, ca, cb):
            x.close()
    finally:
        b.cleanup()


def three_brokers(runneld):
    cl = Cluster(runneld, 3, extra=["offsets.topic.num.partitions=3",
                                    "broker.session.timeout.ms=2000"])
    try:
        cl.start()
        b1 = cl.broker(1)
        cl.wait("3 live brokers", lambda: (lambda m: m and len(m["brokers"]) == 3)(
            cl.metadata(b1)))
        ctl = cl.wait("a controller", lambda: (lambda m: m and m["controller_id"] > 0 and
                                               m["controller_id"])(cl.metadata(b1)))
        c = rp.Conn(cl.broker(ctl).port)
        check_eq(c.create_topic("t", partitions=2)[0], 0, "create t")
        group = "g3"
        node = cl.wait("a coordinator", lambda: (lambda r: r[0] == 0 and r[1])(
            rp.find_coordinator(c, group)), timeout=20)
        cl.wait("the offsets topic's ISRs full", lambda: (lambda v: v and all(
            len(p[4]) == 3 for p in v))(cl.partitions(b1, OFFSETS)), timeout=30)
        cc = rp.Conn(cl.broker(node).port)
        commit = cl.wait("a commit", lambda: (lambda r: r[0] == 0 and r)(
            rp.offset_commit(cc, group, [("t", 0, 7, "seven"), ("t", 1, 8, None)])))
        check_eq(commit[1], {("t", 0): 0, ("t", 1): 0}, "commit on the 3-broker cluster")
        cc.close()
        c.close()
        cl.broker(node).kill()
        t0 = time.time()
        alive = [b for b in cl.brokers if b.id != node]

        def found():
            for b in alive:
                try:
                    r = find(b.port, group)
                except OSError:
                    continue
                if r[0] == 0 and r[1] != node:
                    return r[1]
            return None
        new = cl.wait("a new coordinator", found, timeout=30)
        print("new coordinator broker %d after %.1f s" % (new, time.time() - t0), flush=True)
        nc = rp.Conn(cl.broker(new).port)
        got = cl.wait("the committed offsets at the new coordinator",
                      lambda: (lambda r: r[0] == 0 and r[1])(rp.offset_fetch(nc, group, None)))
        check_eq(got, {("t", 0): (7, "seven", 0), ("t", 1): (8, None, 0)},
                 "offsets after the failover")
        nc.close()
    finally:
        cl.cleanup()


def main(runneld):
    single_broker(runneld)
    three_brokers(runneld)


run(main)
