/* test_cli_args.c — the `runnel` argument parser: flags, values, repeatables, ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "tools/cli_args.h"

/* The flags of a typical command, filled by parse(). */
typedef struct cmd_s {
    int64_t partitions, throughput;
    const char *acks, *sep;
    int print_key;
    rn_cli_kvs_t configs, deletes;
    const char *pos[2];
    int npos;
    char err[256];
} cmd_t;

static int parse(cmd_t *c, int argc, const char **argv) {
    memset(c, 0, sizeof(*c));
    c->partitions = -1;
    c->throughput = -1;
    const rn_cli_opt_t opts[] = {
        RN_CLI_OPT_INT("--partitions", &c->partitions, 1, INT32_MAX),
        RN_CLI_OPT_INT("--throughput", &c->throughput, -1, INT64_MAX),
        RN_CLI_OPT_CHOICE("--acks", &c->acks, "0|1|all"),
        RN_CLI_OPT_STR("--key-separator", &c->sep),
        RN_CLI_OPT_BOOL("--print-key", &c->print_key),
        RN_CLI_OPT_KV("--config", &c->configs),
        RN_CLI_OPT_LIST("--delete-config", &c->deletes),
        RN_CLI_OPT_END,
    };
    return rn_cli_parse(argc, (char **)argv, opts, c->pos, 2, &c->npos, c->err, sizeof(c->err));
}

static void done(cmd_t *c) {
    rn_cli_kvs_free(&c->configs);
    rn_cli_kvs_free(&c->deletes);
}

#define PARSE(c, ...)                                                                              \
    parse((c), (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),                \
          (const char *[]){__VA_ARGS__})

