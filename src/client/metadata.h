/*
 * metadata.h — the client's cache of cluster metadata: the topics its owner cares
 * about (partition count, leader and epoch per partition) and the brokers.
 *
 * Refreshes: when a topic is first wanted, when the owner reports a stale leader
 * (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, a lost
 * connection), and at least every metadata.max.age.ms. At most one Metadata request is
 * in flight; requests are at least retry.backoff.ms apart. Every Metadata response
 * the client receives (the admin's too) updates the broker list.
 *
 * Loop thread only.
 */
#ifndef RN_CLIENT_METADATA_H
#define RN_CLIENT_METADATA_H

#include <stdint.h>

#include "client/client.h"
#include "proto/api_metadata.h"

typedef struct rn__mpart_s {
    int32_t leader; /* broker id; -1 when none */
    int32_t leader_epoch;
    rn_wire_err_t err;
} rn__mpart_t;

typedef struct rn__mtopic_s {
    struct rn__mtopic_s *next;
    char *name;        /* owned */
    int known;         /* a response has described it (err and partitions valid) */
    rn_wire_err_t err; /* topic-level error of the last response */
    int32_t npart;
    rn__mpart_t *parts; /* owned, npart entries */
    uint32_t gen;       /* bumped whenever a response replaces parts */
} rn__mtopic_t;

typedef struct rn__metadata_s {
    rn__mtopic_t *topics;
    int allow_auto_create; /* producers: true */
    int inflight;
    int needed;
    int64_t last_request; /* uv_now when the last one was sent */
    int64_t last_ok;      /* uv_now of the last good response */
    int last_err;         /* of the last failed refresh: < 0 local, > 0 wire */
    int32_t controller_id;
} rn__metadata_t;

void rn__metadata_init(rn__client_t *cl, int allow_auto_create);
void rn__metadata_free(rn__client_t *cl);

/* The topic's entry, created (and a refresh requested) when new. */
rn__mtopic_t *rn__metadata_want(rn__client_t *cl, const char *topic);

/* The entry or NULL. */
rn__mtopic_t *rn__metadata_find(rn__client_t *cl, const char *topic);

/* Ask for a refresh (rate-limited by retry.backoff.ms). */
void rn__metadata_refresh(rn__client_t *cl);

/* Send a refresh when one is due; returns the next time one may be due. */
int64_t rn__metadata_serve(rn__client_t *cl, int64_t now);

/* Apply a decoded Metadata response (brokers always; wanted topics). */
void rn__metadata_apply(rn__client_t *cl, const rn_metadata_response_t *resp);

/* 1 when err means the cached leader is stale and metadata should be refreshed. */
int rn__metadata_stale_err(int err);

#endif
