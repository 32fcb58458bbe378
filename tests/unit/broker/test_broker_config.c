/* test_broker_config.c — every key parses, defaults match DESIGN.md, errors name
 * the key and line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_config.h"
#include "common/errors.h"
#include "testutil.h"

static int load_text(rn_broker_config_t *cfg, const char *text, char *err, size_t errlen) {
    char *dir = rn_test_tmpdir("brokercfg");
    char path[512];
    snprintf(path, sizeof path, "%s/broker.properties", dir);
    rn_test_write_file(path, text, strlen(text));
    int rc = rn_broker_config_load_file(cfg, path, err, errlen);
    rn_test_rmtree(dir);
    free(dir);
    return rc;
}

static void test_broker_config_defaults_match_design(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    assert_int_equal(cfg.broker_id, 1);
    assert_string_equal(cfg.listener.host, "127.0.0.1");
    assert_int_equal(cfg.listener.port, 9092);
    assert_int_equal(cfg.controller_listener.port, 9093);
    assert_int_equal(cfg.nvoters, 1);
    assert_int_equal(cfg.nbootstrap, 0);
    assert_int_equal(cfg.voters[0].id, 1);
    assert_int_equal(cfg.voters[0].addr.port, 9093);
    assert_int_equal(cfg.nlog_dirs, 1);
    assert_string_equal(cfg.log_dirs[0], "./data");
    assert_int_equal(cfg.num_partitions, 1);
    assert_int_equal(cfg.default_replication_factor, 1);
    assert_int_equal(cfg.min_insync_replicas, 1);
    assert_true(cfg.auto_create_topics);
    assert_int_equal(cfg.log.segment_bytes, 1073741824);
    assert_int_equal(cfg.log.segment_ms, 604800000);
    assert_int_equal(cfg.log.retention_ms, 604800000);
    assert_int_equal(cfg.log.retention_bytes, -1);
    assert_int_equal(cfg.retention_check_interval_ms, 300000);
    assert_int_equal(cfg.log.index_interval_bytes, 4096);
    assert_true(cfg.log.flush_messages <= 0);
    assert_true(cfg.log.flush_ms <= 0);
    assert_int_equal(cfg.replica_lag_time_max_ms, 30000);
    assert_int_equal(cfg.hw_checkpoint_interval_ms, 5000);
    assert_false(cfg.unclean_leader_election);
    assert_int_equal(cfg.broker_session_timeout_ms, 9000);
    assert_int_equal(cfg.group_min_session_timeout_ms, 6000);
    assert_int_equal(cfg.group_max_session_timeout_ms, 1800000);
    assert_int_equal(cfg.group_initial_rebalance_delay_ms, 0);
    assert_int_equal(cfg.offsets_topic_num_partitions, 50);
    assert_int_equal(cfg.offsets_topic_replication_factor, -1);
    assert_int_equal(cfg.log.max_message_bytes, 1048588);
    assert_false(cfg.has_metrics_listener);
    assert_int_equal(cfg.log_level, RN_LOG_INFO);
    char err[256];
    assert_int_equal(rn_broker_config_check(&cfg, err, sizeof err), 0);
}

static void test_broker_config_file_sets_every_kind_of_value(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    const char *text = "# three voters\n"
                       "broker.id=2\n"
                       "  listeners = 127.0.0.1:9192\n"
                       "controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9193,"
                       "3@[::1]:9293\n"
                       "log.dirs=data/a,data/b\n"
                       "log.retention.ms: -1\n"
                       "log.flush.interval.messages=1\n"
                       "unclean.leader.election.enable=true\n"
                       "metrics.listener=127.0.0.1:9094\n"
                       "log.level=debug ; inline comment\n"
                       "\n";
    assert_int_equal(load_text(&cfg, text, err, sizeof err), 0);
    assert_int_equal(cfg.broker_id, 2);
    assert_int_equal(cfg.listener.port, 9192);
    assert_int_equal(cfg.nvoters, 3);
    assert_int_equal(cfg.voters[2].id, 3);
    assert_string_equal(cfg.voters[2].addr.host, "::1");
    assert_int_equal(cfg.voters[2].addr.port, 9293);
    assert_int_equal(cfg.nlog_dirs, 2);
    assert_string_equal(cfg.log_dirs[1], "data/b");
    assert_int_equal(cfg.log.retention_ms, -1);
    assert_int_equal(cfg.log.flush_messages, 1);
    assert_true(cfg.unclean_leader_election);
    assert_true(cfg.has_metrics_listener);
    assert_int_equal(cfg.metrics_listener.port, 9094);
    assert_int_equal(cfg.log_level, RN_LOG_DEBUG);
}

static void test_broker_config_unknown_key_names_key_and_line(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    int rc = load_text(&cfg, "broker.id=1\n\n# c\nlog.retention.hours=5\n", err, sizeof err);
    assert_int_equal(rc, RN_ECONFIG);
    assert_non_null(strstr(err, "line 4"));
    assert_non_null(strstr(err, "log.retention.hours"));
}

static void test_broker_config_bad_values_are_refused(void **state) {
    (void)state;
    const char *bad[] = {
        "broker.id=-1\n",
        "broker.id=one\n",
        "broker.id=99999999999\n",
        "listeners=localhost\n",
        "listeners=:9092\n",
        "listeners=h:70000\n",
        "listeners=h:0\n",
        "auto.create.topics.enable=yes\n",
        "controller.quorum.voters=1@h:1,1@h:2\n",
        "controller.quorum.voters=h:1\n",
        "controller.bootstrap.servers=h\n",
        "controller.bootstrap.servers=h:1,,h:2\n",
        "controller.bootstrap.servers=h:1,\n",
        "controller.bootstrap.servers=h:0\n",
        "log.dirs=\n",
        "log.segment.bytes=10\n",
        "log.retention.ms=-2\n",
        "log.level=loud\n",
        "message.max.bytes=3000000000\n",
        "[section]\n",
        "no-equals-sign\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rn_broker_config_t cfg;
        rn_broker_config_default(&cfg);
        char err[256] = "";
        int rc = load_text(&cfg, bad[i], err, sizeof err);
        if (rc != RN_ECONFIG)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(strstr(err, "line 1"));
    }
}

static void test_broker_config_long_line_is_an_error(void **state) {
    (void)state;
    char text[600];
    memset(text, 'a', sizeof text);
    memcpy(text, "log.dirs=", 9);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    assert_int_equal(load_text(&cfg, text, err, sizeof err), RN_ECONFIG);
    assert_non_null(strstr(err, "too long"));
}

static void test_broker_config_missing_file_is_enoent(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    int rc = rn_broker_config_load_file(&cfg, "/nonexistent/broker.properties", err, sizeof err);
    assert_int_equal(rc, -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/broker.properties"));
}

static void test_broker_config_override_sets_and_refuses(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    assert_int_equal(rn_broker_config_override(&cfg, "num.partitions=6", err, sizeof err), 0);
    assert_int_equal(cfg.num_partitions, 6);
    assert_int_equal(rn_broker_config_override(&cfg, "num.partitions", err, sizeof err),
                     RN_ECONFIG);
    assert_int_equal(rn_broker_config_override(&cfg, "nope=1", err, sizeof err), RN_ECONFIG);
    assert_non_null(strstr(err, "nope"));
}

static void test_broker_config_bootstrap_servers_parse_and_reset(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    assert_int_equal(load_text(&cfg,
                               "controller.bootstrap.servers=127.0.0.1:9092,"
                               "[::1]:9192,h:9292\n",
                               err, sizeof err),
                     0);
    assert_int_equal(cfg.nbootstrap, 3);
    assert_string_equal(cfg.bootstrap[0].host, "127.0.0.1");
    assert_int_equal(cfg.bootstrap[0].port, 9092);
    assert_string_equal(cfg.bootstrap[1].host, "::1");
    assert_string_equal(cfg.bootstrap[2].host, "h");
    assert_int_equal(cfg.bootstrap[2].port, 9292);
    /* an empty value (the default) means none */
    assert_int_equal(
        rn_broker_config_override(&cfg, "controller.bootstrap.servers=", err, sizeof err), 0);
    assert_int_equal(cfg.nbootstrap, 0);
    /* at most 16 */
    char many[1024] = "controller.bootstrap.servers=";
    for (int i = 0; i < 17; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sh:%d", i ? "," : "", i + 1);
    assert_int_equal(rn_broker_config_override(&cfg, many, err, sizeof err), RN_ECONFIG);
    assert_non_null(strstr(err, "controller.bootstrap.servers"));
}

