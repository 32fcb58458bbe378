"""rnlib.py — shared helpers for runneld integration tests.

Starts a real build/runneld in a temporary directory on free loopback ports (random in
20000-60000, retried when taken — never fixed ports), waits until it accepts and its
metadata quorum is ready, and speaks the runnel protocol (docs/protocol.md) with raw
frames built with struct, so the tests depend on nothing but the broker.

Used by the test_*.py scripts next to it; each script is one ctest test and gets the
build directory (holding runneld) as its first argument.
"""
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

API_PRODUCE, API_FETCH, API_LIST_OFFSETS, API_METADATA = 0, 1, 2, 3
API_VERSIONS, API_CREATE_TOPICS, API_DELETE_TOPICS = 18, 19, 20
API_DESCRIBE_CONFIGS, API_ALTER_CONFIGS = 32, 33

NONE, UNKNOWN_TOPIC, LEADER_NOT_AVAILABLE = 0, 3, 5
INVALID_TOPIC, UNSUPPORTED_VERSION, TOPIC_EXISTS = 17, 35, 36
INVALID_PARTITIONS, INVALID_RF, INVALID_CONFIG, INVALID_REQUEST = 37, 38, 40, 42


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def check_eq(got, want, what):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


# ---- encoding -------------------------------------------------------------------------

def i8(v): return struct.pack(">b", v)
def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def boolean(v): return struct.pack(">b", 1 if v else 0)


def string(s):
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def nstring(s):
    return i16(-1) if s is None else string(s)


def array(items, enc):
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(enc(x) for x in items)


def frame(api_key, version, corr, body, client_id="rn-test"):
    msg = i16(api_key) + i16(version) + i32(corr) + nstring(client_id) + body
    return i32(len(msg)) + msg


# ---- decoding -------------------------------------------------------------------------

