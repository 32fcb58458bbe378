"""Bad input from one client gets an error response or a closed connection and never
disturbs the others: garbage bytes, a frame claiming 2 GiB, a negative size, an
unknown api key, an unsupported version, a truncated body, a header that does not
decode. A second client, connected throughout, keeps being served."""
import struct

from rnlib import *


def healthy(other):
    m = other.metadata()
    check_eq(m["error"], NONE, "the other client is still served")


def expect_closed(b, data, what):
    c = b.conn()
    c.send_raw(data)
    check(c.closed_by_peer(), what + ": connection closed")
    c.close()


def main(runneld):
    b = Broker(runneld, extra=["log.level=debug"]).start()
    try:
        other = b.conn()
        healthy(other)

        # frame sizes refused from the 4 size bytes alone
        expect_closed(b, struct.pack(">i", 0x7FFFFFFF) + b"xx", "2 GiB frame")
        healthy(other)
        expect_closed(b, struct.pack(">i", -5), "negative size")
        expect_closed(b, b"\xff\xfe garbage bytes that are not a frame at all", "garbage")
        healthy(other)

        # a header that does not decode: 3-byte message, then a bad client_id length
        expect_closed(b, struct.pack(">i", 3) + b"\x00\x03\x00", "short header")
        msg = struct.pack(">hhih", 3, 0, 7, 100) + b"ab"
        expect_closed(b, struct.pack(">i", len(msg)) + msg, "client_id past the frame")
        healthy(other)

        c = b.conn()
        # unknown api key: ApiVersions body, UNSUPPORTED_VERSION, correlation kept
        c.send_raw(frame(999, 0, 41, b""))
        corr, r = c.recv_frame()
        check_eq(corr, 41, "correlation id of unknown key")
        av = dec_api_versions(r)
        check_eq(av["error"], UNSUPPORTED_VERSION, "unknown key error")
        check(any(k[0] == 3 for k in av["keys"]), "lists what the broker speaks")
        # reserved key (DescribeCluster) and unsupported version of Metadata
        for key, ver in [(60, 0), (3, 7)]:
            c.send_raw(frame(key, ver, 42, b""))
            corr, r = c.recv_frame()
            check_eq((corr, r.i16()), (42, UNSUPPORTED_VERSION), "key %d v%d" % (key, ver))
        # ApiVersions at a future version still answers v0, NONE
        c.send_raw(frame(18, 9, 43, b""))
        corr, r = c.recv_frame()
        check_eq((corr, dec_api_versions(r)["error"]), (43, NONE), "ApiVersions v9")
        # a body that does not decode: INVALID_REQUEST, connection stays open
        for key in [3, 19, 20, 32, 33, 0, 1, 2]:
            c.send_raw(frame(key, 0, 50 + key, b"\x00\x00\x00"))
            corr, r = c.recv_frame()
            check_eq((corr, r.i16()), (50 + key, INVALID_REQUEST), "truncated body key %d" % key)
        # trailing bytes after a valid ApiVersions body
        c.send_raw(frame(18, 0, 44, b"\x01"))
        corr, r = c.recv_frame()
        check_eq((corr, r.i16()), (44, INVALID_REQUEST), "trailing bytes")
        check_eq(c.api_versions()["error"], NONE, "same connection still works")
        c.close()
        healthy(other)
        other.close()
        check("frame larger than the maximum" in b.log() or "suppressed" in b.log(),
              "logged (debug, rate-limited)")
        check_eq(b.stop(), 0, "exit status")
    finally:
        b.cleanup()


run(main)
