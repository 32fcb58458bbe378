"""Partition growth under a consumer group (issue 6): two members of a group share a
topic of 2 partitions (one each); `runnel topic alter --partitions 4` adds two; within
metadata.max.age.ms (1 s here) the group's leader sees the new count and rejoins, the
group rebalances, every partition 0..3 is assigned exactly once (two each), and records
produced to the new partitions are consumed."""
import os
import subprocess
import time

from rnlib import *
from test_groups import Member

CONF = ["session.timeout.ms=6000", "heartbeat.interval.ms=500", "metadata.max.age.ms=1000",
        "auto.offset.reset=earliest", "auto.commit.interval.ms=300"]


def assigned(members, want):
    a = [m.assignment() for m in members]
    if any(x is None for x in a):
        return None
    flat = sorted(p for x in a for p in x)
    return a if flat == want and all(len(x) == len(want) // len(members) for x in a) else None


def main(build):
    runneld = os.path.join(build, "runneld")
    runnel = os.path.join(build, "runnel")
    driver = os.path.join(build, "group_consumer")
    t0 = time.time()
    b = Broker(runneld).start()
    boot = "127.0.0.1:%d" % b.port
    members = []
    try:
        rc = subprocess.run([runnel, "-b", boot, "topic", "create", "grow", "--partitions", "2"],
                            capture_output=True, text=True, timeout=30)
        check_eq(rc.returncode, 0, "topic create: " + rc.stderr)
        members = [Member(driver, boot, "gg", "grow", *CONF) for _ in range(2)]
        deadline = time.time() + 30
        while not assigned(members, [0, 1]):
            check(time.time() < deadline, "2 members, 2 partitions: one each: %r"
                  % [m.assignment() for m in members])
            time.sleep(0.1)
        rc = subprocess.run([runnel, "-b", boot, "topic", "alter", "grow", "--partitions", "4"],
                            capture_output=True, text=True, timeout=30)
        check_eq(rc.returncode, 0, "topic alter --partitions 4: " + rc.stderr)
        t_grow = time.time()
        while not assigned(members, [0, 1, 2, 3]):
            check(time.time() - t_grow < 20, "after growth, two partitions each of 0..3: %r"
                  % [m.assignment() for m in members])
            time.sleep(0.1)
        print("rebalanced onto the new partitions %.1fs after the growth"
              % (time.time() - t_grow), flush=True)
        rc = subprocess.run([driver, boot, "produce", "grow", "4", "40", "g"],
                            capture_output=True, text=True, timeout=60)
        check_eq(rc.returncode, 0, "produce to all 4 partitions: " + rc.stderr)
        deadline = time.time() + 20
        while True:
            got = {(p, v) for m in members for p, _, v in m.records()}
            if len({v for _, v in got}) >= 40:
                break
            check(time.time() < deadline, "all 40 records consumed (got %d)" % len(got))
            time.sleep(0.1)
        parts = {p for p, _ in got}
        check_eq(sorted(parts), [0, 1, 2, 3], "records consumed from every partition")
        print("ok (%.1fs)" % (time.time() - t0))
    finally:
        for m in members:
            m.proc.kill()
            m.proc.wait()
        b.stop()
        b.cleanup()


if __name__ == "__main__":
    main(sys.argv[1])
