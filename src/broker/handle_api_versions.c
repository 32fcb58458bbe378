/*
 * handle_api_versions.c — ApiVersions (key 18): the ranges of the dispatch table.
 *
 * The request body is empty; one that is not is INVALID_REQUEST like any other body
 * that fails to decode. ApiVersions at a version the broker does not know never gets
 * here: the dispatcher answers it with the v0 body (docs/protocol.md).
 */
#include "broker/broker_int.h"
#include "broker/dispatch.h"
#include "proto/api_versions.h"

void rn_handle_api_versions(rn_breq_t *breq) {
    rn_api_versions_request_t req;
    if (rn_api_versions_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_api_versions_request_deinit(&req);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 128);
    rn_dispatch_encode_versions(&wr, RN_WIRE_NONE);
    rn_breq_respond(breq, &wr);
}
