#!/usr/bin/env python3
"""test_hw_checkpoint.py — the high watermark on disk (replication-offset-checkpoint,
docs/storage.md), with replica.high.watermark.checkpoint.interval.ms=500.

Three brokers, a topic of one partition with RF 3 and min.insync.replicas=2: 500
records produced with acks=all; within a few intervals every broker's
<data>/replication-offset-checkpoint lists the partition with HW 500 (the leader's HW,
which the followers learn at their next fetch). A follower is killed with -9 while
the leader takes 300 more (acks=all, on the two others): its file keeps 500. Restarted,
it reads its HW back (never an arbitrary value: every value its file shows from then
on lies in [500, 800]) and ends at 800 with the leader, which serves HW 800 to consumers.

One broker: records acknowledged (acks=1) after the last checkpoint are all readable
as soon as the partition is served again after a kill -9 — the leader recomputes its
HW over the ISR {itself} (its log end) instead of keeping the checkpoint's older value.

usage: test_hw_checkpoint.py BUILD_DIR"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawproto as rp  # noqa: E402
from rnlib import *  # noqa: E402,F401,F403

TOPIC = "hwck"
INTERVAL = ["replica.high.watermark.checkpoint.interval.ms=500"]
NOT_CONTROLLER = 41


def read_hw_file(data_dir):
    """{(topic, partition): hw} from data_dir/replication-offset-checkpoint, parsed
    strictly (Kafka's text format), or None when there is no file."""
    path = os.path.join(data_dir, "replication-offset-checkpoint")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    lines = text.split("\n")
    check(text.endswith("\n"), "%s: ends with a newline: %r" % (path, text))
    lines.pop()
    check(len(lines) >= 2 and lines[0] == "0", "%s: version line: %r" % (path, text))
    n = int(lines[1])
    check_eq(len(lines), n + 2, "%s: lines after the count (%r)" % (path, text))
    out = {}
    for line in lines[2:]:
        t, p, off = line.split(" ")
        out[(t, int(p))] = int(off)
    return out


def data_of(b):
    return os.path.join(b.dir, "data")


def file_hw(b):
    m = read_hw_file(data_of(b))
    return None if m is None else m.get((TOPIC, 0))


def batch_of(first, n):
    return rp.make_batch([(None, b"rec-%06d" % i) for i in range(first, first + n)])


def produce_all(port, first, n, per_batch=50):
    """Produce records first..first+n with acks=all; every batch must be acknowledged."""
    c = rp.Conn(port, timeout=20)
    try:
        for i in range(first, first + n, per_batch):
            r = c.produce(-1, [(TOPIC, 0, batch_of(i, per_batch))], timeout_ms=10000)["parts"][0]
            check_eq(r["error_code"], 0, "acks=all produce of records %d.. " % i)
    finally:
        c.close()


def consumer_fetch(port, topic):
    """(error, HW, records) of one consumer Fetch from offset 0."""
    c = rp.Conn(port, timeout=10)
    try:
        p = c.fetch([(topic, 0, 0)], max_bytes=16 << 20, partition_max_bytes=16 << 20)["parts"][0]
    finally:
        c.close()
    count = 0
    for _, b in rp.split_batches(p["records"]):
        count += struct.unpack_from(">i", b, 57)[0]  # records count of a v2 batch
    return p["error_code"], p["high_watermark"], count


def create_topic(cl):
    def attempt():
        for b in cl.brokers:
            try:
                c = b.conn()
                try:
                    r = c.create_topics([(TOPIC, 1, 3, {"min.insync.replicas": "2"})])
                finally:
                    c.close()
            except (OSError, EOFError):
                continue
            err = r["topics"][0]["error"]
            if err in (NONE, TOPIC_EXISTS):
                return True
        return False
    cl.wait("topic created with RF 3", attempt, timeout=20)


def cluster_case(runneld):
    cl = Cluster(runneld, 3, extra=INTERVAL + ["broker.session.timeout.ms=1500"])
    try:
        cl.start()
        create_topic(cl)
        view = cl.wait("all three in the ISR, seen everywhere",
                       lambda: (lambda v: v if v and sorted(v[0][4]) == [1, 2, 3] else None)(
                           cl.same_everywhere(TOPIC, 1)), timeout=20)
        leader = cl.broker(view[0][1])
        produce_all(leader.port, 0, 500)
        for b in cl.brokers:
            cl.wait("broker %d's replication-offset-checkpoint lists %s-0 at HW 500" % (b.id, TOPIC),
                    lambda: file_hw(b) == 500, timeout=10)
        err, hw, n = consumer_fetch(leader.port, TOPIC)
        check_eq((err, hw, n), (0, 500, 500), "the leader serves HW 500 and 500 records")

        follower = [b for b in cl.brokers if b is not leader][0]
        other = [b for b in cl.brokers if b is not leader and b is not follower][0]
        follower.kill()
        cl.wait("the killed follower leaves the ISR",
                lambda: (lambda v: v if v and v[0][2] == sorted([leader.id, other.id])
                         else None)(agreed_view(cl, TOPIC, [leader, other])), timeout=20)
        produce_all(leader.port, 500, 300)
        check_eq(file_hw(follower), 500, "the dead follower's file still says 500")
        cl.wait("the other follower's file at HW 800", lambda: file_hw(other) == 800, timeout=10)

        follower.start()
        seen = set()

        def follower_at_800():
            v = file_hw(follower)
            if v is not None:
                seen.add(v)
            return v == 800
        cl.wait("the restarted follower's file at HW 800", follower_at_800, timeout=30)
        check(min(seen) >= 500 and max(seen) <= 800,
              "the restarted follower's HW stayed within [500, 800]: %s" % sorted(seen))
        err, hw, n = consumer_fetch(leader.port, TOPIC)
        check_eq((err, hw, n), (0, 800, 800), "the leader serves HW 800 and 800 records")
        cl.wait("the follower back in the ISR",
                lambda: (lambda v: v if v and sorted(v[0][4]) == [1, 2, 3] else None)(
                    cl.same_everywhere(TOPIC, 1)), timeout=30)
        for b in cl.brokers:
            check_eq(b.stop(), 0, "broker %d exit status" % b.id)
            check("ERROR: AddressSanitizer" not in b.log(), "broker %d: sanitizer report" % b.id)
    except SystemExit:
        print(cluster_logs(cl), flush=True)
        raise
    finally:
        cl.cleanup()


def single_case(runneld):
    b = Broker(runneld, extra=INTERVAL)
    try:
        b.start()
        c = b.conn()
        try:
            r = c.create_topics([(TOPIC, 1, 1)])
        finally:
            c.close()
        check_eq(r["topics"][0]["error"], NONE, "create " + TOPIC)
        p = rp.Conn(b.port, timeout=10)
        rp.wait_for_topic(p, TOPIC, 1)
        check_eq(p.produce_one(TOPIC, 0, batch_of(0, 200), acks=1)["error_code"], 0, "produce")
        deadline = time.time() + 10
        while file_hw(b) != 200:
            check(time.time() < deadline, "the checkpoint reached HW 200: %s" % file_hw(b))
            time.sleep(0.05)
        # More acknowledged records, then kill -9 at once: usually before the next
        # checkpoint, so the file is older than the log.
        for i in range(200, 1000, 100):
            check_eq(p.produce_one(TOPIC, 0, batch_of(i, 100), acks=1)["error_code"], 0,
                     "produce %d" % i)
        p.close()
        b.kill()
        on_disk = file_hw(b)
        check(on_disk is not None and 200 <= on_disk <= 1000, "file HW %s" % on_disk)
        print("checkpointed HW at kill -9: %d of 1000 acknowledged" % on_disk, flush=True)
        b.start()
        deadline = time.time() + 15
        while True:
            err, hw, n = consumer_fetch(b.port, TOPIC)
            if err == 0:
                break
            check(time.time() < deadline, "the partition is served again (error %d)" % err)
            time.sleep(0.05)
        # The first answer that serves the partition already shows everything.
        check_eq((hw, n), (1000, 1000), "HW and records readable right after the restart")
        check_eq(b.stop(), 0, "exit status")
        check_eq(file_hw(b), 1000, "a clean shutdown writes the final HW")
        check("ERROR: AddressSanitizer" not in b.log(), "sanitizer report")
    except SystemExit:
        print(b.log()[-4000:], flush=True)
        raise
    finally:
        b.cleanup()


def main(runneld):
    single_case(runneld)
    cluster_case(runneld)


if __name__ == "__main__":
    run(main)
