/*
 * api_broker_heartbeat.h — BrokerHeartbeat (key 63): the brokers' internal liveness
 * and registration message, sent by every broker to the controller.
 *
 *   BrokerHeartbeat request v0
 *   +------------------------------------+
 *   | broker_id          int32           |   the sender
 *   | host               string          |   its client listener (registered as is)
 *   | port               int32           |
 *   | controller_address string          |   its controller.listener, "ipv4:port"
 *   | metadata_offset    int64           |   the last metadata log index it applied
 *   | want_shut_down     bool (v1)       |   it is stopping: move its leaderships away
 *   | starting           bool (v2)       |   its process has just started: fence it
 *   +------------------------------------+
 *
 *   BrokerHeartbeat response v0
 *   +------------------------------------+
 *   | error_code         int16           |   NONE, NOT_CONTROLLER, INVALID_REQUEST
 *   | is_fenced          bool (int8)     |   the image has the sender fenced
 *   | metadata_offset    int64           |   the controller's applied index: the sender
 *   | should_shut_down   bool (v1)       |   is caught up once it has applied this far;
 *   +------------------------------------+   should_shut_down: its controlled shutdown
 *                                            is done (it leads nothing, is in no ISR)
 *
 * A broker that is not the controller answers NOT_CONTROLLER (is_fenced true,
 * metadata_offset -1). Codecs follow api.h ("Codec functions").
 */
#ifndef RN_PROTO_API_BROKER_HEARTBEAT_H
#define RN_PROTO_API_BROKER_HEARTBEAT_H

#include "proto/wire.h"
#include "proto/wire_errors.h"

typedef struct rn_broker_heartbeat_request_s {
    int32_t broker_id;
    rn_str_t host;
    int32_t port;
    rn_str_t controller_address;
    int64_t metadata_offset;
    bool want_shut_down; /* v1 */
    bool starting;       /* v2: true until the controller has it fenced once */
    rn_arena_t arena;    /* decoded messages only */
} rn_broker_heartbeat_request_t;

typedef struct rn_broker_heartbeat_response_s {
    rn_wire_err_t error_code;
    bool is_fenced;
    int64_t metadata_offset;
    bool should_shut_down; /* v1 */
    rn_arena_t arena;      /* decoded messages only */
} rn_broker_heartbeat_response_t;

int rn_broker_heartbeat_request_encode(rn_writer_t *wr, int16_t version,
                                       const rn_broker_heartbeat_request_t *req);
int rn_broker_heartbeat_request_decode(const uint8_t *p, size_t len, int16_t version,
                                       rn_broker_heartbeat_request_t *req);
void rn_broker_heartbeat_request_deinit(rn_broker_heartbeat_request_t *req);

int rn_broker_heartbeat_response_encode(rn_writer_t *wr, int16_t version,
                                        const rn_broker_heartbeat_response_t *resp);
int rn_broker_heartbeat_response_decode(const uint8_t *p, size_t len, int16_t version,
                                        rn_broker_heartbeat_response_t *resp);
void rn_broker_heartbeat_response_deinit(rn_broker_heartbeat_response_t *resp);

#endif
