/*
 * handle_broker_heartbeat.c — BrokerHeartbeat (key 63), the brokers' internal
 * liveness message: decode, let the controller's session tracker (liveness.c) act on
 * it, answer. A broker that is not the controller answers NOT_CONTROLLER.
 */
#include "broker/broker_int.h"
#include "proto/api_broker_heartbeat.h"

void rn_handle_broker_heartbeat(rn_breq_t *breq) {
    rn_broker_heartbeat_request_t req;
    if (rn_broker_heartbeat_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                           &req) != 0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_broker_heartbeat_response_t resp;
    rn__liveness_heartbeat(breq->broker, &req, &resp);
    rn_broker_heartbeat_request_deinit(&req);
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 16);
    if (rn_broker_heartbeat_response_encode(&wr, breq->hdr.api_version, &resp) != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(breq, &wr);
}
