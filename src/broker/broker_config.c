/*
 * broker_config.c — the table of broker config keys and the code that applies them.
 *
 * Each row: key, type, where the value goes in rn_broker_config_t, its range, its
 * default text and a one-line description. rn_broker_config_default parses every
 * default through set_value, exactly like a file would.
 */
#include "broker/broker_config.h"

#include "common/errors.h"
#include "common/properties.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    T_I32,
    T_I64,
    T_I64_OPT, /* empty text means "none", stored as -1 */
    T_BOOL,
    T_HOSTPORT,
    T_HOSTPORT_OPT, /* empty text means "none" */
    T_VOTERS,
    T_HOSTPORTS, /* host:port[,host:port...], or empty */
    T_DIRS,
    T_LEVEL,
} type_t;

typedef struct key_s {
    const char *name;
    type_t type;
    size_t off;
    int64_t min, max;
    const char *def;
    const char *help;
} cfg_key_t;

#define OFF(field) offsetof(rn_broker_config_t, field)
#define I32MAX     INT32_MAX
#define I64MAX     INT64_MAX

static const cfg_key_t keys[] = {
    {"broker.id", T_I32, OFF(broker_id), 0, I32MAX, "1", "this broker's id"},
    {"listeners", T_HOSTPORT, OFF(listener), 0, 0, "127.0.0.1:9092", "client protocol address"},
    {"controller.listener", T_HOSTPORT, OFF(controller_listener), 0, 0, "127.0.0.1:9093",
     "metadata quorum (Raft) address"},
    {"controller.quorum.voters", T_VOTERS, OFF(voters), 0, 0, "1@127.0.0.1:9093",
     "id@host:port,... of the metadata quorum's voters"},
    {"controller.bootstrap.servers", T_HOSTPORTS, OFF(bootstrap), 0, 0, "",
     "host:port,... of brokers' client listeners where a broker that is not a voter "
     "first finds the controller"},
    {"log.dirs", T_DIRS, OFF(log_dirs), 0, 0, "./data", "data directories, comma-separated"},
    {"num.partitions", T_I32, OFF(num_partitions), 1, I32MAX, "1",
     "partitions of auto-created topics"},
    {"default.replication.factor", T_I32, OFF(default_replication_factor), 1, 32767, "1",
     "replication factor of auto-created topics"},
    {"min.insync.replicas", T_I32, OFF(min_insync_replicas), 1, 32767, "1",
     "acks=all needs this many replicas in the ISR"},
    {"auto.create.topics.enable", T_BOOL, OFF(auto_create_topics), 0, 0, "true",
     "create unknown topics on produce and metadata requests"},
    {"log.segment.bytes", T_I64, OFF(log.segment_bytes), 1024, I32MAX, "1073741824",
     "segment roll size"},
    {"log.roll.ms", T_I64, OFF(log.segment_ms), 1, I64MAX, "604800000", "segment roll age"},
    {"log.retention.ms", T_I64, OFF(log.retention_ms), -1, I64MAX, "604800000",
     "delete segments older than this (-1: never)"},
    {"log.retention.bytes", T_I64, OFF(log.retention_bytes), -1, I64MAX, "-1",
     "per-partition size cap (-1: none)"},
    {"log.retention.check.interval.ms", T_I64, OFF(retention_check_interval_ms), 1, I64MAX,
     "300000", "how often retention runs"},
    {"log.index.interval.bytes", T_I32, OFF(log.index_interval_bytes), 0, I32MAX, "4096",
     "sparse index density"},
    {"log.flush.interval.messages", T_I64_OPT, OFF(log.flush_messages), 1, I64MAX, "",
     "fsync after this many records (unset: no count policy)"},
    {"log.flush.interval.ms", T_I64_OPT, OFF(log.flush_ms), 1, I64MAX, "",
     "fsync at least this often (unset: no time policy)"},
    {"replica.lag.time.max.ms", T_I64, OFF(replica_lag_time_max_ms), 1, I64MAX, "30000",
     "drop a follower from the ISR after this"},
    {"replica.high.watermark.checkpoint.interval.ms", T_I64, OFF(hw_checkpoint_interval_ms), 1,
     I64MAX, "5000", "how often each partition's high watermark is written to disk"},
    {"unclean.leader.election.enable", T_BOOL, OFF(unclean_leader_election), 0, 0, "false",
     "allow a non-ISR leader (may lose data)"},
    {"auto.leader.rebalance.enable", T_BOOL, OFF(auto_leader_rebalance), 0, 0, "true",
     "the controller moves leadership back to preferred replicas periodically"},
    {"leader.imbalance.check.interval.ms", T_I64, OFF(leader_imbalance_check_ms), 1, I64MAX,
     "300000", "how often the controller runs that preferred leader election"},
    {"broker.session.timeout.ms", T_I64, OFF(broker_session_timeout_ms), 1, I64MAX, "9000",
     "the controller fences a silent broker after this"},
    {"controlled.shutdown.enable", T_BOOL, OFF(controlled_shutdown), 0, 0, "true",
     "on SIGTERM, move leaderships to other ISR members before stopping"},
    {"group.min.session.timeout.ms", T_I32, OFF(group_min_session_timeout_ms), 1, I32MAX, "6000",
     "smallest session timeout a consumer may ask for"},
    {"group.max.session.timeout.ms", T_I32, OFF(group_max_session_timeout_ms), 1, I32MAX, "1800000",
     "largest session timeout a consumer may ask for"},
    {"group.initial.rebalance.delay.ms", T_I32, OFF(group_initial_rebalance_delay_ms), 0, I32MAX,
     "0", "an empty group's first rebalance waits this long for more members"},
    {"offsets.topic.num.partitions", T_I32, OFF(offsets_topic_num_partitions), 1, I32MAX, "50",
     "partitions of __consumer_offsets"},
    {"offsets.topic.replication.factor", T_I32, OFF(offsets_topic_replication_factor), -1, 32767,
     "-1", "replication factor of __consumer_offsets (-1: min(3, brokers))"},
    {"message.max.bytes", T_I32, OFF(log.max_message_bytes), 61, I32MAX, "1048588",
     "largest record batch accepted"},
    {"metrics.listener", T_HOSTPORT_OPT, OFF(metrics_listener), 0, 0, "",
     "host:port serving Prometheus text at /metrics (unset: none)"},
    {"log.level", T_LEVEL, OFF(log_level), 0, 0, "info", "debug, info, warn or error"},
};

