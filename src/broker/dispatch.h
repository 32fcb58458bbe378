/*
 * dispatch.h — the one table of what the broker speaks, and the entry point for every
 * request frame the network layer delivers.
 *
 *   [api_key] = { min_version, max_version, handler, error body encoder }
 *
 * A frame is decoded up to its request header here; then:
 *   - header does not decode        → close the connection, one rate-limited DEBUG line
 *   - key not in the table, or the
 *     version outside its range     → ApiVersions v0 body with UNSUPPORTED_VERSION and
 *                                     the broker's ranges, correlation id echoed
 *                                     (ApiVersions itself at an unknown version is
 *                                     answered with its v0 response, NONE)
 *   - otherwise                     → the handler (broker_int.h) with an rn_breq_t
 *
 * Loop thread only.
 */
#ifndef RN_BROKER_DISPATCH_H
#define RN_BROKER_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "broker/broker_int.h"
#include "proto/writer.h"

typedef struct rn_dispatch_entry_s {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
    rn_handler_fn handler;
    /* Append this API's response body at `version` carrying only error_code err (every
     * array empty, other fields 0, offsets -1): INVALID_REQUEST and whole-request
     * errors. */
    int (*encode_error)(rn_writer_t *wr, int16_t version, rn_wire_err_t err);
} rn_dispatch_entry_t;

/* The entry for api_key, or NULL when the broker does not speak it. */
const rn_dispatch_entry_t *rn_dispatch_lookup(int16_t api_key);

/* Every entry, in key order (ApiVersions lists them). */
const rn_dispatch_entry_t *rn_dispatch_table(int *count);

/* The server's on_request: one complete frame from conn. b is the broker. */
void rn_dispatch_frame(rn_broker_t *b, rn_conn_t *conn, const uint8_t *frame, size_t len,
                       rn_net_req_t *nreq);

/* Append the ApiVersions v0 body with error_code err and the table's ranges. */
void rn_dispatch_encode_versions(rn_writer_t *wr, rn_wire_err_t err);

#endif
