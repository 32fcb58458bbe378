"""Disk full on append (issue 6, faults): one broker, two topics. Writes into topic
full's partition directory are made to fail with ENOSPC by an LD_PRELOAD shim
(enospc_shim.c, switched on by creating the file `enospc` in that directory), so no
privileges or loop mounts are needed.

- Before: acks=1 batches to both topics are acknowledged.
- Disk full: a produce to `full` is answered KAFKA_STORAGE_ERROR (56), not a crash and
  not a false ack; the partition is offline on the broker from then on (the next
  produce and a fetch get 56 too, even with the disk writable again) and the broker
  logs exactly one ERROR line naming full-0 and ENOSPC; topic `fine` keeps taking and
  serving records; the broker keeps running.
- Restart without the shim: every record acknowledged before is there, in order, and
  nothing that was refused is; `full` takes records again.
- A write cut short (RN_SHIM_ENOSPC_AFTER: the disk fills in the middle of a batch):
  the batch is refused with 56 and cut back, so the .log file holds exactly the
  acknowledged batches, and a restart serves exactly those.
- Replicated (three brokers, RF 3, min.insync.replicas=2): a follower's disk fills:
  its copy goes offline there (one ERROR line), the leader drops it from the ISR after
  replica.lag.time.max.ms and acks=all writes carry on with the two others; after a
  restart with space again the follower catches up to a byte-identical copy. Then the
  leader's disk fills: producers and consumers get 56 from it, its followers still
  copy everything it acknowledged, and its restart (controlled shutdown) moves the
  partition to a follower with nothing lost."""
import os
import re
import time

from rnlib import *
import rawproto

FULL, FINE = "full", "fine"
STORAGE_ERROR = 56


def produce(conn, topic, tag, i):
    value = ("%s-%s-%04d" % (topic, tag, i)).encode() + b"x" * 200
    return conn.produce_one(topic, 0, rawproto.make_batch([(None, value)]), acks=1), value


def fetch_all(conn, topic):
    """Every record value of topic-0 from offset 0, as (offset, value)."""
    out, off = [], 0
    while True:
        r = conn.fetch([(topic, 0, off)])["parts"][0]
        check_eq(r["error_code"], NONE, "fetch %s@%d" % (topic, off))
        batches = rawproto.split_batches(r["records"])
        if not batches:
            return out
        for base, b in batches:
            # one record per batch (make_batch of one): the value is the batch's tail
            out.append((base, b))
            off = base + 1


