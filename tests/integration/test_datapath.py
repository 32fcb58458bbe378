#!/usr/bin/env python3
"""test_datapath.py — the broker's data path end to end, over the raw protocol:
Produce (acks 0/1/all, gzip, corrupt, too large, missing partition, partition -1
routing), Fetch (byte-identical batches, long poll that wakes and one that times
out, a closed connection during a long poll) and ListOffsets (earliest, latest, by
time). Starts its own runneld on free loopback ports; at the end stops it with
SIGTERM and requires exit 0 with no sanitizer report.

usage: test_datapath.py BUILD_DIR [TEST_NAME...]"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawproto as rp  # noqa: E402
import rnlib  # noqa: E402

NONE, CORRUPT_MESSAGE, UNKNOWN_TOPIC_OR_PARTITION = 0, 2, 3
MESSAGE_TOO_LARGE, INVALID_REQUIRED_ACKS, INVALID_RECORD = 10, 21, 87
NOT_ENOUGH_REPLICAS = 19

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "../../../shared/vectors/murmur2-partitions.tsv")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Broker:
    def __init__(self, build):
        self.tmp = tempfile.mkdtemp(prefix="runnel-datapath.")
        self.port, cport = free_port(), free_port()
        self.log = open(os.path.join(self.tmp, "broker.log"), "w+")
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        self.proc = subprocess.Popen(
            [os.path.join(build, "runneld"),
             "--override", "listeners=127.0.0.1:%d" % self.port,
             "--override", "controller.listener=127.0.0.1:%d" % cport,
             "--override", "controller.quorum.voters=1@127.0.0.1:%d" % cport,
             "--override", "log.dirs=%s" % os.path.join(self.tmp, "data")],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        end = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > end or self.proc.poll() is not None:
                    raise AssertionError("broker did not start:\n" + self.log_text())
                time.sleep(0.02)
        # Accepting connections is not enough: admin requests need the controller,
        # which is ready once Metadata names it (as rnlib.Broker waits too).
        while not self.controller_ready():
            if time.time() > end or self.proc.poll() is not None:
                raise AssertionError("no controller:\n" + self.log_text())
            time.sleep(0.02)

    def controller_ready(self):
        c = rnlib.Conn(self.port, timeout=2.0)
        try:
            return c.metadata([])["controller_id"] == 1
        finally:
            c.close()

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = "hung: killed after 30 s"
        text = self.log_text()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rc, text


def topic(conn, name, partitions=1, configs=None):
    err, msg = conn.create_topic(name, partitions, configs)
    assert err == NONE, "create %s: %d %s" % (name, err, msg)
    rp.wait_for_topic(conn, name, partitions)


def same_batch(sent, got, offset):
    """got is sent with base offset `offset` and some leader epoch stamped."""
    assert len(got) == len(sent), "batch length %d, sent %d" % (len(got), len(sent))
    assert struct.unpack_from(">q", got)[0] == offset, "base offset"
    assert got[8:12] == sent[8:12] and got[16:] == sent[16:], "batch bytes differ"


# ---- tests ---------------------------------------------------------------------------
def test_produce_acks_0_1_all_then_fetch_back(b, c):
    topic(c, "acks")
    batches = [rp.make_batch([(b"k%d" % i, b"v%d-%d" % (n, i)) for i in range(3)])
               for n in range(3)]
    r1 = c.produce_one("acks", 0, batches[0], acks=1)
    assert r1["error_code"] == NONE and r1["base_offset"] == 0, r1
    rall = c.produce_one("acks", 0, batches[1], acks=-1)
    assert rall["error_code"] == NONE and rall["base_offset"] == 3, rall
    c.produce_send(0, [("acks", 0, batches[2])])  # acks=0: no response at all
    lo = c.list_offsets([("acks", 0, -1)])  # answered after the acks=0 produce
    assert lo["parts"][0]["offset"] == 9, lo
    f = c.fetch([("acks", 0, 0)])
    p = f["parts"][0]
    assert p["error_code"] == NONE and p["high_watermark"] == 9 and p["log_start_offset"] == 0
    got = rp.split_batches(p["records"])
    assert [o for o, _ in got] == [0, 3, 6], got
    for (off, g), s in zip(got, batches):
        same_batch(s, g, off)


def test_gzip_batch_round_trips(b, c):
    topic(c, "gz")
    batch = rp.make_batch([(None, b"compressed value %d" % i * 5) for i in range(20)], gzip=True)
    r = c.produce_one("gz", 0, batch)
    assert r["error_code"] == NONE and r["base_offset"] == 0, r
    got = rp.split_batches(c.fetch([("gz", 0, 0)])["parts"][0]["records"])
    assert len(got) == 1
    same_batch(batch, got[0][1], 0)


def test_corrupt_batch_is_refused_and_nothing_appended(b, c):
    topic(c, "bad")
    batch = bytearray(rp.make_batch([(b"k", b"value")]))
    batch[-3] ^= 0x40  # in the records: the CRC no longer matches
    r = c.produce_one("bad", 0, bytes(batch))
    assert r["error_code"] == CORRUPT_MESSAGE and r["base_offset"] == -1, r
    assert c.list_offsets([("bad", 0, -1)])["parts"][0]["offset"] == 0
    # several partitions in one request: the bad one does not stop the good one
    topic(c, "bad2", 2)
    good = rp.make_batch([(b"k", b"v")])
    r = c.produce(1, [("bad2", 0, bytes(batch)), ("bad2", 1, good)])
    assert [p["error_code"] for p in r["parts"]] == [CORRUPT_MESSAGE, NONE], r


def test_batch_over_max_message_bytes_is_too_large(b, c):
    topic(c, "small", configs={"max.message.bytes": "1000"})
    r = c.produce_one("small", 0, rp.make_batch([(None, b"x" * 2000)]))
    assert r["error_code"] == MESSAGE_TOO_LARGE, r
    r = c.produce_one("small", 0, rp.make_batch([(None, b"x" * 100)]))
    assert r["error_code"] == NONE, r


def test_missing_partition_and_bad_acks(b, c):
    topic(c, "few", 2)
    r = c.produce_one("few", 7, rp.make_batch([(None, b"v")]))
    assert r["error_code"] == UNKNOWN_TOPIC_OR_PARTITION, r
    r = c.produce(2, [("few", 0, rp.make_batch([(None, b"v")]))])
    assert r["parts"][0]["error_code"] == INVALID_REQUIRED_ACKS, r
    r = c.produce_one("few", 0, None)
    assert r["error_code"] == INVALID_RECORD, r
    assert c.produce_one("few", 0, rp.make_batch([(None, b"v")]))["error_code"] == NONE
    f = c.fetch([("few", 9, 0), ("nope", 0, 0)])
    assert [p["error_code"] for p in f["parts"]] == [UNKNOWN_TOPIC_OR_PARTITION] * 2, f


def test_auto_create_on_produce(b, c):
    batch = rp.make_batch([(None, b"v")])
    end = time.time() + 10
    while True:
        r = c.produce_one("autotopic", 0, batch)
        if r["error_code"] == NONE:
            break
        assert r["error_code"] == UNKNOWN_TOPIC_OR_PARTITION, r
        assert time.time() < end, "auto-create never happened"
        time.sleep(0.05)


def test_fetch_waits_and_wakes_on_append(b, c):
    topic(c, "wake")
    c2 = rp.Conn(b.port)
    t0 = time.time()
    corr = c.fetch_send([("wake", 0, 0)], max_wait_ms=5000, min_bytes=1)
    time.sleep(0.2)
    batch = rp.make_batch([(None, b"hello")])
    assert c2.produce_one("wake", 0, batch)["error_code"] == NONE
    f = c.fetch_recv(corr)
    took = time.time() - t0
    assert took < 2.0, "woke after %.3f s" % took
    got = rp.split_batches(f["parts"][0]["records"])
    assert len(got) == 1
    same_batch(batch, got[0][1], 0)
    c2.close()


def test_fetch_times_out_after_max_wait(b, c):
    topic(c, "idle")
    t0 = time.time()
    f = c.fetch([("idle", 0, 0)], max_wait_ms=300, min_bytes=1)
    took = time.time() - t0
    assert 0.28 <= took < 2.0, "answered after %.3f s" % took
    p = f["parts"][0]
    assert p["error_code"] == NONE and not p["records"] and p["high_watermark"] == 0, p


def test_fetch_min_bytes_waits_for_enough(b, c):
    topic(c, "minb")
    c2 = rp.Conn(b.port)
    small = rp.make_batch([(None, b"a")])
    t0 = time.time()
    corr = c.fetch_send([("minb", 0, 0)], max_wait_ms=3000, min_bytes=500)
    c2.produce_one("minb", 0, small)
    time.sleep(0.2)
    c2.produce_one("minb", 0, rp.make_batch([(None, b"b" * 600)]))
    f = c.fetch_recv(corr)
    assert time.time() - t0 < 2.0
    assert len(rp.split_batches(f["parts"][0]["records"])) == 2
    c2.close()


def test_fetch_max_bytes_returns_at_least_one_batch(b, c):
    topic(c, "maxb", 2)
    big = rp.make_batch([(None, b"z" * 3000)])
    for p in (0, 1):
        c.produce_one("maxb", p, big)
        c.produce_one("maxb", p, big)
    f = c.fetch([("maxb", 0, 0), ("maxb", 1, 0)], max_bytes=100, partition_max_bytes=100)
    n = [len(rp.split_batches(p["records"])) for p in f["parts"]]
    assert n == [1, 0], n
    assert all(p["high_watermark"] == 2 for p in f["parts"]), f
    f = c.fetch([("maxb", 0, 0), ("maxb", 1, 0)], max_bytes=7000, partition_max_bytes=4000)
    n = [len(rp.split_batches(p["records"])) for p in f["parts"]]
    assert n == [1, 1], n


def test_fetch_offset_out_of_range(b, c):
    topic(c, "oor")
    c.produce_one("oor", 0, rp.make_batch([(None, b"v")]))
    f = c.fetch([("oor", 0, 5)])
    assert f["parts"][0]["error_code"] == 1, f
    assert c.fetch([("oor", 0, 1)])["parts"][0]["error_code"] == NONE


def test_fetch_as_a_replica_that_is_not_one_is_refused(b, c):
    """Only the partition's other replicas may read up to the log end (past the HW)."""
    topic(c, "notrep")
    c.produce_one("notrep", 0, rp.make_batch([(None, b"v")]))
    for rid in (7, 1):  # not a replica; this broker itself
        f = c.fetch([("notrep", 0, 0)], replica_id=rid)
        assert f["parts"][0]["error_code"] == 6, f  # NOT_LEADER_OR_FOLLOWER
        assert f["parts"][0]["records"] in (None, b""), f
    assert c.fetch([("notrep", 0, 0)])["parts"][0]["error_code"] == NONE


