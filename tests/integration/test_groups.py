"""Consumer groups end to end (issue 5): librunnel group members (group_consumer.c,
built next to runneld) against real runneld coordinators.

One broker:
  - two members on a 6-partition topic split it 3/3; a third joins: 2/2/2; one is
    killed (kill -9): its partitions move to the others within the session timeout;
  - with commits after processing (commit_sync after each record), every record is
    consumed at least once across the rebalances and no offset of any partition is
    skipped;
  - members closed (SIGTERM: rn_consumer_close) and a member restarted in the same
    group resumes at the committed offsets: its first record of each partition is the
    one after the last processed;
  - a new group with auto.offset.reset=earliest reads everything from offset 0 (data
    is kept after consumption); with latest only records produced after it joined;
  - auto commit: a member killed a second after reading everything (auto commit every
    300 ms) is succeeded by one starting right after its last record;
  - the roundrobin assignor when the members prefer it;
  - auto.offset.reset=none without commits: poll returns an error naming the partition;
    a session timeout below group.min.session.timeout.ms: poll reports the refusal.
Three brokers:
  - kill -9 the broker coordinating the group: the member finds the new coordinator,
    goes on consuming and committing, and a member started later resumes at the
    committed offsets (they survived the failover).
"""
import os
import signal
import subprocess
import threading
import time

from rnlib import *

API_FIND_COORDINATOR = 10
SESSION_MS = 6000  # the broker's group.min.session.timeout.ms default
MEMBER_CONF = ["session.timeout.ms=%d" % SESSION_MS, "heartbeat.interval.ms=500",
               "max.poll.interval.ms=15000", "auto.offset.reset=earliest"]
MANUAL = ["enable.auto.commit=false", "commit.each=true"]


class Member:
    """One group_consumer process; its output lines collected by a thread."""

    def __init__(self, driver, bootstrap, group, topic, *conf):
        self.name = "%s/%s" % (group, " ".join(conf))
        self.proc = subprocess.Popen([driver, bootstrap, "consume", group, topic] + list(conf),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.lock = threading.Lock()
        self.err = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err),
                         daemon=True).start()

    def _read(self, f, into):
        for line in f:
            with self.lock:
                into.append(line.rstrip("\n"))

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def records(self):
        """[(partition, offset, value)] in the order processed."""
        out = []
        for l in self.snapshot():
            f = l.split("\t")
            if f[0] == "R" and len(f) == 4:
                out.append((int(f[1]), int(f[2]), f[3]))
        return out

    def assignment(self):
        """The partitions assigned now (after the last callback), or None before the
        first assignment."""
        cur = None
        for l in self.snapshot():
            f = l.split("\t")
            if f[0] == "ASSIGNED":
                cur = sorted(int(p) for p in f[1].split(",") if p)
            elif f[0] == "REVOKED":
                cur = []
        return cur

    def errors(self):
        return [l for l in self.snapshot() if l.startswith("ERROR") or
                l.startswith("COMMIT_ERROR")]

    def describe(self):
        out = self.snapshot()
        recs = [l for l in out if l.startswith("R\t")]
        other = [l for l in out if not l.startswith("R\t")]
        per = {}
        for p, o, _ in self.records():
            per.setdefault(p, []).append(o)
        span = " ".join("%d:%d..%d(%d)" % (p, min(v), max(v), len(v))
                        for p, v in sorted(per.items()))
        return ("--- member %s (pid %d): %d records [%s]; other lines:\n%s\nlast records:\n%s"
                "\nstderr:\n%s" % (self.name, self.proc.pid, len(recs), span,
                                    "\n".join(other[-30:]), "\n".join(recs[-5:]),
                                    "\n".join(self.err[-20:])))

    def term(self, timeout=30):
        """SIGTERM: the member closes (commits, leaves) and exits 0."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("member did not close within %ds\n%s" % (timeout, self.describe()))
        time.sleep(0.1)  # the reader threads catch up
        check_eq(rc, 0, "member exit status\n" + self.describe())
        check("CLOSED" in self.snapshot(), "member printed CLOSED\n" + self.describe())

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(what, cond, members, timeout=30.0):
    deadline = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() >= deadline:
            fail("timed out after %.0fs waiting for %s\n%s" % (
                timeout, what, "\n".join(m.describe() for m in members)))
        time.sleep(0.1)


def produce(driver, bootstrap, topic, nparts, count, prefix):
    p = subprocess.run([driver, bootstrap, "produce", topic, str(nparts), str(count), prefix],
                       capture_output=True, text=True, timeout=120)
    check_eq(p.returncode, 0, "produce %s x%d: %s" % (prefix, count, p.stderr))
    return ["%s-%d" % (prefix, i) for i in range(count)]


def split(members, n):
    """The members' assignments when they are disjoint and cover 0..n-1, else None."""
    asg = [m.assignment() for m in members]
    if any(a is None for a in asg):
        return None
    flat = sorted(p for a in asg for p in a)
    return asg if flat == list(range(n)) else None


