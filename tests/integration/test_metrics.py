"""metrics.listener: Prometheus text at GET /metrics (docs/operations.md "Metrics").

One broker with metrics.listener on a free port and log.flush.interval.messages=1:
- raw Produce requests (and one to a partition that does not exist), a Fetch, an
  offset commit by a group whose id needs escaping; then GET /metrics answers 200
  text/plain; version=0.0.4 with every family (HELP and TYPE), values that match what
  was done (requests and errors by API, latency counts, log end offset, HW, size, lag,
  fsync rounds, bytes, connections, controller), and `promtool check metrics` accepts
  the body (skipped, saying so, only when promtool is not installed);
- POST /metrics -> 405 with Allow: GET, HEAD /metrics -> 405, GET /other -> 404,
  garbage -> 400, a 100 KiB header -> 400 (or a close), a client that goes away
  mid-head, more connections than the limit -> the extra ones are closed at once;
  after all that the broker still answers Produce and GET /metrics;
- a second broker asked to serve metrics on the same port does not start (exit 1,
  one line naming metrics.listener and the address);
- SIGTERM still stops the broker cleanly (exit 0).
Three brokers (replica.lag.time.max.ms=1500): exactly one reports
runnel_active_controller 1; the leader of an RF-3 partition counts the ISR expansions;
kill -9 a follower: the leader reports the partition under-replicated and an ISR shrink,
the controller no offline partition; the follower restarts: under-replicated goes back
to 0; promtool accepts every broker's output.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawproto as rp  # noqa: E402
from rnlib import *  # noqa: E402,F401,F403

FAMILIES = {
    "runnel_build_info": "gauge",
    "runnel_connections": "gauge",
    "runnel_connections_accepted_total": "counter",
    "runnel_bytes_in_total": "counter",
    "runnel_bytes_out_total": "counter",
    "runnel_requests_total": "counter",
    "runnel_request_errors_total": "counter",
    "runnel_request_latency_seconds": "histogram",
    "runnel_requests_rejected_total": "counter",
    "runnel_partitions": "gauge",
    "runnel_leader_partitions": "gauge",
    "runnel_under_replicated_partitions": "gauge",
    "runnel_storage_error_partitions": "gauge",
    "runnel_offline_partitions": "gauge",
    "runnel_active_controller": "gauge",
    "runnel_isr_shrinks_total": "counter",
    "runnel_isr_expands_total": "counter",
    "runnel_partition_log_start_offset": "gauge",
    "runnel_partition_log_end_offset": "gauge",
    "runnel_partition_high_watermark": "gauge",
    "runnel_partition_size_bytes": "gauge",
    "runnel_log_flush_latency_seconds": "histogram",
    "runnel_log_flush_errors_total": "counter",
    "runnel_groups": "gauge",
    "runnel_group_lag": "gauge",
    "runnel_metrics_connections_rejected_total": "counter",
}

GROUP = 'metrics "g"\\1'  # a quote and a backslash: the label value must be escaped


# ---- HTTP and the exposition format --------------------------------------------------------

def http(port, data, timeout=10.0):
    """Send data, read until the broker closes; the raw answer (b"" when it closed
    without one). A reset after the answer is fine."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def split_answer(raw):
    """(status, {header: value}, body) of an HTTP answer."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    check(sep, "no end of head in the answer: %r" % raw[:300])
    lines = head.decode().split("\r\n")
    parts = lines[0].split(" ", 2)
    check(len(parts) >= 2 and parts[0] == "HTTP/1.1", "status line %r" % lines[0])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        check_eq(len(body), int(headers["content-length"]), "body length vs Content-Length")
    return int(parts[1]), headers, body


def unescape(s):
    out, i = "", 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out += {"n": "\n", "\\": "\\", '"': '"'}.get(s[i + 1], s[i + 1])
            i += 2
        else:
            out += s[i]
            i += 1
    return out


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(body):
    """(types {family: type}, helps {family}, samples [(name, {labels}, value)])."""
    types, helps, samples = {}, set(), []
    for ln in body.decode().splitlines():
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split(" ", 3)
            types[name] = typ
        elif ln.startswith("# HELP "):
            helps.add(ln.split(" ", 3)[2])
        elif ln and not ln.startswith("#"):
            m = SAMPLE.match(ln)
            check(m is not None, "sample line does not parse: %r" % ln)
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(3) or "")}
            samples.append((m.group(1), labels, float(m.group(4))))
    return types, helps, samples


class Scrape:
    def __init__(self, port):
        status, headers, body = split_answer(http(port, b"GET /metrics HTTP/1.1\r\n"
                                                  b"Host: test\r\nAccept: */*\r\n\r\n"))
        check_eq(status, 200, "GET /metrics status")
        check_eq(headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8",
                 "Content-Type")
        self.body = body
        self.types, self.helps, self.samples = parse(body)

    def get(self, name, **labels):
        """The value of the one sample name{labels...} (a subset match), or None."""
        found = [v for n, ls, v in self.samples
                 if n == name and all(ls.get(k) == str(w) for k, w in labels.items())]
        check(len(found) <= 1, "%s%r matches %d samples" % (name, labels, len(found)))
        return found[0] if found else None

    def value(self, name, **labels):
        v = self.get(name, **labels)
        check(v is not None, "no sample %s%r in:\n%s" % (name, labels, self.body.decode()[:3000]))
        return v


def promtool_check(body, who):
    promtool = shutil.which("promtool")
    if promtool is None:
        print("SKIP promtool check (%s): promtool is not installed (Debian package "
              "`prometheus`; scripts/deps.sh installs it)" % who, flush=True)
        return
    p = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                       timeout=60)
    check(p.returncode == 0, "promtool check metrics (%s) failed: %s%s" %
          (who, p.stdout.decode(), p.stderr.decode()))


def free_port():
    while True:
        p = pick_ports()[0]
        if port_free(p):
            return p


class MetricsBroker(Broker):
    """A Broker with metrics.listener on a free port, re-picked at every start."""

    def args(self):
        self.mport = free_port()
        return Broker.args(self) + ["--override", "metrics.listener=127.0.0.1:%d" % self.mport]


# ---- one broker ----------------------------------------------------------------------------------

def produce_requests(b, n, per):
    c = rp.Conn(b.port)
    try:
        for i in range(n):
            recs = [(None, b"v-%d-%d" % (i, j)) for j in range(per)]
            r = c.produce_one("mt", 0, rp.make_batch(recs), acks=1)
            check_eq(r["error_code"], 0, "produce %d" % i)
        bad = c.produce_one("mt", 99, rp.make_batch([(None, b"x")]), acks=1)
        check(bad["error_code"] != 0, "produce to partition 99 must fail")
        f = c.fetch([("mt", 0, 0)])
        check_eq(f["parts"][0]["error_code"], 0, "fetch error")
    finally:
        c.close()


def commit_offset(b, offset):
    c = rp.Conn(b.port)
    try:
        deadline = time.time() + 20
        while True:
            err = rp.find_coordinator(c, GROUP)[0]
            if err == 0:
                top, parts = rp.offset_commit(c, GROUP, [("mt", 0, offset, None)])
                if top == 0 and parts.get(("mt", 0)) == 0:
                    return
            check(time.time() < deadline, "offset commit for the group never succeeded")
            time.sleep(0.1)
    finally:
        c.close()


def check_values(s, n, per):
    for fam, typ in FAMILIES.items():
        check_eq(s.types.get(fam), typ, "TYPE of " + fam)
        check(fam in s.helps, "no HELP line for " + fam)
    check_eq(s.value("runnel_build_info"), 1, "build info")
    check(s.value("runnel_requests_total", api="Produce") >= n + 1, "Produce requests")
    check_eq(s.value("runnel_request_errors_total", api="Produce"), 1, "Produce errors")
    check_eq(s.value("runnel_request_latency_seconds_count", api="Produce"), n + 1,
             "Produce latency count")
    check_eq(s.value("runnel_request_latency_seconds_bucket", api="Produce", le="+Inf"), n + 1,
             "Produce +Inf bucket")
    check(s.value("runnel_requests_total", api="Fetch") >= 1, "Fetch requests")
    check_eq(s.value("runnel_request_errors_total", api="Fetch"), 0, "Fetch errors")
    check(s.value("runnel_requests_total", api="OffsetCommit") >= 1, "OffsetCommit requests")
    check_eq(s.value("runnel_partition_log_end_offset", topic="mt", partition=0), n * per,
             "log end offset of mt-0")
    check_eq(s.value("runnel_partition_high_watermark", topic="mt", partition=0), n * per,
             "HW of mt-0")
    check_eq(s.value("runnel_partition_log_start_offset", topic="mt", partition=0), 0,
             "log start of mt-0")
    check(s.value("runnel_partition_size_bytes", topic="mt", partition=0) > n * per,
          "size of mt-0")
    check_eq(s.value("runnel_partition_log_end_offset", topic="mt", partition=1), 0,
             "log end offset of mt-1")
    check_eq(s.value("runnel_group_lag", group=GROUP, topic="mt", partition=0), n * per - 20,
             "lag of the group on mt-0")
    check(s.value("runnel_groups") >= 1, "groups coordinated")
    check_eq(s.value("runnel_active_controller"), 1, "active controller")
    check_eq(s.value("runnel_offline_partitions"), 0, "offline partitions")
    check_eq(s.value("runnel_under_replicated_partitions"), 0, "under-replicated partitions")
    check_eq(s.value("runnel_storage_error_partitions"), 0, "partitions with a storage error")
    check_eq(s.value("runnel_partitions"), 52, "partitions hosted (mt: 2, offsets: 50)")
    check_eq(s.value("runnel_leader_partitions"), 52, "partitions led")
    check(s.value("runnel_log_flush_latency_seconds_count") >= 1, "fsync rounds observed")
    check(s.value("runnel_bytes_in_total") > n * per * 10, "bytes in")
    check(s.value("runnel_bytes_out_total") > 0, "bytes out")
    check(s.value("runnel_connections_accepted_total") >= 3, "connections accepted")
    check(s.value("runnel_connections") >= 1, "connections (one held open)")


def check_rejections(b):
    st, h, _ = split_answer(http(b.mport, b"POST /metrics HTTP/1.1\r\nHost: x\r\n"
                                 b"Content-Length: 5\r\n\r\nhello"))
    check_eq(st, 405, "POST /metrics")
    check_eq(h.get("allow"), "GET", "Allow header of the 405")
    check_eq(split_answer(http(b.mport, b"HEAD /metrics HTTP/1.1\r\n\r\n"))[0], 405, "HEAD")
    check_eq(split_answer(http(b.mport, b"GET /other HTTP/1.1\r\n\r\n"))[0], 404, "GET /other")
    check_eq(split_answer(http(b.mport, b"GET / HTTP/1.0\r\n\r\n"))[0], 404, "GET /")
    check_eq(split_answer(http(b.mport, b"garbage\r\n\r\n"))[0], 400, "garbage")
    check_eq(split_answer(http(b.mport, b"GET /metrics HTTP/9.9\r\n\r\n"))[0], 400, "HTTP/9.9")
    check_eq(split_answer(http(b.mport, b"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n"))[0], 400,
             "bad header line")
    raw = http(b.mport, b"GET /metrics HTTP/1.1\r\nX-Big: " + b"a" * (100 * 1024) + b"\r\n\r\n")
    check(raw == b"" or split_answer(raw)[0] == 400, "100 KiB header: %r" % raw[:200])
    # A client that goes away in the middle of its head.
    s = socket.create_connection(("127.0.0.1", b.mport))
    s.sendall(b"GET /metr")
    s.close()
    # More connections than the limit (16): the extra ones are closed at once.
    socks = [socket.create_connection(("127.0.0.1", b.mport), timeout=5) for _ in range(20)]
    time.sleep(0.3)
    closed = 0
    for s in socks:
        s.settimeout(0.2)
        try:
            closed += s.recv(1) == b""
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed += 1
    for s in socks:
        s.close()
    check(closed >= 4, "only %d of 20 idle connections closed (limit 16)" % closed)


def check_bind_conflict(runneld, port):
    d = tempfile.mkdtemp(prefix="rn-it-")
    try:
        p, cp = pick_ports()
        r = subprocess.run([runneld, "--override", "listeners=127.0.0.1:%d" % p,
                            "--override", "controller.listener=127.0.0.1:%d" % cp,
                            "--override", "controller.quorum.voters=1@127.0.0.1:%d" % cp,
                            "--override", "metrics.listener=127.0.0.1:%d" % port],
                           cwd=d, capture_output=True, text=True, timeout=30)
        check_eq(r.returncode, 1, "exit status with metrics.listener taken")
        want = "metrics.listener 127.0.0.1:%d: address already in use" % port
        check(want in r.stderr, "stderr %r should say %r" % (r.stderr, want))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def single(runneld):
    b = MetricsBroker(runneld, extra=["log.flush.interval.messages=1"]).start()
    try:
        c = rp.Conn(b.port)
        check_eq(c.create_topic("mt", partitions=2)[0], 0, "create mt")
        rp.wait_for_topic(c, "mt", 2)
        c.close()
        n, per = 12, 5
        produce_requests(b, n, per)
        commit_offset(b, 20)
        hold = rp.Conn(b.port)
        hold.list_offsets([("mt", 0, -1)])
        s = Scrape(b.mport)
        hold.close()
        check_values(s, n, per)
        promtool_check(s.body, "one broker")
        check_rejections(b)
        check_bind_conflict(runneld, b.mport)
        # Still serving after all that.
        c = rp.Conn(b.port)
        check_eq(c.produce_one("mt", 0, rp.make_batch([(None, b"after")]))["error_code"], 0,
                 "produce after the bad HTTP requests")
        c.close()
        s = Scrape(b.mport)
        check_eq(s.value("runnel_partition_log_end_offset", topic="mt", partition=0),
                 n * per + 1, "log end offset after one more record")
        check(s.value("runnel_metrics_connections_rejected_total") >= 4, "rejections counted")
        promtool_check(s.body, "one broker, after the bad requests")
        check_eq(b.stop(), 0, "exit status after SIGTERM")
    except SystemExit:
        print(b.log()[-4000:], flush=True)
        raise
    finally:
        b.cleanup()


# ---- three brokers --------------------------------------------------------------------------------

def scrape_all(cl):
    return {b.id: Scrape(b.mport) for b in cl.brokers if b.alive()}


def cluster(runneld):
    runnel = os.path.join(os.path.dirname(runneld), "runnel")
    cl = Cluster(runneld, 3, extra=["replica.lag.time.max.ms=1500"])
    for b in cl.brokers:
        b.mport = free_port()
        b.extra = b.extra + ["metrics.listener=127.0.0.1:%d" % b.mport]
    try:
        cl.start()
        cl.wait("exactly one active controller",
                lambda: sum(s.value("runnel_active_controller")
                            for s in scrape_all(cl).values()) == 1)
        cl.wait("topic created", lambda: run_cli(runnel, cl.bootstrap(), "topic", "create", "rt",
                                                 "--partitions", "1", "--replication-factor",
                                                 "3")[0] == 0)
        view = cl.wait("ISR of three everywhere",
                       lambda: (lambda v: v if v and len(v[0][4]) == 3 else None)(
                           cl.same_everywhere("rt", 1)))
        leader = cl.broker(view[0][1])
        cl.wait("the leader counts the ISR expansions",
                lambda: Scrape(leader.mport).value("runnel_isr_expands_total") >= 1)
        ctl = [i for i, s in scrape_all(cl).items() if s.value("runnel_active_controller") == 1]
        check_eq(len(ctl), 1, "brokers reporting active controller")
        follower = [b for b in cl.brokers if b.id != leader.id and b.id != ctl[0]][0]
        for i, s in scrape_all(cl).items():
            check_eq(s.value("runnel_under_replicated_partitions"), 0, "under-replicated on %d" % i)
            promtool_check(s.body, "broker %d" % i)
        follower.kill()
        cl.wait("the leader reports rt-0 under-replicated and an ISR shrink",
                lambda: (lambda s: s.value("runnel_under_replicated_partitions") >= 1 and
                         s.value("runnel_isr_shrinks_total") >= 1)(Scrape(leader.mport)),
                timeout=20)
        check_eq(Scrape(cl.broker(ctl[0]).mport).value("runnel_offline_partitions"), 0,
                 "offline partitions on the controller")
        follower.start()
        cl.wait("under-replicated back to 0 once the follower rejoins",
                lambda: Scrape(leader.mport).value("runnel_under_replicated_partitions") == 0,
                timeout=30)
        check(Scrape(leader.mport).value("runnel_isr_expands_total") >= 2, "expand counted")
        for i, s in scrape_all(cl).items():
            promtool_check(s.body, "broker %d after the restart" % i)
    except SystemExit:
        print(cluster_logs(cl), flush=True)
        raise
    finally:
        cl.cleanup()


def main(runneld):
    single(runneld)
    cluster(runneld)


if __name__ == "__main__":
    run(main)
