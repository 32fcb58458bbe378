/*
 * handle_topics.c — CreateTopics (key 19), DeleteTopics (key 20), and topic
 * auto-creation for Metadata and Produce.
 *
 * Each topic of a request is validated against the current image by the controller's
 * pure functions (meta/controller.h), then proposed as its own Raft entry, so that one
 * topic's failure (a concurrent create of the same name, found at apply time) does not
 * touch the others. The answer waits for the commits (topic_ops.h) up to the request's
 * timeout_ms; 0 answers at once. Only the controller (the quorum's ready leader)
 * proposes; other brokers answer NOT_CONTROLLER (retriable) naming the controller.
 *
 * __consumer_offsets is internal: DeleteTopics of it is refused
 * (INVALID_TOPIC_EXCEPTION), and auto-creating it creates it as the coordinator needs
 * it (rn_coord_create_offsets_topic).
 *
 * Names in the request are views into the request body; a topic named twice in one
 * request is refused (INVALID_REQUEST) for every occurrence, as Kafka does.
 */
#include <stdio.h>
#include <string.h>

#include "broker/broker_int.h"
#include "broker/coordinator.h"
#include "broker/topic_ops.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/controller.h"
#include "proto/api_topics.h"

#define MOD "broker"

static bool named_twice(const rn_str_t *names, size_t stride, int32_t n, int32_t i) {
    const char *base = (const char *)names;
    rn_str_t mine = *(const rn_str_t *)(base + stride * (size_t)i);
    for (int32_t j = 0; j < n; j++)
        if (j != i && rn_str_eq(mine, *(const rn_str_t *)(base + stride * (size_t)j)))
            return true;
    return false;
}

/* ---- CreateTopics ------------------------------------------------------------------ */

