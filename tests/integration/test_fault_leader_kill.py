"""Fault test: kill -9 a partition leader under an acks=all producer.

Three brokers (all three Raft voters), a topic of 3 partitions with RF 3 and
min.insync.replicas=2, broker.session.timeout.ms=2000. `runnel produce --acks all`
reads 30,000 numbered lines "KEY:VALUE" from a pipe (KEY = the record's number, so
the default partitioner hashes the records over all three partitions and every
leader takes traffic; VALUE = "rec-NNNNNN"). The lines are fed at a steady pace, and
after a third of them the leader of one partition is killed with SIGKILL (a broker
that is not the controller, so the test is about the data path, not the quorum).

- The producer moves to the new leader (elected once the dead broker is fenced) and
  exits 0: every record was acknowledged.
- A consumer reading from the beginning gets every record, each on the partition its
  key hashes to, and per partition in order: offsets increase, and the first
  occurrences of the record numbers increase (a batch retried after a lost response
  may be written twice: duplicates are allowed, counted and printed, but a retried
  batch must not overtake a later one).
- A consumer reading from the beginning all along (through the failover) ends
  cleanly, and every record it saw is in the final log at the same partition and
  offset: consumers never see a record above the high watermark that a new leader
  could lack.
- The time from the kill until the new leader shows in the metadata is printed.
- The killed broker restarts, every partition's ISR returns to all three, and the
  three copies of each partition's log become byte-identical."""
import os
import signal
import subprocess
import threading
import time

import rawproto as rp
from rnlib import *

TOPIC = "fk"
PARTS = 3
N = 30000
SESSION_MS = 2000


def line(i):
    return "%d:rec-%06d\n" % (i, i)


def feed(proc, third):
    """Write the N lines to the producer's stdin in small chunks (about 4 s in all);
    set the Event `third` once a third of them are written."""
    chunk = 400
    try:
        for start in range(0, N, chunk):
            if start >= N // 3:
                third.set()
            proc.stdin.write("".join(line(i) for i in range(start, min(N, start + chunk))))
            proc.stdin.flush()
            time.sleep(0.05)
        proc.stdin.close()
    except BrokenPipeError:
        pass


def consumed_rows(out):
    """[(partition, offset, key, value)] from consume --print-offset --print-key."""
    rows = []
    for ln in out.splitlines():
        p, o, k, v = ln.split("\t", 3)
        rows.append((int(p), int(o), k, v))
    return rows


def check_consumed(rows):
    """Every record present, on its key's partition, in order per partition; returns
    the number of duplicates."""
    by_part = {p: [] for p in range(PARTS)}
    for p, o, k, v in rows:
        check(p in by_part, "record on partition %d" % p)
        check_eq(v, "rec-%06d" % int(k), "value of key %s" % k)
        check_eq(p, rp.murmur2_positive(k.encode()) % PARTS, "partition of key %s" % k)
        by_part[p].append((o, int(k)))
    seen = set()
    dups = 0
    for p, recs in by_part.items():
        offs = [o for o, _ in recs]
        check(offs == sorted(set(offs)), "partition %d: offsets increase" % p)
        last = -1
        for o, n in recs:
            if n in seen:
                dups += 1
                continue
            seen.add(n)
            check(n > last, "partition %d: record %d (offset %d) after record %d: "
                  "out of order" % (p, n, o, last))
            last = n
    missing = sorted(set(range(N)) - seen)
    check(not missing, "%d acknowledged records missing, first %s"
          % (len(missing), missing[:10]))
    return dups


