/*
 * config.h — the per-partition log settings.
 *
 * Broker-wide defaults come from the broker config (log.segment.bytes, ...); a topic's
 * overrides (segment.bytes, retention.ms, ...) replace them per partition. The log
 * module only sees the resolved values.
 */
#ifndef RN_LOG_CONFIG_H
#define RN_LOG_CONFIG_H

#include <stdint.h>

typedef struct rn_log_config_s {
    int64_t segment_bytes;        /* roll before the active segment would pass this */
    int64_t segment_ms;           /* roll when the active segment's first append is older */
    int64_t retention_ms;         /* delete closed segments older than this; -1 never */
    int64_t retention_bytes;      /* keep the partition under this size; -1 no cap */
    int32_t index_interval_bytes; /* an index entry at least every this many bytes */
    int64_t flush_messages;       /* fsync after this many records; <= 0 no count policy */
    int64_t flush_ms;             /* fsync at least this often; <= 0 no time policy */
    int32_t max_message_bytes;    /* largest batch accepted */
} rn_log_config_t;

/* The DESIGN.md defaults: 1 GiB / 7 days segments, 7 days retention, no size cap,
 * 4096-byte index interval, no flush policy, 1048588-byte batches. */
void rn_log_config_default(rn_log_config_t *cfg);

/* 0, or RN_ECONFIG when a value is out of range (segment_bytes < 61 + 12 or over
 * INT32_MAX, index_interval_bytes < 0, max_message_bytes < 61, ...). */
int rn_log_config_check(const rn_log_config_t *cfg);

#endif