def start_with(b, env):
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        b.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def shim_env(runneld, d, **extra):
    shim = os.path.join(os.path.dirname(runneld), "librn_enospc_shim.so")
    check(os.path.exists(shim), "no %s (built by tests/integration/CMakeLists.txt)" % shim)
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = {"LD_PRELOAD": shim, "RN_SHIM_ENOSPC_DIR": d,
           "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}
    env.update(extra)
    return env


def torn_write(runneld):
    """The disk fills in the middle of a batch: refused, cut back, nothing lost."""
    b = Broker(runneld)
    d = os.path.join(b.dir, "data", "torn-0")
    try:
        # partition.metadata and the first batches fit; a later batch is cut short
        start_with(b, shim_env(runneld, d, RN_SHIM_ENOSPC_AFTER="6000"))
        c = rawproto.Conn(b.port)
        check_eq(c.create_topic("torn")[0], NONE, "create torn")
        rawproto.wait_for_topic(c, "torn", 1)
        acked, size = [], 0
        for i in range(100):
            r, v = produce(c, "torn", "t", i)
            if r["error_code"] != NONE:
                break
            acked.append((r["base_offset"], v))
            size += len(rawproto.make_batch([(None, v)]))
        check_eq(r["error_code"], STORAGE_ERROR, "the batch that does not fit")
        check(len(acked) >= 5, "some batches fit before the disk filled: %d" % len(acked))
        print("torn: %d batches (%d bytes) acknowledged before the disk filled" % (len(acked), size), flush=True)
        logs = [n for n in os.listdir(d) if n.endswith(".log")]
        check_eq(len(logs), 1, "segments of torn-0")
        check_eq(os.path.getsize(os.path.join(d, logs[0])), size,
                 "the .log holds exactly the acknowledged batches (torn batch cut back)")
        c.close()
        check_eq(b.stop(), 0, "exit status")
        b.start()
        c = rawproto.Conn(b.port)
        rawproto.wait_for_topic(c, "torn", 1)
        got = fetch_all(c, "torn")
        check_eq([o for o, _ in got], [o for o, _ in acked], "offsets of torn after restart")
        check(all(v in batch for (_, batch), (_, v) in zip(got, acked)), "values of torn")
        c.close()
    finally:
        b.cleanup()


def follower_full(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, extra=["replica.lag.time.max.ms=2000"])
    dirs = {b.id: os.path.join(b.dir, "data", "rep-0") for b in cl.brokers}
    try:
        for b in cl.brokers:  # each with the shim, armed for its own copy of rep-0
            start_with(b, shim_env(runneld, dirs[b.id]))
        cl.wait("a controller everywhere", lambda: all(
            (m := cl.metadata(b)) is not None and m["controller_id"] > 0 for b in cl.brokers))
        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "create", "rep", "--partitions", "1",
                             "--replication-factor", "3", "--config", "min.insync.replicas=2")
        check_eq(rc, 0, "create rep: " + err)
        view = cl.wait("rep: a leader and an ISR of three", lambda: (
            lambda v: v if v and v[0][1] > 0 and len(v[0][4]) == 3 else None)(
            cl.same_everywhere("rep", 1)), timeout=30)
        leader = cl.broker(view[0][1])
        fol = [b for b in cl.brokers if b is not leader][0]
        c = rawproto.Conn(leader.port)

        def produce_all(tag, n):
            for i in range(n):
                batch = rawproto.make_batch([(None, b"%s-%d" % (tag.encode(), i))],
                                            base_ts=int(time.time() * 1000))
                r = c.produce(-1, [("rep", 0, batch)], timeout_ms=20000)["parts"][0]
                check_eq(r["error_code"], NONE, "acks=all produce %s #%d" % (tag, i))

        produce_all("before", 20)
        open(os.path.join(dirs[fol.id], "enospc"), "w").close()
        produce_all("during", 20)  # waits until the ISR drops the follower, then flows
        cl.wait("the ISR without broker %d" % fol.id, lambda: (
            lambda v: v and fol.id not in v[0][4] and len(v[0][4]) == 2)(
            cl.same_everywhere("rep", 1)))
        lines = [ln for ln in fol.log().splitlines() if " ERROR " in ln and "rep-0" in ln]
        check(len(lines) == 1 and "ENOSPC" in lines[0] and "offline" in lines[0],
              "one ERROR line on the follower: %r" % lines)
        check(all(b.alive() for b in cl.brokers), "a broker exited:\n" + cluster_logs(cl))
        c.close()
        # space again; restart the follower without the shim: it catches up and rejoins
        os.unlink(os.path.join(dirs[fol.id], "enospc"))
        check_eq(fol.stop(), 0, "the follower's exit status")
        fol.start()
        cl.wait("broker %d back in the ISR" % fol.id, lambda: (
            lambda v: v and len(v[0][4]) == 3)(cl.same_everywhere("rep", 1)), timeout=30)
        want = partition_log_bytes(leader, "rep", 0)
        cl.wait("a byte-identical copy on broker %d" % fol.id,
                lambda: partition_log_bytes(fol, "rep", 0) == want)
        check_eq(len(rawproto.split_batches(want)), 40, "batches on the leader")

        # now the leader's disk fills: its followers still copy what it has, and a
        # restart (controlled shutdown) hands the partition over with nothing lost
        c = rawproto.Conn(leader.port)
        for i in range(10):
            batch = rawproto.make_batch([(None, b"acks1-%d" % i)], base_ts=int(time.time() * 1000))
            check_eq(c.produce_one("rep", 0, batch, acks=1)["error_code"], NONE, "acks=1 #%d" % i)
        open(os.path.join(dirs[leader.id], "enospc"), "w").close()
        r = c.produce_one("rep", 0, rawproto.make_batch([(None, b"refused")]), acks=1)
        check_eq(r["error_code"], STORAGE_ERROR, "produce to the leader on a full disk")
        check_eq(c.fetch([("rep", 0, 0)])["parts"][0]["error_code"], STORAGE_ERROR,
                 "consumer fetch of the offline leader")
        c.close()
        want = partition_log_bytes(leader, "rep", 0)
        check_eq(len(rawproto.split_batches(want)), 50, "batches on the offline leader")
        for b in cl.brokers:
            cl.wait("broker %d has all the offline leader has" % b.id,
                    lambda: partition_log_bytes(b, "rep", 0) == want)
        os.unlink(os.path.join(dirs[leader.id], "enospc"))
        check_eq(leader.stop(), 0, "the old leader's exit status")
        view = cl.wait("a new leader", lambda: (
            lambda v: v if v and v[0][1] > 0 and v[0][1] != leader.id else None)(
            cl.same_everywhere("rep", 1)))
        c = rawproto.Conn(cl.broker(view[0][1]).port)
        batch = rawproto.make_batch([(None, b"after")], base_ts=int(time.time() * 1000))
        r = c.produce(-1, [("rep", 0, batch)], timeout_ms=20000)["parts"][0]
        check_eq((r["error_code"], r["base_offset"]), (NONE, 50), "acks=all to the new leader")
        got = rawproto.split_batches(c.fetch([("rep", 0, 0)], max_bytes=1 << 22)["parts"][0]["records"])
        check_eq(len(got), 51, "records on the new leader")
        c.close()
    finally:
        cl.cleanup()


