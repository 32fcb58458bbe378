"""Live retention tuning on a replicated topic (issue 6): three brokers with
log.retention.check.interval.ms=500, a topic of one partition with RF 3 and
segment.bytes=2048, records in many segments on every broker. No broker restarts.

- `topic alter --config retention.bytes=4096`: within a few check intervals the log
  start offset advances and the old segment files (.log, .index, .timeindex, and the
  *.deleted renames) disappear on ALL THREE brokers' data directories.
- `topic alter --config retention.ms=600000` (retention.bytes removed in the same
  call) on records of which the older ones carry timestamps an hour old: the segments
  holding only old records go on every broker, the recent ones stay.
- A bad value, an unknown key, and a bad value next to a good one: exit 1 with one
  line naming the key, and the configs (topic describe) are unchanged.
- `topic describe` shows the effective configs: the overrides and the broker
  defaults for the rest (log.retention.ms of the broker's config)."""
import os
import time

from rnlib import *
import rawproto

TOPIC = "ret"
CHECK_MS = 500
SEG = 2048


def part_dir(b):
    return os.path.join(b.dir, "data", TOPIC + "-0")


def segment_bases(b):
    """Base offsets of the .log files of TOPIC-0 on b, sorted."""
    try:
        return sorted(int(n[:-4]) for n in os.listdir(part_dir(b)) if n.endswith(".log"))
    except OSError:
        return None


def old_files(b, start):
    """Segment files of b (any suffix, *.deleted included) of segments below start."""
    out = []
    for n in os.listdir(part_dir(b)):
        head = n.split(".", 1)[0]
        if head.isdigit() and len(head) == 20 and int(head) < start:
            out.append(n)
    return out


def produce(conn, first, n, ts):
    """n batches of one 400-byte record with timestamp ts, acks=all; last offset."""
    last = -1
    for i in range(first, first + n):
        value = ("rec-%06d-" % i).encode() + b"v" * 389
        r = conn.produce_one(TOPIC, 0, rawproto.make_batch([(None, value)], base_ts=ts), acks=-1)
        check_eq(r["error_code"], NONE, "produce #%d" % i)
        last = r["base_offset"]
    return last


def describe(runnel, cl):
    rc, out, err = run_cli(runnel, cl.bootstrap(), "topic", "describe", TOPIC)
    check_eq(rc, 0, "topic describe: " + err)
    return out


def configs_of(out):
    head = out.splitlines()[0]
    return dict(kv.split("=", 1) for kv in head.split("\tConfigs: ", 1)[1].split(",") if kv)


def log_start(out):
    line = out.splitlines()[1]
    return int(line.split("LogStartOffset: ")[1].split("\t")[0])


def all_agree(cl, pred):
    """Every broker's segment bases satisfy pred and are the same: those bases."""
    views = [segment_bases(b) for b in cl.brokers]
    if any(v is None or not pred(v) for v in views) or any(v != views[0] for v in views):
        return None
    return views[0]


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, extra=["log.retention.check.interval.ms=%d" % CHECK_MS,
                                 "log.retention.ms=86400000"])
    try:
        cl.start()
        pids = [b.proc.pid for b in cl.brokers]
        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions",
                             "1", "--replication-factor", "3", "--config",
                             "segment.bytes=%d" % SEG)
        check_eq(rc, 0, "topic create: " + err)
        view = cl.wait("one leader everywhere",
                       lambda: (lambda v: v if v and v[0][1] > 0 else None)(
                           cl.same_everywhere(TOPIC, 1)))
        leader = cl.broker(view[0][1])
        conn = rawproto.Conn(leader.port)
        rawproto.wait_for_topic(conn, TOPIC, 1)

        # effective configs: the override, and the broker defaults for the rest
        cfg = configs_of(describe(runnel, cl))
        check_eq(cfg.get("segment.bytes"), str(SEG), "segment.bytes override in describe")
        check_eq(cfg.get("retention.ms"), "86400000", "retention.ms (broker default) in describe")
        check_eq(cfg.get("retention.bytes"), "-1", "retention.bytes (broker default)")

        # phase 1: 60 batches of ~470 bytes: ~15 segments on each broker
        now = int(time.time() * 1000)
        last = produce(conn, 0, 60, now - 3600 * 1000)  # an hour old (phase 2)
        before = cl.wait("every replica holds the same many segments",
                         lambda: all_agree(cl, lambda v: len(v) >= 10), timeout=30)
        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "alter", TOPIC, "--config",
                             "retention.bytes=4096")
        check_eq(rc, 0, "alter retention.bytes: " + err)
        t0 = time.time()
        after = cl.wait("retention.bytes applied on all three brokers",
                        lambda: all_agree(cl, lambda v: len(v) <= 4 and v[0] > 0),
                        timeout=CHECK_MS * 8 / 1000)
        took = time.time() - t0
        start = after[0]
        check(start > before[0], "log start advanced: %r -> %r" % (before, after))
        for b in cl.brokers:
            cl.wait("old segment files gone on broker %d" % b.id,
                    lambda: not old_files(b, start), timeout=10)
        out = describe(runnel, cl)
        check_eq(log_start(out), start, "LogStartOffset in describe")
        check_eq(configs_of(out).get("retention.bytes"), "4096", "retention.bytes in describe")
        print("retention.bytes applied on 3 brokers in %.1fs; start %d -> %d"
              % (took, before[0], start), flush=True)

        # phase 2: recent records, then retention.ms drops only the hour-old ones
        first_new = produce(conn, 1000, 20, int(time.time() * 1000)) - 19
        check_eq(first_new, last + 1, "offsets continue")
        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "alter", TOPIC, "--config",
                             "retention.ms=600000", "--delete-config", "retention.bytes")
        check_eq(rc, 0, "alter retention.ms: " + err)
        after = cl.wait("retention.ms applied on all three brokers",
                        lambda: all_agree(cl, lambda v: v[0] > last - 4 and v[0] <= first_new),
                        timeout=CHECK_MS * 8 / 1000)
        check(len(after) >= 4, "recent segments kept: %r" % after)
        for b in cl.brokers:
            cl.wait("hour-old segment files gone on broker %d" % b.id,
                    lambda: not old_files(b, after[0]), timeout=10)
        out = describe(runnel, cl)
        check_eq(log_start(out), after[0], "LogStartOffset after retention.ms")
        cfg = configs_of(out)
        check_eq((cfg.get("retention.ms"), cfg.get("retention.bytes")), ("600000", "-1"),
                 "configs after the second alter")

        # refusals change nothing
        before_cfg = out.splitlines()[0]
        for args, key in ((["--config", "retention.ms=soon"], "retention.ms"),
                          (["--config", "no.such.key=1"], "no.such.key"),
                          (["--config", "retention.bytes=1000", "--config", "segment.bytes=1"],
                           "segment.bytes"),
                          (["--config", "min.insync.replicas=0"], "min.insync.replicas")):
            rc, out, err = run_cli(runnel, cl.bootstrap(), "topic", "alter", TOPIC, *args)
            check_eq(rc, 1, "refused alter %r: exit status (stderr %r)" % (args, err))
            lines = err.strip().splitlines()
            check(len(lines) == 1 and key in lines[0] and lines[0].startswith("runnel: "),
                  "one error line naming %s: %r" % (key, err))
            check_eq(describe(runnel, cl).splitlines()[0], before_cfg,
                     "configs after the refused alter %r" % (args,))
        check_eq([b.proc.pid for b in cl.brokers], pids, "no broker restarted")
        check(all(b.alive() for b in cl.brokers), "every broker still runs")
        conn.close()
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
