/*
 * conf.h — the configuration behind rn_conf_t (runnel.h lists the keys).
 *
 * rn_conf_set parses and validates each value as it is set, so a finished rn_conf_t
 * always holds values the rest of the library can use without checking again. A
 * client object takes ownership of its rn_conf_t at _new and reads it only from then
 * on (never written after _new: any thread may read it without a lock).
 */
#ifndef RN_CLIENT_CONF_H
#define RN_CLIENT_CONF_H

#include <stdint.h>

#include "runnel/runnel.h"

typedef enum {
    RN__PART_DEFAULT = 0, /* hash when keyed, sticky when not */
    RN__PART_STICKY,
    RN__PART_HASH,
    RN__PART_BROKER, /* send partition -1, the broker chooses */
    RN__PART_USER,   /* rn_conf_set_partitioner */
} rn__part_kind_t;

struct rn_conf_s {
    char *bootstrap_servers; /* owned; validated "host:port[,host:port...]" */
    char *client_id;         /* owned */
    int32_t request_timeout_ms;
    int32_t metadata_max_age_ms;
    int32_t retry_backoff_ms;
    int32_t connect_timeout_ms; /* socket.connection.setup.timeout.ms (added key) */
    /* producer */
    int32_t acks; /* 0, 1 or -1 */
    int32_t linger_ms;
    int32_t batch_size;
    int32_t compression; /* rn_codec_t: RN_CODEC_NONE or RN_CODEC_GZIP */
    int32_t delivery_timeout_ms;
    int32_t max_inflight;
    rn__part_kind_t partitioner;
    rn_partitioner_fn part_fn; /* RN__PART_USER */
    void *part_opaque;
    int32_t message_max_bytes;
    int32_t queue_max_messages; /* queue.buffering.max.messages (added key) */
    /* consumer */
    int32_t fetch_max_wait_ms;
    int32_t fetch_min_bytes;
    int32_t fetch_max_bytes;
    int32_t max_partition_fetch_bytes;
    int32_t check_crcs;
    int32_t queued_max_kbytes; /* queued.max.messages.kbytes (added key) */
    /* consumer groups (docs/groups.md) */
    char *group_id; /* owned; "" when not set */
    int32_t session_timeout_ms;
    int32_t heartbeat_interval_ms;
    int32_t max_poll_interval_ms;
    int32_t enable_auto_commit;
    int32_t auto_commit_interval_ms;
    int32_t auto_offset_reset; /* RN_OFFSET_BEGINNING, RN_OFFSET_END or RN__RESET_NONE */
    char *assignment_strategy; /* owned; validated "range,roundrobin"-style list */
    rn_rebalance_fn assigned_cb, revoked_cb;
    void *rebalance_opaque;
};

#define RN__RESET_NONE (-3) /* auto.offset.reset=none */

/* One bootstrap address parsed from bootstrap.servers. */
typedef struct rn__hostport_s {
    char host[256];
    int port;
} rn__hostport_t;

/*
 * Parse "host:port[,host:port...]" ("[v6addr]:port" for IPv6) into out[0..max).
 * Returns the count (>= 1), or RN_ECONFIG with err saying what is wrong.
 */
int rn__hostports_parse(const char *s, rn__hostport_t *out, int max, char *err, size_t errlen);

/* The consumer-group keys together (rn_consumer_subscribe): heartbeat.interval.ms must
 * be lower than session.timeout.ms. 0, or RN_ECONFIG with err saying why. */
int rn__conf_check_group(const rn_conf_t *conf, char *err, size_t errlen);

/* printf into the caller's error buffer; err may be NULL (or errlen 0): then nothing. */
void rn__errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