def no_gaps(members, nparts):
    """Per partition, the offsets processed by all members together: 0..max with none
    missing (at least once, none skipped)."""
    seen = {p: set() for p in range(nparts)}
    for m in members:
        for p, o, _ in m.records():
            seen[p].add(o)
    for p, offs in seen.items():
        if offs:
            missing = sorted(set(range(max(offs) + 1)) - offs)
            check(not missing, "partition %d: offsets %s never processed" % (p, missing[:10]))
    return {p: (max(o) if o else -1) for p, o in seen.items()}


def find_coordinator(port, group):
    c = Conn(port)
    try:
        r = c.request(API_FIND_COORDINATOR, 0, string(group) + i8(0))
        return r.i16(), r.nstr(), r.i32()
    finally:
        c.close()


def single_broker(runneld, driver):
    broker = Broker(runneld).start()
    members = []

    def member(group, *conf):
        m = Member(driver, bs, group, "t6", *(MEMBER_CONF + list(conf)))
        members.append(m)
        return m
    try:
        bs = "127.0.0.1:%d" % broker.port
        c = broker.conn()
        res = c.create_topics([("t6", 6, 1)])
        check_eq(res["topics"][0]["error"], NONE, "create t6")
        c.close()
        values = produce(driver, bs, "t6", 6, 600, "a")

        # Two members: 3/3. A third: 2/2/2.
        m1 = member("g1", *MANUAL)
        wait_for("m1 assigned all 6", lambda: m1.assignment() == list(range(6)), members)
        m2 = member("g1", *MANUAL)
        asg = wait_for("a 3/3 split", lambda: split([m1, m2], 6), members)
        check_eq(sorted(len(a) for a in asg), [3, 3], "two members split 3/3")
        m3 = member("g1", *MANUAL)
        t0 = time.time()
        asg = wait_for("a 2/2/2 split", lambda: split([m1, m2, m3], 6), members)
        print("third member: 2/2/2 %.2fs after it started" % (time.time() - t0), flush=True)
        check_eq(sorted(len(a) for a in asg), [2, 2, 2], "three members split 2/2/2")
        values += produce(driver, bs, "t6", 6, 300, "b")

        # kill -9 one: its partitions go to the others within the session timeout.
        wait_for("m3 consuming", lambda: len(m3.records()) > 0, members)
        m3.kill()
        t0 = time.time()
        asg = wait_for("the 2 survivors own all 6", lambda: split([m1, m2], 6), members,
                       timeout=SESSION_MS / 1000.0 + 15)
        moved = time.time() - t0
        check(moved <= SESSION_MS / 1000.0 + 5,
              "partitions moved %.1fs after the kill (session %dms)" % (moved, SESSION_MS))
        values += produce(driver, bs, "t6", 6, 300, "c")
        everyone = [m1, m2, m3]
        wait_for("every record consumed at least once",
                 lambda: set(values) <= set(v for m in everyone for _, _, v in m.records()),
                 members, timeout=60)
        last = no_gaps(everyone, 6)
        for m in everyone:
            check(not [e for e in m.errors() if e.startswith("ERROR")],
                  "no poll errors\n" + m.describe())

        # Close both (the first to close leaves the group: the other gets its
        # partitions at once, not after a session timeout); a restarted member resumes
        # at the committed offsets.
        m1.term()
        t0 = time.time()
        wait_for("m2 owns all 6 after m1 left", lambda: m2.assignment() == list(range(6)),
                 members, timeout=SESSION_MS / 1000.0 + 10)
        left = time.time() - t0
        check(left < SESSION_MS / 2000.0, "m1's partitions moved %.1fs after it closed: "
              "LeaveGroup, not the session timeout" % left)
        m2.term()
        new = produce(driver, bs, "t6", 6, 60, "d")
        m4 = member("g1", *MANUAL)
        wait_for("m4 reads the 60 new records",
                 lambda: set(new) <= set(v for _, _, v in m4.records()), members)
        firsts = {}
        for p, o, v in m4.records():
            firsts.setdefault(p, o)
        check_eq(firsts, {p: last[p] + 1 for p in range(6)},
                 "the restarted member's first offsets (committed = last processed + 1)")
        check_eq(len(m4.records()), 60, "nothing read twice after a clean close")
        m4.term()
        total = len(values) + len(new)

        # A new group, earliest: everything from offset 0; latest: only new records.
        # The earliest one auto-commits every 300 ms: killed (no close) a second after
        # it has read everything, its successor starts right after the last record.
        m5 = member("g-earliest", "auto.commit.interval.ms=300")
        wait_for("earliest reads all %d" % total, lambda: len(m5.records()) >= total, members)
        check_eq(sorted(v for _, _, v in m5.records()), sorted(values + new),
                 "a new group with earliest reads every record once")
        last5 = no_gaps([m5], 6)
        time.sleep(1.0)
        m5.kill()
        more = produce(driver, bs, "t6", 6, 12, "f")
        m5b = member("g-earliest")
        wait_for("the successor reads the 12 new", lambda: set(more) <= set(
            v for _, _, v in m5b.records()), members)
        firsts = {}
        for p, o, v in m5b.records():
            firsts.setdefault(p, o)
        check_eq(firsts, {p: last5[p] + 1 for p in range(6)},
                 "auto commit: the successor of a killed member resumes after its last record")
        m5b.term()
        m6 = member("g-latest", "auto.offset.reset=latest")
        wait_for("latest assigned", lambda: m6.assignment() == list(range(6)), members)
        time.sleep(1.0)  # the positions resolve to the high watermarks
        fresh = produce(driver, bs, "t6", 6, 30, "e")
        wait_for("latest reads the 30 new", lambda: len(m6.records()) >= 30, members)
        time.sleep(0.5)
        check_eq(sorted(v for _, _, v in m6.records()), sorted(fresh),
                 "a new group with latest reads only what came after it joined")
        m6.term()

        # roundrobin preferred by both members: the leader deals 0,2,4 / 1,3,5.
        rr = ["partition.assignment.strategy=roundrobin,range"]
        r1, r2 = member("g-rr", *rr), member("g-rr", *rr)
        asg = wait_for("a roundrobin split", lambda: split([r1, r2], 6), members)
        check_eq(sorted(asg), [[0, 2, 4], [1, 3, 5]], "roundrobin assignment")
        r1.term()
        r2.term()

        # none, nothing committed: an error naming the partition.
        m7 = member("g-none", "auto.offset.reset=none")
        errs = wait_for("errors for none", lambda: [e for e in m7.errors()
                                                   if e.startswith("ERROR")], members)
        check(any("t6-" in e and "auto.offset.reset is none" in e for e in errs),
              "the error names the partition and the reason: %s" % errs)
        check_eq(m7.records(), [], "nothing consumed with none")
        m7.term()

        # A session timeout the broker refuses: poll says so (once), naming the group.
        m8 = member("g-bad", "session.timeout.ms=1000")
        errs = wait_for("INVALID_SESSION_TIMEOUT", lambda: [e for e in m8.errors()
                                                           if e.startswith("ERROR")], members)
        check(errs[0].startswith("ERROR\t26\t") and "group g-bad: JoinGroup" in errs[0],
              "the refused join is reported: %s" % errs)
        m8.term()
    finally:
        for m in members:
            m.cleanup()
        broker.cleanup()


