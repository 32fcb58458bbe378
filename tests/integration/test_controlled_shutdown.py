"""Controlled shutdown (controlled.shutdown.enable, default true). Three brokers, a
topic of three partitions, RF 3, min.insync.replicas=2.

- SIGTERM a broker that is not the controller: before it exits (0), the controller has
  moved its partition's leadership to another ISR member and taken it out of every ISR
  (the others' metadata says so the moment it is gone); it says so in its log. It
  restarts, rejoins every ISR and, by the preferred leader election, leads again.
- The same for the controller itself (it fences itself through its own quorum).
- A rolling restart of all three (SIGTERM, restart, wait for the full ISR, next) under
  a producer sending numbered records with acks=all: the producer exits 0 (every
  record acknowledged, retriable errors only), and a consumer reads every number
  (duplicates from retries are counted and reported).
- A single broker stops at once (nowhere to move its partitions)."""
import os
import signal
import subprocess
import threading
import time

from rnlib import *

TOPIC = "cs"
SESSION_MS = 6000


def cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def full_and_preferred(cl):
    v = cl.same_everywhere(TOPIC, 3)
    ok = v and all(len(isr) == 3 and leader == reps[0] for _, leader, _, reps, isr in v)
    return v if ok else None


def stop_and_check(cl, b):
    """SIGTERM b; returns seconds to exit. Checks the others' view right after."""
    t0 = time.time()
    rc = b.stop(signal.SIGTERM, timeout=SESSION_MS / 1000.0 + 10)
    took = time.time() - t0
    log = b.log()
    check_eq(rc, 0, "broker %d exit status after SIGTERM" % b.id)
    check("controlled shutdown:" in log, "broker %d logged its controlled shutdown:\n%s"
          % (b.id, log[-2000:]))
    check("timed out" not in log.split("controlled shutdown:")[-1][:200],
          "broker %d's controlled shutdown finished before its deadline" % b.id)
    others = [o for o in cl.brokers if o.alive()]
    v = cl.partitions(others[0], TOPIC)
    check(v is not None, "metadata from broker %d" % others[0].id)
    for idx, leader, _, _, isr in v:
        check(leader != b.id and b.id not in isr,
              "right after broker %d exited, partition %d has leader %d, ISR %r"
              % (b.id, idx, leader, isr))
    return took


def one_by_one(cl, runnel):
    ctl = cl.metadata(cl.brokers[0])["controller_id"]
    order = [b for b in cl.brokers if b.id != ctl] + [cl.broker(ctl)]
    for b in order[:1] + order[-1:]:
        cl.wait("balanced, full ISR", lambda: full_and_preferred(cl), timeout=30)
        took = stop_and_check(cl, b)
        print("broker %d (%s) stopped in %.1fs, its partitions moved first"
              % (b.id, "controller" if b.id == ctl else "not controller", took), flush=True)
        b.start()
        cl.wait("broker %d back, leading its partition again" % b.id,
                lambda: full_and_preferred(cl), timeout=40)


def rolling_restart(cl, runnel):
    proc = subprocess.Popen([runnel, "-b", cl.bootstrap(), "produce", TOPIC, "--acks", "all",
                             "--linger-ms", "5", "--delivery-timeout-ms", "60000"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    restarted = threading.Event()
    sent = []

    def feed():  # about 2,000 records a second until every broker has been restarted
        i = 0
        while not restarted.is_set():
            chunk = ["n-%06d" % j for j in range(i, i + 20)]
            proc.stdin.write("\n".join(chunk) + "\n")
            proc.stdin.flush()
            sent.extend(chunk)
            i += 20
            time.sleep(0.01)
        proc.stdin.close()

    th = threading.Thread(target=feed)
    th.start()
    try:
        for b in cl.brokers:
            cl.wait("full ISR before restarting broker %d" % b.id,
                    lambda: (lambda v: v if v and all(len(p[4]) == 3 for p in v) else None)(
                        cl.same_everywhere(TOPIC, 3)), timeout=40)
            stop_and_check(cl, b)
            b.start()
        time.sleep(0.5)
    finally:
        restarted.set()
        th.join(timeout=30)
    proc.wait(timeout=120)
    err = proc.stderr.read()
    proc.stderr.close()
    check_eq(proc.returncode, 0, "producer through a rolling restart: " + err[-2000:])
    n = len(sent)
    rc, out, err = cli(runnel, cl.bootstrap(), "consume", TOPIC, "--from-beginning",
                       "--max-messages", str(2 * n), "--timeout-ms", "5000")
    check_eq(rc, 0, "consume: " + err)
    got = out.split()
    missing = set(sent) - set(got)
    check(not missing, "%d acknowledged records missing, e.g. %s"
          % (len(missing), sorted(missing)[:3]))
    print("rolling restart: %d records sent during it, all acknowledged and read back, "
          "%d duplicates" % (n, len(got) - len(set(got))), flush=True)


def single_broker(runneld, runnel):
    b = Broker(runneld)
    try:
        b.start()
        rc, _, err = cli(runnel, "127.0.0.1:%d" % b.port, "topic", "create", "solo")
        check_eq(rc, 0, "create on a single broker: " + err)
        t0 = time.time()
        rc = b.stop(signal.SIGTERM)
        log = b.log()
        check_eq(rc, 0, "single broker exit")
        check(time.time() - t0 < 5, "a single broker stops at once")
        check("controlled shutdown" not in log, "no controlled shutdown alone")
    finally:
        b.cleanup()


def main(build):
    runneld = os.path.join(build, "runneld")
    runnel = os.path.join(build, "runnel")
    t0 = time.time()
    single_broker(runneld, runnel)
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS,
                                    "replica.lag.time.max.ms=3000",
                                    "leader.imbalance.check.interval.ms=1000"])
    try:
        cl.start()
        cl.wait("3 brokers alive", lambda: cli(runnel, cl.bootstrap(), "cluster", "status")[1]
                .count("Status: alive") == 3, timeout=20)
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions", "3",
                         "--replication-factor", "3", "--config", "min.insync.replicas=2")
        check_eq(rc, 0, "topic create: " + err)
        one_by_one(cl, runnel)
        rolling_restart(cl, runnel)
        print("ok (%.1fs)" % (time.time() - t0))
    finally:
        cl.cleanup()


if __name__ == "__main__":
    main(sys.argv[1])
