"""Four brokers, three voters, on loopback: broker 4 is not in controller.quorum.voters
and knows only controller.bootstrap.servers. It finds the controller through them,
registers, becomes a libraft standby member (replicates the metadata log, never
votes), is shown alive, follows the metadata, hosts and serves its partitions, keeps
its metadata when the controller is killed (a voter, never broker 4, takes over) and
comes back after a restart."""
import os
import time

from rnlib import *
from test_cluster import cli, status, controller

SESSION_MS = 1500


def all_alive(runnel, cl, n):
    s = status(runnel, cl)
    if s and len(s) == n and controller(s) and all(v[0] == "alive" for v in s.values()):
        return s
    return None


def main(runneld):
    t_start = time.time()
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 4, voters=3, extra=["broker.session.timeout.ms=%d" % SESSION_MS])
    b4 = cl.broker(4)
    b4.extra.append("controller.bootstrap.servers=" +
                    ",".join(b.addr() for b in cl.brokers[:3]))
    try:
        cl.start()
        st = cl.wait("4 alive brokers and one controller", lambda: all_alive(runnel, cl, 4))
        ctl = controller(st)
        check(ctl in (1, 2, 3), "the controller is a voter: %s" % ctl)
        check_eq(cl.metadata(b4)["controller_id"], ctl, "controller named by broker 4")
        check("as a standby" in cl.broker(ctl).log(), "the controller made broker 4 a standby")

        # A topic created after broker 4 joined: it hosts one of the four partitions.
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "four",
                         "--partitions", "4", "--replication-factor", "1")
        check_eq(rc, 0, "topic create four: " + err)
        view = cl.wait("four as broker 4 serves it, the same as broker %d's" % ctl,
                       lambda: (lambda v: v if v and v == cl.partitions(cl.broker(ctl), "four")
                                else None)(cl.partitions(b4, "four")))
        check_eq(sorted(p[1] for p in view), [1, 2, 3, 4], "leaders of four")
        p4 = [p[0] for p in view if p[1] == 4][0]

        # Broker 4 serves produce and fetch for its partition.
        lines = "".join("standby-%d\n" % i for i in range(100))
        rc, _, err = cli(runnel, b4.addr(), "produce", "four", "--partition", str(p4),
                         "--acks", "all", stdin=lines)
        check_eq(rc, 0, "produce to partition %d on broker 4: %s" % (p4, err))
        rc, out, err = cli(runnel, b4.addr(), "consume", "four", "--partition", str(p4),
                           "--from-beginning", "--max-messages", "100", "--timeout-ms", "5000")
        check_eq(rc, 0, "consume partition %d from broker 4: %s" % (p4, err))
        check_eq(out.split(), lines.split(), "records of partition %d" % p4)

        # A restart of the standby: it is in the quorum's configuration already.
        check_eq(b4.stop(), 0, "broker 4 exit status")
        b4.start()
        cl.wait("broker 4 back with its metadata",
                lambda: cl.partitions(b4, "four") and
                (status(runnel, cl) or {}).get(4, ("",))[0] == "alive", timeout=15)
        # Its SIGTERM was a controlled shutdown: its partition (RF 1) went offline at a
        # new epoch and came back to it at another one; nothing else changed.
        after = cl.wait("broker 4 leads its partition again",
                        lambda: (lambda v: v if v and v[p4][1] == 4 else None)(
                            cl.partitions(b4, "four")), timeout=15)
        check_eq([p[:2] + p[3:] for p in after], [p[:2] + p[3:] for p in view],
                 "four on broker 4 after its restart (leaders, replicas, ISR)")
        check(after[p4][2] > view[p4][2], "partition %d's leader epoch moved on" % p4)
        check_eq([p[2] for i, p in enumerate(after) if i != p4],
                 [p[2] for i, p in enumerate(view) if i != p4], "other partitions' epochs")
        rc, out, err = cli(runnel, b4.addr(), "consume", "four", "--partition", str(p4),
                           "--from-beginning", "--max-messages", "100", "--timeout-ms", "5000")
        check_eq((rc, out.split()), (0, lines.split()), "records after the restart: " + err)

        # kill -9 the controller: another voter takes over, never broker 4, and broker 4
        # keeps its metadata and follows the new controller's log.
        cl.broker(ctl).kill()
        t0 = time.time()
        st = cl.wait("a new controller",
                     lambda: (lambda s: s if controller(s) not in (None, ctl) else None)(
                         status(runnel, cl)), timeout=10)
        new_ctl = controller(st)
        print("new controller %d after %.1fs" % (new_ctl, time.time() - t0), flush=True)
        check(new_ctl in (1, 2, 3), "the new controller is a voter: %d" % new_ctl)
        # (leaders may move once the old controller is fenced; the assignment stays)
        check_eq([(p[0], p[3]) for p in cl.partitions(b4, "four") or []],
                 [(p[0], p[3]) for p in view], "four on broker 4 after the failover")
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "later",
                         "--partitions", "2", "--replication-factor", "1")
        check_eq(rc, 0, "topic create later: " + err)
        cl.wait("later on broker 4", lambda: cl.partitions(b4, "later"))
        check("(this broker)" not in b4.log(), "broker 4 never became controller")

        for b in cl.brokers:
            if b.alive():
                check_eq(b.stop(), 0, "broker %d exit status" % b.id)
        print("standby test took %.1fs" % (time.time() - t_start), flush=True)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
