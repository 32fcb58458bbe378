"""benchlib.py — the Python helpers the bench/*.sh probes share (they import it
through $RN_BENCH_DIR, which bench/lib.sh exports): raw-socket round trips to a broker
on loopback and free ports from the kernel."""
import socket
import struct
import time


def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise ConnectionError("closed")
        b += c
    return b


def api_versions(port):
    """One ApiVersions v0 round trip; True if the broker answered with error_code 0."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            body = struct.pack(">hhih", 18, 0, 4242, -1)  # api_key, version, corr id, client id null
            s.sendall(struct.pack(">i", len(body)) + body)
            (n,) = struct.unpack(">i", recvn(s, 4))
            resp = recvn(s, n)
            corr, err = struct.unpack(">ih", resp[:6])
            return corr == 4242 and err == 0
    except OSError:
        return False


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_ready(port, deadline, proc=None):
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if api_versions(port):
            return True
        time.sleep(0.0005)
    return False
