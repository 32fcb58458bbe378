"""A follower whose log ends below the leader's log start. Three brokers, a topic of
one partition with RF 3, small segments and retention.bytes so that the leader deletes
old segments: while one follower is stopped the leader takes many records and its
retention moves the log start past the follower's log end. The follower restarts: it
drops its log, starts it at the leader's log start (a WARN line says so), copies on,
and rejoins the ISR; its log start and end then equal the leader's, and the records
below the leader's log start are gone from it too."""
import os
import subprocess
import time

from rnlib import *

TOPIC = "behind"


def cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def produce(runnel, cl, first, n):
    lines = "".join("r-%06d-%s\n" % (i, "x" * 80) for i in range(first, first + n))
    rc, _, err = cli(runnel, cl.bootstrap(), "produce", TOPIC, "--acks", "1", stdin=lines)
    check_eq(rc, 0, "produce: " + err)


def log_start_on(b):
    """The base offset of b's oldest segment file of the partition."""
    d = os.path.join(b.dir, "data", TOPIC + "-0")
    names = sorted(n for n in os.listdir(d) if n.endswith(".log"))
    return int(names[0][:-4]) if names else None


def log_files(b):
    """{base offset: bytes} of b's segment files of the partition (None when absent)."""
    d = os.path.join(b.dir, "data", TOPIC + "-0")
    try:
        names = sorted(n for n in os.listdir(d) if n.endswith(".log"))
        out = {}
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                out[int(n[:-4])] = f.read()
        return out
    except OSError:
        return None


def main(build):
    runneld = os.path.join(build, "runneld")
    runnel = os.path.join(build, "runnel")
    t0 = time.time()
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=2000",
                                    "replica.lag.time.max.ms=2000",
                                    "log.retention.check.interval.ms=300"])
    try:
        cl.start()
        cl.wait("3 brokers alive", lambda: cli(runnel, cl.bootstrap(), "cluster", "status")[1]
                .count("Status: alive") == 3, timeout=20)
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions", "1",
                         "--replication-factor", "3", "--config", "segment.bytes=4096",
                         "--config", "retention.bytes=8192")
        check_eq(rc, 0, "topic create: " + err)
        view = cl.wait("full ISR", lambda: (lambda v: v if v and len(v[0][4]) == 3 else None)(
            cl.same_everywhere(TOPIC, 1)), timeout=20)
        leader = view[0][1]
        follower = [b for b in cl.brokers if b.id != leader and
                    b.id != cl.metadata(cl.brokers[0])["controller_id"]]
        follower = follower[0] if follower else [b for b in cl.brokers if b.id != leader][0]
        produce(runnel, cl, 0, 100)
        cl.wait("follower copied the first records",
                lambda: sum(len(v) for v in (log_files(follower) or {}).values()) > 0)
        follower.kill()
        cl.wait("ISR shrinks without the stopped follower",
                lambda: (lambda v: v if v and follower.id not in v[0][4] else None)(
                    cl.same_everywhere(TOPIC, 1)), timeout=20)
        produce(runnel, cl, 100, 2000)
        lb = cl.broker(leader)
        cl.wait("the leader's retention moved its log start past 100",
                lambda: (log_start_on(lb) or 0) > 100, timeout=20)
        start = log_start_on(lb)
        print("leader log start %d, follower stopped at or below 100" % start, flush=True)
        follower.start()
        cl.wait("follower back in the ISR", lambda: (lambda v: v if v and follower.id in
                                                     v[0][4] else None)(
            cl.same_everywhere(TOPIC, 1)), timeout=30)
        same = cl.wait("follower's segment files = the leader's",
                       lambda: (lambda f, l: f if f and f == l else None)(
                           log_files(follower), log_files(lb)), timeout=20)
        check(min(same) >= start, "follower's oldest segment %s starts at or past the "
              "leader's log start %d" % (min(same), start))
        check("below the leader's log start" in follower.log(),
              "the follower logged that it restarted its log:\n" + follower.log()[-2000:])
        rc, out, err = cli(runnel, cl.bootstrap(), "consume", TOPIC, "--from-beginning",
                           "--print-offset", "--timeout-ms", "3000")
        check_eq(rc, 0, "consume: " + err)
        offs = [int(line.split("\t")[1]) for line in out.splitlines()]
        check(offs and offs[-1] == 2099 and offs == list(range(offs[0], 2100)),
              "consume reads a contiguous tail ending at 2099 (first %r)" % offs[:1])
        print("ok (%.1fs)" % (time.time() - t0))
    finally:
        cl.cleanup()


if __name__ == "__main__":
    main(sys.argv[1])
