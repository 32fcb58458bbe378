"""Broker-side routing with forwarding (DESIGN.md §7, docs/protocol.md "Produce"): three
brokers, a topic of 3 partitions with RF 3, partitioner=hash and min.insync.replicas=2.
Every Produce goes to ONE broker (the entry broker) with partition -1; the entry
broker picks murmur2(key) % 3 and forwards the entries whose partition another broker
leads to that leader over its inter-broker connection.

- One request mixing a local and two forwarded partitions, acks=1 and acks=all: every
  entry answers NONE, with the chosen partition and the exact base offset (nothing
  else writes), in the request's order; with acks=all the leader's high watermark has
  already passed the batch when the answer arrives. acks=0 entries arrive too.
- acks=all is honoured end to end: with the partition's third ISR member frozen, a
  forwarded acks=all entry gets REQUEST_TIMED_OUT (its leader's HW cannot pass it),
  while acks=1 is answered at once.
- Every record is in its murmur2 partition on that partition's leader (fetched there).
- `runnel produce --partitioner broker --acks all` with a single bootstrap broker, then
  consume: every keyed line in its murmur2 partition, none lost.
- A forwarded entry whose leader is frozen (SIGSTOP): REQUEST_TIMED_OUT once the
  request's timeout has passed, not a hang; a dead leader (kill -9): the retriable
  NOT_LEADER_OR_FOLLOWER at once; after the failover a retry succeeds.
- The entry broker stopping while a forwarded entry waits answers it
  (NOT_LEADER_OR_FOLLOWER) instead of leaving the client hanging."""
import os
import signal
import struct
import subprocess
import time

import rawproto as rp
from rnlib import *

TOPIC = "fwd"
NOT_LEADER, TIMED_OUT = 6, 7


def cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def part_of(key):
    return rp.murmur2_positive(key) % 3


def keys_for(p, n, tag):
    """n distinct keys whose murmur2 partition is p."""
    out, i = [], 0
    while len(out) < n:
        k = ("%s-%d" % (tag, i)).encode()
        if part_of(k) == p:
            out.append(k)
        i += 1
    return out


# ---- decoding fetched batches (uncompressed RecordBatch v2) -----------------------------
def _varint(d, pos):
    shift = z = 0
    while True:
        b = d[pos]
        pos += 1
        z |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (z >> 1) ^ -(z & 1), pos


def _nbytes(d, pos):
    n, pos = _varint(d, pos)
    if n < 0:
        return None, pos
    return d[pos:pos + n], pos + n


def records_of(data):
    """[(offset, key, value)] of every record in a fetch response's records."""
    out = []
    for base, batch in rp.split_batches(data):
        count = struct.unpack_from(">i", batch, 57)[0]
        pos = 61
        for _ in range(count):
            length, pos = _varint(batch, pos)
            end = pos + length
            pos += 1  # attributes
            _, pos = _varint(batch, pos)  # timestamp delta
            delta, pos = _varint(batch, pos)
            key, pos = _nbytes(batch, pos)
            value, pos = _nbytes(batch, pos)
            out.append((base + delta, key, value))
            pos = end
    return out


def fetch_all(b, p):
    """Every record below the HW of partition p on broker b, and the HW."""
    c = rp.Conn(b.port, timeout=10)
    try:
        out, off, hw = [], 0, 0
        while True:
            r = c.fetch([(TOPIC, p, off)])["parts"][0]
            check_eq(r["error_code"], NONE, "fetch %s-%d at %d from broker %d"
                     % (TOPIC, p, off, b.id))
            hw = r["high_watermark"]
            recs = records_of(r["records"])
            if not recs:
                return out, hw
            out += recs
            off = recs[-1][0] + 1
    finally:
        c.close()


def leader_hw(b, p):
    c = rp.Conn(b.port, timeout=10)
    try:
        return c.fetch([(TOPIC, p, 0)], max_bytes=1, partition_max_bytes=1)["parts"][0][
            "high_watermark"]
    finally:
        c.close()


# ---- the cluster ----------------------------------------------------------------------------
def full_isr(cl):
    view = cl.same_everywhere(TOPIC, 3)
    if view is None or any(len(isr) != 3 or leader < 0 for _, leader, _, _, isr in view):
        return None
    return {idx: leader for idx, leader, _, _, _ in view}


