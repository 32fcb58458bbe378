"""Preferred leader election. Three brokers (three Raft voters), a topic of three
partitions with replication factor 3, so each broker is the preferred (first assigned)
replica of one partition and leads it.

- kill -9 a broker that is not the controller: once it is fenced, its partition is
  led by another ISR member at a higher leader epoch;
- restart it: it is unfenced, catches up and rejoins the ISR, and then the
  controller's periodic preferred leader election (leader.imbalance.check.interval.ms,
  small here) gives it its partition back, at a higher epoch again;
- with auto.leader.rebalance.enable=false on every broker nothing moves back on its
  own (checked for several check intervals); `runnel cluster elect-leaders` (the
  ElectLeaders API) then moves it back on demand, and a second run says nothing was
  needed."""
import os
import subprocess
import time

from rnlib import *

SESSION_MS = 2000
CHECK_MS = 1000
TOPIC = "pref"


def cli(runnel, bootstrap, *args, timeout=30):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def balanced(cl):
    """The view when every partition is led by its preferred replica with the full ISR."""
    v = cl.same_everywhere(TOPIC, 3)
    ok = v and all(leader == replicas[0] and len(isr) == 3
                   for _, leader, _, replicas, isr in v)
    return v if ok else None


def fail_over(cl, runnel):
    """Kill a non-controller broker, wait until its partition moved, restart it and wait
    until it is back in every ISR. Returns (victim id, its partition, epoch after the
    failover)."""
    v = cl.wait("balanced leadership, full ISR", lambda: balanced(cl), timeout=20)
    ctl = cl.metadata(cl.brokers[0])["controller_id"]
    victim = [b for b in cl.brokers if b.id != ctl][0]
    part = [p for p, leader, _, _, _ in v if leader == victim.id][0]
    victim.kill()
    moved = cl.wait("partition %d led by another broker" % part,
                    lambda: (lambda w: w if w and w[part][1] not in (victim.id, -1) else None)(
                        cl.same_everywhere(TOPIC, 3)), timeout=15)
    epoch = moved[part][2]
    check(epoch > v[part][2], "failover bumps the leader epoch")
    victim.start()
    cl.wait("broker %d back in the ISR of partition %d" % (victim.id, part),
            lambda: (lambda w: w if w and victim.id in w[part][4] else None)(
                cl.same_everywhere(TOPIC, 3)), timeout=30)
    return victim, part, epoch


def create(cl, runnel):
    cl.wait("3 brokers alive", lambda: cli(runnel, cl.bootstrap(), "cluster", "status")[1]
            .count("Status: alive") == 3, timeout=20)
    rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions", "3",
                     "--replication-factor", "3")
    check_eq(rc, 0, "topic create: " + err)


def periodic(runneld, runnel):
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS,
                                    "replica.lag.time.max.ms=2000",
                                    "leader.imbalance.check.interval.ms=%d" % CHECK_MS])
    try:
        cl.start()
        create(cl, runnel)
        victim, part, epoch = fail_over(cl, runnel)
        t0 = time.time()
        v = cl.wait("leadership of partition %d back at broker %d" % (part, victim.id),
                    lambda: balanced(cl), timeout=15)
        check(v[part][2] > epoch, "the preferred election bumps the leader epoch")
        print("periodic: back at the preferred leader %.1fs after it rejoined the ISR"
              % (time.time() - t0), flush=True)
    finally:
        cl.cleanup()


def on_demand(runneld, runnel):
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS,
                                    "replica.lag.time.max.ms=2000",
                                    "auto.leader.rebalance.enable=false",
                                    "leader.imbalance.check.interval.ms=%d" % CHECK_MS])
    try:
        cl.start()
        create(cl, runnel)
        victim, part, epoch = fail_over(cl, runnel)
        time.sleep(3 * CHECK_MS / 1000.0)
        v = cl.same_everywhere(TOPIC, 3)
        check(v and v[part][1] != victim.id,
              "auto.leader.rebalance.enable=false: leadership stays put: %r" % (v,))
        rc, out, err = cli(runnel, cl.bootstrap(), "cluster", "elect-leaders", "--topic", TOPIC)
        check_eq(rc, 0, "cluster elect-leaders: " + err)
        check("Topic: %s\tPartition: %d\tResult: elected" % (TOPIC, part) in out,
              "elect-leaders names the partition it moved:\n" + out)
        cl.wait("leadership back at broker %d on demand" % victim.id, lambda: balanced(cl),
                timeout=10)
        rc, out, err = cli(runnel, cl.bootstrap(), "cluster", "elect-leaders")
        check_eq(rc, 0, "second elect-leaders: " + err)
        check("Result: elected" not in out, "nothing left to elect:\n" + out)
        rc, _, err = cli(runnel, cl.bootstrap(), "cluster", "elect-leaders", "--topic", "nope")
        check_eq(rc, 1, "elect-leaders of an unknown topic")
        check("nope" in err, "the error names the topic: " + err)
    finally:
        cl.cleanup()


def main(build):
    runneld = os.path.join(build, "runneld")
    runnel = os.path.join(build, "runnel")
    t0 = time.time()
    periodic(runneld, runnel)
    on_demand(runneld, runnel)
    print("ok (%.1fs)" % (time.time() - t0))


if __name__ == "__main__":
    main(sys.argv[1])
