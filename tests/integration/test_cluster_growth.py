"""Partition growth on three brokers: `runnel topic alter --partitions` commits through
the metadata log; the new partitions continue the topic's round-robin (leaders stay
spread), every broker serves the same grown metadata, every replica creates the new
partitions' logs, and a new partition takes records and serves them back."""
import os
import subprocess

from rnlib import *


def cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr






CREATE_PARTITIONS = 37
NOT_CONTROLLER, INVALID_REPLICA_ASSIGNMENT, INVALID_REQUEST = 41, 39, 42


def create_partitions(b, topics, validate_only=False):
    """Raw CreatePartitions v0 to broker b; topics: [(name, count, assignments)]."""
    def enc(t):
        return string(t[0]) + i32(t[1]) + array(t[2], lambda ids: array(ids, i32))
    body = array(topics, enc) + i32(10000) + boolean(validate_only)
    c = Conn(b.port)
    try:
        r = c.request(CREATE_PARTITIONS, 0, body, dec_topic_results)
    finally:
        c.close()
    check_eq(r["error"], NONE, "CreatePartitions request-level error")
    return [t["error"] for t in r["topics"]]


def all_alive(runnel, cl):
    rc, out, _ = cli(runnel, cl.bootstrap(), "cluster", "status", timeout=20)
    lines = [l for l in out.splitlines() if l.startswith("Broker: ")]
    return rc == 0 and len(lines) == 3 and all("Status: alive" in l for l in lines)


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 3)
    try:
        cl.start()
        cl.wait("3 alive brokers", lambda: all_alive(runnel, cl))
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "grown",
                         "--partitions", "2", "--replication-factor", "2")
        check_eq(rc, 0, "topic create grown: " + err)
        before = cl.wait("grown (2) everywhere", lambda: cl.same_everywhere("grown", 2))
        rc, _, err = cli(runnel, cl.bootstrap(), "produce", "grown", "--partition", "1",
                         "--acks", "all", stdin="old\n")
        check_eq(rc, 0, "produce before growth: " + err)

        # Raw requests: only the controller judges; validate_only changes nothing.
        ctl = cl.metadata(cl.brokers[0])["controller_id"]
        other = [b for b in cl.brokers if b.id != ctl][0]
        check_eq(create_partitions(other, [("grown", 3, None)]), [NOT_CONTROLLER],
                 "CreatePartitions at broker %d, not the controller" % other.id)
        check_eq(create_partitions(other, [("nope", 1, None)]), [NOT_CONTROLLER],
                 "not the controller: even an unknown topic is not judged")
        b = cl.broker(ctl)
        check_eq(create_partitions(b, [("grown", 3, None)], validate_only=True), [NONE],
                 "validate_only")
        check_eq(create_partitions(b, [("grown", 3, [[1, 2]])]), [INVALID_REPLICA_ASSIGNMENT],
                 "manual assignments")
        check_eq(create_partitions(b, [("grown", 3, None), ("grown", 4, None)]),
                 [INVALID_REQUEST, INVALID_REQUEST], "a topic named twice")
        check_eq([p[:4] for p in cl.partitions(b, "grown")], [p[:4] for p in before],
                 "nothing grew yet")

        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "alter", "grown", "--partitions", "6")
        check_eq(rc, 0, "topic alter grown --partitions 6: " + err)
        view = cl.wait("grown (6) everywhere", lambda: cl.same_everywhere("grown", 6))
        check_eq([p[:4] for p in view[:2]], [p[:4] for p in before],
                 "the old partitions keep leader, epoch and replicas")
        check_eq(sorted(p[1] for p in view), [1, 1, 2, 2, 3, 3], "leaders spread over 3 brokers")
        for p in view:
            check_eq((len(set(p[3])), p[3][0], p[2]), (2, p[1], 0),
                     "partition %d: 2 distinct replicas led by the first" % p[0])
            check(p[1] in p[4] and set(p[4]) <= set(p[3]),
                  "partition %d: the ISR holds the leader, replicas only" % p[0])
        # Every replica of a new partition created its log.
        for p in view[2:]:
            for r in p[3]:
                d = os.path.join(cl.broker(r).dir, "data", "grown-%d" % p[0])
                cl.wait("broker %d's log of grown-%d" % (r, p[0]), lambda: os.path.isdir(d))

        # A new partition takes records and serves them; the old ones keep theirs.
        rc, _, err = cli(runnel, cl.bootstrap(), "produce", "grown", "--partition", "5",
                         "--acks", "all", stdin="new\n")
        check_eq(rc, 0, "produce to grown-5: " + err)
        for part, want in (("5", "new"), ("1", "old")):
            rc, out, err = cli(runnel, cl.bootstrap(), "consume", "grown", "--partition", part,
                               "--from-beginning", "--max-messages", "1", "--timeout-ms", "5000")
            check_eq((rc, out.strip()), (0, want), "consume grown-%s: %s" % (part, err))

        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "alter", "grown", "--partitions", "6")
        check(rc == 1 and "can only grow" in err, "equal count refused: rc %d: %s" % (rc, err))
        for b in cl.brokers:
            check_eq(b.stop(), 0, "broker %d exit status" % b.id)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
