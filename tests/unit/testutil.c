/* testutil.c — helpers shared by the unit tests (see testutil.h). */
#include "testutil.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"

#ifndef RN_TEST_TMP
#define RN_TEST_TMP "/tmp/runnel-test"
#endif

static int counter;

char *rn_test_tmpdir(const char *name) {
    char *path = NULL;
    mkdir(RN_TEST_TMP, 0755);
    int n = asprintf(&path, "%s/%s-%d-%d", RN_TEST_TMP, name, (int)getpid(), counter++);
    assert_true(n > 0);
    rn_test_rmtree(path);
    assert_int_equal(mkdir(path, 0755), 0);
    return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void rn_test_rmtree(const char *path) {
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

uint8_t *rn_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void rn_test_write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

long long rn_test_file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static char captured[65536];
static size_t captured_len;
static int captured_count;

static void capture_sink(rn_log_level_t level, const char *module, const char *line, void *arg) {
    (void)arg;
    int n = snprintf(captured + captured_len, sizeof captured - captured_len, "%d %s: %s\n",
                     (int)level, module, line);
    if (n > 0 && captured_len + (size_t)n < sizeof captured)
        captured_len += (size_t)n;
    captured_count++;
}

void rn_test_capture_logs(void) {
    rn_test_capture_reset();
    rn_log_set_sink(capture_sink, NULL);
}

const char *rn_test_captured(void) {
    return captured;
}

int rn_test_captured_count(void) {
    return captured_count;
}

void rn_test_capture_reset(void) {
    captured[0] = '\0';
    captured_len = 0;
    captured_count = 0;
}
