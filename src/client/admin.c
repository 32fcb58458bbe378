/*
 * admin.c — rn_admin_t: blocking topic and cluster administration. Each call encodes
 * its request on the calling thread, sends it through the background loop
 * (rn__client_request_sync: any reachable broker, or a partition's leader) and
 * decodes the answer on the calling thread. Errors are one line naming the topic or
 * the broker: "topic orders: TOPIC_ALREADY_EXISTS: topic already exists".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin_int.h"
#include "client/client.h"
#include "client/metadata.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_configs.h"
#include "proto/api_create_partitions.h"
#include "proto/api_describe_quorum.h"
#include "proto/api_list_offsets.h"
#include "proto/api_metadata.h"
#include "proto/api_topics.h"

typedef int (*encode_fn)(rn_writer_t *wr, const void *req);

static int check_name(const char *name, char *err, size_t errlen) {
    if (name == NULL || name[0] == '\0' || strlen(name) > 249) {
        rn__errf(err, errlen, "invalid topic name \"%s\" (1 to 249 characters)", name ? name : "");
        return RN_EINVALIDTOPIC;
    }
    return 0;
}

/* A per-entry wire error as "topic T: NAME: message (detail)". Returns err. */
static int topic_err(const char *topic, int err, rn_str_t detail, char *buf, size_t len) {
    if (detail.len > 0)
        rn__errf(buf, len, "topic %s: %s (%.*s)", topic, rn_err_str(err), (int)detail.len,
                 detail.ptr);
    else
        rn__errf(buf, len, "topic %s: %s", topic, rn_err_str(err));
    return err;
}

/* The answer to a request about one topic: its top-level error, else exactly one
 * result (n results; code and msg are the first one's) whose error is the topic's. */
static int one_result(const char *topic, int16_t top, int32_t n, const int16_t *code, rn_str_t msg,
                      char *err, size_t errlen) {
    if (top != 0)
        return topic_err(topic, top, RN_STR_NULL, err, errlen);
    if (n != 1 || code == NULL)
        return topic_err(topic, RN_WIRE_UNKNOWN_SERVER_ERROR, rn_str("no result"), err, errlen);
    return *code != 0 ? topic_err(topic, *code, msg, err, errlen) : 0;
}

int rn__admin_call(rn_admin_t *a, int32_t target, int16_t api, rn_writer_t *wr, int enc_rc,
                   uint8_t **resp, size_t *len, char *err, size_t errlen) {
    int rc = enc_rc;
    if (rc < 0)
        rn__errf(err, errlen, "cannot encode the %s request: %s", rn_api_name(api), rn_err_str(rc));
    else
        rc = rn__client_request_sync(&a->cl, target, api, wr->buf, wr->len,
                                     a->cl.conf->request_timeout_ms, resp, len, err, errlen);
    rn_writer_deinit(wr);
    return rc;
}

int rn__admin_undecodable(int16_t api, const uint8_t *resp, size_t len, char *err, size_t errlen) {
    int code = rn__resp_error_code(resp, len);
    rn__errf(err, errlen, "bad %s response: %s", rn_api_name(api), rn_err_str(code));
    return code;
}

/* ---- topics ------------------------------------------------------------------------ */

