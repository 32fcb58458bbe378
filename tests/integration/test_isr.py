"""Replication, step 2b: the ISR. Three brokers, a topic of one partition with RF 3 and
min.insync.replicas=2, replica.lag.time.max.ms=1500.

- acks=all writes, then kill -9 the leader: a new leader from the ISR serves every
  acknowledged record; the old leader restarts.
- The ISR starts as the leader alone and grows to all three once the followers have
  caught up (the leader's AlterPartition, committed by the controller).
- acks=all succeeds; kill -9 one follower: the ISR shrinks to two and acks=all still
  succeeds; kill -9 the other: the ISR shrinks to the leader alone, acks=all is refused
  with NOT_ENOUGH_REPLICAS (19) while acks=1 works.
- Restart both: the ISR grows back to three.
Broker 1 is the only Raft voter (the controller): it leads the topic whose followers
are killed (a metadata quorum must survive to commit the shrink), and another topic's
leader is the one killed."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawproto as rp  # noqa: E402
from rnlib import *  # noqa: E402,F401,F403

NOT_ENOUGH_REPLICAS = 19


def cli(runnel, bootstrap, *args, timeout=30):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def view_on(cl, b, topic):
    """(leader, isr) of partition 0 of topic as broker b serves it, or None."""
    v = cl.partitions(b, topic)
    return (v[0][1], sorted(v[0][4])) if v else None


def isr_is(cl, topic, want, on):
    v = view_on(cl, on, topic)
    return v if v and v[1] == sorted(want) else None


def produce(b, topic, value, acks):
    c = rp.Conn(b.port, timeout=15)
    try:
        return c.produce_one(topic, 0, rp.make_batch([(None, value)]), acks=acks)["error_code"]
    finally:
        c.close()


def create_topics(runnel, cl):
    """Three one-partition topics (their leaders go round robin); returns {leader: topic}."""
    leaders = {}
    for i in range(3):
        t = "isr-%d" % i
        cl.wait("topic %s created with RF 3" % t,
                lambda: cli(runnel, cl.bootstrap(), "topic", "create", t, "--partitions", "1",
                            "--replication-factor", "3", "--config",
                            "min.insync.replicas=2")[0] == 0)
        view = cl.wait("the same metadata everywhere", lambda: cl.same_everywhere(t, 1))
        leaders.setdefault(view[0][1], t)
    return leaders


def shrink_and_grow(cl, topic):
    """topic is led by broker 1, the controller (the only voter: it must outlive both
    followers to commit their removal)."""
    leader = cl.broker(1)
    f1, f2 = cl.broker(2), cl.broker(3)
    cl.wait("ISR grows to 3", lambda: isr_is(cl, topic, [1, 2, 3], leader), timeout=15)
    check_eq(produce(leader, topic, b"all-0", -1), 0, "acks=all with ISR 3")
    f1.kill()
    cl.wait("ISR shrinks to 2", lambda: isr_is(cl, topic, [1, 3], leader), timeout=10)
    check_eq(produce(leader, topic, b"all-1", -1), 0, "acks=all with ISR 2")
    f2.kill()
    cl.wait("ISR shrinks to 1", lambda: isr_is(cl, topic, [1], leader), timeout=10)
    check_eq(produce(leader, topic, b"refused", -1), NOT_ENOUGH_REPLICAS, "acks=all, ISR 1")
    check_eq(produce(leader, topic, b"one-0", 1), 0, "acks=1 with ISR 1")
    f1.start()
    f2.start()
    cl.wait("ISR grows back to 3", lambda: isr_is(cl, topic, [1, 2, 3], leader), timeout=15)


def failover(runnel, cl, topic, leader_id):
    """kill -9 the leader (not the controller) of topic after acks=all writes."""
    leader = cl.broker(leader_id)
    other = [b for b in cl.brokers if b.id not in (1, leader_id)][0]
    cl.wait("ISR of %s is 3" % topic, lambda: isr_is(cl, topic, [1, 2, 3], leader), timeout=15)
    codes = [produce(leader, topic, b"all-%d" % i, -1) for i in range(40)]
    check_eq(codes, [0] * 40, "acks=all writes with ISR 3")
    acked = [b"all-%d" % i for i in range(40)]
    leader.kill()
    new = cl.wait("a new leader from the ISR",
                  lambda: [v for v in [view_on(cl, cl.broker(1), topic)]
                           if v and v[0] in (1, other.id)], timeout=15)[0][0]
    boot = ",".join(b.addr() for b in cl.brokers if b.alive())

    def all_there():
        rc, out, _ = cli(runnel, boot, "consume", topic, "--from-beginning",
                         "--max-messages", "40", "--timeout-ms", "1500")
        got = set(out.split("\n"))
        return all(v.decode() in got for v in acked)
    cl.wait("new leader %d serves every acknowledged record" % new, all_there, timeout=15)


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 3, voters=1, extra=["broker.session.timeout.ms=3000",
                                              "replica.lag.time.max.ms=1500"])
    for b in cl.brokers:  # a standby finds the controller through these
        b.extra = b.extra + ["controller.bootstrap.servers=" + cl.broker(1).addr()]
    try:
        cl.start()
        leaders = create_topics(runnel, cl)
        check(1 in leaders and len(leaders) >= 2, "leaders spread: %r" % leaders)
        other = [l for l in leaders if l != 1][0]
        failover(runnel, cl, leaders[other], other)
        cl.broker(other).start()
        shrink_and_grow(cl, leaders[1])
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