def setup(runnel, cl):
    cl.wait("topic created", lambda: cli(
        runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions", "3",
        "--replication-factor", "3", "--config", "partitioner=hash",
        "--config", "min.insync.replicas=2")[0] == 0)
    leaders = cl.wait("every ISR full", lambda: full_isr(cl), timeout=30)
    check(len(set(leaders.values())) >= 2, "leaders spread: %r" % leaders)
    # The entry broker: one that leads some partition but not all of them.
    counts = {}
    for l in leaders.values():
        counts[l] = counts.get(l, 0) + 1
    entry = cl.broker(min(counts, key=lambda l: (counts[l], l)))
    return leaders, entry


# ---- the checks -----------------------------------------------------------------------------
def mixed_requests(cl, leaders, entry, expect):
    """Rounds of one request with one -1 entry per partition; checks base offsets."""
    c = rp.Conn(entry.port, timeout=15)
    try:
        for rnd, acks in enumerate([1, 1, -1, -1, 1, -1]):
            entries, sizes = [], []
            for p in (2, 0, 1):  # not in partition order: answers follow the request
                ks = keys_for(p, 1 + rnd % 3, "r%d" % rnd)
                recs = [(k, b"v-%d-%d-%s" % (rnd, p, k)) for k in ks]
                entries.append((TOPIC, -1, rp.make_batch(recs)))
                sizes.append((p, len(recs)))
            t0 = time.time()
            r = c.produce(acks, entries, timeout_ms=10000)
            check_eq(r["error_code"], NONE, "request error, round %d" % rnd)
            got = [(e["index"], e["error_code"], e["base_offset"]) for e in r["parts"]]
            want = [(p, NONE, expect[p]) for p, _ in sizes]
            check_eq(got, want, "answers of round %d (acks=%d)" % (rnd, acks))
            for p, n in sizes:
                expect[p] += n
            if acks == -1:
                # acks=all end to end: the answer came after each leader's HW passed it.
                for p, _ in sizes:
                    hw = leader_hw(cl.broker(leaders[p]), p)
                    check(hw >= expect[p], "acks=all round %d: leader %d HW %d < %d"
                          % (rnd, leaders[p], hw, expect[p]))
            check(time.time() - t0 < 10, "round %d took %.1fs" % (rnd, time.time() - t0))
        # acks=0: no answer; the records still arrive at their leaders.
        for p in range(3):
            ks = keys_for(p, 2, "z")
            c.produce_send(0, [(TOPIC, -1, rp.make_batch([(k, b"zero") for k in ks]))])
            expect[p] += 2
    finally:
        c.close()


def check_placement(cl, leaders, expect, want_values=None):
    for p in range(3):
        recs = cl.wait("partition %d holds %d records" % (p, expect[p]),
                       lambda: (lambda r: r if len(r[0]) == expect[p] else None)(
                           fetch_all(cl.broker(leaders[p]), p)), timeout=15)[0]
        check_eq([o for o, _, _ in recs], list(range(expect[p])), "offsets of partition %d" % p)
        for o, k, v in recs:
            check(k is not None and part_of(k) == p,
                  "record %r at %d of partition %d: murmur2 says %d" % (k, o, p, part_of(k)))
        if want_values is not None:
            for o, k, v in recs:
                want_values.discard((k, v))


def cli_produce_consume(runnel, cl, leaders, entry, expect):
    lines = ["cli-%03d:line-%03d" % (i, i) for i in range(120)]
    rc, _, err = cli(runnel, entry.addr(), "produce", TOPIC, "--partitioner", "broker",
                     "--acks", "all", "--key-separator", ":", stdin="\n".join(lines) + "\n")
    check_eq(rc, 0, "runnel produce --partitioner broker: " + err)
    want = {(l.split(":")[0].encode(), l.split(":")[1].encode()) for l in lines}
    for k, _ in want:
        expect[part_of(k)] += 1
    check_placement(cl, leaders, expect, want)
    check_eq(want, set(), "CLI records missing from their murmur2 partitions")
    rc, out, err = cli(runnel, entry.addr(), "consume", TOPIC, "--from-beginning",
                       "--print-key", "--max-messages", str(sum(expect.values())),
                       "--timeout-ms", "5000")
    check_eq(rc, 0, "consume: " + err)
    got = set(out.split("\n"))
    for l in lines:
        check(l.replace(":", "\t") in got, "consume misses %s" % l)


def produce_key(b, p, acks, timeout_ms, tag):
    c = rp.Conn(b.port, timeout=30)
    try:
        t0 = time.time()
        r = c.produce(acks, [(TOPIC, -1, rp.make_batch([(keys_for(p, 1, tag)[0], b"x")]))],
                      timeout_ms=timeout_ms)
        return r["parts"][0], time.time() - t0
    finally:
        c.close()