#define NKEYS (sizeof keys / sizeof keys[0])

static const cfg_key_t *find_key(const char *name) {
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static int parse_int(const char *s, int64_t min, int64_t max, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max)
        return RN_ECONFIG;
    *out = v;
    return 0;
}

int rn_hostport_parse(const char *s, rn_hostport_t *out) {
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s)
        return RN_ECONFIG;
    const char *host = s;
    size_t hlen = (size_t)(colon - s);
    if (host[0] == '[') { /* [::1]:9092 */
        if (hlen < 3 || host[hlen - 1] != ']')
            return RN_ECONFIG;
        host++;
        hlen -= 2;
    }
    int64_t port;
    if (hlen >= RN_HOST_MAX || parse_int(colon + 1, 1, 65535, &port) != 0)
        return RN_ECONFIG;
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    out->port = (uint16_t)port;
    return 0;
}

static int parse_voters(const char *s, rn_broker_config_t *cfg) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
        return RN_ECONFIG;
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *at = strchr(tok, '@');
        int64_t id;
        if (n == RN_MAX_VOTERS || at == NULL)
            return RN_ECONFIG;
        *at = '\0';
        if (parse_int(tok, 0, INT32_MAX, &id) != 0 ||
            rn_hostport_parse(at + 1, &cfg->voters[n].addr) != 0)
            return RN_ECONFIG;
        for (int i = 0; i < n; i++)
            if (cfg->voters[i].id == id)
                return RN_ECONFIG; /* the same voter twice */
        cfg->voters[n++].id = (int32_t)id;
    }
    if (n == 0)
        return RN_ECONFIG;
    cfg->nvoters = n;
    return 0;
}

static int parse_hostports(const char *s, rn_broker_config_t *cfg) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
        return RN_ECONFIG;
    int n = 0;
    if (buf[0] == '\0') {
        cfg->nbootstrap = 0;
        return 0;
    }
    /* strtok_r would skip empty items: "a:1,,b:2" must be an error, not two servers */
    for (char *tok = buf, *comma; tok != NULL; tok = comma ? comma + 1 : NULL) {
        comma = strchr(tok, ',');
        if (comma != NULL)
            *comma = '\0';
        if (n == RN_MAX_BOOTSTRAP || rn_hostport_parse(tok, &cfg->bootstrap[n]) != 0)
            return RN_ECONFIG;
        n++;
    }
    cfg->nbootstrap = n;
    return 0;
}

static int parse_dirs(const char *s, rn_broker_config_t *cfg) {
    int n = 0;
    while (*s) {
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= sizeof cfg->log_dirs[0] || n == RN_MAX_LOG_DIRS)
            return RN_ECONFIG;
        memcpy(cfg->log_dirs[n], s, len);
        cfg->log_dirs[n++][len] = '\0';
        s += len + (s[len] == ',');
    }
    if (n == 0)
        return RN_ECONFIG;
    cfg->nlog_dirs = n;
    return 0;
}

static int parse_bool(const char *s, bool *out) {
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = s[0] == 't';
        return 0;
    }
    return RN_ECONFIG;
}

/* What the value should have looked like, for the error message. */
static const char *expected(const cfg_key_t *k) {
    static const char *const what[] = {
        [T_I32] = "an integer",
        [T_I64] = "an integer",
        [T_I64_OPT] = "an integer",
        [T_BOOL] = "true or false",
        [T_HOSTPORT] = "host:port",
        [T_HOSTPORT_OPT] = "host:port",
        [T_VOTERS] = "id@host:port[,id@host:port...]",
        [T_HOSTPORTS] = "host:port[,host:port...] (at most 16)",
        [T_DIRS] = "directory[,directory...]",
        [T_LEVEL] = "debug, info, warn or error",
    };
    return what[k->type];
}

