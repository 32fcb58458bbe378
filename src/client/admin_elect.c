/*
 * admin_elect.c — rn_admin_elect_leaders: preferred leader election on demand
 * (ElectLeaders, key 43), sent to the controller and retried on NOT_CONTROLLER like
 * every change (admin.c). For one topic the partitions are listed from Metadata; for
 * all topics the request's list is null and the controller walks its own image.
 */
#include <errno.h>
#include <string.h>

#include "client/admin_int.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "proto/api.h"
#include "proto/api_elect_leaders.h"

/* Partition count of topic, from Metadata. */
static int partition_count(rn_admin_t *a, const char *topic, int32_t *n, char *err, size_t errlen) {
    rn_str_t name = rn_str(topic);
    rn_metadata_response_t md;
    uint8_t *resp = NULL;
    int rc = rn__admin_metadata(a, &name, 1, &md, &resp, err, errlen);
    if (rc != 0)
        return rc;
    if (md.n_topics != 1 || md.topics[0].error_code != 0) {
        rc = md.n_topics == 1 ? md.topics[0].error_code : RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
        rn__errf(err, errlen, "topic %s: %s", topic, rn_err_str(rc));
    } else {
        *n = md.topics[0].n_partitions;
    }
    rn_metadata_response_deinit(&md);
    rn_free(resp);
    return rc;
}

static int copy_results(const rn_elect_leaders_response_t *r, rn_election_result_t **out,
                        int32_t *count) {
    int32_t n = 0;
    for (int32_t t = 0; t < r->n_replica_election_results; t++)
        n += r->replica_election_results[t].n_partition_result;
    rn_election_result_t *v = rn_calloc((size_t)(n > 0 ? n : 1), sizeof *v);
    int32_t k = 0;
    for (int32_t t = 0; t < r->n_replica_election_results; t++) {
        const rn_elect_leaders_result_t *tr = &r->replica_election_results[t];
        for (int32_t i = 0; i < tr->n_partition_result; i++, k++) {
            const rn_elect_leaders_part_result_t *pr = &tr->partition_result[i];
            v[k].topic = rn_strndup(tr->topic.ptr, (size_t)tr->topic.len);
            v[k].partition = pr->partition_id;
            v[k].error = pr->error_code;
            v[k].message = pr->error_message.len > 0
                               ? rn_strndup(pr->error_message.ptr, (size_t)pr->error_message.len)
                               : NULL;
        }
    }
    *out = v;
    *count = n;
    return 0;
}

static int elect_at(rn_admin_t *a, int32_t target, const rn_elect_leaders_request_t *req,
                    rn_election_result_t **out, int32_t *count, char *err, size_t errlen) {
    rn_writer_t wr;
    rn_writer_init(&wr, 128);
    uint8_t *resp = NULL;
    size_t len = 0;
    int rc = rn__admin_call(a, target, RN_API_ELECT_LEADERS, &wr,
                            rn_elect_leaders_request_encode(&wr, 0, req), &resp, &len, err, errlen);
    if (rc < 0)
        return rc;
    rn_elect_leaders_response_t r;
    if (rn_elect_leaders_response_decode(resp, len, 0, &r) < 0) {
        rc = rn__admin_undecodable(RN_API_ELECT_LEADERS, resp, len, err, errlen);
    } else {
        rc = r.error_code;
        if (rc != 0)
            rn__errf(err, errlen, "elect leaders: %s", rn_err_str(rc));
        else
            copy_results(&r, out, count);
        rn_elect_leaders_response_deinit(&r);
    }
    rn_free(resp);
    return rc;
}

RN_API int rn_admin_elect_leaders(rn_admin_t *a, const char *topic, rn_election_result_t **out,
                                  int32_t *count, char *err, size_t errlen) {
    *out = NULL;
    *count = 0;
    rn_elect_leaders_topic_t t = {.topic = rn_str(topic)};
    rn_elect_leaders_request_t req = {.election_type = RN_ELECTION_PREFERRED,
                                      .n_topic_partitions = -1,
                                      .timeout_ms = a->cl.conf->request_timeout_ms};
    int rc;
    if (topic != NULL) {
        if ((rc = partition_count(a, topic, &t.n_partitions, err, errlen)) != 0)
            return rc;
        t.partitions =
            rn_calloc((size_t)(t.n_partitions > 0 ? t.n_partitions : 1), sizeof *t.partitions);
        for (int32_t p = 0; p < t.n_partitions; p++)
            t.partitions[p] = p;
        req.n_topic_partitions = 1;
        req.topic_partitions = &t;
    }
    int64_t deadline = rn_mono_ms() + a->cl.conf->request_timeout_ms;
    int32_t target = rn__admin_controller_id(a);
    do
        rc = elect_at(a, target, &req, out, count, err, errlen);
    while (rn__admin_retry_at_controller(a, rc, deadline, &target));
    rn_free(t.partitions);
    return rc;
}

RN_API void rn_admin_election_results_free(rn_election_result_t *r, int32_t count) {
    if (r == NULL)
        return;
    for (int32_t i = 0; i < count; i++) {
        rn_free(r[i].topic);
        rn_free(r[i].message);
    }
    rn_free(r);
}