def logs_identical(cl):
    for p in range(PARTS):
        copies = [partition_log_bytes(b, TOPIC, p) for b in cl.brokers]
        if copies[0] is None or any(c != copies[0] for c in copies):
            return None
    return True


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    t_start = time.time()
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS,
                                    "replica.lag.time.max.ms=2000"])
    prod = live = None
    try:
        cl.start()
        cl.wait("topic created with RF 3",
                lambda: run_cli(runnel, cl.bootstrap(), "topic", "create", TOPIC,
                                "--partitions", str(PARTS), "--replication-factor", "3",
                                "--config", "min.insync.replicas=2")[0] == 0, timeout=20)
        full = cl.wait("every ISR is all three brokers",
                       lambda: (lambda v: v if v and len(v) == PARTS and all(
                           x[2] == [1, 2, 3] for x in v.values()) else None)(
                           agreed_view(cl, TOPIC, cl.brokers)), timeout=20)
        ctl = cl.metadata(cl.brokers[0])["controller_id"]
        # RN_FAULT_VICTIM=controller kills the controller instead (by hand, to explore).
        want_ctl = os.environ.get("RN_FAULT_VICTIM") == "controller"
        victim_part = [p for p in sorted(full) if (full[p][0] == ctl) == want_ctl][0]
        victim = cl.broker(full[victim_part][0])
        print("leaders %s, controller %d; killing broker %d (leader of partition %d)"
              % ({p: v[0] for p, v in full.items()}, ctl, victim.id, victim_part), flush=True)

        # A consumer reading while the leader dies: what it sees must stay.
        live_out = open(os.path.join(cl.brokers[0].dir, "live.out"), "w+")
        live_err = open(os.path.join(cl.brokers[0].dir, "live.err"), "w+")
        live = subprocess.Popen([runnel, "-b", cl.bootstrap(), "consume", TOPIC,
                                 "--from-beginning", "--print-offset", "--print-key",
                                 "--timeout-ms", "8000"], stdout=live_out, stderr=live_err)
        errf = open(os.path.join(cl.brokers[0].dir, "produce.err"), "w+")
        prod = subprocess.Popen([runnel, "-b", cl.bootstrap(), "produce", TOPIC,
                                 "--acks", "all", "--key-separator", ":"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=errf, text=True)
        third = threading.Event()
        writer = threading.Thread(target=feed, args=(prod, third))
        writer.start()
        check(third.wait(30), "the producer did not take a third of the records")
        # The victim's partition has taken records: kill its leader.
        c = rp.Conn(victim.port, timeout=5)
        try:
            def victim_has_records():
                r = c.list_offsets([(TOPIC, victim_part, -1)])
                return r["parts"][0]["offset"] > 0
            cl.wait("records on partition %d" % victim_part, victim_has_records, timeout=20)
        finally:
            c.close()
        t_kill = time.time()
        victim.kill()
        others = [b for b in cl.brokers if b is not victim]
        newv = cl.wait("a new leader of partition %d" % victim_part,
                       lambda: (lambda v: v if v and v[victim_part][0] not in (-1, victim.id)
                                else None)(agreed_view(cl, TOPIC, others)),
                       timeout=SESSION_MS / 1000 + 10)
        print("new leader of partition %d: broker %d, epoch %d, ISR %s, %.2fs after the kill"
              % (victim_part, newv[victim_part][0], newv[victim_part][1],
                 newv[victim_part][2], time.time() - t_kill), flush=True)

        writer.join(60)
        try:
            prod.wait(60)
        except subprocess.TimeoutExpired:
            prod.kill()
            prod.wait()
        errf.seek(0)
        err = errf.read()
        check(prod.returncode != -9, "the producer did not finish within 60s: %s\n%s"
              % (err, cluster_logs(cl)))
        check_eq(prod.returncode, 0, "producer exit status (stderr: %s)" % err.strip())
        print("producer exited 0 after %.1fs" % (time.time() - t_kill), flush=True)

        rc, out, err = run_cli(runnel, ",".join(b.addr() for b in others), "consume", TOPIC,
                               "--from-beginning", "--print-offset", "--print-key",
                               "--timeout-ms", "3000", timeout=60)
        check_eq(rc, 0, "consume: " + err)
        rows = consumed_rows(out)
        dups = check_consumed(rows)
        print("consumed %d records: all %d acknowledged ones, in order per partition, "
              "%d duplicates" % (len(rows), N, dups), flush=True)

        live.send_signal(signal.SIGTERM)  # a clean stop for `runnel consume`
        try:
            live.wait(30)
        except subprocess.TimeoutExpired:
            live.kill()
            live.wait()
        live_out.seek(0)
        live_err.seek(0)
        check_eq(live.returncode, 0, "the consumer reading through the failover: exit status "
                 "(stderr: %s)" % live_err.read().strip())
        final = {(p, o): (k, v) for p, o, k, v in rows}
        seen = consumed_rows(live_out.read())
        for p, o, k, v in seen:
            check_eq(final.get((p, o)), (k, v), "partition %d offset %d as the live consumer "
                     "saw it, in the final log" % (p, o))
        print("the consumer reading through the failover saw %d records, each still at its "
              "offset" % len(seen), flush=True)

        victim.start()
        cl.wait("the restarted broker %d back in every ISR" % victim.id,
                lambda: (lambda v: v if v and all(x[2] == [1, 2, 3] for x in v.values())
                         else None)(agreed_view(cl, TOPIC, cl.brokers)), timeout=30)
        cl.wait("the three copies of every partition byte-identical",
                lambda: logs_identical(cl), timeout=20)
        print("total %.1fs" % (time.time() - t_start), flush=True)
    finally:
        for proc in (prod, live):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        cl.cleanup()


if __name__ == "__main__":
    run(main)
