/* test_consumer_group.c — the group consumer's API without a broker: the new conf
 * keys parse and validate; subscribe needs group.id and valid topics and is allowed
 * once; a subscribed consumer refuses manual assignment; commits need a
 * subscription; close is idempotent, after it poll reports the consumer closed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "client/conf.h"
#include "common/errors.h"
#include "runnel/runnel.h"

static void test_group_conf_keys_defaults_and_validation(void **state) {
    (void)state;
    char err[256];
    rn_conf_t *c = rn_conf_new();
    assert_string_equal(c->group_id, "");
    assert_int_equal(c->session_timeout_ms, 45000);
    assert_int_equal(c->heartbeat_interval_ms, 500); /* not Kafka's 3000: docs/groups.md */
    assert_true(c->heartbeat_interval_ms * 3 < c->session_timeout_ms);
    assert_int_equal(c->max_poll_interval_ms, 300000);
    assert_int_equal(c->enable_auto_commit, 1);
    assert_int_equal(c->auto_commit_interval_ms, 5000);
    assert_int_equal(c->auto_offset_reset, RN_OFFSET_END);
    assert_string_equal(c->assignment_strategy, "range,roundrobin");

    assert_int_equal(rn_conf_set(c, "auto.offset.reset", "earliest", err, sizeof err), 0);
    assert_int_equal(c->auto_offset_reset, RN_OFFSET_BEGINNING);
    assert_int_equal(rn_conf_set(c, "auto.offset.reset", "none", err, sizeof err), 0);
    assert_int_equal(c->auto_offset_reset, RN__RESET_NONE);
    assert_int_not_equal(rn_conf_set(c, "auto.offset.reset", "smallest", err, sizeof err), 0);
    assert_non_null(strstr(err, "auto.offset.reset"));

    assert_int_equal(
        rn_conf_set(c, "partition.assignment.strategy", " roundrobin , range", err, sizeof err), 0);
    assert_string_equal(c->assignment_strategy, "roundrobin,range");
    assert_int_not_equal(
        rn_conf_set(c, "partition.assignment.strategy", "range,sticky", err, sizeof err), 0);
    assert_non_null(strstr(err, "\"sticky\" is not an assignor"));
    assert_string_equal(c->assignment_strategy, "roundrobin,range"); /* unchanged */
    assert_int_not_equal(
        rn_conf_set(c, "partition.assignment.strategy", "range,,roundrobin", err, sizeof err), 0);
    assert_int_not_equal(
        rn_conf_set(c, "partition.assignment.strategy", "range,range", err, sizeof err), 0);
    assert_non_null(strstr(err, "twice"));
    assert_int_not_equal(rn_conf_set(c, "partition.assignment.strategy", "", err, sizeof err), 0);

    assert_int_equal(rn_conf_set(c, "enable.auto.commit", "false", err, sizeof err), 0);
    assert_int_equal(c->enable_auto_commit, 0);
    assert_int_not_equal(rn_conf_set(c, "session.timeout.ms", "0", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(c, "group.id", "g1", err, sizeof err), 0);
    assert_string_equal(c->group_id, "g1");
    rn_conf_free(c);
}

/* A consumer pointed at a port nobody listens on: nothing here needs a broker. */
static rn_consumer_t *offline_consumer(const char *group) {
    char err[256];
    rn_conf_t *conf = rn_conf_new();
    assert_int_equal(rn_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err), 0);
    if (group != NULL)
        assert_int_equal(rn_conf_set(conf, "group.id", group, err, sizeof err), 0);
    rn_consumer_t *c = rn_consumer_new(conf, err, sizeof err);
    assert_non_null(c);
    return c;
}