class Reader:
    def __init__(self, b):
        self.b, self.pos = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def i8(self): return self.take(">b")
    def i16(self): return self.take(">h")
    def i32(self): return self.take(">i")
    def i64(self): return self.take(">q")
    def bool(self): return self.take(">b") != 0

    def nstr(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.b[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    str = nstr

    def array(self, dec):
        n = self.i32()
        if n < 0:
            return None
        return [dec(self) for _ in range(n)]


def dec_api_versions(r):
    return {"error": r.i16(),
            "keys": r.array(lambda r: (r.i16(), r.i16(), r.i16()))}


def dec_metadata(r):
    m = {"error": r.i16()}
    m["brokers"] = r.array(lambda r: (r.i32(), r.str(), r.i32()))
    m["cluster_id"] = r.nstr()
    m["controller_id"] = r.i32()

    def part(r):
        return {"error": r.i16(), "index": r.i32(), "leader": r.i32(), "epoch": r.i32(),
                "replicas": r.array(lambda r: r.i32()), "isr": r.array(lambda r: r.i32())}

    def topic(r):
        return {"error": r.i16(), "name": r.str(), "internal": r.bool(),
                "partitions": r.array(part)}
    m["topics"] = r.array(topic)
    return m


def dec_topic_results(r):
    return {"error": r.i16(),
            "topics": r.array(lambda r: {"name": r.str(), "error": r.i16(), "msg": r.nstr()})}


def dec_describe_configs(r):
    def entry(r):
        return {"name": r.str(), "value": r.nstr(), "read_only": r.bool(), "default": r.bool()}

    def res(r):
        return {"error": r.i16(), "msg": r.nstr(), "type": r.i8(), "name": r.str(),
                "configs": r.array(entry)}
    return {"error": r.i16(), "results": r.array(res)}


def dec_alter_configs(r):
    return {"error": r.i16(),
            "results": r.array(lambda r: {"error": r.i16(), "msg": r.nstr(), "type": r.i8(),
                                          "name": r.str()})}


# ---- connections ----------------------------------------------------------------------

class Conn:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.corr = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return buf

    def recv_frame(self):
        size = struct.unpack(">i", self.recv_exact(4))[0]
        msg = self.recv_exact(size)
        r = Reader(msg)
        return r.i32(), r

    def request(self, api_key, version, body, dec=None):
        self.corr += 1
        self.send_raw(frame(api_key, version, self.corr, body))
        corr, r = self.recv_frame()
        check_eq(corr, self.corr, "correlation id")
        return dec(r) if dec else r

    def closed_by_peer(self, timeout=5.0):
        """True when the broker closes the connection (EOF or reset) within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(4096):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    # API helpers
    def api_versions(self):
        return self.request(API_VERSIONS, 0, b"", dec_api_versions)

    def metadata(self, topics=None, auto_create=False):
        body = array(topics, string) + boolean(auto_create)
        return self.request(API_METADATA, 0, body, dec_metadata)

    def create_topics(self, topics, timeout_ms=10000, validate_only=False):
        """topics: list of (name, partitions, rf[, {config: value}])."""
        def enc(t):
            cfgs = list((t[3] if len(t) > 3 else {}).items())
            return (string(t[0]) + i32(t[1]) + i16(t[2]) +
                    array(cfgs, lambda kv: string(kv[0]) + nstring(kv[1])))
        body = array(topics, enc) + i32(timeout_ms) + boolean(validate_only)
        return self.request(API_CREATE_TOPICS, 0, body, dec_topic_results)

    def delete_topics(self, names, timeout_ms=10000):
        body = array(names, string) + i32(timeout_ms)
        return self.request(API_DELETE_TOPICS, 0, body, dec_topic_results)

    def describe_configs(self, resources):
        """resources: list of (type, name, keys or None)."""
        body = array(resources, lambda r: i8(r[0]) + string(r[1]) + array(r[2], string))
        return self.request(API_DESCRIBE_CONFIGS, 0, body, dec_describe_configs)

    def alter_configs(self, resources, validate_only=False):
        """resources: list of (type, name, {key: value or None})."""
        body = array(resources, lambda r: i8(r[0]) + string(r[1]) + array(
            list(r[2].items()), lambda kv: string(kv[0]) + nstring(kv[1])))
        body += boolean(validate_only)
        return self.request(API_ALTER_CONFIGS, 0, body, dec_alter_configs)


# ---- the broker process -----------------------------------------------------------------

def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pick_ports():
    while True:
        p = random.randint(20000, 59998)
        if port_free(p) and port_free(p + 1):
            return p, p + 1


class Broker:
    """A runneld in its own temporary directory. start() retries on taken ports."""

    def __init__(self, runneld, workdir=None, extra=None):
        self.runneld = runneld
        self.dir = workdir or tempfile.mkdtemp(prefix="rn-it-")
        self.extra = list(extra or [])
        self.proc = None
        self.port = self.cport = None
        self.log_path = os.path.join(self.dir, "runneld.log")

    def args(self):
        a = [self.runneld,
             "--override", "listeners=127.0.0.1:%d" % self.port,
             "--override", "controller.listener=127.0.0.1:%d" % self.cport,
             "--override", "controller.quorum.voters=1@127.0.0.1:%d" % self.cport]
        for kv in self.extra:
            a += ["--override", kv]
        return a

    def start(self, attempts=5):
        for _ in range(attempts):
            if self.port is None:
                self.port, self.cport = pick_ports()
            log = open(self.log_path, "a")
            self.proc = subprocess.Popen(self.args(), cwd=self.dir, stdout=log, stderr=log)
            log.close()
            if self.wait_ready():
                return self
            rc = self.proc.poll()
            if rc is None:
                self.kill()
            if "in use" in self.log() or "address" in self.log().lower():
                self.port = None  # taken meanwhile: pick others
                continue
            break
        fail("runneld did not become ready; log:\n" + self.log())

    def wait_ready(self, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = Conn(self.port, timeout=2.0)
                try:
                    m = c.metadata([])
                    if m["controller_id"] == 1:
                        return True
                finally:
                    c.close()
            except (OSError, EOFError):
                pass
            time.sleep(0.05)
        return False

    def conn(self):
        return Conn(self.port)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Signal the broker and return its exit status."""
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            stacks = ""
            if shutil.which("gdb"):
                stacks = subprocess.run(
                    ["gdb", "-p", str(self.proc.pid), "-batch", "-ex", "thread apply all bt"],
                    capture_output=True, text=True, timeout=60).stdout
            print(stacks, flush=True)
            self.proc.kill()
            self.proc.wait()
            fail("runneld did not exit within %.0fs of signal %d; log:\n%s"
                 % (timeout, sig, self.log()))

    def kill(self):
        self.proc.kill()
        return self.proc.wait()

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(main):
    """Run main(runneld) and report. argv[1] is the build directory (as for every
    integration test) or the runneld binary itself."""
    if len(sys.argv) < 2:
        print("usage: %s BUILD_DIR|RUNNELD" % sys.argv[0])
        sys.exit(2)
    path = os.path.abspath(sys.argv[1])
    if os.path.isdir(path):
        path = os.path.join(path, "runneld")
    main(path)
    print("PASS", flush=True)


# ---- several brokers ----------------------------------------------------------------------

class ClusterBroker(Broker):
    """One broker of a Cluster: its own id and directory, the cluster's voter list."""

    def __init__(self, runneld, broker_id, ports, voters, extra=None):
        Broker.__init__(self, runneld, extra=extra)
        self.id = broker_id
        self.port, self.cport = ports
        self.voters = voters

    def args(self):
        a = [self.runneld,
             "--override", "broker.id=%d" % self.id,
             "--override", "listeners=127.0.0.1:%d" % self.port,
             "--override", "controller.listener=127.0.0.1:%d" % self.cport,
             "--override", "controller.quorum.voters=" + self.voters]
        for kv in self.extra:
            a += ["--override", kv]
        return a

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args(), cwd=self.dir, stdout=log, stderr=log)
        log.close()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def addr(self):
        return "127.0.0.1:%d" % self.port


class Cluster:
    """n brokers on free loopback ports, the first `voters` of them Raft voters (all by
    default). start() returns once each has answered Metadata naming a controller."""

    def __init__(self, runneld, n=3, voters=None, extra=None):
        ports = []
        while len(ports) < n:
            p = pick_ports()
            if all(abs(p[0] - q[0]) > 1 for q in ports):
                ports.append(p)
        nv = n if voters is None else voters
        vs = ",".join("%d@127.0.0.1:%d" % (i + 1, ports[i][1]) for i in range(nv))
        self.brokers = [ClusterBroker(runneld, i + 1, ports[i], vs, extra) for i in range(n)]

    def start(self, timeout=20.0):
        for b in self.brokers:
            b.start()
        deadline = time.time() + timeout
        for b in self.brokers:
            while self.metadata(b) is None or self.metadata(b)["controller_id"] < 0:
                check(b.alive(), "broker %d exited at start:\n%s" % (b.id, b.log()))
                check(time.time() < deadline, "broker %d: no controller within %.0fs:\n%s"
                      % (b.id, timeout, b.log()))
                time.sleep(0.1)
        return self

    def broker(self, broker_id):
        return self.brokers[broker_id - 1]

    def bootstrap(self):
        return ",".join(b.addr() for b in self.brokers)

    def partitions(self, b, topic):
        """(index, leader, epoch, replicas, isr) per partition of topic as b serves it,
        or None when b does not answer or does not know the topic."""
        m = self.metadata(b, [topic])
        if m is None or not m["topics"] or m["topics"][0]["error"] != NONE:
            return None
        return sorted((p["index"], p["leader"], p["epoch"], tuple(p["replicas"]),
                       tuple(p["isr"])) for p in m["topics"][0]["partitions"])

    def same_everywhere(self, topic, n=None):
        """The partitions of topic when every live broker serves the same view (with n
        partitions, when given), else None."""
        views = [self.partitions(b, topic) for b in self.brokers if b.alive()]
        if not views or views[0] is None or any(v != views[0] for v in views):
            return None
        return views[0] if n is None or len(views[0]) == n else None

    def metadata(self, b, topics=None):
        """b's Metadata v0 answer, or None when it does not answer."""
        try:
            c = Conn(b.port, timeout=2.0)
            try:
                return c.metadata(topics)
            finally:
                c.close()
        except (OSError, EOFError):
            return None

    def wait(self, what, cond, timeout=15.0):
        """Poll cond() until it returns a true value, which is returned."""
        deadline = time.time() + timeout
        while True:
            v = cond()
            if v:
                return v
            if time.time() >= deadline:
                logs = "".join("--- broker %d:\n%s" % (b.id, b.log()[-3000:])
                               for b in self.brokers)
                fail("timed out after %.0fs waiting for %s\n%s" % (timeout, what, logs))
            time.sleep(0.1)

    def cleanup(self):
        for b in self.brokers:
            b.cleanup()


# ---- helpers for the fault tests (test_fault_*.py) ----------------------------------------

def run_cli(runnel, bootstrap, *args, stdin=None, timeout=60):
    """Run `runnel -b BOOTSTRAP ARGS...`; (exit code, stdout, stderr)."""
    p = subprocess.run([runnel, "-b", bootstrap] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def partition_log_bytes(b, topic, partition):
    """The concatenated segment files (.log, in name order) of topic-partition in b's
    data directory, or None when it has none."""
    d = os.path.join(b.dir, "data", "%s-%d" % (topic, partition))
    try:
        names = sorted(n for n in os.listdir(d) if n.endswith(".log"))
    except OSError:
        return None
    out = b""
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            out += f.read()
    return out


def cluster_logs(cl, tail=4000):
    """The last `tail` characters of every broker's log, for failure messages."""
    return "".join("--- broker %d:\n%s\n" % (b.id, b.log()[-tail:]) for b in cl.brokers)


def view_of(cl, b, topic):
    """{partition: (leader, epoch, sorted isr)} as broker b serves topic, or None."""
    m = cl.metadata(b, [topic])
    if m is None or not m["topics"] or m["topics"][0]["error"] != NONE:
        return None
    return {p["index"]: (p["leader"], p["epoch"], sorted(p["isr"]))
            for p in m["topics"][0]["partitions"]}


def agreed_view(cl, topic, brokers):
    """The view_of topic when every broker of `brokers` serves the same one, else None."""
    views = [view_of(cl, b, topic) for b in brokers]
    if not views or views[0] is None or any(v != views[0] for v in views):
        return None
    return views[0]
