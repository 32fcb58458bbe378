"""rawproto.py — a raw runnel-protocol client for integration tests: frames, the v0
codecs of CreateTopics, Produce, Fetch and ListOffsets, RecordBatch v2 building
(CRC32C, gzip) and Kafka's murmur2, in plain Python (struct, zlib), so tests need
neither librunnel nor the CLI. docs/protocol.md and docs/format.md are the spec."""
import socket
import struct
import time
import zlib

API_PRODUCE, API_FETCH, API_LIST_OFFSETS, API_METADATA, API_CREATE_TOPICS = 0, 1, 2, 3, 19
API_DELETE_TOPICS = 20

# ---- CRC32C (Castagnoli), table-driven ---------------------------------------------
_T = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _T.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def murmur2_positive(key):
    """Kafka's Utils.murmur2 & 0x7fffffff."""
    m, r, n = 0x5BD1E995, 24, len(key)
    h = (0x9747B28C ^ n) & 0xFFFFFFFF
    for i in range(0, n - n % 4, 4):
        k = struct.unpack_from("<I", key, i)[0]
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = n % 4
    base = n - tail
    if tail == 3:
        h ^= key[base + 2] << 16
    if tail >= 2:
        h ^= key[base + 1] << 8
    if tail >= 1:
        h ^= key[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h & 0x7FFFFFFF


# ---- RecordBatch v2 ---------------------------------------------------------------
def _varint(v):
    z = (v << 1) ^ (v >> 63)
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _nbytes_varint(b):
    return _varint(-1) if b is None else _varint(len(b)) + b


def make_batch(records, base_ts=1000, gzip=False):
    """records: list of (key, value) or (key, value, ts). Returns the batch bytes."""
    body = bytearray()
    max_ts = base_ts
    for i, rec in enumerate(records):
        key, value = rec[0], rec[1]
        ts = rec[2] if len(rec) > 2 else base_ts + i
        max_ts = max(max_ts, ts)
        r = b"\x00" + _varint(ts - base_ts) + _varint(i) + _nbytes_varint(key) + \
            _nbytes_varint(value) + _varint(0)
        body += _varint(len(r)) + r
    attrs = 0
    if gzip:
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        body = c.compress(bytes(body)) + c.flush()
        attrs = 1
    after_crc = struct.pack(">hiqqqhii", attrs, len(records) - 1, base_ts, max_ts, -1, -1, -1,
                            len(records)) + bytes(body)
    crc = crc32c(after_crc)
    rest = struct.pack(">ibI", -1, 2, crc) + after_crc  # epoch, magic, crc, ...
    return struct.pack(">qi", 0, len(rest)) + rest


def split_batches(data):
    """Whole batches of a fetch response's records: [(base_offset, bytes)]."""
    out, pos = [], 0
    while data is not None and pos + 12 <= len(data):
        base, blen = struct.unpack_from(">qi", data, pos)
        if pos + 12 + blen > len(data):
            break
        out.append((base, data[pos:pos + 12 + blen]))
        pos += 12 + blen
    return out


# ---- encoding helpers -----------------------------------------------------------------
def _str(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">h", len(b)) + b


def _nstr(s):
    return struct.pack(">h", -1) if s is None else _str(s)


def _nbytes(b):
    return struct.pack(">i", -1) if b is None else struct.pack(">i", len(b)) + b


class Reader:
    def __init__(self, data):
        self.d, self.p = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.p)
        self.p += struct.calcsize(fmt)
        return v if len(v) > 1 else v[0]

    def str(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.d[self.p:self.p + n].decode()
        self.p += n
        return s

    def nbytes(self):
        n = self.take(">i")
        if n < 0:
            return None
        b = self.d[self.p:self.p + n]
        self.p += n
        return b


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.corr = 0

    def close(self):
        self.s.close()

    def send(self, api, body, version=0):
        self.corr += 1
        msg = struct.pack(">hhi", api, version, self.corr) + _nstr("rawproto") + body
        self.s.sendall(struct.pack(">i", len(msg)) + msg)
        return self.corr

    def _recvn(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            buf += chunk
        return bytes(buf)

    def recv(self, corr):
        size = struct.unpack(">i", self._recvn(4))[0]
        msg = self._recvn(size)
        got = struct.unpack_from(">i", msg)[0]
        assert got == corr, "correlation id %d, expected %d" % (got, corr)
        return Reader(msg[4:])

    def call(self, api, body):
        return self.recv(self.send(api, body))

    # ---- APIs ----
    def create_topic(self, name, partitions=1, configs=None, timeout_ms=10000):
        cfg = configs or {}
        body = struct.pack(">i", 1) + _str(name) + struct.pack(">ih", partitions, 1)
        body += struct.pack(">i", len(cfg))
        for k, v in cfg.items():
            body += _str(k) + _nstr(v)
        body += struct.pack(">ib", timeout_ms, 0)
        r = self.call(API_CREATE_TOPICS, body)
        top = r.take(">h")
        n = r.take(">i")
        assert n == 1
        r.str()
        err = r.take(">h")
        msg = r.str()
        return top or err, msg

    def delete_topic(self, name, timeout_ms=10000):
        r = self.call(API_DELETE_TOPICS, struct.pack(">i", 1) + _str(name) +
                      struct.pack(">i", timeout_ms))
        top = r.take(">h")
        assert r.take(">i") == 1
        r.str()
        return top or r.take(">h")

    def produce_send(self, acks, entries, timeout_ms=5000):
        """entries: list of (topic, partition, records-bytes-or-None)."""
        topics = {}
        order = []
        for t, p, rec in entries:
            if t not in topics:
                topics[t] = []
                order.append(t)
            topics[t].append((p, rec))
        body = _nstr(None) + struct.pack(">hii", acks, timeout_ms, len(order))
        for t in order:
            body += _str(t) + struct.pack(">i", len(topics[t]))
            for p, rec in topics[t]:
                body += struct.pack(">i", p) + _nbytes(rec)
        return self.send(API_PRODUCE, body)

    def produce_recv(self, corr):
        r = self.recv(corr)
        out = {"error_code": r.take(">h"), "parts": []}
        for _ in range(r.take(">i")):
            t = r.str()
            for _ in range(r.take(">i")):
                idx, err, base, lat, lso = r.take(">ihqqq")
                msg = r.str()
                out["parts"].append({"topic": t, "index": idx, "error_code": err,
                                     "base_offset": base, "log_start_offset": lso,
                                     "error_message": msg})
        return out

    def produce(self, acks, entries, timeout_ms=5000):
        return self.produce_recv(self.produce_send(acks, entries, timeout_ms))

    def produce_one(self, topic, partition, records, acks=1):
        return self.produce(acks, [(topic, partition, records)])["parts"][0]

    def fetch_send(self, parts, max_wait_ms=0, min_bytes=1, max_bytes=1 << 20,
                   partition_max_bytes=1 << 20, replica_id=-1):
        """parts: list of (topic, partition, offset)."""
        topics, order = {}, []
        for t, p, off in parts:
            if t not in topics:
                topics[t] = []
                order.append(t)
            topics[t].append((p, off))
        body = struct.pack(">iiiibi", replica_id, max_wait_ms, min_bytes, max_bytes, 0, len(order))
        for t in order:
            body += _str(t) + struct.pack(">i", len(topics[t]))
            for p, off in topics[t]:
                body += struct.pack(">iiqiqi", p, -1, off, -1, -1, partition_max_bytes)
        return self.send(API_FETCH, body)

    def fetch_recv(self, corr):
        r = self.recv(corr)
        out = {"error_code": r.take(">h"), "throttle": r.take(">i"), "parts": []}
        for _ in range(r.take(">i")):
            t = r.str()
            for _ in range(r.take(">i")):
                idx, err, hw, lso, lstart, de, deo = r.take(">ihqqqiq")
                rec = r.nbytes()
                out["parts"].append({"topic": t, "partition": idx, "error_code": err,
                                     "high_watermark": hw, "log_start_offset": lstart,
                                     "records": rec})
        return out

    def fetch(self, parts, **kw):
        return self.fetch_recv(self.fetch_send(parts, **kw))

    def list_offsets(self, parts, replica_id=-1):
        """parts: list of (topic, partition, timestamp)."""
        topics, order = {}, []
        for t, p, ts in parts:
            if t not in topics:
                topics[t] = []
                order.append(t)
            topics[t].append((p, ts))
        body = struct.pack(">ibi", replica_id, 0, len(order))
        for t in order:
            body += _str(t) + struct.pack(">i", len(topics[t]))
            for p, ts in topics[t]:
                body += struct.pack(">iiq", p, -1, ts)
        r = self.call(API_LIST_OFFSETS, body)
        out = {"error_code": r.take(">h"), "parts": []}
        for _ in range(r.take(">i")):
            t = r.str()
            for _ in range(r.take(">i")):
                idx, err, ts, off, ep = r.take(">ihqqi")
                out["parts"].append({"topic": t, "partition": idx, "error_code": err,
                                     "timestamp": ts, "offset": off, "leader_epoch": ep})
        return out


def wait_for_topic(conn, topic, partitions, deadline_s=10):
    """Until produce-able: ListOffsets answers NONE on every partition."""
    end = time.time() + deadline_s
    while time.time() < end:
        r = conn.list_offsets([(topic, p, -1) for p in range(partitions)])
        if all(p["error_code"] == 0 for p in r["parts"]):
            return
        time.sleep(0.05)
    raise AssertionError("topic %s never became available" % topic)


# ---- consumer groups (docs/protocol.md, docs/groups.md) ----------------------------------
API_OFFSET_COMMIT, API_OFFSET_FETCH, API_FIND_COORDINATOR = 8, 9, 10
API_JOIN_GROUP, API_HEARTBEAT, API_LEAVE_GROUP, API_SYNC_GROUP = 11, 12, 13, 14
API_DESCRIBE_GROUPS, API_LIST_GROUPS = 15, 16


def find_coordinator(conn, group, key_type=0):
    """-> (error_code, node_id, host, port)."""
    r = conn.call(API_FIND_COORDINATOR, _str(group) + struct.pack(">b", key_type))
    err = r.take(">h")
    r.str()  # error_message
    node = r.take(">i")
    host = r.str()
    port = r.take(">i")
    return err, node, host, port


def join_group_send(conn, group, member_id="", protocols=(("range", b"sub"),),
                    session_ms=10000, rebalance_ms=10000, protocol_type="consumer"):
    body = _str(group) + struct.pack(">ii", session_ms, rebalance_ms) + _str(member_id)
    body += _str(protocol_type) + struct.pack(">i", len(protocols))
    for name, meta in protocols:
        body += _str(name) + _nbytes(meta)
    return conn.send(API_JOIN_GROUP, body)


def join_group_recv(conn, corr):
    """-> dict error_code, generation, protocol, leader, member_id, members [(id, meta)]."""
    r = conn.recv(corr)
    out = {"error_code": r.take(">h"), "generation": r.take(">i"), "protocol": r.str(),
           "leader": r.str(), "member_id": r.str(), "members": []}
    for _ in range(r.take(">i")):
        out["members"].append((r.str(), r.nbytes()))
    return out


def join_group(conn, group, member_id="", **kw):
    return join_group_recv(conn, join_group_send(conn, group, member_id, **kw))


def sync_group_send(conn, group, generation, member_id, assignments=()):
    """assignments: [(member_id, bytes)] (the leader's)."""
    body = _str(group) + struct.pack(">i", generation) + _str(member_id)
    body += struct.pack(">i", len(assignments))
    for mid, a in assignments:
        body += _str(mid) + _nbytes(a)
    return conn.send(API_SYNC_GROUP, body)


def sync_group_recv(conn, corr):
    """-> (error_code, assignment bytes)."""
    r = conn.recv(corr)
    return r.take(">h"), r.nbytes()


def sync_group(conn, group, generation, member_id, assignments=()):
    return sync_group_recv(conn, sync_group_send(conn, group, generation, member_id, assignments))


def heartbeat(conn, group, generation, member_id):
    r = conn.call(API_HEARTBEAT, _str(group) + struct.pack(">i", generation) + _str(member_id))
    return r.take(">h")


def leave_group(conn, group, member_id):
    return conn.call(API_LEAVE_GROUP, _str(group) + _str(member_id)).take(">h")


def offset_commit(conn, group, offsets, generation=-1, member_id=""):
    """offsets: [(topic, partition, offset, metadata-or-None)] ->
    (error_code, {(topic, partition): error_code})."""
    topics, order = {}, []
    for t, p, off, md in offsets:
        if t not in topics:
            topics[t] = []
            order.append(t)
        topics[t].append((p, off, md))
    body = _str(group) + struct.pack(">i", generation) + _str(member_id)
    body += struct.pack(">i", len(order))
    for t in order:
        body += _str(t) + struct.pack(">i", len(topics[t]))
        for p, off, md in topics[t]:
            body += struct.pack(">iq", p, off) + _nstr(md)
    r = conn.call(API_OFFSET_COMMIT, body)
    top = r.take(">h")
    parts = {}
    for _ in range(r.take(">i")):
        t = r.str()
        for _ in range(r.take(">i")):
            p, err = r.take(">ih")
            parts[(t, p)] = err
    return top, parts


def offset_fetch(conn, group, parts=None):
    """parts: [(topic, partition)] or None (every committed partition) ->
    (error_code, {(topic, partition): (offset, metadata, error_code)})."""
    body = _str(group)
    if parts is None:
        body += struct.pack(">i", -1)
    else:
        topics, order = {}, []
        for t, p in parts:
            if t not in topics:
                topics[t] = []
                order.append(t)
            topics[t].append(p)
        body += struct.pack(">i", len(order))
        for t in order:
            body += _str(t) + struct.pack(">i", len(topics[t]))
            body += b"".join(struct.pack(">i", p) for p in topics[t])
    r = conn.call(API_OFFSET_FETCH, body)
    top = r.take(">h")
    out = {}
    for _ in range(r.take(">i")):
        t = r.str()
        for _ in range(r.take(">i")):
            p, off = r.take(">iq")
            md = r.str()
            out[(t, p)] = (off, md, r.take(">h"))
    return top, out


def list_groups(conn):
    """-> (error_code, [(group_id, protocol_type, state)])."""
    r = conn.call(API_LIST_GROUPS, b"")
    top = r.take(">h")
    return top, [(r.str(), r.str(), r.str()) for _ in range(r.take(">i"))]


def describe_groups(conn, groups):
    """-> (error_code, [dict error_code, group_id, state, protocol_type, protocol,
    members [dict member_id, client_id, client_host, metadata, assignment]])."""
    body = struct.pack(">i", len(groups)) + b"".join(_str(g) for g in groups)
    r = conn.call(API_DESCRIBE_GROUPS, body)
    top = r.take(">h")
    out = []
    for _ in range(r.take(">i")):
        g = {"error_code": r.take(">h"), "group_id": r.str(), "state": r.str(),
             "protocol_type": r.str(), "protocol": r.str(), "members": []}
        for _ in range(r.take(">i")):
            g["members"].append({"member_id": r.str(), "client_id": r.str(),
                                 "client_host": r.str(), "metadata": r.nbytes(),
                                 "assignment": r.nbytes()})
        out.append(g)
    return top, out
