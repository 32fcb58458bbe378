"""Clients in a cluster with one broker dead: three brokers, a topic of three
partitions with replication factor 1 (one leader each); kill -9 one broker and wait
until it is fenced, so its partition is offline (Leader: -1). Then, with all three
addresses (one dead) as bootstrap servers:
- keyless records (the sticky partitioner) go only to the two partitions that have a
  leader, and every one is acknowledged;
- a consumer of the whole topic reads them all, the offline partition retried quietly;
- a consumer of one live partition reads that partition (also before the fencing,
  while the metadata still names the dead broker as a leader);
- keyed records keep their hash placement: those whose key hashes to the offline
  partition are not acknowledged (produce exits 1 after its delivery timeout, saying
  how many), those of the live partitions are."""
import os
import subprocess
import time

from rnlib import *
import rawproto as rp

SESSION_MS = 2000
TOPIC = "deg"


def cli(runnel, bootstrap, *args, stdin=None, timeout=30):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def leaders(cl, topic):
    """{partition: leader} as every live broker serves it, or None while they differ."""
    views = []
    for b in cl.brokers:
        if not b.alive():
            continue
        m = cl.metadata(b, [topic])
        if m is None or not m["topics"] or m["topics"][0]["error"] != NONE:
            return None
        views.append({p["index"]: p["leader"] for p in m["topics"][0]["partitions"]})
    return views[0] if views and all(v == views[0] for v in views) else None




def all_alive(runnel, cl):
    """Every broker registered and unfenced, as `runnel cluster status` says."""
    rc, out, _ = cli(runnel, cl.bootstrap(), "cluster", "status", timeout=20)
    bl = [line for line in out.splitlines() if line.startswith("Broker:")]
    return rc == 0 and len(bl) == 3 and all("Status: alive" in line for line in bl)


def consumed(out):
    """[(partition, value)] from `consume --print-offset` output."""
    rows = []
    for line in out.splitlines():
        p, _, v = line.split("\t", 2)
        rows.append((int(p), v))
    return rows


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    t_start = time.time()
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS])
    try:
        cl.start()
        cl.wait("3 alive brokers", lambda: all_alive(runnel, cl))
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", TOPIC,
                         "--partitions", "3", "--replication-factor", "1")
        check_eq(rc, 0, "topic create: " + err)
        view = cl.wait("one live leader per partition",
                       lambda: (lambda v: v if v and sorted(v.values()) == [1, 2, 3] else None)(
                           leaders(cl, TOPIC)))
        # The victim: a broker that is not the controller (the quorum keeps its leader).
        ctl = cl.metadata(cl.brokers[0])["controller_id"]
        victim = [b for b in cl.brokers if b.id != ctl][0]
        offline = [p for p, l in view.items() if l == victim.id][0]
        live = sorted(p for p in view if p != offline)
        victim.kill()
        # Before the fencing, its partition still names the dead broker as leader: a
        # consumer of a live partition is not stopped by it.
        rc, out, err = cli(runnel, cl.bootstrap(), "consume", TOPIC, "--partition", str(live[0]),
                           "--from-beginning", "--timeout-ms", "500")
        check_eq((rc, out), (0, ""), "consume --partition %d with broker %d dead, not fenced: %s"
                 % (live[0], victim.id, err))
        if (leaders(cl, TOPIC) or {}).get(offline) != victim.id:
            print("note: broker %d was fenced before that consume ended" % victim.id, flush=True)
        cl.wait("partition %d offline" % offline,
                lambda: (lambda v: v if v and v[offline] == -1 else None)(leaders(cl, TOPIC)))
        boot = cl.bootstrap()  # all three, one dead

        # Keyless: sticky picks only partitions with a leader; all acknowledged.
        lines = "".join("k-%d\n" % i for i in range(300))
        t0 = time.time()
        rc, _, err = cli(runnel, boot, "produce", TOPIC, "--linger-ms", "0",
                         "--batch-size", "200", "--delivery-timeout-ms", "8000", stdin=lines)
        check_eq(rc, 0, "keyless produce with partition %d offline: %s" % (offline, err))
        print("keyless produce took %.1fs" % (time.time() - t0), flush=True)

        # The whole topic: the offline partition does not stop the others.
        t0 = time.time()
        rc, out, err = cli(runnel, boot, "consume", TOPIC, "--from-beginning", "--print-offset",
                           "--max-messages", "300", "--timeout-ms", "10000")
        check_eq(rc, 0, "consume the whole topic: " + err)
        rows = consumed(out)
        check_eq(sorted(v for _, v in rows), sorted(lines.split()), "keyless records consumed")
        parts = set(p for p, _ in rows)
        check(parts <= set(live), "records only on live partitions %s: %s" % (live, parts))
        print("consume of all took %.1fs, partitions %s" % (time.time() - t0, sorted(parts)),
              flush=True)

        # One live partition.
        p0 = live[0]
        n0 = sum(1 for p, _ in rows if p == p0)
        rc, out, err = cli(runnel, boot, "consume", TOPIC, "--partition", str(p0),
                           "--from-beginning", "--print-offset", "--max-messages", str(n0),
                           "--timeout-ms", "10000")
        check_eq(rc, 0, "consume --partition %d: %s" % (p0, err))
        check_eq(len(consumed(out)), n0, "records of partition %d" % p0)
        check(all(p == p0 for p, _ in consumed(out)), "only partition %d" % p0)

        # Keyed: placement by hash over all three partitions; the offline one's records
        # are not acknowledged, the others are.
        keys = ["key-%d" % i for i in range(60)]
        dead_keys = [k for k in keys if rp.murmur2_positive(k.encode()) % 3 == offline]
        live_keys = [k for k in keys if rp.murmur2_positive(k.encode()) % 3 != offline]
        check(dead_keys and live_keys, "keys on both sides")
        kl = "".join("%s:v-%s\n" % (k, k) for k in keys)
        t0 = time.time()
        rc, _, err = cli(runnel, boot, "produce", TOPIC, "--key-separator", ":",
                         "--delivery-timeout-ms", "2000", stdin=kl)
        check(rc == 1 and ("%d of %d records were not acknowledged"
                           % (len(dead_keys), len(keys))) in err,
              "keyed produce: rc %d, want 1 and %d of %d not acknowledged: %s"
              % (rc, len(dead_keys), len(keys), err))
        print("keyed produce took %.1fs: %s" % (time.time() - t0, err.strip()), flush=True)
        rc, out, err = cli(runnel, boot, "consume", TOPIC, "--from-beginning", "--print-offset",
                           "--print-key", "--max-messages", str(300 + len(live_keys)),
                           "--timeout-ms", "5000")
        check_eq(rc, 0, "consume after the keyed produce: " + err)
        got = {}
        for line in out.splitlines():
            p, _, k, v = line.split("\t", 3)
            if k != "null":
                got[k] = int(p)
        check_eq(sorted(got), sorted(live_keys), "keyed records acknowledged and read")
        for k, p in got.items():
            check_eq(p, rp.murmur2_positive(k.encode()) % 3, "partition of key %s" % k)
        for b in cl.brokers:
            if b.alive():
                check_eq(b.stop(), 0, "broker %d exit status" % b.id)
        print("total %.1fs" % (time.time() - t_start), flush=True)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
