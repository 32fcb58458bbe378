"""Fault test: the whole cluster restarts, cleanly (SIGTERM) and then the hard way
(SIGKILL, all three at once).

Three brokers (all Raft voters), broker.session.timeout.ms=2000, a topic "fr" of 3
partitions with RF 3 and min.insync.replicas=2 and a topic "fr1" of 2 partitions with
RF 1 and retention.ms=3600000. 3,000 keyed records ("N:rec-N") go to fr and 500 to
fr1 with acks=all; once the ISR is all three and every partition's high watermark
equals its log end, the state is noted: topics and their configs, partitions,
replicas, ISR, log end offsets.

Round 1: SIGTERM all three (each exits 0), restart them on the same directories and
ports. Round 2: 3,000 more records to fr, then SIGKILL all three, restart them.
After each restart:
- both topics are listed with their partition counts, replicas and configs;
- every partition has a live leader (which one may change) and, once the followers
  have caught up, an ISR of all three;
- every partition's HighWatermark equals its LogEndOffset, which equals the value
  noted before the stop (nothing lost, nothing invented);
- every acknowledged record is read back on the partition its key hashes to, in
  order, and the three copies of each fr partition's log are byte-identical.
The high watermark itself is on disk: 1.2 s after the cluster settled (followers
learn the leader's HW within a fetch long poll, 500 ms; the checkpoint interval is
300 ms here) both stops come, and after either every broker's replication-offset-checkpoint (docs/storage.md) lists each of
its partitions with HW = the noted log end."""
import os
import time

import rawproto as rp
from rnlib import *

SESSION_MS = 2000
HW_CKPT_MS = 300
TOPICS = {"fr": (3, 3), "fr1": (2, 1)}  # name: (partitions, replication factor)


def describe(runnel, cl, topic):
    """({partition: fields}, topic line fields) from `runnel topic describe`, or None."""
    rc, out, _ = run_cli(runnel, cl.bootstrap(), "topic", "describe", topic, timeout=30)
    if rc != 0:
        return None
    lines = out.splitlines()
    head = dict(f.split(": ", 1) for f in lines[0].split("\t"))
    parts = {}
    for ln in lines[1:]:
        f = dict(x.split(": ", 1) for x in ln.strip("\t").split("\t"))
        parts[int(f["Partition"])] = f
    return parts, head


def settled(runnel, cl, topic):
    """The describe of topic once every partition has a leader, an ISR equal to its
    replicas, and HW == log end (>= 0); else None."""
    d = describe(runnel, cl, topic)
    if d is None or len(d[0]) != TOPICS[topic][0]:
        return None
    for f in d[0].values():
        if f["Leader"] == "-1" or sorted(f["Isr"].split(",")) != sorted(f["Replicas"].split(",")):
            return None
        if f["HighWatermark"] != f["LogEndOffset"] or int(f["LogEndOffset"]) < 0:
            return None
    return d


def state(runnel, cl):
    """What must survive a restart: per topic its head line and, per partition,
    replicas, ISR (as sets) and log end."""
    out = {}
    for t in TOPICS:
        d = cl.wait("topic %s settled (leaders, full ISR, HW == log end)" % t,
                    lambda: settled(runnel, cl, t), timeout=30)
        parts = {p: (tuple(sorted(f["Replicas"].split(","))), tuple(sorted(f["Isr"].split(","))),
                     int(f["LogEndOffset"])) for p, f in d[0].items()}
        out[t] = (d[1], parts)
    return out


def leaders(runnel, cl):
    return {t: {p: f["Leader"] for p, f in describe(runnel, cl, t)[0].items()} for t in TOPICS}


def produce(runnel, cl, topic, first, n):
    lines = "".join("%d:rec-%06d\n" % (i, i) for i in range(first, first + n))
    rc, _, err = run_cli(runnel, cl.bootstrap(), "produce", topic, "--acks", "all",
                         "--key-separator", ":", stdin=lines)
    check_eq(rc, 0, "acks=all produce to %s: %s" % (topic, err))
    return list(range(first, first + n))


def read_back(runnel, cl, topic, acked):
    rc, out, err = run_cli(runnel, cl.bootstrap(), "consume", topic, "--from-beginning",
                           "--print-offset", "--print-key", "--timeout-ms", "3000")
    check_eq(rc, 0, "consume %s: %s" % (topic, err))
    nparts = TOPICS[topic][0]
    last, seen = {}, set()
    for ln in out.splitlines():
        p, o, k, v = ln.split("\t", 3)
        n = int(k)
        check_eq(v, "rec-%06d" % n, "%s: value of key %s" % (topic, k))
        check_eq(int(p), rp.murmur2_positive(k.encode()) % nparts, "%s: partition of %s" % (topic, k))
        check(n not in seen, "%s: record %d read twice" % (topic, n))
        check(n > last.get(p, -1), "%s: partition %s out of order at %d" % (topic, p, n))
        seen.add(n)
        last[p] = n
    check_eq(sorted(seen), sorted(acked), "%s: the acknowledged records" % topic)