static void test_broker_config_check_session_timeouts(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    cfg.group_min_session_timeout_ms = 10000;
    cfg.group_max_session_timeout_ms = 5000;
    assert_int_equal(rn_broker_config_check(&cfg, err, sizeof err), RN_ECONFIG);
    assert_non_null(strstr(err, "group.min.session.timeout.ms"));
}

static void count_key(const char *key, const char *def, const char *help, void *arg) {
    (void)def;
    assert_non_null(help);
    assert_true(strlen(key) > 0);
    (*(int *)arg)++;
}

static void test_broker_config_ships_config_file_parses(void **state) {
    (void)state;
    rn_broker_config_t cfg;
    rn_broker_config_default(&cfg);
    char err[256] = "";
    int rc = rn_broker_config_load_file(&cfg, RN_SOURCE_DIR "/config/broker.properties", err,
                                        sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
    int n = 0;
    rn_broker_config_foreach_key(count_key, &n);
    assert_int_equal(n, 33); /* DESIGN.md's table, log.level, controller.bootstrap.servers,
                              * auto.leader.rebalance.enable, leader.imbalance.check.interval.ms,
                              * replica.high.watermark.checkpoint.interval.ms,
                              * group.initial.rebalance.delay.ms, controlled.shutdown.enable */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_config_defaults_match_design),
        cmocka_unit_test(test_broker_config_file_sets_every_kind_of_value),
        cmocka_unit_test(test_broker_config_unknown_key_names_key_and_line),
        cmocka_unit_test(test_broker_config_bad_values_are_refused),
        cmocka_unit_test(test_broker_config_long_line_is_an_error),
        cmocka_unit_test(test_broker_config_missing_file_is_enoent),
        cmocka_unit_test(test_broker_config_override_sets_and_refuses),
        cmocka_unit_test(test_broker_config_bootstrap_servers_parse_and_reset),
        cmocka_unit_test(test_broker_config_check_session_timeouts),
        cmocka_unit_test(test_broker_config_ships_config_file_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
