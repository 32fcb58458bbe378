"""Deleting a topic while producers write to it (issue 6, faults): three brokers
(auto.create.topics.enable=false, so the deleted topic stays deleted), topic `doomed`
(3 partitions, RF 3) and topic `other` (RF 3).

- A raw-protocol producer sends acks=all batches to the leader of doomed-0 in a loop
  while the topic is deleted: every answer is NONE (before) or a retriable "go away"
  code, and once the deletion is applied every broker answers a produce to it with
  UNKNOWN_TOPIC_OR_PARTITION (3) — never a crash, a hang or a dropped connection.
- `runnel produce doomed --acks all --delivery-timeout-ms 5000`, fed lines through a
  pipe across the deletion, exits 1 within its delivery timeout (plus slack) with one
  line on stderr naming the error and how many records were not acknowledged.
- Every broker keeps running and keeps serving topic `other`: records produced during
  and after the deletion are all consumed back."""
import os
import subprocess
import threading
import time

from rnlib import *
import rawproto

DOOMED, OTHER = "doomed", "other"
UNKNOWN_TOPIC_OR_PARTITION = 3
NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT = 6, 7


def leader_of(cl, topic, partition):
    view = cl.same_everywhere(topic)
    if not view or view[partition][1] <= 0:
        return None
    return cl.broker(view[partition][1])


class RawProducer(threading.Thread):
    """acks=all batches to one partition in a loop; records every answer's error code."""

    def __init__(self, port, topic, partition):
        threading.Thread.__init__(self, daemon=True)
        self.conn = rawproto.Conn(port, timeout=20)
        self.topic, self.partition = topic, partition
        self.codes, self.error, self.stop = [], None, threading.Event()

    def run(self):
        try:
            i = 0
            while not self.stop.is_set():
                batch = rawproto.make_batch([(None, b"raw-%d" % i)],
                                            base_ts=int(time.time() * 1000))
                r = self.conn.produce_one(self.topic, self.partition, batch, acks=-1)
                self.codes.append(r["error_code"])
                i += 1
                time.sleep(0.005)
        except Exception as e:  # a dropped connection or a timeout is a failure
            self.error = repr(e)
        finally:
            self.conn.close()


def feed(proc, stop, tag):
    """Write a line to proc's stdin every 5 ms until stop is set, then close it."""
    i = 0
    try:
        while not stop.is_set():
            proc.stdin.write("%s-%d\n" % (tag, i))
            proc.stdin.flush()
            i += 1
            time.sleep(0.005)
    except BrokenPipeError:
        pass
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass


