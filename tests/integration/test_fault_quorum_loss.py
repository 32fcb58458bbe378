"""Fault test: two of three brokers die; acks=all is never falsely acknowledged.

Three brokers (all three Raft voters), broker.session.timeout.ms=2000,
replica.lag.time.max.ms=2000, a topic of 3 partitions with RF 3 and
min.insync.replicas=2. The survivor is the leader of partition 0; the two other
brokers are killed with SIGKILL. With two of three voters gone the metadata quorum is
lost: nothing can be committed, so the ISR cannot shrink and the survivor stays
partition 0's leader with an ISR naming the dead brokers. Its high watermark cannot
pass records that no other broker has, so:

- for about 6 s (well past the lag and session timeouts, while the survivor tries to
  shrink the ISR), raw acks=all Produce requests (timeout 1500 ms) to the survivor
  are answered with an error (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...) or not at
  all — never with error 0;
- `runnel produce --acks all` exits 1 with every record unacknowledged.
Then one of the two restarts: the quorum is back, the controller fences the other,
partition 0's ISR becomes the two live brokers and `runnel produce --acks all`
succeeds; then the other restarts: the ISR of every partition returns to all three,
`runnel produce --acks all` succeeds again, and the acknowledged records are read
back (records that were refused may or may not be there, as in Kafka)."""
import os
import time

import rawproto as rp
from rnlib import *

TOPIC = "fq"
PARTS = 3
SESSION_MS = 2000


def full_isr(cl):
    v = agreed_view(cl, TOPIC, cl.brokers)
    return v if v and len(v) == PARTS and all(x[2] == [1, 2, 3] for x in v.values()) else None


def probe(b, i):
    """One acks=all Produce to partition 0 at b: its error code, or a string when the
    broker did not answer."""
    try:
        c = rp.Conn(b.port, timeout=5)
    except OSError as e:
        return "no connection (%s)" % e
    try:
        r = c.produce(-1, [(TOPIC, 0, rp.make_batch([(None, b"probe-%d" % i)]))],
                      timeout_ms=1500)
        return r["error_code"] or r["parts"][0]["error_code"]
    except (OSError, ConnectionError) as e:
        return "no answer (%s)" % type(e).__name__
    finally:
        c.close()


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    t_start = time.time()
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS,
                                    "replica.lag.time.max.ms=2000"])
    try:
        cl.start()
        cl.wait("topic created with RF 3",
                lambda: run_cli(runnel, cl.bootstrap(), "topic", "create", TOPIC,
                                "--partitions", str(PARTS), "--replication-factor", "3",
                                "--config", "min.insync.replicas=2")[0] == 0, timeout=20)
        view = cl.wait("every ISR is all three brokers", lambda: full_isr(cl), timeout=20)
        survivor = cl.broker(view[0][0])
        dead = [b for b in cl.brokers if b is not survivor]
        lines = "".join("before-%d\n" % i for i in range(1000))
        rc, _, err = run_cli(runnel, cl.bootstrap(), "produce", TOPIC, "--acks", "all",
                             "--partition", "0", stdin=lines)
        check_eq(rc, 0, "acks=all with all three alive: " + err)
        acked = lines.split()
        check_eq(probe(survivor, -1), 0, "a raw acks=all probe with all three alive")
        acked.append("probe--1")

        for b in dead:
            b.kill()
        print("survivor %d (leader of partition 0); killed %s"
              % (survivor.id, [b.id for b in dead]), flush=True)
        t_kill = time.time()
        answers = {}
        i = 0
        while time.time() - t_kill < 6.0:
            a = probe(survivor, i)
            answers[a] = answers.get(a, 0) + 1
            check(a != 0, "probe %d: acks=all acknowledged %.1fs after losing two of three "
                  "brokers\n%s" % (i, time.time() - t_kill, cluster_logs(cl)))
            i += 1
            time.sleep(0.2)
        print("%d acks=all probes over 6s, answers: %s" % (i, answers), flush=True)
        check(survivor.alive(), "the survivor is alive")

        rc, _, err = run_cli(runnel, survivor.addr(), "produce", TOPIC, "--acks", "all",
                             "--partition", "0", "--delivery-timeout-ms", "3000",
                             stdin="".join("lost-%d\n" % i for i in range(10)))
        check(rc == 1 and "10 of 10 records were not acknowledged" in err,
              "runnel produce --acks all with two brokers dead: rc %d: %s" % (rc, err))
        print("runnel produce: %s" % err.strip(), flush=True)
        v = view_of(cl, survivor, TOPIC)
        print("the survivor's view meanwhile: %s" % v, flush=True)

        # One back: the quorum returns, the controller fences the one still dead, and
        # acks=all works with an ISR of two.
        t_restart = time.time()
        dead[0].start()
        two = sorted([survivor.id, dead[0].id])
        v = cl.wait("partition 0's ISR is brokers %s" % two,
                    lambda: (lambda v: v if v and v[0][2] == two else None)(
                        agreed_view(cl, TOPIC, [survivor, dead[0]])), timeout=30)
        print("broker %d back: partition 0 led by %d with ISR %s after %.1fs"
              % (dead[0].id, v[0][0], v[0][2], time.time() - t_restart), flush=True)
        lines = "".join("two-%d\n" % i for i in range(500))
        rc, _, err = run_cli(runnel, ",".join([survivor.addr(), dead[0].addr()]), "produce",
                             TOPIC, "--acks", "all", "--partition", "0", stdin=lines)
        check_eq(rc, 0, "acks=all with an ISR of two: " + err)
        acked += lines.split()

        t_restart = time.time()
        dead[1].start()
        cl.wait("the ISR of every partition back to all three", lambda: full_isr(cl),
                timeout=30)
        print("ISR of all three %.1fs after the last restart" % (time.time() - t_restart),
              flush=True)
        lines = "".join("after-%d\n" % i for i in range(1000))
        rc, _, err = run_cli(runnel, cl.bootstrap(), "produce", TOPIC, "--acks", "all",
                             "--partition", "0", stdin=lines)
        check_eq(rc, 0, "acks=all after the restart: " + err)
        acked += lines.split()
        rc, out, err = run_cli(runnel, cl.bootstrap(), "consume", TOPIC, "--partition", "0",
                               "--from-beginning", "--timeout-ms", "3000")
        check_eq(rc, 0, "consume: " + err)
        got = [v for v in out.splitlines() if not v.startswith(("probe-", "lost-"))
               or v == "probe--1"]
        first, seen = [], set()
        for v in got:
            if v not in seen:
                seen.add(v)
                first.append(v)
        check_eq(first, acked, "the acknowledged records of partition 0, in order")
        print("%d acknowledged records read back (%d duplicates), %d refused ones present "
              "too; total %.1fs" % (len(acked), len(got) - len(first),
                                    len(out.splitlines()) - len(got), time.time() - t_start),
              flush=True)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