def coordinator_failover(runneld, driver):
    cl = Cluster(runneld, n=3).start()
    members = []
    try:
        bs = cl.bootstrap()

        def create():  # RF 3 needs all three brokers registered with the controller
            ctl = cl.metadata(cl.brokers[0])["controller_id"]
            c = Conn(cl.broker(ctl).port)
            try:
                return c.create_topics([("r6", 6, 3)])["topics"][0]["error"] == NONE
            finally:
                c.close()
        cl.wait("r6 created with RF 3", create)
        cl.wait("r6 everywhere", lambda: cl.same_everywhere("r6", 6))
        values = produce(driver, bs, "r6", 6, 300, "a")
        m1 = Member(driver, bs, "gf", "r6", *(MEMBER_CONF + MANUAL))
        members.append(m1)
        wait_for("m1 reads 300", lambda: len(m1.records()) >= 300, members, timeout=60)

        def coordinator():
            for b in cl.brokers:
                if b.alive():
                    try:
                        err, _, node = find_coordinator(b.port, "gf")
                    except (OSError, EOFError):
                        continue
                    if err == NONE and node >= 0:
                        return node
            return None
        coord = wait_for("the coordinator of gf", coordinator, members)
        # Committed offsets survive a failover once replicated: every offsets partition
        # with its full ISR (3) first.
        cl.wait("__consumer_offsets fully in sync", lambda: (lambda ps: ps and all(
            len(p[4]) == 3 for p in ps))(cl.partitions(cl.broker(coord), "__consumer_offsets")),
            timeout=30)
        cl.broker(coord).kill()
        new_coord = wait_for("a new coordinator", lambda: (lambda n: n if n and n != coord
                                                           else None)(coordinator()),
                             members, timeout=60)
        check(new_coord != coord, "coordinator moved from %d" % coord)
        values += produce(driver, bs, "r6", 6, 300, "b")
        wait_for("m1 reads all 600", lambda: set(values) <= set(v for _, _, v in m1.records()),
                 members, timeout=90)
        last = no_gaps([m1], 6)
        m1.term()
        new = produce(driver, bs, "r6", 6, 30, "c")
        m2 = Member(driver, bs, "gf", "r6", *(MEMBER_CONF + MANUAL))
        members.append(m2)
        wait_for("m2 reads the 30 new", lambda: set(new) <= set(v for _, _, v in m2.records()),
                 members, timeout=60)
        firsts = {}
        for p, o, v in m2.records():
            firsts.setdefault(p, o)
        check_eq(firsts, {p: last[p] + 1 for p in range(6)},
                 "after the coordinator failover the committed offsets survived")
        m2.term()
    finally:
        for m in members:
            m.cleanup()
        if os.environ.get("RN_KEEP_LOGS"):
            print(cluster_logs(cl))
        cl.cleanup()


def main(runneld):
    driver = os.path.join(os.path.dirname(runneld), "group_consumer")
    check(os.access(driver, os.X_OK), "group_consumer next to runneld: " + driver)
    single_broker(runneld, driver)
    coordinator_failover(runneld, driver)


if __name__ == "__main__":
    run(main)