def test_closed_connection_during_long_poll(b, c):
    topic(c, "gone")
    for _ in range(20):
        c2 = rp.Conn(b.port)
        c2.fetch_send([("gone", 0, 0)], max_wait_ms=60000)
        c2.close()
    time.sleep(0.2)
    # the broker serves on, and an append wakes nothing that was freed
    assert c.produce_one("gone", 0, rp.make_batch([(None, b"v")]))["error_code"] == NONE
    assert c.fetch([("gone", 0, 0)])["parts"][0]["high_watermark"] == 1


def test_list_offsets_earliest_latest_by_time(b, c):
    topic(c, "times")
    c.produce_one("times", 0, rp.make_batch([(None, b"a"), (None, b"b")], base_ts=10000))
    c.produce_one("times", 0, rp.make_batch([(None, b"c", 20000), (None, b"d", 20005)],
                                            base_ts=20000))
    r = c.list_offsets([("times", 0, -2), ("times", 0, -1), ("times", 0, 10001),
                        ("times", 0, 15000), ("times", 0, 20005), ("times", 0, 99999)])
    got = [(p["error_code"], p["offset"]) for p in r["parts"]]
    assert got == [(0, 0), (0, 4), (0, 1), (0, 2), (0, 3), (0, -1)], got
    assert r["parts"][3]["timestamp"] == 20000, r
    assert r["parts"][0]["leader_epoch"] >= 0, r
    dbg = c.list_offsets([("times", 0, -1)], replica_id=-2)
    assert dbg["parts"][0]["offset"] == 4, dbg
    r = c.list_offsets([("nope", 0, -1)])
    assert r["parts"][0]["error_code"] == UNKNOWN_TOPIC_OR_PARTITION


