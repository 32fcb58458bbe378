/*
 * errors.c — rn_err_str and rn_err_retriable over both kinds of error a client sees
 * (runnel.h, "Errors"): negative local codes (runnel's table in common/errors.h, or
 * -errno, which is also libuv's numbering) and positive protocol codes carried from
 * the broker (Kafka's table in proto/wire_errors.h).
 */
#include <errno.h>

#include <uv.h>

#include "common/errors.h"
#include "proto/wire_errors.h"
#include "runnel/runnel.h"

/* runnel.h spells out a few of common/errors.h's codes for library users. */
_Static_assert(RN_ERR_CLOSED == RN_ECLOSED, "RN_ERR_CLOSED");
_Static_assert(RN_ERR_CORRUPT == RN_ECORRUPT, "RN_ERR_CORRUPT");
_Static_assert(RN_ERR_OFFSET_OUT_OF_RANGE == RN_EOFFSETRANGE, "RN_ERR_OFFSET_OUT_OF_RANGE");

/* "NAME: message" for each wire code, built at compile time so the result is static. */
static const char *wire_str(int code) {
    switch (code) {
#define RN__WIRE_STR(name, c, retriable, msg)                                                      \
    case c:                                                                                        \
        return #name ": " msg;
        RN_WIRE_ERROR_TABLE(RN__WIRE_STR)
#undef RN__WIRE_STR
    }
    return "UNKNOWN_WIRE_ERROR: an error code this client does not know";
}

RN_API const char *rn_err_str(int err) {
    if (err > 0 && err <= INT16_MAX)
        return wire_str(err);
    if (err > 0)
        return "unknown error";
    switch (err) {
    case -ETIMEDOUT:
        return "timed out";
    case -ECONNREFUSED:
        return "connection refused";
    case -ECONNRESET:
        return "connection reset by peer";
    case -EHOSTUNREACH:
        return "host is unreachable";
    case -ENETUNREACH:
        return "network is unreachable";
    case -ENOBUFS:
        return "queue full";
    case UV_EOF:
        return "connection closed by the broker";
    default:
        break;
    }
    /* libuv's getaddrinfo codes (-3000..-3014) are not errno values. */
    if (err <= UV_EAI_ADDRFAMILY && err >= UV_EAI_PROTOCOL)
        return uv_strerror(err);
    return rn_strerror(err);
}

RN_API int rn_err_retriable(int err) {
    if (err > 0)
        return err <= INT16_MAX && rn_wire_err_retriable((rn_wire_err_t)err) ? 1 : 0;
    switch (-err) {
    case ETIMEDOUT:
    case ECONNREFUSED:
    case ECONNRESET:
    case ECONNABORTED:
    case EPIPE:
    case ENOTCONN:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
    case EAGAIN:
    case ENOBUFS:
    case EADDRNOTAVAIL:
        return 1;
    default:
        break;
    }
    /* UV_EOF (the broker closed the connection) and a temporary resolver failure are
     * libuv's own codes. */
    return err == UV_EOF || err == UV_EAI_AGAIN ? 1 : 0;
}
