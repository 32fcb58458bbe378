/*
 * handle_configs.c — DescribeConfigs (key 32) and AlterConfigs (key 33).
 *
 * Topic resources: the per-topic keys of DESIGN.md, each with its effective value — the
 * topic's override (is_default false) or the broker's default for it (is_default true;
 * value null when there is none, e.g. flush.ms). Broker resources (name = this broker's
 * id): every broker config key with the value it was started with; all read-only.
 *
 * AlterConfigs is incremental (docs/protocol.md): every key/value of a resource is
 * validated first (rn_controller_alter_configs) — an unknown key or a bad value fails
 * the resource with INVALID_CONFIG and a message naming the key, and nothing changes
 * — then the SetTopicConfig records are proposed as one entry (all or nothing), and
 * the answer waits for the commit. Every broker applies the change to its partition
 * logs from the metadata log (partitions.h), without a restart.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_int.h"
#include "broker/topic_ops.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "meta/controller.h"
#include "proto/api_configs.h"

#define ALTER_TIMEOUT_MS 30000

/* Topic keys, in the order DescribeConfigs lists them. */
static const char *const topic_keys[] = {
    "retention.ms",
    "retention.bytes",
    "segment.bytes",
    "segment.ms",
    "min.insync.replicas",
    "max.message.bytes",
    "unclean.leader.election.enable",
    "flush.messages",
    "flush.ms",
    "partitioner",
};
#define NTOPIC_KEYS (sizeof topic_keys / sizeof topic_keys[0])

