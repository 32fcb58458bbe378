"""librunnel end to end against a real runneld: keyed and keyless 100,000-record runs
over 4 partitions, acks 0/1/all, gzip, the broker partitioner agreeing with the
client's hash, consumer batches (held messages, a seek mid-batch), admin calls, and
an unreachable bootstrap address failing records instead of hanging. The C side is client_e2e.c (built next
to runneld as client_e2e); this script starts the broker and runs each case."""
import os
import subprocess

from rnlib import *


def run_case(driver, bootstrap, case, timeout=240):
    p = subprocess.run([driver, bootstrap, case], capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        fail("client_e2e %s: exit %d\n%s%s" % (case, p.returncode, p.stdout, p.stderr))
    return p.stdout


def main(runneld):
    driver = os.path.join(os.path.dirname(runneld), "client_e2e")
    check(os.access(driver, os.X_OK), "client_e2e next to runneld: " + driver)
    broker = Broker(runneld).start()
    try:
        bootstrap = "127.0.0.1:%d" % broker.port
        for case in ["admin", "acks", "consumer", "keyed", "keyless", "broker"]:
            run_case(driver, bootstrap, case)
        # A port where nothing listens: the broker's own port after it has stopped.
        check_eq(broker.stop(), 0, "runneld exit status")
        out = run_case(driver, bootstrap, "timeout")
        check(bootstrap in out, "error names the address: " + out)
    finally:
        broker.cleanup()


if __name__ == "__main__":
    run(main)