static int set_value(rn_broker_config_t *cfg, const cfg_key_t *k, const char *v) {
    void *field = (char *)cfg + k->off;
    int64_t n;
    int rc;
    switch (k->type) {
    case T_I32:
        rc = parse_int(v, k->min, k->max, &n);
        if (rc == 0)
            *(int32_t *)field = (int32_t)n;
        return rc;
    case T_I64_OPT:
        if (*v == '\0') {
            *(int64_t *)field = -1;
            return 0;
        }
        /* fall through */
    case T_I64:
        rc = parse_int(v, k->min, k->max, &n);
        if (rc == 0)
            *(int64_t *)field = n;
        return rc;
    case T_BOOL:
        return parse_bool(v, field);
    case T_HOSTPORT:
        return rn_hostport_parse(v, field);
    case T_HOSTPORT_OPT:
        cfg->has_metrics_listener = *v != '\0';
        return *v == '\0' ? 0 : rn_hostport_parse(v, field);
    case T_VOTERS:
        return parse_voters(v, cfg);
    case T_HOSTPORTS:
        return parse_hostports(v, cfg);
    case T_DIRS:
        return parse_dirs(v, cfg);
    case T_LEVEL:
        return rn_log_level_parse(v, field);
    }
    return RN_ECONFIG;
}

/* Apply key=value; on error write "KEY: ..." into err. */
static int apply(rn_broker_config_t *cfg, const char *key, const char *value, char *err,
                 size_t errlen) {
    const cfg_key_t *k = find_key(key);
    if (k == NULL) {
        snprintf(err, errlen, "unknown config key '%s'", key);
        return RN_ECONFIG;
    }
    if (set_value(cfg, k, value) != 0) {
        if (k->type == T_I32 || k->type == T_I64 || k->type == T_I64_OPT)
            snprintf(err, errlen,
                     "%s: expected an integer from %" PRId64 " to %" PRId64 ", got '%s'", key,
                     k->min, k->max, value);
        else
            snprintf(err, errlen, "%s: expected %s, got '%s'", key, expected(k), value);
        return RN_ECONFIG;
    }
    return 0;
}

void rn_broker_config_default(rn_broker_config_t *cfg) {
    memset(cfg, 0, sizeof *cfg);
    rn_log_config_default(&cfg->log);
    char err[256];
    for (size_t i = 0; i < NKEYS; i++) {
        int rc = apply(cfg, keys[i].name, keys[i].def, err, sizeof err);
        (void)rc;
    }
}

typedef struct file_ctx_s {
    rn_broker_config_t *cfg;
    const char *path;
} file_ctx_t;

static int on_key(void *arg, const char *key, const char *value, int line, char *err,
                  size_t errlen) {
    file_ctx_t *fc = arg;
    char msg[512];
    int rc = apply(fc->cfg, key, value, msg, sizeof msg);
    if (rc != 0)
        snprintf(err, errlen, "%s: line %d: %s", fc->path, line, msg);
    return rc;
}

int rn_broker_config_load_file(rn_broker_config_t *cfg, const char *path, char *err,
                               size_t errlen) {
    file_ctx_t fc = {cfg, path};
    char msg[512] = "";
    int rc = rn_props_parse_file(path, on_key, &fc, msg, sizeof msg);
    if (rc != 0 && strncmp(msg, path, strlen(path)) != 0)
        snprintf(err, errlen, "%s: %s", path, msg); /* syntax error: add the file name */
    else if (rc != 0)
        snprintf(err, errlen, "%s", msg);
    return rc;
}

int rn_broker_config_override(rn_broker_config_t *cfg, const char *kv, char *err, size_t errlen) {
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv) {
        snprintf(err, errlen, "--override '%s': expected KEY=VALUE", kv);
        return RN_ECONFIG;
    }
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    char msg[512];
    int rc = apply(cfg, key, eq + 1, msg, sizeof msg);
    if (rc != 0)
        snprintf(err, errlen, "--override: %s", msg);
    return rc;
}

int rn_broker_config_check(const rn_broker_config_t *cfg, char *err, size_t errlen) {
    if (cfg->offsets_topic_replication_factor == 0) {
        snprintf(err, errlen, "offsets.topic.replication.factor: must be -1 or at least 1");
        return RN_ECONFIG;
    }
    if (cfg->group_min_session_timeout_ms > cfg->group_max_session_timeout_ms) {
        snprintf(err, errlen,
                 "group.min.session.timeout.ms (%d) is above "
                 "group.max.session.timeout.ms (%d)",
                 cfg->group_min_session_timeout_ms, cfg->group_max_session_timeout_ms);
        return RN_ECONFIG;
    }
    return 0;
}

void rn_broker_config_foreach_key(rn_broker_config_visit_fn fn, void *arg) {
    for (size_t i = 0; i < NKEYS; i++)
        fn(keys[i].name, keys[i].def, keys[i].help, arg);
}