/* The broker default of topic key i as text into buf; NULL when there is none. */
static const char *topic_default(const rn_broker_config_t *cfg, size_t i, char *buf, size_t len) {
    int64_t v;
    switch (i) {
    case 0:
        v = cfg->log.retention_ms;
        break;
    case 1:
        v = cfg->log.retention_bytes;
        break;
    case 2:
        v = cfg->log.segment_bytes;
        break;
    case 3:
        v = cfg->log.segment_ms;
        break;
    case 4:
        v = cfg->min_insync_replicas;
        break;
    case 5:
        v = cfg->log.max_message_bytes;
        break;
    case 6:
        return cfg->unclean_leader_election ? "true" : "false";
    case 7:
        v = cfg->log.flush_messages;
        if (v <= 0)
            return NULL;
        break;
    case 8:
        v = cfg->log.flush_ms;
        if (v <= 0)
            return NULL;
        break;
    default:
        return "default";
    }
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

static bool wanted(const rn_describe_configs_resource_t *r, const char *key) {
    if (r->n_configuration_keys < 0)
        return true;
    for (int32_t i = 0; i < r->n_configuration_keys; i++)
        if (rn_str_eq_c(r->configuration_keys[i], key))
            return true;
    return false;
}

static void describe_topic(rn_broker_t *b, const rn_describe_configs_resource_t *r,
                           rn_arena_t *arena, rn_describe_configs_result_t *res) {
    char name[RN_META_TOPIC_NAME_MAX + 2];
    const rn_meta_topic_t *mt = NULL;
    if (rn_str_to_buf(r->resource_name, name, sizeof name))
        mt = rn_meta_image_topic(rn_broker_image(b), name);
    if (mt == NULL) {
        res->error_code = RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
        res->error_message = rn_str("no such topic");
        return;
    }
    res->configs = rn_arena_alloc(arena, NTOPIC_KEYS, sizeof *res->configs);
    for (size_t i = 0; i < NTOPIC_KEYS; i++) {
        if (!wanted(r, topic_keys[i]))
            continue;
        rn_describe_configs_entry_t *e = &res->configs[res->n_configs++];
        const char *v = rn_meta_topic_config(mt, topic_keys[i]);
        e->name = rn_str(topic_keys[i]);
        e->is_default = v == NULL;
        if (v == NULL) {
            char *buf = rn_arena_alloc(arena, 24, 1);
            v = topic_default(&b->cfg, i, buf, 24);
        }
        e->value = rn_str(v);
    }
}

typedef struct broker_desc_s {
    rn_broker_t *b;
    const rn_describe_configs_resource_t *r;
    rn_arena_t *arena;
    rn_describe_configs_result_t *res;
} broker_desc_t;

static void describe_broker_key(const char *key, const char *def, const char *help, void *arg) {
    (void)help;
    broker_desc_t *d = arg;
    if (!wanted(d->r, key))
        return;
    const char *v = rn_broker_explicit_value(d->b, key);
    rn_describe_configs_entry_t *e = &d->res->configs[d->res->n_configs++];
    e->name = rn_str(key);
    e->value = v ? rn_str(v) : (def[0] ? rn_str(def) : RN_STR_NULL);
    e->read_only = true;
    e->is_default = v == NULL;
}

static void count_visit(const char *key, const char *def, const char *help, void *arg) {
    (void)key, (void)def, (void)help;
    ++*(int *)arg;
}

static void describe_broker(rn_broker_t *b, const rn_describe_configs_resource_t *r,
                            rn_arena_t *arena, rn_describe_configs_result_t *res) {
    char want[16];
    snprintf(want, sizeof want, "%d", (int)b->cfg.broker_id);
    if (!rn_str_eq_c(r->resource_name, want)) {
        res->error_code = RN_WIRE_INVALID_REQUEST;
        res->error_message = rn_str("broker configs are served by that broker only");
        return;
    }
    int n = 0;
    rn_broker_config_foreach_key(count_visit, &n);
    res->configs = rn_arena_alloc(arena, (size_t)n, sizeof *res->configs);
    broker_desc_t d = {b, r, arena, res};
    rn_broker_config_foreach_key(describe_broker_key, &d);
}

void rn_handle_describe_configs(rn_breq_t *breq) {
    rn_describe_configs_request_t req;
    if (rn_describe_configs_request_decode(breq->body, breq->body_len, breq->hdr.api_version,
                                           &req) != 0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_arena_t arena;
    rn_arena_init(&arena);
    rn_describe_configs_response_t resp = {.error_code = RN_WIRE_NONE,
                                           .n_results = req.n_resources};
    resp.results = rn_arena_alloc(&arena, (size_t)req.n_resources, sizeof *resp.results);
    for (int32_t i = 0; i < req.n_resources; i++) {
        const rn_describe_configs_resource_t *r = &req.resources[i];
        rn_describe_configs_result_t *res = &resp.results[i];
        res->resource_type = r->resource_type;
        res->resource_name = r->resource_name;
        res->error_message = RN_STR_NULL;
        if (r->resource_type == RN_RESOURCE_TOPIC)
            describe_topic(breq->broker, r, &arena, res);
        else if (r->resource_type == RN_RESOURCE_BROKER)
            describe_broker(breq->broker, r, &arena, res);
        else {
            res->error_code = RN_WIRE_INVALID_REQUEST;
            res->error_message = rn_str("resource_type must be 2 (topic) or 4 (broker)");
        }
    }
    rn_writer_t wr;
    rn_breq_writer_init(breq, &wr, 1024);
    int rc = rn_describe_configs_response_encode(&wr, breq->hdr.api_version, &resp);
    rn_arena_deinit(&arena);
    rn_describe_configs_request_deinit(&req);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(breq, &wr);
}

/* ---- AlterConfigs --------------------------------------------------------------------- */

static void alter_answer(rn_topic_op_t *op) {
    rn_alter_configs_response_t resp = {.error_code = RN_WIRE_NONE, .n_responses = op->n};
    rn_alter_configs_resource_response_t *res =
        rn_calloc((size_t)(op->n > 0 ? op->n : 1), sizeof *res);
    for (int32_t i = 0; i < op->n; i++) {
        rn_topic_op_item_t *it = &op->items[i];
        res[i].error_code = it->err;
        res[i].error_message = it->msg[0] ? rn_str(it->msg) : RN_STR_NULL;
        res[i].resource_type = it->resource_type;
        res[i].resource_name = it->name;
    }
    resp.responses = res;
    rn_writer_t wr;
    rn_breq_writer_init(op->breq, &wr, 64 + (size_t)op->n * 64);
    int rc = rn_alter_configs_response_encode(&wr, op->breq->hdr.api_version, &resp);
    rn_free(res);
    if (rc != 0) {
        rn_writer_deinit(&wr);
        rn_breq_respond_error(op->breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_breq_respond(op->breq, &wr);
}

/* Validate one topic resource and propose its records (unless validate_only). */
static void alter_topic(rn_broker_t *b, rn_topic_op_t *op, int32_t i,
                        const rn_alter_configs_resource_t *r, bool validate_only) {
    char name[RN_META_TOPIC_NAME_MAX + 2];
    if (!rn_str_to_buf(r->resource_name, name, sizeof name)) {
        rn_topic_op_fail(op, i, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, "no such topic");
        return;
    }
    size_t n = (size_t)(r->n_configs > 0 ? r->n_configs : 0);
    rn_meta_kv_t *kv = rn_calloc(n ? n : 1, sizeof *kv);
    for (size_t c = 0; c < n; c++) {
        kv[c].key = rn_strndup(r->configs[c].name.ptr, (size_t)r->configs[c].name.len);
        if (!rn_str_is_null(r->configs[c].value))
            kv[c].value = rn_strndup(r->configs[c].value.ptr, (size_t)r->configs[c].value.len);
    }
    rn_meta_record_t *recs = NULL;
    size_t nrecs = 0;
    char err[RN_TOPIC_OP_MSG_MAX] = "";
    int rc = rn_controller_alter_configs(rn_broker_image(b), name, kv, n, &recs, &nrecs, err,
                                         sizeof err);
    for (size_t c = 0; c < n; c++)
        rn_meta_kv_deinit(&kv[c]);
    rn_free(kv);
    if (rc != 0) {
        rn_topic_op_fail(op, i, rn_topic_op_wire_err(rc), "%s", err[0] ? err : rn_strerror(rc));
        return;
    }
    if (!rn_broker_is_controller(b))
        rn_topic_op_fail(op, i, RN_WIRE_NOT_CONTROLLER, "the controller is broker %d",
                         (int)rn_broker_controller_id(b));
    else if (!validate_only && nrecs > 0)
        rn_topic_op_propose(op, i, recs, nrecs);
    for (size_t k = 0; k < nrecs; k++)
        rn_meta_record_deinit(&recs[k]);
    rn_free(recs);
}

void rn_handle_alter_configs(rn_breq_t *breq) {
    rn_alter_configs_request_t req;
    if (rn_alter_configs_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_topic_op_t *op = rn_topic_op_new(breq, req.n_resources, ALTER_TIMEOUT_MS, alter_answer);
    for (int32_t i = 0; i < req.n_resources; i++) {
        const rn_alter_configs_resource_t *r = &req.resources[i];
        op->items[i].name = r->resource_name;
        op->items[i].resource_type = r->resource_type;
        if (r->resource_type == RN_RESOURCE_TOPIC)
            alter_topic(breq->broker, op, i, r, req.validate_only);
        else if (r->resource_type == RN_RESOURCE_BROKER)
            rn_topic_op_fail(op, i, RN_WIRE_INVALID_REQUEST,
                             "broker configs are read-only: edit the properties file and restart");
        else
            rn_topic_op_fail(op, i, RN_WIRE_INVALID_REQUEST,
                             "resource_type must be 2 (topic) or 4 (broker)");
    }
    rn_alter_configs_request_deinit(&req);
    rn_topic_op_start(op);
}