def logs_identical(cl):
    for p in range(TOPICS["fr"][0]):
        copies = [partition_log_bytes(b, "fr", p) for b in cl.brokers]
        if copies[0] is None or any(c != copies[0] for c in copies):
            return None
    return True


def hw_checkpoint(b):
    """{(topic, partition): hw} from b's replication-offset-checkpoint, or None."""
    try:
        with open(os.path.join(b.dir, "data", "replication-offset-checkpoint")) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    check(len(lines) >= 2 and lines[0] == "0" and int(lines[1]) == len(lines) - 2,
          "broker %d: replication-offset-checkpoint header: %r" % (b.id, lines[:2]))
    out = {}
    for ln in lines[2:]:
        t, p, hw = ln.split(" ")
        out[(t, int(p))] = int(hw)
    return out


def check_hw_on_disk(cl, before, how):
    """Every broker's checkpoint has each partition it holds at HW = the noted end."""
    for b in cl.brokers:
        got = hw_checkpoint(b)
        want = {}
        for t, (_, parts) in before["state"].items():
            for p, (replicas, _, end) in parts.items():
                if str(b.id) in replicas:
                    want[(t, p)] = end
        check_eq(got, want, "broker %d: replication-offset-checkpoint %s" % (b.id, how))


def restart_and_check(runnel, cl, how, before, acked):
    # A follower learns its leader's HW with its next fetch answer (the leader's long
    # poll: up to 500 ms), and the checkpoint is written every HW_CKPT_MS: after 1.2 s
    # every replica's HW is the leader's, also on disk.
    time.sleep(1.2)
    t0 = time.time()
    for b in cl.brokers:
        if how == "SIGTERM":
            check_eq(b.stop(), 0, "broker %d exit status after SIGTERM" % b.id)
        else:
            b.proc.kill()
    for b in cl.brokers:
        b.proc.wait()
    check_hw_on_disk(cl, before, "after " + how)
    old_leaders = before["leaders"]
    for b in cl.brokers:
        b.start()
    cl.wait("every broker answering with a controller",
            lambda: all((cl.metadata(b) or {}).get("controller_id", -1) >= 0
                        for b in cl.brokers), timeout=30)
    rc, out, err = run_cli(runnel, cl.bootstrap(), "topic", "list")
    check_eq((rc, sorted(out.split())), (0, sorted(TOPICS)), "topics after %s: %s" % (how, err))
    after = state(runnel, cl)
    for t in TOPICS:
        check_eq(after[t], before["state"][t], "topic %s after %s" % (t, how))
    lead = leaders(runnel, cl)
    print("after %s and restart: settled in %.1fs; leaders %s (before: %s)"
          % (how, time.time() - t0, lead, old_leaders), flush=True)
    for t in TOPICS:
        read_back(runnel, cl, t, acked[t])
    cl.wait("the copies of every fr partition byte-identical", lambda: logs_identical(cl),
            timeout=20)


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    t_start = time.time()
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS,
                                    "replica.lag.time.max.ms=2000",
                                    "replica.high.watermark.checkpoint.interval.ms=%d"
                                    % HW_CKPT_MS])
    try:
        cl.start()
        cl.wait("topic fr created with RF 3",
                lambda: run_cli(runnel, cl.bootstrap(), "topic", "create", "fr",
                                "--partitions", "3", "--replication-factor", "3",
                                "--config", "min.insync.replicas=2")[0] == 0, timeout=20)
        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "create", "fr1", "--partitions",
                             "2", "--replication-factor", "1", "--config",
                             "retention.ms=3600000")
        check_eq(rc, 0, "create fr1: " + err)
        acked = {"fr": produce(runnel, cl, "fr", 0, 3000), "fr1": produce(runnel, cl, "fr1", 0, 500)}
        before = {"state": state(runnel, cl), "leaders": leaders(runnel, cl)}
        print("before: %s" % before, flush=True)
        check_eq(sum(p[2] for p in before["state"]["fr"][1].values()), 3000, "fr log ends")
        restart_and_check(runnel, cl, "SIGTERM", before, acked)

        acked["fr"] += produce(runnel, cl, "fr", 3000, 3000)
        before = {"state": state(runnel, cl), "leaders": leaders(runnel, cl)}
        check_eq(sum(p[2] for p in before["state"]["fr"][1].values()), 6000, "fr log ends")
        restart_and_check(runnel, cl, "SIGKILL", before, acked)
        print("total %.1fs" % (time.time() - t_start), flush=True)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
