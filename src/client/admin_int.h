/*
 * admin_int.h — what the admin client's files share (admin.c: topics, configs,
 * brokers, quorum; admin_elect.c: leader elections; admin_groups.c: consumer groups).
 * Not a public API.
 */
#ifndef RN_CLIENT_ADMIN_INT_H
#define RN_CLIENT_ADMIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "proto/api_metadata.h"
#include "proto/writer.h"

struct rn_admin_s {
    rn__client_t cl;
};

/* Send an encoded body (enc_rc: the encoder's result) to broker target and wait: 0
 * with *resp (rn_free it), or an error with err filled. The body writer is consumed. */
int rn__admin_call(rn_admin_t *a, int32_t target, int16_t api, rn_writer_t *wr, int enc_rc,
                   uint8_t **resp, size_t *len, char *err, size_t errlen);

/* A response that does not decode: its leading error code (35 for an API the broker
 * does not speak), described in err. */
int rn__admin_undecodable(int16_t api, const uint8_t *resp, size_t len, char *err, size_t errlen);

/* Metadata v0 for topics (n -1: all; 0: brokers only). *out and *resp on success;
 * free with rn_metadata_response_deinit then rn_free(*resp). */
int rn__admin_metadata(rn_admin_t *a, rn_str_t *topics, int32_t n, rn_metadata_response_t *out,
                       uint8_t **resp, char *err, size_t errlen);

/* Topic name's partitions (leaders, replicas, ISR) with their log start offset, high
 * watermark and log end offset (ListOffsets to each leader; -1 where the leader is
 * offline or unreachable), configs left empty: rn_admin_describe_topic without the
 * DescribeConfigs. *out on success (free with rn_admin_topic_free); an unknown topic
 * is UNKNOWN_TOPIC_OR_PARTITION with err naming it. */
int rn__admin_topic_offsets(rn_admin_t *a, const char *name, rn_topic_info_t **out, char *err,
                            size_t errlen);

/* The controller as Metadata names it, or RN__ANY_BROKER while none is known. */
int32_t rn__admin_controller_id(rn_admin_t *a);

/* After a request to the controller returned rc: true (after retry.backoff.ms, with
 * *target updated) to try again — NOT_CONTROLLER, or a controller that did not answer —
 * while deadline (monotonic ms) allows. */
bool rn__admin_retry_at_controller(rn_admin_t *a, int rc, int64_t deadline, int32_t *target);

#endif