def main(runneld):
    b = Broker(runneld)
    full_dir = os.path.join(b.dir, "data", FULL + "-0")
    env = shim_env(runneld, full_dir)
    try:
        start_with(b, env)
        c = rawproto.Conn(b.port)
        for t in (FULL, FINE):
            check_eq(c.create_topic(t)[0], NONE, "create " + t)
        rawproto.wait_for_topic(c, FULL, 1)
        rawproto.wait_for_topic(c, FINE, 1)

        acked = {FULL: [], FINE: []}
        for i in range(40):
            for t in (FULL, FINE):
                r, v = produce(c, t, "before", i)
                check_eq(r["error_code"], NONE, "produce %s #%d before the disk fills" % (t, i))
                acked[t].append((r["base_offset"], v))

        # The disk fills up (for full-0 only).
        open(os.path.join(full_dir, "enospc"), "w").close()
        r, _ = produce(c, FULL, "refused", 0)
        check_eq(r["error_code"], STORAGE_ERROR, "produce to full-0 on a full disk")
        check(r["base_offset"] == -1, "no offset for a refused batch: %r" % r)
        # Space again: the partition stays offline until the broker restarts.
        os.unlink(os.path.join(full_dir, "enospc"))
        r, _ = produce(c, FULL, "refused", 1)
        check_eq(r["error_code"], STORAGE_ERROR, "produce to offline full-0")
        f = c.fetch([(FULL, 0, 0)])["parts"][0]
        check_eq(f["error_code"], STORAGE_ERROR, "fetch of offline full-0")
        # The other topic is unaffected: produce and fetch, in one request with full-0.
        both = c.produce(1, [(FULL, 0, rawproto.make_batch([(None, b"mixed")])),
                             (FINE, 0, rawproto.make_batch([(None, b"fine-after")]))])
        errs = {p["topic"]: p for p in both["parts"]}
        check_eq(errs[FULL]["error_code"], STORAGE_ERROR, "full-0 in a mixed produce")
        check_eq(errs[FINE]["error_code"], NONE, "fine-0 in a mixed produce")
        acked[FINE].append((errs[FINE]["base_offset"], b"fine-after"))
        for i in range(10):
            r, v = produce(c, FINE, "after", i)
            check_eq(r["error_code"], NONE, "produce fine #%d while full-0 is offline" % i)
            acked[FINE].append((r["base_offset"], v))
        got = fetch_all(c, FINE)
        check_eq(len(got), len(acked[FINE]), "records of fine while full-0 is offline")
        c.close()
        check(b.proc.poll() is None, "the broker exited:\n" + b.log())

        lines = [ln for ln in b.log().splitlines() if " ERROR " in ln and FULL + "-0" in ln]
        check_eq(len(lines), 1, "ERROR lines about full-0:\n" + "\n".join(lines))
        check(re.search(r"ENOSPC", lines[0]) and "offline" in lines[0],
              "the ERROR line names the errno and says offline: " + lines[0])

        # Restart without the shim: everything acknowledged is there, nothing else.
        check_eq(b.stop(), 0, "exit status of the clean shutdown")
        b.start()
        c = rawproto.Conn(b.port)
        rawproto.wait_for_topic(c, FULL, 1)
        for t in (FULL, FINE):
            got = fetch_all(c, t)
            check_eq([o for o, _ in got], [o for o, _ in acked[t]], "offsets of %s after restart" % t)
            for (o, batch), (_, v) in zip(got, acked[t]):
                check(v in batch, "%s@%d holds the acknowledged value" % (t, o))
        r, _ = produce(c, FULL, "again", 0)
        check_eq(r["error_code"], NONE, "full-0 takes records after the restart")
        check_eq(r["base_offset"], len(acked[FULL]), "next offset of full-0 after the restart")
        c.close()
        check_eq(b.stop(), 0, "exit status")
    finally:
        b.cleanup()
    torn_write(runneld)
    follower_full(runneld)


if __name__ == "__main__":
    run(main)
