/* test_conf.c — rn_conf_set accepts every documented key and value, refuses unknown
 * keys and bad values with a message naming the key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "client/conf.h"
#include "common/errors.h"
#include "proto/batch.h"

static void test_conf_defaults_match_runnel_h(void **state) {
    (void)state;
    rn_conf_t *c = rn_conf_new();
    assert_string_equal(c->bootstrap_servers, "127.0.0.1:9092");
    assert_string_equal(c->client_id, "runnel");
    assert_int_equal(c->request_timeout_ms, 30000);
    assert_int_equal(c->metadata_max_age_ms, 300000);
    assert_int_equal(c->retry_backoff_ms, 100);
    assert_int_equal(c->acks, -1);
    assert_int_equal(c->linger_ms, 5);
    assert_int_equal(c->batch_size, 16384);
    assert_int_equal(c->compression, RN_CODEC_NONE);
    assert_int_equal(c->delivery_timeout_ms, 30000);
    assert_int_equal(c->max_inflight, 5);
    assert_int_equal(c->partitioner, RN__PART_DEFAULT);
    assert_int_equal(c->message_max_bytes, 1048588);
    assert_int_equal(c->fetch_max_wait_ms, 500);
    assert_int_equal(c->fetch_min_bytes, 1);
    assert_int_equal(c->fetch_max_bytes, 52428800);
    assert_int_equal(c->max_partition_fetch_bytes, 1048576);
    assert_int_equal(c->check_crcs, 1);
    rn_conf_free(c);
}

static void test_conf_set_parses_each_kind(void **state) {
    (void)state;
    rn_conf_t *c = rn_conf_new();
    char err[256] = "";
    assert_int_equal(rn_conf_set(c, "acks", "0", err, sizeof err), 0);
    assert_int_equal(c->acks, 0);
    assert_int_equal(rn_conf_set(c, "acks", "1", err, sizeof err), 0);
    assert_int_equal(c->acks, 1);
    assert_int_equal(rn_conf_set(c, "acks", "-1", err, sizeof err), 0);
    assert_int_equal(c->acks, -1);
    assert_int_equal(rn_conf_set(c, "compression.type", "gzip", err, sizeof err), 0);
    assert_int_equal(c->compression, RN_CODEC_GZIP);
    assert_int_equal(rn_conf_set(c, "partitioner", "broker", err, sizeof err), 0);
    assert_int_equal(c->partitioner, RN__PART_BROKER);
    assert_int_equal(rn_conf_set(c, "check.crcs", "false", err, sizeof err), 0);
    assert_int_equal(c->check_crcs, 0);
    assert_int_equal(rn_conf_set(c, "linger.ms", "0", err, sizeof err), 0);
    assert_int_equal(c->linger_ms, 0);
    assert_int_equal(rn_conf_set(c, "client.id", "me", err, sizeof err), 0);
    assert_string_equal(c->client_id, "me");
    assert_int_equal(
        rn_conf_set(c, "bootstrap.servers", "a:1, b.example:9092,[::1]:9093", err, sizeof err), 0);
    rn__hostport_t hp[4];
    assert_int_equal(rn__hostports_parse(c->bootstrap_servers, hp, 4, err, sizeof err), 3);
    assert_string_equal(hp[1].host, "b.example");
    assert_int_equal(hp[1].port, 9092);
    assert_string_equal(hp[2].host, "::1");
    rn_conf_free(c);
}

static void expect_refused(const char *key, const char *value, const char *needle) {
    rn_conf_t *c = rn_conf_new();
    char err[256] = "";
    assert_int_equal(rn_conf_set(c, key, value, err, sizeof err), RN_ECONFIG);
    if (strstr(err, needle) == NULL)
        fail_msg("%s=%s: message \"%s\" lacks \"%s\"", key, value, err, needle);
    rn_conf_free(c);
}

static void test_conf_set_refuses_bad_keys_and_values(void **state) {
    (void)state;
    expect_refused("no.such.key", "1", "no.such.key: unknown configuration key");
    expect_refused("linger.ms", "abc", "linger.ms: \"abc\" is not an integer");
    expect_refused("linger.ms", "-1", "linger.ms: -1 is out of range");
    expect_refused("batch.size", "", "batch.size");
    expect_refused("acks", "2", "acks: \"2\" is not 0, 1, all or -1");
    expect_refused("compression.type", "zstd", "compression.type");
    expect_refused("partitioner", "random", "partitioner");
    expect_refused("check.crcs", "yes", "check.crcs");
    expect_refused("bootstrap.servers", "localhost", "bootstrap.servers: \"localhost\"");
    expect_refused("bootstrap.servers", "a:0", "port 1..65535");
    expect_refused("bootstrap.servers", "a:9092,", "bootstrap.servers");
    expect_refused("bootstrap.servers", "a:99999", "bootstrap.servers");
}

static int32_t always_one(void *opaque, const char *topic, const void *key, int32_t key_len,
                          int32_t count) {
    (void)opaque, (void)topic, (void)key, (void)key_len, (void)count;
    return 1;
}

static void test_conf_set_partitioner_installs_and_clears(void **state) {
    (void)state;
    rn_conf_t *c = rn_conf_new();
    int x;
    rn_conf_set_partitioner(c, always_one, &x);
    assert_int_equal(c->partitioner, RN__PART_USER);
    assert_ptr_equal(c->part_opaque, &x);
    rn_conf_set_partitioner(c, NULL, NULL);
    assert_int_equal(c->partitioner, RN__PART_DEFAULT);
    rn_conf_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_defaults_match_runnel_h),
        cmocka_unit_test(test_conf_set_parses_each_kind),
        cmocka_unit_test(test_conf_set_refuses_bad_keys_and_values),
        cmocka_unit_test(test_conf_set_partitioner_installs_and_clears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
