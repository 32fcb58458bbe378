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

#ifndef RN_VECTORS_DIR
#define RN_VECTORS_DIR "../shared/vectors"
#endif

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
    size_t n = 0;
    for (; s[0] && s[1]; s += 2) {
        unsigned v;
        assert_true(n < cap);
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Split line on tabs into 5 fields, keeping empty ones (the empty key). */
static void split_row(char *line, char *fields[5]) {
    char *p = line;
    for (int i = 0; i < 5; i++) {
        assert_non_null(p);
        fields[i] = p;
        p = strchr(p, i < 4 ? '\t' : '\n');
        if (p)
            *p++ = '\0';
    }
}

int rn_test_murmur2_rows(rn_test_murmur2_row_t **rows) {
    FILE *f = fopen(RN_VECTORS_DIR "/murmur2-partitions.tsv", "r");
    if (f == NULL)
        fail_msg("cannot open %s/murmur2-partitions.tsv: %s", RN_VECTORS_DIR, strerror(errno));
    char line[4096];
    int n = 0, cap = 0;
    rn_test_murmur2_row_t *out = NULL;
    assert_non_null(fgets(line, sizeof line, f)); /* column names */
    while (fgets(line, sizeof line, f)) {
        char *fields[5];
        split_row(line, fields);
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            out = realloc(out, (size_t)cap * sizeof *out);
        }
        rn_test_murmur2_row_t *r = &out[n++];
        snprintf(r->key_hex, sizeof r->key_hex, "%s", fields[0]);
        r->key_len = unhex(fields[0], r->key, sizeof r->key);
        r->hash = atoll(fields[2]);
        r->partitions = atoi(fields[3]);
        r->partition = atoi(fields[4]);
    }
    fclose(f);
    assert_true(n >= 50);
    *rows = out;
    return n;
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