def test_acks_all_below_min_insync_replicas_is_refused(b, c):
    topic(c, "strict", configs={"min.insync.replicas": "2"})
    batch = rp.make_batch([(None, b"v")])
    r = c.produce_one("strict", 0, batch, acks=-1)
    assert r["error_code"] == NOT_ENOUGH_REPLICAS, r
    assert c.list_offsets([("strict", 0, -1)])["parts"][0]["offset"] == 0
    assert c.produce_one("strict", 0, batch, acks=1)["error_code"] == NONE


def test_deleted_topic_wakes_parked_fetch(b, c):
    topic(c, "doomed")
    c2 = rp.Conn(b.port)
    t0 = time.time()
    corr = c.fetch_send([("doomed", 0, 0)], max_wait_ms=10000)
    time.sleep(0.1)
    assert c2.delete_topic("doomed") == NONE
    f = c.fetch_recv(corr)
    assert time.time() - t0 < 5.0
    assert f["parts"][0]["error_code"] in (UNKNOWN_TOPIC_OR_PARTITION, 6), f
    c2.close()


def kafka_rows():
    rows = []
    with open(VECTORS) as f:
        next(f)
        for line in f:
            fields = line.rstrip("\n").split("\t")
            rows.append((bytes.fromhex(fields[0]), int(fields[2])))
    return rows