static void test_cli_args_values_flags_and_positionals(void **state) {
    (void)state;
    cmd_t c;
    int64_t live = rn_alloc_live();
    assert_int_equal(PARSE(&c, "orders", "--partitions", "3", "--acks=all", "--print-key",
                           "--key-separator", ":"),
                     0);
    assert_int_equal(c.npos, 1);
    assert_string_equal(c.pos[0], "orders");
    assert_int_equal(c.partitions, 3);
    assert_string_equal(c.acks, "all");
    assert_string_equal(c.sep, ":");
    assert_int_equal(c.print_key, 1);
    done(&c);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_cli_args_value_may_start_with_dash(void **state) {
    (void)state;
    cmd_t c;
    assert_int_equal(PARSE(&c, "--throughput", "-1", "--key-separator", "-", "t"), 0);
    assert_int_equal(c.throughput, -1);
    assert_string_equal(c.sep, "-");
    assert_string_equal(c.pos[0], "t");
    done(&c);
}

static void test_cli_args_config_repeats_in_order(void **state) {
    (void)state;
    cmd_t c;
    int64_t live = rn_alloc_live();
    assert_int_equal(PARSE(&c, "--config", "retention.ms=1000", "--config=segment.bytes=1=2",
                           "--config", "flush.ms=", "--delete-config", "partitioner"),
                     0);
    assert_int_equal(c.configs.n, 3);
    assert_string_equal(c.configs.v[0].key, "retention.ms");
    assert_string_equal(c.configs.v[0].value, "1000");
    assert_string_equal(c.configs.v[1].key, "segment.bytes");
    assert_string_equal(c.configs.v[1].value, "1=2"); /* split at the first '=' */
    assert_string_equal(c.configs.v[2].value, "");
    assert_int_equal(c.deletes.n, 1);
    assert_string_equal(c.deletes.v[0].key, "partitioner");
    assert_null(c.deletes.v[0].value);
    done(&c);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_cli_args_config_without_equals_names_flag(void **state) {
    (void)state;
    cmd_t c;
    int64_t live = rn_alloc_live();
    assert_int_equal(PARSE(&c, "--config", "a=1", "--config", "retention.ms"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "--config"));
    assert_non_null(strstr(c.err, "KEY=VALUE"));
    assert_int_equal(c.configs.n, 1);
    done(&c); /* what was collected before the error is still freed */
    assert_int_equal(PARSE(&c, "--config", "=1"), RN_ECONFIG);
    assert_int_equal(c.configs.n, 0);
    assert_int_equal(rn_alloc_live(), live);
}

static void test_cli_args_int_out_of_range_names_flag(void **state) {
    (void)state;
    cmd_t c;
    assert_int_equal(PARSE(&c, "--partitions", "0"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "--partitions"));
    assert_non_null(strstr(c.err, "out of range"));
    assert_int_equal(PARSE(&c, "--partitions", "2147483648"), RN_ECONFIG);
    assert_int_equal(PARSE(&c, "--partitions", "99999999999999999999999"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "--partitions"));
}

static void test_cli_args_int_garbage_names_flag(void **state) {
    (void)state;
    cmd_t c;
    const char *bad[] = {"", "x", "3x", " 3", "3 ", "0x10", "-", "1.5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(PARSE(&c, "--partitions", bad[i]), RN_ECONFIG);
        assert_non_null(strstr(c.err, "--partitions"));
        assert_non_null(strstr(c.err, "not an integer"));
    }
}

static void test_cli_args_choice_outside_set_names_flag(void **state) {
    (void)state;
    cmd_t c;
    assert_int_equal(PARSE(&c, "--acks", "2"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "--acks"));
    assert_non_null(strstr(c.err, "0|1|all"));
    assert_int_equal(PARSE(&c, "--acks", "al"), RN_ECONFIG);
    assert_int_equal(PARSE(&c, "--acks", "alll"), RN_ECONFIG);
    assert_int_equal(PARSE(&c, "--acks", ""), RN_ECONFIG);
}

static void test_cli_args_unknown_flag_missing_value_extra_arg(void **state) {
    (void)state;
    cmd_t c;
    assert_int_equal(PARSE(&c, "--partition", "3"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "unknown option '--partition'"));
    assert_int_equal(PARSE(&c, "--bogus=1"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "'--bogus'"));
    assert_int_equal(PARSE(&c, "t", "--partitions"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "--partitions needs a value"));
    assert_int_equal(PARSE(&c, "a", "b", "c"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "'c'"));
    assert_int_equal(PARSE(&c, "--print-key=1"), RN_ECONFIG);
    assert_non_null(strstr(c.err, "--print-key takes no value"));
}

static void test_cli_args_help_and_double_dash(void **state) {
    (void)state;
    cmd_t c;
    assert_int_equal(PARSE(&c, "t", "--help"), RN_CLI_HELP);
    assert_int_equal(PARSE(&c, "-h"), RN_CLI_HELP);
    /* A value that looks like --help is a value. */
    assert_int_equal(PARSE(&c, "--key-separator", "--help"), 0);
    assert_string_equal(c.sep, "--help");
    /* After --, flags are positionals (a topic named "-x"). */
    assert_int_equal(PARSE(&c, "--print-key", "--", "-x", "--help"), 0);
    assert_int_equal(c.npos, 2);
    assert_string_equal(c.pos[0], "-x");
    assert_string_equal(c.pos[1], "--help");
}

static void test_cli_args_last_value_wins(void **state) {
    (void)state;
    cmd_t c;
    assert_int_equal(PARSE(&c, "--partitions", "3", "--partitions", "5"), 0);
    assert_int_equal(c.partitions, 5);
}

static void test_cli_args_parse_int_bounds(void **state) {
    (void)state;
    char err[128];
    int64_t v = 0;
    assert_int_equal(
        rn_cli_parse_int("--n", "-9223372036854775808", INT64_MIN, INT64_MAX, &v, err, sizeof(err)),
        0);
    assert_true(v == INT64_MIN);
    assert_int_equal(rn_cli_parse_int("--n", "+7", 0, 7, &v, err, sizeof(err)), 0);
    assert_int_equal(v, 7);
    assert_int_equal(rn_cli_parse_int("--n", "8", 0, 7, &v, err, sizeof(err)), RN_ECONFIG);
    assert_string_equal(err, "--n: 8 is out of range (0..7)");
}

static void test_cli_args_servers(void **state) {
    (void)state;
    char err[128];
    assert_int_equal(rn_cli_check_servers("127.0.0.1:9092", err, sizeof(err)), 0);
    assert_int_equal(rn_cli_check_servers("a:1,localhost:65535", err, sizeof(err)), 0);
    const char *bad[] = {"",           "host",     ":9092", "host:",    "host:0",
                         "host:65536", "host:9x2", "a:1,",  "a:1,,b:2", "h:123456"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(rn_cli_check_servers(bad[i], err, sizeof(err)), RN_ECONFIG);
        assert_non_null(strstr(err, "bad broker address"));
    }
    assert_int_equal(rn_cli_check_servers("a:1,b", err, sizeof(err)), RN_ECONFIG);
    assert_non_null(strstr(err, "'b'"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_args_values_flags_and_positionals),
        cmocka_unit_test(test_cli_args_value_may_start_with_dash),
        cmocka_unit_test(test_cli_args_config_repeats_in_order),
        cmocka_unit_test(test_cli_args_config_without_equals_names_flag),
        cmocka_unit_test(test_cli_args_int_out_of_range_names_flag),
        cmocka_unit_test(test_cli_args_int_garbage_names_flag),
        cmocka_unit_test(test_cli_args_choice_outside_set_names_flag),
        cmocka_unit_test(test_cli_args_unknown_flag_missing_value_extra_arg),
        cmocka_unit_test(test_cli_args_help_and_double_dash),
        cmocka_unit_test(test_cli_args_last_value_wins),
        cmocka_unit_test(test_cli_args_parse_int_bounds),
        cmocka_unit_test(test_cli_args_servers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