static void create_answer(rn_topic_op_t *op) {
    rn_create_topics_response_t resp = {.error_code = RN_WIRE_NONE, .n_topics = op->n};
    rn_creatable_topic_result_t *res = rn_calloc((size_t)(op->n > 0 ? op->n : 1), sizeof *res);
    for (int32_t i = 0; i < op->n; i++) {
        rn_topic_op_item_t *it = &op->items[i];
        res[i].name = it->name;
        res[i].error_code = it->err;
        res[i].error_message = it->msg[0] ? rn_str(it->msg) : RN_STR_NULL;
        if (it->done_ok)
            op->broker->counters.topics_created++;
    }
    resp.topics = res;
    rn_writer_t wr;
    rn_breq_writer_init(op->breq, &wr, 64 + (size_t)op->n * 64);
    if (rn_create_topics_response_encode(&wr, op->breq->hdr.api_version, &resp) != 0) {
        rn_writer_deinit(&wr);
        rn_free(res);
        rn_breq_respond_error(op->breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_free(res);
    rn_breq_respond(op->breq, &wr);
}

/* Validate topic t and build its record; 0, or the item is failed. */
static int create_one(rn_broker_t *b, rn_topic_op_t *op, int32_t i, const rn_creatable_topic_t *t,
                      rn_meta_record_t *rec) {
    char name[RN_META_TOPIC_NAME_MAX + 2];
    if (!rn_str_to_buf(t->name, name, sizeof name) || rn_controller_check_topic_name(name) != 0) {
        rn_topic_op_fail(op, i, RN_WIRE_INVALID_TOPIC_EXCEPTION,
                         "invalid topic name '%.*s': 1..249 characters of [a-zA-Z0-9._-], "
                         "not '.' or '..'",
                         t->name.len > 0 ? (t->name.len > 64 ? 64 : (int)t->name.len) : 0,
                         t->name.ptr ? t->name.ptr : "");
        return -1;
    }
    rn_meta_kv_t *kv = rn_calloc((size_t)(t->n_configs > 0 ? t->n_configs : 1), sizeof *kv);
    size_t nkv = 0;
    int rc = 0;
    for (int32_t c = 0; c < t->n_configs && rc == 0; c++) {
        if (rn_str_is_null(t->configs[c].value))
            continue; /* null = the default, same as leaving it out */
        kv[nkv].key = rn_strndup(t->configs[c].name.ptr, (size_t)t->configs[c].name.len);
        kv[nkv].value = rn_strndup(t->configs[c].value.ptr, (size_t)t->configs[c].value.len);
        nkv++;
    }
    rn_topic_spec_t spec = {
        .name = name,
        .partitions = t->num_partitions == -1 ? b->cfg.num_partitions : t->num_partitions,
        .replication_factor =
            t->replication_factor == -1 ? b->cfg.default_replication_factor : t->replication_factor,
        .configs = kv,
        .nconfigs = nkv,
    };
    char err[RN_TOPIC_OP_MSG_MAX] = "";
    rc = rn_controller_create_topic(rn_broker_image(b), &spec, NULL, rec, err, sizeof err);
    for (size_t c = 0; c < nkv; c++)
        rn_meta_kv_deinit(&kv[c]);
    rn_free(kv);
    if (rc != 0) {
        rn_topic_op_fail(op, i, rn_topic_op_wire_err(rc), "%s", err[0] ? err : rn_strerror(rc));
        return rc;
    }
    return 0;
}

static bool valid_name(rn_str_t name) {
    char buf[RN_META_TOPIC_NAME_MAX + 2];
    return rn_str_to_buf(name, buf, sizeof buf) && rn_controller_check_topic_name(buf) == 0;
}

void rn_handle_create_topics(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    rn_create_topics_request_t req;
    if (rn_create_topics_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_topic_op_t *op = rn_topic_op_new(breq, req.n_topics, req.timeout_ms, create_answer);
    bool controller = rn_broker_is_controller(b);
    for (int32_t i = 0; i < req.n_topics; i++) {
        const rn_creatable_topic_t *t = &req.topics[i];
        op->items[i].name = t->name;
        if (named_twice(&req.topics[0].name, sizeof req.topics[0], req.n_topics, i)) {
            rn_topic_op_fail(op, i, RN_WIRE_INVALID_REQUEST, "topic named more than once");
            continue;
        }
        if (!controller) {
            /* Only the controller's image can judge the rest (live brokers for the
             * replication factor, an existing topic): a broker that is not the
             * controller, or not ready yet, answers with the retriable error. */
            if (!valid_name(t->name))
                rn_topic_op_fail(
                    op, i, RN_WIRE_INVALID_TOPIC_EXCEPTION,
                    "topic names are 1..249 characters of [A-Za-z0-9._-], not . or ..");
            else
                rn_topic_op_fail(op, i, RN_WIRE_NOT_CONTROLLER, "the controller is broker %d",
                                 (int)rn_broker_controller_id(b));
            continue;
        }
        rn_meta_record_t rec;
        if (create_one(b, op, i, t, &rec) != 0)
            continue;
        if (!req.validate_only)
            rn_topic_op_propose(op, i, &rec, 1);
        rn_meta_record_deinit(&rec);
    }
    rn_create_topics_request_deinit(&req);
    rn_topic_op_start(op);
}

/* ---- DeleteTopics ------------------------------------------------------------------ */

static void delete_answer(rn_topic_op_t *op) {
    rn_delete_topics_response_t resp = {.error_code = RN_WIRE_NONE, .n_responses = op->n};
    rn_deletable_topic_result_t *res = rn_calloc((size_t)(op->n > 0 ? op->n : 1), sizeof *res);
    for (int32_t i = 0; i < op->n; i++) {
        rn_topic_op_item_t *it = &op->items[i];
        res[i].name = it->name;
        res[i].error_code = it->err;
        res[i].error_message = it->msg[0] ? rn_str(it->msg) : RN_STR_NULL;
        if (it->done_ok)
            op->broker->counters.topics_deleted++;
    }
    resp.responses = res;
    rn_writer_t wr;
    rn_breq_writer_init(op->breq, &wr, 64 + (size_t)op->n * 64);
    if (rn_delete_topics_response_encode(&wr, op->breq->hdr.api_version, &resp) != 0) {
        rn_writer_deinit(&wr);
        rn_free(res);
        rn_breq_respond_error(op->breq, RN_WIRE_UNKNOWN_SERVER_ERROR);
        return;
    }
    rn_free(res);
    rn_breq_respond(op->breq, &wr);
}

void rn_handle_delete_topics(rn_breq_t *breq) {
    rn_broker_t *b = breq->broker;
    rn_delete_topics_request_t req;
    if (rn_delete_topics_request_decode(breq->body, breq->body_len, breq->hdr.api_version, &req) !=
        0) {
        rn_breq_respond_invalid(breq);
        return;
    }
    rn_topic_op_t *op = rn_topic_op_new(breq, req.n_topic_names, req.timeout_ms, delete_answer);
    bool controller = rn_broker_is_controller(b);
    for (int32_t i = 0; i < req.n_topic_names; i++) {
        op->items[i].name = req.topic_names[i];
        char name[RN_META_TOPIC_NAME_MAX + 2];
        if (named_twice(req.topic_names, sizeof req.topic_names[0], req.n_topic_names, i)) {
            rn_topic_op_fail(op, i, RN_WIRE_INVALID_REQUEST, "topic named more than once");
            continue;
        }
        if (!rn_str_to_buf(req.topic_names[i], name, sizeof name)) {
            rn_topic_op_fail(op, i, RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, "no such topic");
            continue;
        }
        if (strcmp(name, RN_OFFSETS_TOPIC) == 0) {
            rn_topic_op_fail(op, i, RN_WIRE_INVALID_TOPIC_EXCEPTION,
                             "%s is internal: it holds the consumer groups' state",
                             RN_OFFSETS_TOPIC);
            continue;
        }
        if (!controller) { /* only the controller's image knows which topics exist */
            rn_topic_op_fail(op, i, RN_WIRE_NOT_CONTROLLER, "the controller is broker %d",
                             (int)rn_broker_controller_id(b));
            continue;
        }
        rn_meta_record_t rec;
        char err[RN_TOPIC_OP_MSG_MAX] = "";
        int rc = rn_controller_delete_topic(rn_broker_image(b), name, &rec, err, sizeof err);
        if (rc != 0) {
            rn_topic_op_fail(op, i, rn_topic_op_wire_err(rc), "%s", err[0] ? err : rn_strerror(rc));
            continue;
        }
        rn_topic_op_propose(op, i, &rec, 1);
        rn_meta_record_deinit(&rec);
    }
    rn_delete_topics_request_deinit(&req);
    rn_topic_op_start(op);
}

/* ---- auto-creation ---------------------------------------------------------------- */

static void auto_created(void *arg, int status) {
    char *name = arg;
    if (status != 0 && status != RN_ETOPICEXISTS)
        rn_log(RN_LOG_WARN, MOD, "auto-creating topic %s failed: %s", name, rn_strerror(status));
    rn_free(name);
}

int rn_broker_auto_create_topic(rn_broker_t *b, rn_str_t topic) {
    if (!b->cfg.auto_create_topics)
        return RN_ECONFIG;
    if (b->stopping || b->quorum == NULL)
        return RN_ECLOSED;
    char name[RN_META_TOPIC_NAME_MAX + 2];
    if (!rn_str_to_buf(topic, name, sizeof name) || rn_controller_check_topic_name(name) != 0)
        return RN_EINVALIDTOPIC;
    if (!rn_broker_is_controller(b))
        return RN_ENOTLEADER;
    if (strcmp(name, RN_OFFSETS_TOPIC) == 0) /* with its own partitions and configs */
        return rn_coord_create_offsets_topic(b);
    rn_topic_spec_t spec = {.name = name,
                            .partitions = b->cfg.num_partitions,
                            .replication_factor = b->cfg.default_replication_factor};
    rn_meta_record_t rec;
    char err[RN_TOPIC_OP_MSG_MAX] = "";
    int rc = rn_controller_create_topic(rn_broker_image(b), &spec, NULL, &rec, err, sizeof err);
    if (rc == RN_ETOPICEXISTS)
        return 0;
    if (rc != 0) {
        rn_log(RN_LOG_WARN, MOD, "cannot auto-create topic %s: %s", name, err);
        return rc;
    }
    char *arg = rn_strdup(name);
    rc = rn_quorum_propose(b->quorum, &rec, 1, auto_created, arg);
    if (rc != 0)
        rn_free(arg);
    rn_meta_record_deinit(&rec);
    return rc;
}