static void test_subscribe_needs_group_id_and_topics(void **state) {
    (void)state;
    char err[256];
    const char *t[] = {"a", "b"};
    rn_consumer_t *c = offline_consumer(NULL);
    assert_int_equal(rn_consumer_subscribe(c, t, 2, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "group.id"));
    /* Without a subscription: commits refuse, the manual assignment works. */
    assert_int_equal(rn_consumer_commit_sync(c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "subscription"));
    assert_int_equal(rn_consumer_assign(c, "a", 0, 5), 0);
    char **topics;
    int32_t *parts;
    int32_t n = rn_consumer_assignment(c, &topics, &parts);
    assert_int_equal(n, 1);
    assert_string_equal(topics[0], "a");
    assert_int_equal(parts[0], 0);
    rn_consumer_assignment_free(topics, parts, n);
    rn_consumer_free(c);

    c = offline_consumer("g");
    assert_int_equal(rn_consumer_subscribe(c, t, 0, err, sizeof err), -EINVAL);
    const char *bad[] = {"a", ""};
    assert_int_not_equal(rn_consumer_subscribe(c, bad, 2, err, sizeof err), 0);
    assert_non_null(strstr(err, "invalid topic"));
    assert_int_equal(rn_consumer_subscribe(c, t, 2, err, sizeof err), 0);
    assert_int_equal(rn_consumer_subscribe(c, t, 2, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "already subscribed"));
    /* The group decides the assignment now. */
    assert_int_equal(rn_consumer_assign(c, "a", 0, 0), -EINVAL);
    rn_consumer_free(c);
}

/* heartbeat.interval.ms must be lower than session.timeout.ms (as in Kafka's
 * consumer); the keys may be set in any order, so subscribe checks them together. */
static void test_subscribe_checks_heartbeat_against_session(void **state) {
    (void)state;
    char err[256];
    const char *t[] = {"a"};
    rn_conf_t *conf = rn_conf_new();
    assert_int_equal(rn_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(conf, "group.id", "g", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(conf, "heartbeat.interval.ms", "6000", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(conf, "session.timeout.ms", "6000", err, sizeof err), 0);
    rn_consumer_t *c = rn_consumer_new(conf, err, sizeof err);
    assert_non_null(c);
    err[0] = '\0';
    assert_int_equal(rn_consumer_subscribe(c, t, 1, err, sizeof err), RN_ECONFIG);
    assert_non_null(strstr(err, "heartbeat.interval.ms (6000) must be lower than "
                                "session.timeout.ms (6000)"));
    rn_consumer_free(c);

    conf = rn_conf_new();
    assert_int_equal(rn_conf_set(conf, "bootstrap.servers", "127.0.0.1:1", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(conf, "group.id", "g", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(conf, "session.timeout.ms", "6000", err, sizeof err), 0);
    assert_int_equal(rn_conf_set(conf, "heartbeat.interval.ms", "5999", err, sizeof err), 0);
    c = rn_consumer_new(conf, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(rn_consumer_subscribe(c, t, 1, err, sizeof err), 0);
    rn_consumer_free(c);
}

static int commits_seen, last_commit_err;

static void on_commit(void *opaque, int err) {
    (void)opaque;
    commits_seen++;
    last_commit_err = err;
}

/* With no coordinator reachable, commits fail at once (not joined) instead of
 * hanging; the async one reports through poll. Close is idempotent and poll after it
 * says closed. */
static void test_commit_before_joining_and_close(void **state) {
    (void)state;
    char err[256];
    const char *t[] = {"a"};
    rn_consumer_t *c = offline_consumer("g");
    assert_int_equal(rn_consumer_subscribe(c, t, 1, err, sizeof err), 0);
    int rc = rn_consumer_commit_sync(c, err, sizeof err);
    assert_true(rc == 15 /* COORDINATOR_NOT_AVAILABLE */ || rc == 27 /* REBALANCE_IN_PROGRESS */);
    assert_non_null(strstr(err, "group g: commit"));
    commits_seen = 0;
    assert_int_equal(rn_consumer_commit_async(c, on_commit, NULL), 0);
    rn_message_t *m;
    for (int i = 0; i < 50 && commits_seen == 0; i++)
        assert_int_equal(rn_consumer_poll(c, 20, &m, err, sizeof err), 0);
    assert_int_equal(commits_seen, 1);
    assert_true(last_commit_err > 0);
    char **topics;
    int32_t *parts;
    assert_int_equal(rn_consumer_assignment(c, &topics, &parts), 0);
    rn_consumer_assignment_free(topics, parts, 0);
    rn_consumer_close(c);
    rn_consumer_close(c);
    assert_int_equal(rn_consumer_poll(c, 1000, &m, err, sizeof err), RN_ERR_CLOSED);
    assert_int_equal(rn_consumer_commit_sync(c, err, sizeof err), RN_ERR_CLOSED);
    rn_consumer_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_conf_keys_defaults_and_validation),
        cmocka_unit_test(test_subscribe_needs_group_id_and_topics),
        cmocka_unit_test(test_subscribe_checks_heartbeat_against_session),
        cmocka_unit_test(test_commit_before_joining_and_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
