/*
 * broker_config.h — the broker's configuration: every key of DESIGN.md's table, its
 * default, its type and range, parsed from a .properties file and --override
 * KEY=VALUE arguments.
 *
 * One table (broker_config.c) is the single source of truth: defaults are applied by
 * parsing each key's default text through the same code as the file, so a default can
 * never be a value the parser would refuse. Unknown keys and bad values are errors
 * that name the key and, for files, the line; the caller prints the message and exits
 * with status 2.
 */
#ifndef RN_BROKER_BROKER_CONFIG_H
#define RN_BROKER_BROKER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/logging.h"
#include "log/config.h"

#define RN_HOST_MAX      256
#define RN_MAX_VOTERS    16
#define RN_MAX_LOG_DIRS  8
#define RN_MAX_BOOTSTRAP 16

typedef struct rn_hostport_s {
    char host[RN_HOST_MAX];
    uint16_t port;
} rn_hostport_t;

typedef struct rn_voter_s {
    int32_t id;
    rn_hostport_t addr;
} rn_voter_t;

typedef struct rn_broker_config_s {
    int32_t broker_id;
    rn_hostport_t listener;
    rn_hostport_t controller_listener;
    rn_voter_t voters[RN_MAX_VOTERS];
    int nvoters;
    /* controller.bootstrap.servers: client listeners of existing brokers, where a
     * broker that does not know the controller's address yet (a standby's first
     * start) sends its heartbeats until one answers as the controller */
    rn_hostport_t bootstrap[RN_MAX_BOOTSTRAP];
    int nbootstrap;
    char log_dirs[RN_MAX_LOG_DIRS][1024];
    int nlog_dirs;

    int32_t num_partitions;
    int32_t default_replication_factor;
    int32_t min_insync_replicas;
    bool auto_create_topics;

    rn_log_config_t log; /* segment/retention/index/flush defaults for topics */
    int64_t retention_check_interval_ms;

    int64_t replica_lag_time_max_ms;
    int64_t hw_checkpoint_interval_ms; /* replication-offset-checkpoint period */
    bool unclean_leader_election;
    bool auto_leader_rebalance;        /* periodic preferred leader election (elect.c) */
    int64_t leader_imbalance_check_ms; /* its period */
    int64_t broker_session_timeout_ms;
    bool controlled_shutdown; /* move leaderships away before stopping (shutdown.c) */
    int32_t group_min_session_timeout_ms;
    int32_t group_max_session_timeout_ms;
    int32_t group_initial_rebalance_delay_ms; /* an Empty group waits this for more members */
    int32_t offsets_topic_num_partitions;
    int32_t offsets_topic_replication_factor; /* -1: min(3, brokers) */

    bool has_metrics_listener;
    rn_hostport_t metrics_listener;
    rn_log_level_t log_level;
} rn_broker_config_t;

/* Fill cfg with every default. Cannot fail. */
void rn_broker_config_default(rn_broker_config_t *cfg);

/* Apply a properties file over cfg. 0, -errno (unreadable) or RN_ECONFIG; on error
 * err holds one line such as "broker.properties: line 4: log.retention.ms: expected
 * an integer, got 'soon'". cfg may be partly updated on error. */
int rn_broker_config_load_file(rn_broker_config_t *cfg, const char *path, char *err, size_t errlen);

/* Apply one "KEY=VALUE" override. 0 or RN_ECONFIG (err names the key). */
int rn_broker_config_override(rn_broker_config_t *cfg, const char *kv, char *err, size_t errlen);

/* Checks across keys (group min <= max session timeout, offsets topic factor).
 * 0 or RN_ECONFIG with err naming the keys. */
int rn_broker_config_check(const rn_broker_config_t *cfg, char *err, size_t errlen);

/* Parse "host:port" (port 1..65535; host non-empty; [v6] brackets allowed). 0 or
 * RN_ECONFIG. */
int rn_hostport_parse(const char *s, rn_hostport_t *out);

/* Call fn(key, default_text, description) for every key, in table order (for --help
 * and docs). */
typedef void (*rn_broker_config_visit_fn)(const char *key, const char *def, const char *help,
                                          void *arg);
void rn_broker_config_foreach_key(rn_broker_config_visit_fn fn, void *arg);

#endif
