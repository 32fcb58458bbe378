"""Replication, step 2a: three brokers, a topic of one partition with RF 3. 2,000
records produced with acks=1 to the leader reach both followers: their segment files
and leader-epoch-checkpoint become byte-identical to the leader's on disk (the
followers fetch with their replica id and append the leader's batches as they are).
The ISR starts as the leader alone; followers join it once caught up (test_isr.py
covers that). A follower that is stopped while the
leader takes more records catches up after its restart.

Divergence: with both followers stopped the leader takes records no one else has,
then is killed with -9; the followers return and one is elected (unclean election,
the ISR being the dead leader alone), takes other records at a new epoch; the old
leader restarts as a follower, truncates its divergent tail by leader epoch and
converges to the new leader's log byte for byte."""
import os
import subprocess
import time

from rnlib import *

TOPIC = "repl"


def cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def part_dir(b):
    return os.path.join(b.dir, "data", TOPIC + "-0")


def files(b):
    """{name: bytes} of the partition's segment files and epoch checkpoint on b."""
    d = part_dir(b)
    out = {}
    try:
        for name in sorted(os.listdir(d)):
            if name.endswith(".log") or name == "leader-epoch-checkpoint":
                with open(os.path.join(d, name), "rb") as f:
                    out[name] = f.read()
    except OSError:
        return None
    return out


def all_copies_equal(cl, leader):
    want = files(cl.broker(leader))
    if not want or sum(len(v) for k, v in want.items() if k.endswith(".log")) == 0:
        return None
    for b in cl.brokers:
        if files(b) != want:
            return None
    return want


def produce(runnel, cl, first, n, tag="record"):
    lines = "".join("%s-%06d\n" % (tag, i) for i in range(first, first + n))
    rc, _, err = cli(runnel, cl.bootstrap(), "produce", TOPIC, "--acks", "1", stdin=lines)
    check_eq(rc, 0, "produce: " + err)


def new_leader(cl, old):
    view = cl.same_everywhere(TOPIC, 1)
    return view[0][1] if view and view[0][1] not in (old, -1) else None


def diverge(runnel, cl, leader, replicas):
    followers = [cl.broker(r) for r in replicas if r != leader]
    for f in followers:
        check_eq(f.stop(), 0, "follower %d exit status" % f.id)
    produce(runnel, cl, 0, 300, tag="lost")  # only the leader has these
    old = cl.broker(leader)
    old.kill()
    for f in followers:
        f.start()
    now = cl.wait("a follower elected (unclean)", lambda: new_leader(cl, leader), timeout=20)
    produce(runnel, cl, 0, 200, tag="new")
    old.start()
    copy = cl.wait("the old leader truncated its tail and converged",
                   lambda: all_copies_equal(cl, now), timeout=20)
    logs = b"".join(v for k, v in copy.items() if k.endswith(".log"))
    check(b"lost-" not in logs and b"new-000199" in logs, "the divergent tail is gone")
    check(b"truncating" in old.log().encode(), "the old leader logged its truncation")


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=1500"])
    try:
        cl.start()
        # RF 3 needs the three brokers registered and unfenced: retry until they are.
        cl.wait("topic created with RF 3",
                lambda: cli(runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions",
                            "1", "--replication-factor", "3", "--config",
                            "unclean.leader.election.enable=true")[0] == 0)
        view = cl.wait("the same metadata everywhere", lambda: cl.same_everywhere(TOPIC, 1))
        _, leader, _, replicas, isr = view[0]
        check_eq(sorted(replicas), [1, 2, 3], "replicas")
        check(leader in isr, "the leader is in the ISR (the followers join once caught up)")

        produce(runnel, cl, 0, 2000)
        copy = cl.wait("both followers byte-identical to the leader",
                       lambda: all_copies_equal(cl, leader), timeout=20)
        check(b"\n" in copy.get("leader-epoch-checkpoint", b""), "epoch checkpoint written")
        total = sum(len(v) for k, v in copy.items() if k.endswith(".log"))
        check(total > 2000 * len("record-000000"), "log holds the records (%d bytes)" % total)

        # A follower down while the leader takes more catches up after a restart.
        follower = cl.broker([r for r in replicas if r != leader][0])
        check_eq(follower.stop(), 0, "follower exit status")
        produce(runnel, cl, 2000, 500)
        follower.start()
        cl.wait("the restarted follower caught up", lambda: all_copies_equal(cl, leader),
                timeout=20)
        diverge(runnel, cl, leader, replicas)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