def test_partition_minus_one_keyed_lands_where_kafka_says(b, c):
    topic(c, "routed", 4, configs={"partitioner": "hash"})
    seen = set()
    for key, h in kafka_rows()[:40]:
        assert rp.murmur2_positive(key) == h
        r = c.produce_one("routed", -1, rp.make_batch([(key, b"v")]))
        assert r["error_code"] == NONE, r
        assert r["index"] == h % 4, (key, r["index"], h % 4)
        seen.add(r["index"])
    assert len(seen) > 1


def test_partition_minus_one_sticky_moves_round_robin(b, c):
    topic(c, "stick", 3, configs={"partitioner": "sticky"})
    got = [c.produce_one("stick", -1, rp.make_batch([(b"same-key", b"v")]))["index"]
           for _ in range(6)]
    assert got[:3] == got[3:] and sorted(got[:3]) == [0, 1, 2], got
    topic(c, "dflt", 3)
    key = b"a-key"
    r = c.produce_one("dflt", -1, rp.make_batch([(key, b"v")]))
    assert r["index"] == rp.murmur2_positive(key) % 3, r


TESTS = [v for k, v in sorted(globals().items()) if k.startswith("test_")]


def main():
    build = sys.argv[1]
    only = set(sys.argv[2:])
    b = Broker(build)
    failed = 0
    try:
        for t in TESTS:
            if only and t.__name__ not in only:
                continue
            c = rp.Conn(b.port)
            try:
                t(b, c)
                print("ok   %s" % t.__name__)
            except Exception as e:  # report and go on
                failed += 1
                print("FAIL %s: %r" % (t.__name__, e))
            finally:
                c.close()
        # a long poll still parked at shutdown is answered at once
        parked = rp.Conn(b.port)
        topic(parked, "atexit")
        parked_corr = parked.fetch_send([("atexit", 0, 0)], max_wait_ms=60000)
        time.sleep(0.1)
        t0 = time.time()
        b.proc.send_signal(signal.SIGTERM)
        try:
            parked.fetch_recv(parked_corr)
        except (ConnectionError, OSError):
            pass  # closed by the stopping broker: also an answer
        if time.time() - t0 > 5:
            failed += 1
            print("FAIL a parked fetch held shutdown for %.1f s" % (time.time() - t0))
        parked.close()
    finally:
        rc, log = b.stop()
    if rc != 0 or "Sanitizer" in log or "runtime error" in log:
        failed += 1
        print("FAIL broker exit %s; log tail:\n%s" % (rc, log[-4000:]))
    elif failed:
        print("broker log tail:\n" + log[-3000:])
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