static int create_topic_at(rn_admin_t *a, int32_t target, const char *name, int32_t partitions,
                           int32_t replication_factor, const rn_config_entry_t *configs,
                           int32_t nconfigs, char *err, size_t errlen) {
    int rc = check_name(name, err, errlen);
    if (rc < 0)
        return rc;
    if (nconfigs < 0 || (nconfigs > 0 && configs == NULL) || replication_factor > INT16_MAX) {
        rn__errf(err, errlen, "topic %s: invalid arguments", name);
        return -EINVAL;
    }
    rn_creatable_topic_config_t *cc = nconfigs > 0 ? rn_calloc((size_t)nconfigs, sizeof *cc) : NULL;
    for (int32_t i = 0; i < nconfigs; i++) {
        cc[i].name = rn_str(configs[i].name ? configs[i].name : "");
        cc[i].value = rn_str(configs[i].value);
    }
    rn_creatable_topic_t t = {.name = rn_str(name),
                              .num_partitions = partitions,
                              .replication_factor = (int16_t)replication_factor,
                              .n_configs = nconfigs,
                              .configs = cc};
    rn_create_topics_request_t req = {
        .n_topics = 1, .topics = &t, .timeout_ms = a->cl.conf->request_timeout_ms};
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    uint8_t *resp = NULL;
    size_t len = 0;
    rc = rn__admin_call(a, target, RN_API_CREATE_TOPICS, &wr,
                        rn_create_topics_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    rn_free(cc);
    if (rc < 0)
        return rc;
    rn_create_topics_response_t r;
    if (rn_create_topics_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_CREATE_TOPICS, resp, len, err, errlen);
    } else {
        rc = one_result(name, r.error_code, r.n_topics,
                        r.n_topics == 1 ? &r.topics[0].error_code : NULL,
                        r.n_topics == 1 ? r.topics[0].error_message : RN_STR_NULL, err, errlen);
        rn_create_topics_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

static int delete_topic_at(rn_admin_t *a, int32_t target, const char *name, char *err,
                           size_t errlen) {
    int rc = check_name(name, err, errlen);
    if (rc < 0)
        return rc;
    rn_str_t n = rn_str(name);
    rn_delete_topics_request_t req = {
        .n_topic_names = 1, .topic_names = &n, .timeout_ms = a->cl.conf->request_timeout_ms};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    uint8_t *resp = NULL;
    size_t len = 0;
    rc = rn__admin_call(a, target, RN_API_DELETE_TOPICS, &wr,
                        rn_delete_topics_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_delete_topics_response_t r;
    if (rn_delete_topics_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_DELETE_TOPICS, resp, len, err, errlen);
    } else {
        rc = one_result(name, r.error_code, r.n_responses,
                        r.n_responses == 1 ? &r.responses[0].error_code : NULL,
                        r.n_responses == 1 ? r.responses[0].error_message : RN_STR_NULL, err,
                        errlen);
        rn_delete_topics_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

static int create_partitions_at(rn_admin_t *a, int32_t target, const char *name, int32_t new_total,
                                char *err, size_t errlen) {
    int rc = check_name(name, err, errlen);
    if (rc < 0)
        return rc;
    rn_create_partitions_topic_t t = {
        .name = rn_str(name), .count = new_total, .n_assignments = -1};
    rn_create_partitions_request_t req = {
        .n_topics = 1, .topics = &t, .timeout_ms = a->cl.conf->request_timeout_ms};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    uint8_t *resp = NULL;
    size_t len = 0;
    rc =
        rn__admin_call(a, target, RN_API_CREATE_PARTITIONS, &wr,
                       rn_create_partitions_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_create_partitions_response_t r;
    if (rn_create_partitions_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_CREATE_PARTITIONS, resp, len, err, errlen);
    } else {
        rc = one_result(name, r.error_code, r.n_results,
                        r.n_results == 1 ? &r.results[0].error_code : NULL,
                        r.n_results == 1 ? r.results[0].error_message : RN_STR_NULL, err, errlen);
        rn_create_partitions_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* Metadata for topics (n -1: all; 0: brokers only). *out and *resp on success; free
 * with rn_metadata_response_deinit then rn_free(resp). */
static int metadata_v(rn_admin_t *a, int16_t version, rn_str_t *topics, int32_t n,
                      rn_metadata_response_t *out, uint8_t **resp, char *err, size_t errlen) {
    rn_metadata_request_t req = {.n_topics = n, .topics = topics};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    size_t len = 0;
    int rc = rn_metadata_request_encode(&wr, version, &req);
    if (rc == 0)
        rc = rn__client_request_sync_v(&a->cl, RN__ANY_BROKER, RN_API_METADATA, version, wr.buf,
                                       wr.len, a->cl.conf->request_timeout_ms, resp, &len, err,
                                       errlen);
    else
        rn__errf(err, errlen, "cannot encode the Metadata request: %s", rn_err_str(rc));
    rn_writer_deinit(&wr);
    if (rc < 0)
        return rc;
    if (rn_metadata_response_decode(*resp, len, version, out) < 0) {
        rc = rn__admin_undecodable(RN_API_METADATA, *resp, len, err, errlen);
    } else if (out->error_code != 0) {
        rc = out->error_code;
        rn__errf(err, errlen, "metadata: %s", rn_err_str(rc));
        rn_metadata_response_deinit(out);
    }
    if (rc != 0)
        RN_FREE(resp);
    return rc;
}

int rn__admin_metadata(rn_admin_t *a, rn_str_t *topics, int32_t n, rn_metadata_response_t *out,
                       uint8_t **resp, char *err, size_t errlen) {
    return metadata_v(a, 0, topics, n, out, resp, err, errlen);
}

static int cmp_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

RN_API int rn_admin_list_topics(rn_admin_t *a, char ***names, int32_t *count, char *err,
                                size_t errlen) {
    rn_metadata_response_t md;
    uint8_t *resp = NULL;
    *names = NULL;
    *count = 0;
    int rc = rn__admin_metadata(a, NULL, -1, &md, &resp, err, errlen);
    if (rc != 0)
        return rc;
    char **v = rn_calloc((size_t)(md.n_topics > 0 ? md.n_topics : 1), sizeof *v);
    int32_t n = 0;
    for (int32_t i = 0; i < md.n_topics; i++)
        if (md.topics[i].error_code == 0 && md.topics[i].name.len > 0)
            v[n++] = rn_strndup(md.topics[i].name.ptr, (size_t)md.topics[i].name.len);
    qsort(v, (size_t)n, sizeof *v, cmp_names);
    rn_metadata_response_deinit(&md);
    rn_free(resp);
    *names = v;
    *count = n;
    return 0;
}

RN_API void rn_admin_names_free(char **names, int32_t count) {
    if (names == NULL)
        return;
    for (int32_t i = 0; i < count; i++)
        rn_free(names[i]);
    rn_free(names);
}

/* ---- configs ----------------------------------------------------------------------- */

static int alter_topic_configs_at(rn_admin_t *a, int32_t target, const char *name,
                                  const rn_config_entry_t *configs, int32_t nconfigs, char *err,
                                  size_t errlen) {
    int rc = check_name(name, err, errlen);
    if (rc < 0)
        return rc;
    if (nconfigs < 0 || (nconfigs > 0 && configs == NULL)) {
        rn__errf(err, errlen, "topic %s: invalid arguments", name);
        return -EINVAL;
    }
    rn_alterable_config_t *ac = nconfigs > 0 ? rn_calloc((size_t)nconfigs, sizeof *ac) : NULL;
    for (int32_t i = 0; i < nconfigs; i++) {
        ac[i].name = rn_str(configs[i].name ? configs[i].name : "");
        ac[i].value = rn_str(configs[i].value);
    }
    rn_alter_configs_resource_t res = {.resource_type = RN_RESOURCE_TOPIC,
                                       .resource_name = rn_str(name),
                                       .n_configs = nconfigs,
                                       .configs = ac};
    rn_alter_configs_request_t req = {.n_resources = 1, .resources = &res};
    rn_writer_t wr;
    rn_writer_init(&wr, 256);
    uint8_t *resp = NULL;
    size_t len = 0;
    rc = rn__admin_call(a, target, RN_API_ALTER_CONFIGS, &wr,
                        rn_alter_configs_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    rn_free(ac);
    if (rc < 0)
        return rc;
    rn_alter_configs_response_t r;
    if (rn_alter_configs_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_ALTER_CONFIGS, resp, len, err, errlen);
    } else {
        rc = one_result(name, r.error_code, r.n_responses,
                        r.n_responses == 1 ? &r.responses[0].error_code : NULL,
                        r.n_responses == 1 ? r.responses[0].error_message : RN_STR_NULL, err,
                        errlen);
        rn_alter_configs_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* ---- changes go to the controller ---------------------------------------------------
 * CreateTopics, CreatePartitions, DeleteTopics and AlterConfigs are decided by the
 * controller; another
 * broker answers NOT_CONTROLLER, and a controller that died does not answer at all.
 * Each is sent to the controller that Metadata names (any broker while none is
 * known) and retried against the one named next, every retry.backoff.ms, until
 * request.timeout.ms has passed. (A retried create that had in fact committed reports
 * TOPIC_ALREADY_EXISTS, and a retried growth INVALID_PARTITIONS, as with Kafka's
 * admin client.) */

int32_t rn__admin_controller_id(rn_admin_t *a) {
    rn_metadata_response_t md;
    uint8_t *resp = NULL;
    char e[64];
    if (rn__admin_metadata(a, NULL, 0, &md, &resp, e, sizeof e) != 0)
        return RN__ANY_BROKER;
    int32_t id = RN__ANY_BROKER;
    for (int32_t i = 0; i < md.n_brokers; i++)
        if (md.controller_id >= 0 && md.brokers[i].node_id == md.controller_id)
            id = md.controller_id;
    rn_metadata_response_deinit(&md);
    rn_free(resp);
    return id;
}

bool rn__admin_retry_at_controller(rn_admin_t *a, int rc, int64_t deadline, int32_t *target) {
    /* A controller that does not answer is retried; when no broker answers at all
     * (target any), the bootstrap servers are unreachable: fail at once. */
    bool transport = rc < 0 && *target != RN__ANY_BROKER && rc != -EINVAL &&
                     rc != RN_EINVALIDTOPIC && rc != RN_EMALFORMED && rc != RN_ETOOLARGE &&
                     rc != RN_ECLOSED;
    if (rc != RN_WIRE_NOT_CONTROLLER && !transport)
        return false;
    int backoff = a->cl.conf->retry_backoff_ms > 0 ? a->cl.conf->retry_backoff_ms : 100;
    if (rn_mono_ms() + backoff >= deadline)
        return false;
    uv_sleep((unsigned)backoff);
    *target = rn__admin_controller_id(a);
    return true;
}

RN_API int rn_admin_create_topic(rn_admin_t *a, const char *name, int32_t partitions,
                                 int32_t replication_factor, const rn_config_entry_t *configs,
                                 int32_t nconfigs, char *err, size_t errlen) {
    int64_t deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms;
    int32_t target = rn__admin_controller_id(a);
    int rc;
    do
        rc = create_topic_at(a, target, name, partitions, replication_factor, configs, nconfigs,
                             err, errlen);
    while (rn__admin_retry_at_controller(a, rc, deadline, &target));
    return rc;
}

RN_API int rn_admin_create_partitions(rn_admin_t *a, const char *name, int32_t new_total, char *err,
                                      size_t errlen) {
    int64_t deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms;
    int32_t target = rn__admin_controller_id(a);
    int rc;
    do
        rc = create_partitions_at(a, target, name, new_total, err, errlen);
    while (rn__admin_retry_at_controller(a, rc, deadline, &target));
    return rc;
}

RN_API int rn_admin_delete_topic(rn_admin_t *a, const char *name, char *err, size_t errlen) {
    int64_t deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms;
    int32_t target = rn__admin_controller_id(a);
    int rc;
    do
        rc = delete_topic_at(a, target, name, err, errlen);
    while (rn__admin_retry_at_controller(a, rc, deadline, &target));
    return rc;
}

RN_API int rn_admin_alter_topic_configs(rn_admin_t *a, const char *name,
                                        const rn_config_entry_t *configs, int32_t nconfigs,
                                        char *err, size_t errlen) {
    int64_t deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms;
    int32_t target = rn__admin_controller_id(a);
    int rc;
    do
        rc = alter_topic_configs_at(a, target, name, configs, nconfigs, err, errlen);
    while (rn__admin_retry_at_controller(a, rc, deadline, &target));
    return rc;
}

/* The topic's overrides into t (configs). */
static int describe_configs(rn_admin_t *a, rn_topic_info_t *t, char *err, size_t errlen) {
    rn_describe_configs_resource_t res = {.resource_type = RN_RESOURCE_TOPIC,
                                          .resource_name = rn_str(t->name),
                                          .n_configuration_keys = -1};
    rn_describe_configs_request_t req = {.n_resources = 1, .resources = &res};
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc =
        rn__admin_call(a, RN__ANY_BROKER, RN_API_DESCRIBE_CONFIGS, &wr,
                       rn_describe_configs_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_describe_configs_response_t r;
    if (rn_describe_configs_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_DESCRIBE_CONFIGS, resp, len, err, errlen);
    } else {
        rc = one_result(t->name, r.error_code, r.n_results,
                        r.n_results == 1 ? &r.results[0].error_code : NULL,
                        r.n_results == 1 ? r.results[0].error_message : RN_STR_NULL, err, errlen);
        if (rc == 0) {
            const rn_describe_configs_result_t *res0 = &r.results[0];
            rn_config_entry_t *ce = rn_calloc((size_t)(res0->n_configs + 1), sizeof *ce);
            int32_t n = 0;
            for (int32_t i = 0; i < res0->n_configs; i++) {
                const rn_describe_configs_entry_t *e = &res0->configs[i];
                if (e->name.len <= 0)
                    continue;
                ce[n].name = rn_strndup(e->name.ptr, (size_t)e->name.len);
                ce[n].value =
                    e->value.len >= 0 ? rn_strndup(e->value.ptr, (size_t)e->value.len) : NULL;
                ce[n].is_default = e->is_default;
                n++;
            }
            t->configs = ce;
            t->nconfigs = n;
        }
        rn_describe_configs_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

/* ---- describe ---------------------------------------------------------------------- */

enum { OFF_START, OFF_HW, OFF_END };

/* One ListOffsets to `leader` for the partitions of t it leads: kind selects the
 * log start (earliest), the high watermark (latest as a consumer) or the log end
 * (latest with replica_id -2). */
static int list_offsets(rn_admin_t *a, rn_topic_info_t *t, rn_partition_info_t *parts,
                        int32_t leader, int kind, char *err, size_t errlen) {
    rn_list_offsets_partition_t *lp = rn_calloc((size_t)t->npartitions, sizeof *lp);
    int32_t n = 0;
    for (int32_t i = 0; i < t->npartitions; i++) {
        if (parts[i].leader != leader)
            continue;
        lp[n].partition_index = parts[i].partition;
        lp[n].current_leader_epoch = -1;
        lp[n].timestamp = kind == OFF_START ? RN_LIST_OFFSETS_EARLIEST : RN_LIST_OFFSETS_LATEST;
        n++;
    }
    rn_list_offsets_topic_t lt = {.name = rn_str(t->name), .n_partitions = n, .partitions = lp};
    rn_list_offsets_request_t req = {.replica_id = kind == OFF_END ? RN_LIST_OFFSETS_DEBUG_ID : -1,
                                     .n_topics = 1,
                                     .topics = &lt};
    rn_writer_t wr;
    rn_writer_init(&wr, 128 + (size_t)n * 16);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc = rn__admin_call(a, leader, RN_API_LIST_OFFSETS, &wr,
                            rn_list_offsets_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    rn_free(lp);
    if (rc < 0)
        return rc;
    rn_list_offsets_response_t r;
    if (rn_list_offsets_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_LIST_OFFSETS, resp, len, err, errlen);
    } else {
        for (int32_t ti = 0; ti < r.n_topics; ti++) {
            if (!rn_str_eq_c(r.topics[ti].name, t->name))
                continue;
            for (int32_t pi = 0; pi < r.topics[ti].n_partitions; pi++) {
                const rn_list_offsets_partition_response_t *pr = &r.topics[ti].partitions[pi];
                int32_t idx = pr->partition_index;
                if (pr->error_code != 0 || idx < 0 || idx >= t->npartitions ||
                    parts[idx].partition != idx)
                    continue;
                int64_t *field = kind == OFF_START ? &parts[idx].log_start_offset
                                 : kind == OFF_HW  ? &parts[idx].high_watermark
                                                   : &parts[idx].log_end_offset;
                *field = pr->offset;
            }
        }
        rn_list_offsets_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

static int32_t *copy_i32s(const int32_t *v, int32_t n) {
    int32_t *out = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *out);
    if (n > 0)
        memcpy(out, v, (size_t)n * sizeof *out);
    return out;
}

/* Partitions of mt into t, indexed by partition (holes stay leader -1). */
static void fill_partitions(rn_topic_info_t *t, const rn_metadata_topic_t *mt) {
    int32_t n = mt->n_partitions > 0 ? mt->n_partitions : 0;
    rn_partition_info_t *parts = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *parts);
    for (int32_t i = 0; i < n; i++) {
        parts[i] = (rn_partition_info_t){.partition = i,
                                         .leader = -1,
                                         .leader_epoch = -1,
                                         .log_start_offset = -1,
                                         .high_watermark = -1,
                                         .log_end_offset = -1};
    }
    for (int32_t i = 0; i < n; i++) {
        const rn_metadata_partition_t *mp = &mt->partitions[i];
        int32_t idx = mp->partition_index;
        if (idx < 0 || idx >= n || parts[idx].replicas != NULL)
            continue;
        parts[idx].leader = mp->leader_id >= 0 ? mp->leader_id : -1;
        parts[idx].leader_epoch = mp->leader_epoch;
        parts[idx].nreplicas = mp->n_replica_nodes > 0 ? mp->n_replica_nodes : 0;
        parts[idx].replicas = copy_i32s(mp->replica_nodes, parts[idx].nreplicas);
        parts[idx].nisr = mp->n_isr_nodes > 0 ? mp->n_isr_nodes : 0;
        parts[idx].isr = copy_i32s(mp->isr_nodes, parts[idx].nisr);
        if (parts[idx].nreplicas > t->replication_factor)
            t->replication_factor = parts[idx].nreplicas;
    }
    t->partitions = parts;
    t->npartitions = n;
}

/* Offsets of every partition, asking each leader once per kind. A leader that
 * cannot be reached (dead, not fenced yet) leaves its partitions' offsets at -1
 * rather than failing the whole description: the metadata that reached us already
 * proves the cluster answers, and callers such as `consume --partition` only need
 * the partitions. An error from a broker that answered is still final. */
static int fill_offsets(rn_admin_t *a, rn_topic_info_t *t, char *err, size_t errlen) {
    rn_partition_info_t *parts = (rn_partition_info_t *)t->partitions;
    for (int32_t i = 0; i < t->npartitions; i++) {
        int32_t leader = parts[i].leader;
        int seen = leader < 0;
        for (int32_t j = 0; j < i && !seen; j++)
            seen = parts[j].leader == leader;
        for (int kind = OFF_START; !seen && kind <= OFF_END; kind++) {
            int rc = list_offsets(a, t, parts, leader, kind, err, errlen);
            if (rc < 0 && rc != RN_ECLOSED) {
                if (errlen > 0)
                    err[0] = '\0';
                break; /* unreachable: the other kinds would only wait again */
            }
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

int rn__admin_topic_offsets(rn_admin_t *a, const char *name, rn_topic_info_t **out, char *err,
                            size_t errlen) {
    *out = NULL;
    int rc = check_name(name, err, errlen);
    if (rc < 0)
        return rc;
    rn_str_t n = rn_str(name);
    rn_metadata_response_t md;
    uint8_t *resp = NULL;
    rc = rn__admin_metadata(a, &n, 1, &md, &resp, err, errlen);
    if (rc != 0)
        return rc;
    const rn_metadata_topic_t *mt = NULL;
    for (int32_t i = 0; i < md.n_topics; i++)
        if (rn_str_eq_c(md.topics[i].name, name))
            mt = &md.topics[i];
    if (mt == NULL || mt->error_code != 0) {
        rc = topic_err(name, mt ? mt->error_code : RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION, RN_STR_NULL,
                       err, errlen);
        rn_metadata_response_deinit(&md);
        rn_free(resp);
        return rc;
    }
    rn_topic_info_t *t = rn_calloc(1, sizeof *t);
    t->name = rn_strdup(name);
    fill_partitions(t, mt);
    rn_metadata_response_deinit(&md);
    rn_free(resp);
    rc = fill_offsets(a, t, err, errlen);
    if (rc != 0) {
        rn_admin_topic_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

RN_API int rn_admin_describe_topic(rn_admin_t *a, const char *name, rn_topic_info_t **out,
                                   char *err, size_t errlen) {
    int rc = rn__admin_topic_offsets(a, name, out, err, errlen);
    if (rc == 0 && (rc = describe_configs(a, *out, err, errlen)) != 0) {
        rn_admin_topic_free(*out);
        *out = NULL;
    }
    return rc;
}

RN_API void rn_admin_topic_free(rn_topic_info_t *t) {
    if (t == NULL)
        return;
    for (int32_t i = 0; i < t->npartitions; i++) {
        rn_free((void *)t->partitions[i].replicas);
        rn_free((void *)t->partitions[i].isr);
    }
    for (int32_t i = 0; i < t->nconfigs; i++) {
        rn_free((void *)t->configs[i].name);
        rn_free((void *)t->configs[i].value);
    }
    rn_free((void *)t->partitions);
    rn_free((void *)t->configs);
    rn_free((void *)t->name);
    rn_free(t);
}

/* ---- brokers ----------------------------------------------------------------------- */

static int cmp_brokers(const void *x, const void *y) {
    const rn_broker_info_t *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

RN_API int rn_admin_list_brokers(rn_admin_t *a, rn_broker_info_t **out, int32_t *count, char *err,
                                 size_t errlen) {
    rn_metadata_response_t md;
    uint8_t *resp = NULL;
    *out = NULL;
    *count = 0;
    int rc = metadata_v(a, 1, NULL, 0, &md, &resp, err, errlen);
    if (rc != 0)
        return rc;
    int32_t n = md.n_brokers > 0 ? md.n_brokers : 0;
    rn_broker_info_t *v = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *v);
    for (int32_t i = 0; i < n; i++) {
        const rn_metadata_broker_t *mb = &md.brokers[i];
        v[i].id = mb->node_id;
        v[i].host = rn_strndup(mb->host.ptr ? mb->host.ptr : "",
                               (size_t)(mb->host.len > 0 ? mb->host.len : 0));
        v[i].port = mb->port;
        v[i].fenced = mb->is_fenced; /* Metadata v1 lists fenced brokers too */
        v[i].is_controller = mb->node_id == md.controller_id;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_brokers);
    rn_metadata_response_deinit(&md);
    rn_free(resp);
    *out = v;
    *count = n;
    return 0;
}

RN_API void rn_admin_brokers_free(rn_broker_info_t *brokers, int32_t count) {
    if (brokers == NULL)
        return;
    for (int32_t i = 0; i < count; i++)
        rn_free((void *)brokers[i].host);
    rn_free(brokers);
}

/* ---- quorum ------------------------------------------------------------------------ */

static int cmp_replicas(const void *x, const void *y) {
    const rn_quorum_replica_info_t *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

/* A sorted, rn_malloc'd copy of n wire replicas (never NULL). */
static rn_quorum_replica_info_t *copy_replicas(const rn_quorum_replica_state_t *v, int32_t n) {
    rn_quorum_replica_info_t *out = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *out);
    for (int32_t i = 0; i < n; i++)
        out[i] = (rn_quorum_replica_info_t){v[i].replica_id, v[i].log_end_offset};
    qsort(out, (size_t)(n > 0 ? n : 0), sizeof *out, cmp_replicas);
    return out;
}

static int describe_quorum_at(rn_admin_t *a, int32_t target, rn_quorum_info_t **out, char *err,
                              size_t errlen) {
    rn_describe_quorum_request_t req = {0};
    rn_writer_t wr;
    rn_writer_init(&wr, 16);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc =
        rn__admin_call(a, target, RN_API_DESCRIBE_QUORUM, &wr,
                       rn_describe_quorum_request_encode(&wr, 0, &req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_describe_quorum_response_t r;
    if (rn_describe_quorum_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_DESCRIBE_QUORUM, resp, len, err, errlen);
    } else {
        if (r.error_code != 0) {
            rc = r.error_code;
            rn__errf(err, errlen, "describe quorum: %s", rn_err_str(rc));
        } else {
            rn_quorum_info_t *q = rn_calloc(1, sizeof *q);
            q->leader_id = r.leader_id;
            q->leader_epoch = r.leader_epoch;
            q->high_watermark = r.high_watermark;
            q->nvoters = r.n_voters;
            q->voters = copy_replicas(r.voters, r.n_voters);
            q->nobservers = r.n_observers;
            q->observers = copy_replicas(r.observers, r.n_observers);
            *out = q;
        }
        rn_describe_quorum_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

RN_API int rn_admin_describe_quorum(rn_admin_t *a, rn_quorum_info_t **out, char *err,
                                    size_t errlen) {
    *out = NULL;
    /* The controller (the Raft leader) knows every member's log end; any broker
     * knows the leader and the term. Ask the controller, then anyone. */
    int32_t target = rn__admin_controller_id(a);
    int rc = describe_quorum_at(a, target, out, err, errlen);
    if (rc < 0 && target != RN__ANY_BROKER)
        rc = describe_quorum_at(a, RN__ANY_BROKER, out, err, errlen);
    return rc;
}

RN_API void rn_admin_quorum_free(rn_quorum_info_t *q) {
    if (q == NULL)
        return;
    rn_free((void *)q->voters);
    rn_free((void *)q->observers);
    rn_free(q);
}

/* ---- lifecycle --------------------------------------------------------------------- */

static int64_t serve(void *owner, int64_t now) {
    (void)owner;
    (void)now;
    return INT64_MAX; /* everything an admin does is a blocking request */
}

static void on_stop(void *owner) {
    (void)owner;
}

static const rn__client_ops_t admin_ops = {.serve = serve, .on_stop = on_stop};

RN_API rn_admin_t *rn_admin_new(rn_conf_t *conf, char *err, size_t errlen) {
    if (conf == NULL) {
        rn__errf(err, errlen, "no configuration");
        return NULL;
    }
    rn_admin_t *a = rn_calloc(1, sizeof *a);
    rn__metadata_init(&a->cl, 0);
    if (rn__client_start(&a->cl, conf, &admin_ops, a, err, errlen) < 0) {
        rn__metadata_free(&a->cl);
        rn_conf_free(conf);
        rn_free(a);
        return NULL;
    }
    return a;
}

RN_API void rn_admin_free(rn_admin_t *a) {
    if (a == NULL)
        return;
    rn__client_stop(&a->cl);
    rn_free(a);
}
