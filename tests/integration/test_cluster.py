"""Three brokers, three voters, on loopback: the metadata quorum elects one controller;
every broker serves the same metadata; topics spread their leaders; a killed broker is
fenced after broker.session.timeout.ms, leaves every ISR and its partitions move to
the next ISR member (followers join the ISR once caught up); a restarted one is
unfenced and rejoins the ISRs; a killed
controller is replaced within seconds, metadata intact; the CLI produces and consumes
with one dead address among its bootstrap servers."""
import os
import subprocess
import time

from rnlib import *

SESSION_MS = 1500


def cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def status(runnel, cl, quorum=None):
    """{id: (status, is_controller)} from `runnel cluster status`, or None; the fields
    of its Quorum line go into the dict quorum when one is given."""
    rc, out, _ = cli(runnel, cl.bootstrap(), "cluster", "status", timeout=20)
    if rc != 0:
        return None
    st = {}
    for line in out.splitlines():
        if line.startswith("Quorum: "):
            if quorum is not None:
                quorum.update(x.split(": ", 1) for x in line[len("Quorum: "):].split("\t"))
            continue
        f = dict(x.split(": ", 1) for x in line.split("\t"))
        st[int(f["Broker"])] = (f["Status"], f["Controller"] == "yes")
    return st


def quorum_led_by(runnel, cl, ctl):
    """The Quorum line's fields once its leader is the broker with Controller: yes."""
    q = {}
    st = status(runnel, cl, q)
    return q if st and controller(st) == ctl and q.get("Leader") == str(ctl) else None


def controller(st):
    ids = [i for i, (_, c) in (st or {}).items() if c]
    return ids[0] if len(ids) == 1 else None






