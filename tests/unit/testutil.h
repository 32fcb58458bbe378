/*
 * testutil.h — small helpers shared by the unit tests (cmocka is included first by
 * each test, as it requires).
 */
#ifndef RN_TESTUTIL_H
#define RN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh, empty directory unique to this process and call, under RN_TEST_TMP.
 * Returns a static-lifetime-free string owned by the caller (free with free()). */
char *rn_test_tmpdir(const char *name);

/* rm -rf path. */
void rn_test_rmtree(const char *path);

/* Read a whole file into a malloc'd buffer; *len set. Fails the test when absent. */
uint8_t *rn_test_read_file(const char *path, size_t *len);

/* Write bytes to path (create/truncate). */
void rn_test_write_file(const char *path, const void *data, size_t len);

/* Size of a file, or -1 when it does not exist. */
long long rn_test_file_size(const char *path);

/* One row of ../shared/vectors/murmur2-partitions.tsv (written by a real Kafka
 * client): a key, Kafka's positive murmur2 of it, a partition count and the partition
 * Kafka's default partitioner picks. */
typedef struct rn_test_murmur2_row_s {
    char key_hex[256];
    uint8_t key[128];
    size_t key_len;
    long long hash;
    int partitions;
    int partition;
} rn_test_murmur2_row_t;

/* Every row of the vectors file (fails the test when it cannot be read or has fewer
 * than 50 rows). *rows is malloc'd: free() it. Returns the count. */
int rn_test_murmur2_rows(rn_test_murmur2_row_t **rows);

/* Log lines captured while rn_test_capture_logs is active. */
void rn_test_capture_logs(void);
const char *rn_test_captured(void); /* all lines so far, '\n'-separated */
int rn_test_captured_count(void);
void rn_test_capture_reset(void);

#endif