def acks_all_waits(cl, leaders, entry):
    """acks=all end to end: with the third ISR member frozen the leader's HW cannot pass
    a forwarded batch, so acks=all gets REQUEST_TIMED_OUT while acks=1 is answered."""
    p = [q for q in range(3) if leaders[q] != entry.id][0]
    frozen = [b for b in cl.brokers if b.id not in (entry.id, leaders[p])][0]
    os.kill(frozen.proc.pid, signal.SIGSTOP)
    try:
        e, took = produce_key(entry, p, -1, 1000, "all")
        check_eq((e["index"], e["error_code"], e["base_offset"]), (p, TIMED_OUT, -1),
                 "forwarded acks=all with broker %d frozen" % frozen.id)
        check(0.9 < took < 5.0, "acks=all answered after %.1fs (timeout 1s)" % took)
        e, took = produce_key(entry, p, 1, 5000, "one")
        check_eq((e["index"], e["error_code"]), (p, NONE), "forwarded acks=1, follower frozen")
        check(e["base_offset"] >= 0 and took < 2.0, "acks=1: %r after %.1fs" % (e, took))
    finally:
        os.kill(frozen.proc.pid, signal.SIGCONT)
    cl.wait("every ISR full again", lambda: full_isr(cl), timeout=30)


def dead_leader(cl, leaders, entry):
    p = [q for q in range(3) if leaders[q] != entry.id][0]
    victim = cl.broker(leaders[p])
    # Frozen leader: the connection stays up, no answer comes.
    os.kill(victim.proc.pid, signal.SIGSTOP)
    try:
        e, took = produce_key(entry, p, 1, 1500, "stop")
        check_eq((e["index"], e["error_code"], e["base_offset"]), (p, TIMED_OUT, -1),
                 "forwarded to a frozen leader")
        check(1.2 < took < 5.0, "REQUEST_TIMED_OUT after %.1fs (timeout 1.5s)" % took)
    finally:
        os.kill(victim.proc.pid, signal.SIGCONT)
    # Dead leader: its connection breaks, the entry fails at once, retriably.
    victim.kill()
    e, took = produce_key(entry, p, 1, 10000, "dead")
    check_eq((e["index"], e["error_code"]), (p, NOT_LEADER), "forwarded to a dead leader")
    check(took < 5.0, "NOT_LEADER_OR_FOLLOWER after %.1fs" % took)

    # The client retries (as librunnel does) until the new leader takes it.
    def retried():
        e, _ = produce_key(entry, p, -1, 5000, "retry")
        return e if e["error_code"] == NONE else None
    e = cl.wait("a retry after the failover succeeds", retried, timeout=30)
    check_eq(e["index"], p, "retry's partition")
    victim.start()
    return p


def stop_while_waiting(cl, leaders, entry):
    """The entry broker stops while a forwarded entry waits for a frozen leader."""
    cl.wait("leaders settled", lambda: full_isr(cl), timeout=30)
    leaders = full_isr(cl)
    others = [q for q in range(3) if leaders[q] != entry.id]
    check(others, "some partition led elsewhere than broker %d: %r" % (entry.id, leaders))
    p = others[0]
    victim = cl.broker(leaders[p])
    os.kill(victim.proc.pid, signal.SIGSTOP)
    try:
        c = rp.Conn(entry.port, timeout=15)
        corr = c.produce_send(1, [(TOPIC, -1, rp.make_batch([(keys_for(p, 1, "s")[0], b"s")]))],
                              timeout_ms=30000)
        time.sleep(0.5)
        t0 = time.time()
        entry.proc.send_signal(signal.SIGTERM)
        r = c.produce_recv(corr)
        c.close()
        e = r["parts"][0]
        check_eq((e["index"], e["error_code"]), (p, NOT_LEADER), "answer while stopping")
        check(time.time() - t0 < 10, "answered %.1fs after SIGTERM" % (time.time() - t0))
        check_eq(entry.proc.wait(timeout=20), 0, "entry broker exit status")
    finally:
        os.kill(victim.proc.pid, signal.SIGCONT)


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=3000",
                                    "replica.lag.time.max.ms=3000"])
    try:
        cl.start()
        leaders, entry = setup(runnel, cl)
        expect = {0: 0, 1: 0, 2: 0}
        mixed_requests(cl, leaders, entry, expect)
        check_placement(cl, leaders, expect)
        cli_produce_consume(runnel, cl, leaders, entry, expect)
        acks_all_waits(cl, leaders, entry)
        dead_leader(cl, leaders, entry)
        stop_while_waiting(cl, leaders, entry)
    except BaseException:
        print(cluster_logs(cl))
        raise
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