def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, extra=["auto.create.topics.enable=false"])
    try:
        cl.start()
        for t, n in ((DOOMED, "3"), (OTHER, "1")):
            rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "create", t, "--partitions", n,
                                 "--replication-factor", "3")
            check_eq(rc, 0, "create %s: %s" % (t, err))
        cl.wait("leaders for both topics", lambda: leader_of(cl, DOOMED, 0) and
                leader_of(cl, OTHER, 0))
        lead = leader_of(cl, DOOMED, 0)
        c = rawproto.Conn(lead.port)
        rawproto.wait_for_topic(c, DOOMED, 1)  # partition 0, led here
        c.close()

        raw = RawProducer(lead.port, DOOMED, 0)
        cli = subprocess.Popen([runnel, "-b", cl.bootstrap(), "produce", DOOMED, "--acks", "all",
                                "--delivery-timeout-ms", "5000"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stop_feed = threading.Event()
        feeder = threading.Thread(target=feed, args=(cli, stop_feed, "cli"), daemon=True)
        other = subprocess.Popen([runnel, "-b", cl.bootstrap(), "produce", OTHER, "--acks", "all"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        stop_other = threading.Event()
        other_feeder = threading.Thread(target=feed, args=(other, stop_other, "other"),
                                        daemon=True)
        raw.start()
        feeder.start()
        other_feeder.start()
        time.sleep(1.0)  # producing to both topics

        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "delete", DOOMED)
        check_eq(rc, 0, "topic delete: " + err)
        t_deleted = time.time()

        def gone_everywhere():
            for b in cl.brokers:
                rc2 = rawproto.Conn(b.port)
                try:
                    r = rc2.produce_one(DOOMED, 0, rawproto.make_batch([(None, b"late")]))
                finally:
                    rc2.close()
                if r["error_code"] != UNKNOWN_TOPIC_OR_PARTITION:
                    return False
            return True
        cl.wait("every broker answers UNKNOWN_TOPIC_OR_PARTITION for " + DOOMED, gone_everywhere)
        time.sleep(1.0)  # the producers keep trying a while
        raw.stop.set()
        stop_feed.set()
        raw.join(30)
        check(not raw.is_alive(), "the raw producer hangs")
        check(raw.error is None, "raw producer: " + str(raw.error))
        codes = raw.codes
        check(codes and codes[0] == NONE, "the raw producer started with acks: %r" % codes[:5])
        check_eq(codes[-1], UNKNOWN_TOPIC_OR_PARTITION, "the raw producer's last answer")
        allowed = {NONE, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT}
        check(set(codes) <= allowed, "raw producer answers: %r" % sorted(set(codes)))
        first_unknown = codes.index(UNKNOWN_TOPIC_OR_PARTITION)
        check(all(x == UNKNOWN_TOPIC_OR_PARTITION for x in codes[first_unknown:]),
              "once unknown, always unknown: %r" % codes[first_unknown:first_unknown + 20])

        feeder.join(5)
        cli.stdin = None  # closed by the feeder
        try:
            out, err = cli.communicate(timeout=5 + 15)  # delivery timeout + slack
        except subprocess.TimeoutExpired:
            cli.kill()
            fail("runnel produce did not exit within its delivery timeout\n" + cluster_logs(cl))
        took = time.time() - t_deleted
        check_eq(cli.returncode, 1, "runnel produce exit status (stderr %r)" % err)
        lines = [ln for ln in err.strip().splitlines() if ln]
        check(lines and all(ln.startswith("runnel: ") for ln in lines),
              "runnel produce errors: %r" % err)
        check(any("UNKNOWN_TOPIC_OR_PARTITION" in ln or "unknown topic" in ln.lower()
                  for ln in lines), "the error names the unknown topic: %r" % err)
        check(any("not acknowledged" in ln or "not delivered" in ln for ln in lines),
              "the error says how many were not acknowledged: %r" % err)
        print("runnel produce exited 1 %.1fs after the deletion: %s" % (took, lines[-1]),
              flush=True)

        # `other` was never disturbed
        stop_other.set()
        other_feeder.join(5)
        other.stdin = None
        other_out, other_err = other.communicate(timeout=60)
        check_eq(other.returncode, 0, "producer of %s: %s" % (OTHER, other_err))
        rc, out, err = run_cli(runnel, cl.bootstrap(), "produce", OTHER, "--acks", "all",
                               stdin="after-1\nafter-2\n")
        check_eq(rc, 0, "produce to %s after the deletion: %s" % (OTHER, err))
        rc, out, err = run_cli(runnel, cl.bootstrap(), "consume", OTHER, "--from-beginning",
                               "--timeout-ms", "3000")
        check_eq(rc, 0, "consume " + OTHER + ": " + err)
        got = out.splitlines()
        check(got[-2:] == ["after-1", "after-2"] and len(got) > 10 and
              all(v.startswith("other-") for v in got[:-2]),
              "records of %s: %d, last %r" % (OTHER, len(got), got[-3:]))
        check(all(b.alive() for b in cl.brokers), "a broker exited:\n" + cluster_logs(cl))
        rc, out, _ = run_cli(runnel, cl.bootstrap(), "topic", "list")
        check_eq(out.split(), [OTHER], "topics after the deletion")
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
