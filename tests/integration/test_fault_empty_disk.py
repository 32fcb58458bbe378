"""A broker that comes back, within the session timeout, with an empty disk (kill -9,
data dir deleted, restarted 1 s later, long before the controller would fence it for
silence). Three brokers, RF 3, min.insync.replicas=2, 3,000 records acknowledged with
acks=all; the victim leads a partition and is in every ISR.

Before the fix the restarted broker kept its leadership with an empty log and the
followers truncated their copies to it: acknowledged records were lost. Now a broker
process that has just started is fenced by the controller on its first heartbeat
(BrokerHeartbeat v2 `starting`): it loses its leaderships and ISR memberships, copies
everything back from the new leaders, rejoins the ISRs, and every acknowledged record
is still there."""
import os
import shutil
import time

from rnlib import *

TOPIC = "ed"
N = 3000


def main(build):
    runneld = os.path.join(build, "runneld")
    runnel = os.path.join(build, "runnel")
    t0 = time.time()
    cl = Cluster(runneld, 3, extra=["replica.lag.time.max.ms=3000"])  # session: 9000 default
    try:
        cl.start()
        cl.wait("3 brokers alive", lambda: run_cli(runnel, cl.bootstrap(), "cluster", "status")[1]
                .count("Status: alive") == 3, timeout=20)
        rc, _, err = run_cli(runnel, cl.bootstrap(), "topic", "create", TOPIC, "--partitions",
                             "3", "--replication-factor", "3", "--config",
                             "min.insync.replicas=2")
        check_eq(rc, 0, "topic create: " + err)
        cl.wait("full ISR", lambda: (lambda v: v if v and all(len(p[4]) == 3 for p in v)
                                     else None)(cl.same_everywhere(TOPIC, 3)), timeout=20)
        lines = "".join("r-%05d\n" % i for i in range(N))
        rc, _, err = run_cli(runnel, cl.bootstrap(), "produce", TOPIC, "--acks", "all",
                             stdin=lines)
        check_eq(rc, 0, "produce %d records with acks=all: %s" % (N, err))
        view = cl.same_everywhere(TOPIC, 3)
        ctl = cl.metadata(cl.brokers[0])["controller_id"]
        victim = [cl.broker(p[1]) for p in view if p[1] != ctl][0]
        led = [p[0] for p in view if p[1] == victim.id]
        victim.kill()
        shutil.rmtree(os.path.join(victim.dir, "data"))
        time.sleep(1.0)
        victim.start()
        t_back = time.time()
        cl.wait("broker %d back in every ISR" % victim.id,
                lambda: (lambda v: v if v and all(victim.id in p[4] for p in v) else None)(
                    cl.same_everywhere(TOPIC, 3)), timeout=40)
        after = cl.same_everywhere(TOPIC, 3)
        for p in led:
            check(after[p][2] > view[p][2],
                  "partition %d (led by broker %d before) changed leader epoch: %r -> %r"
                  % (p, victim.id, view[p], after[p]))
        print("broker %d back in every ISR %.1fs after its restart with an empty disk"
              % (victim.id, time.time() - t_back), flush=True)
        rc, out, err = run_cli(runnel, cl.bootstrap(), "consume", TOPIC, "--from-beginning",
                               "--max-messages", str(N), "--timeout-ms", "5000")
        check_eq(rc, 0, "consume: " + err)
        got = set(out.split())
        missing = set(lines.split()) - got
        check(not missing, "%d of %d acknowledged records lost, e.g. %s"
              % (len(missing), N, sorted(missing)[:3]))
        for p in range(3):
            copies = {partition_log_bytes(b, TOPIC, p) for b in cl.brokers}
            check(len(copies) == 1, "partition %d: the three copies are identical" % p)
        print("ok: all %d acknowledged records kept (%.1fs)" % (N, time.time() - t0))
    finally:
        cl.cleanup()


if __name__ == "__main__":
    main(sys.argv[1])