def main(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 3, extra=["broker.session.timeout.ms=%d" % SESSION_MS])
    try:
        cl.start()
        st = cl.wait("3 alive brokers and one controller",
                     lambda: (lambda s: s if s and len(s) == 3 and controller(s) and
                              all(v[0] == "alive" for v in s.values()) else None)(
                         status(runnel, cl)))
        ctl = controller(st)
        ids = set(m["controller_id"] for m in (cl.metadata(b) for b in cl.brokers))
        check_eq(ids, {ctl}, "controller named by every broker")
        q = cl.wait("the quorum led by the controller", lambda: quorum_led_by(runnel, cl, ctl))
        check_eq(sorted(q), ["HighWatermark", "Leader", "Observers", "Term", "Voters"],
                 "quorum fields")
        check_eq((q["Voters"], q["Observers"]), ("1,2,3", ""), "quorum members")
        check(int(q["Term"]) >= 1 and int(q["HighWatermark"]) >= 1, "quorum term/HW: %s" % q)

        # A topic of 3 partitions, RF 3: three leaders, the same view everywhere.
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "orders",
                         "--partitions", "3", "--replication-factor", "3")
        check_eq(rc, 0, "topic create orders: " + err)
        view = cl.wait("the same metadata for orders from every broker",
                       lambda: cl.same_everywhere("orders"))
        check_eq(sorted(p[1] for p in view), [1, 2, 3], "leaders of orders")
        for p in view:
            check_eq(len(p[3]), 3, "replicas of partition %d" % p[0])
            check(p[1] in p[4], "ISR of partition %d holds its leader" % p[0])
        view = cl.wait("every follower of orders in the ISR",
                       lambda: (lambda v: v if v and all(len(p[4]) == 3 for p in v) else None)(
                           cl.same_everywhere("orders")))
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "big",
                         "--replication-factor", "4")
        check(rc == 1 and "INVALID_REPLICATION_FACTOR" in err and "3 live brokers" in err,
              "RF 4 on 3 brokers refused clearly: rc %d: %s" % (rc, err))

        # kill -9 a broker that is not the controller: fenced, its partition offline.
        victim = [b for b in cl.brokers if b.id != ctl][0]
        led = [p[0] for p in view if p[1] == victim.id]
        victim.kill()
        t0 = time.time()
        cl.wait("broker %d fenced" % victim.id,
                lambda: (status(runnel, cl) or {}).get(victim.id, ("",))[0] == "fenced")
        fenced_after = time.time() - t0
        check(fenced_after >= SESSION_MS / 1000.0 - 0.5,
              "fenced after %.1fs, not before the session timeout" % fenced_after)
        view2 = cl.wait("orders' view after fencing",
                        lambda: (lambda v: v if v and v != view else None)(
                            cl.same_everywhere("orders")))
        view2 = cl.wait("orders without broker %d in any ISR" % victim.id,
                        lambda: (lambda v: v if v and all(victim.id not in p[4] for p in v)
                                 else None)(cl.same_everywhere("orders")))
        for p in view2:
            was = [q for q in view if q[0] == p[0]][0]
            if p[0] in led:
                check(p[1] not in (-1, victim.id) and p[1] in was[4] and p[2] == 1,
                      "partition %d of the fenced leader: the next ISR member leads, epoch "
                      "bumped: %r" % (p[0], p))
            else:
                check_eq((p[1], p[2]), (was[1], was[2]), "partition %d keeps its leader" % p[0])

        # The CLI with a dead address among its bootstrap servers.
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "live",
                         "--partitions", "2", "--replication-factor", "2")
        check_eq(rc, 0, "topic create live with a broker down: " + err)
        cl.wait("live everywhere", lambda: cl.same_everywhere("live"))
        lines = "".join("record-%d\n" % i for i in range(200))
        rc, _, err = cli(runnel, cl.bootstrap(), "produce", "live", "--acks", "all",
                         stdin=lines)
        check_eq(rc, 0, "produce with one dead bootstrap address: " + err)
        rc, out, err = cli(runnel, cl.bootstrap(), "consume", "live", "--from-beginning",
                           "--max-messages", "200", "--timeout-ms", "5000")
        check_eq(rc, 0, "consume: " + err)
        check_eq(sorted(out.split()), sorted(lines.split()), "records consumed")

        # It comes back: unfenced, and it leads its partition again.
        victim.start()
        cl.wait("broker %d alive again" % victim.id,
                lambda: (status(runnel, cl) or {}).get(victim.id, ("",))[0] == "alive")
        cl.wait("broker %d back in every ISR of orders" % victim.id,
                lambda: (lambda v: v if v and all(victim.id in p[4] for p in v) else None)(
                    cl.same_everywhere("orders")))

        # kill -9 the controller: another one within seconds, metadata intact.
        cl.broker(ctl).kill()
        t0 = time.time()
        st = cl.wait("a new controller",
                     lambda: (lambda s: s if controller(s) not in (None, ctl) else None)(
                         status(runnel, cl)), timeout=10)
        print("new controller %d after %.1fs" % (controller(st), time.time() - t0), flush=True)
        q2 = cl.wait("the quorum led by the new controller",
                     lambda: quorum_led_by(runnel, cl, controller(st)))
        check(int(q2["Term"]) > int(q["Term"]) and q2["Voters"] == "1,2,3",
              "quorum after failover: %s (was %s)" % (q2, q))
        rc, out, err = cli(runnel, cl.bootstrap(), "topic", "list")
        check_eq((rc, out.split()), (0, ["live", "orders"]), "topics after failover: " + err)
        rc, _, err = cli(runnel, cl.bootstrap(), "topic", "create", "after",
                         "--partitions", "2", "--replication-factor", "2")
        check_eq(rc, 0, "topic create after the controller died: " + err)
        cl.wait("after everywhere", lambda: cl.same_everywhere("after"))
        for b in cl.brokers:
            if b.alive():
                check_eq(b.stop(), 0, "broker %d exit status" % b.id)
    finally:
        cl.cleanup()


if __name__ == "__main__":
    run(main)
