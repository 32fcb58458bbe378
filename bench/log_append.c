/*
 * log_append — how fast the partition log appends, scans and reopens, beside the raw
 * sequential write bandwidth of the same disk measured in the same run.
 *
 *   build/bench/log_append [--dir DIR] [--size-mb N] [--record-size B] [--batch-kb K]
 *
 * Phases (each prints one line; ratios are against phase 1 of this run, since the
 * machines are shared and noisy):
 *   1. raw      write(2) of batch-sized buffers to a plain file, then one fdatasync;
 *               then read(2) of that file in 1 MiB buffers (page cache warm)
 *   2. append   rn_plog_append of prebuilt batches of the same size, then one flush
 *   3. scan     rn_plog_read of the whole log in 1 MiB reads (page cache warm; every
 *               batch's CRC is checked on the read path)
 *   4. reopen   rn_logmgr_open after a clean close (target < 50 ms)
 *   5. crash    a child process reopens the log, appends, flushes and checkpoints,
 *               appends an unflushed tail, and is killed with SIGKILL; then time
 *               rn_logmgr_open, which re-validates only the tail (target < 1 s)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/errors.h"
#include "log/logmgr.h"
#include "log/plog.h"
#include "proto/batch.h"

#define TOPIC "bench"

typedef struct opts_s {
    const char *dir;
    long long size_mb;
    int record_size;
    int batch_kb;
} opts_t;

static void die(const char *what, int rc) {
    fprintf(stderr, "log_append: %s: %s\n", what, rn_strerror(rc));
    exit(1);
}

static double secs_since(int64_t start_ns) {
    return (double)(rn_mono_ns() - start_ns) / 1e9;
}

static void print_machine(const char *dir) {
    struct utsname u;
    uname(&u);
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    printf("machine: %s %s, %ld cpus, %s; data dir %s\n", u.sysname, u.release,
           sysconf(_SC_NPROCESSORS_ONLN), model, dir);
}

/* One batch of ~batch_kb KiB of record_size-byte values, built once and reused:
 * rn_plog_append stamps offsets outside the CRC'd range, so the bytes stay valid. */
static uint8_t *build_batch(const opts_t *o, size_t *len, int *records) {
    rn_batch_opts_t bo;
    rn_batch_opts_default(&bo);
    rn_batch_builder_t b;
    rn_batch_builder_init(&b, &bo);
    char *value = rn_malloc((size_t)o->record_size);
    memset(value, 'x', (size_t)o->record_size);
    int64_t ts = rn_clock_now_ms(NULL);
    while (rn_batch_builder_size(&b) + (size_t)o->record_size + 16 <= (size_t)o->batch_kb * 1024)
        rn_batch_builder_add(&b, ts, NULL, -1, value, o->record_size, NULL, 0);
    *records = rn_batch_builder_count(&b);
    uint8_t *out;
    int rc = rn_batch_builder_finish(&b, &out, len);
    if (rc != 0)
        die("build batch", rc);
    rn_batch_builder_deinit(&b);
    rn_free(value);
    return out;
}

static double phase_raw(const opts_t *o, size_t buf_len, long long total) {
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.dat", o->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die(path, -errno);
    uint8_t *buf = rn_malloc(buf_len);
    memset(buf, 'r', buf_len);
    int64_t t0 = rn_mono_ns();
    for (long long done = 0; done < total; done += (long long)buf_len)
        if (write(fd, buf, buf_len) != (ssize_t)buf_len)
            die("raw write", -errno);
    fdatasync(fd);
    double s = secs_since(t0);
    close(fd);
    rn_free(buf);
    return (double)total / s / 1e6;
}

/* Read phase 1's file back with 1 MiB read(2) calls (page cache warm, as for scan). */
static double phase_raw_read(const opts_t *o) {
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.dat", o->dir);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die(path, -errno);
    size_t cap = 1 << 20;
    uint8_t *buf = rn_malloc(cap);
    long long total = 0;
    ssize_t n;
    int64_t t0 = rn_mono_ns();
    while ((n = read(fd, buf, cap)) > 0)
        total += n;
    double s = secs_since(t0);
    close(fd);
    unlink(path);
    rn_free(buf);
    return (double)total / s / 1e6;
}

static rn_logmgr_t *open_mgr(const opts_t *o, double *secs) {
    rn_logmgr_opts_t mo;
    rn_logmgr_opts_default(&mo);
    mo.dir = o->dir;
    rn_logmgr_t *mgr;
    int64_t t0 = rn_mono_ns();
    int rc = rn_logmgr_open(NULL, &mo, &mgr);
    if (secs)
        *secs = secs_since(t0);
    if (rc != 0)
        die("open log manager", rc);
    return mgr;
}

static rn_plog_t *bench_plog(rn_logmgr_t *mgr) {
    rn_plog_t *plog = rn_logmgr_get(mgr, TOPIC, 0);
    if (plog == NULL) {
        int rc = rn_logmgr_create(mgr, TOPIC, 0, NULL, &plog);
        if (rc != 0)
            die("create partition", rc);
    }
    return plog;
}

static void append_bytes(rn_plog_t *plog, uint8_t *batch, size_t len, long long total) {
    int64_t base;
    for (long long done = 0; done < total; done += (long long)len) {
        int rc = rn_plog_append(plog, batch, len, 0, &base);
        if (rc != 0)
            die("append", rc);
    }
}

static double phase_scan(rn_plog_t *plog, long long *bytes) {
    int64_t offset = rn_plog_start_offset(plog), end = rn_plog_end_offset(plog);
    *bytes = 0;
    int64_t t0 = rn_mono_ns();
    while (offset < end) {
        rn_plog_read_t res;
        int rc = rn_plog_read(plog, offset, 1 << 20, -1, &res);
        if (rc != 0)
            die("read", rc);
        *bytes += (long long)res.len;
        offset = res.next_offset;
        rn_plog_read_free(&res);
    }
    return secs_since(t0);
}

/* Child of phase 5: append `tail` flushed bytes and `tail` unflushed bytes, tell the
 * parent, and wait to be killed. */
static void crash_child(const opts_t *o, uint8_t *batch, size_t len, long long tail, int fd) {
    rn_logmgr_t *mgr = open_mgr(o, NULL);
    rn_plog_t *plog = bench_plog(mgr);
    append_bytes(plog, batch, len, tail);
    if (rn_plog_flush_sync(plog) != 0 || rn_logmgr_checkpoint(mgr) != 0)
        die("flush before crash", -EIO);
    append_bytes(plog, batch, len, tail);
    char c = 'k';
    if (write(fd, &c, 1) != 1)
        _exit(1);
    for (;;)
        pause();
}

static double phase_crash(const opts_t *o, uint8_t *batch, size_t len, long long tail) {
    int pfd[2];
    if (pipe(pfd) != 0)
        die("pipe", -errno);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        crash_child(o, batch, len, tail, pfd[1]);
    }
    close(pfd[1]);
    char c;
    if (read(pfd[0], &c, 1) != 1)
        die("crash child", -EIO);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(pfd[0]);
    double secs;
    rn_logmgr_t *mgr = open_mgr(o, &secs);
    rn_logmgr_close(mgr, true);
    return secs;
}

static void parse(int argc, char **argv, opts_t *o) {
    o->dir = "bench-data";
    o->size_mb = 1024;
    o->record_size = 100;
    o->batch_kb = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0)
            o->dir = argv[i + 1];
        else if (strcmp(argv[i], "--size-mb") == 0)
            o->size_mb = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "--record-size") == 0)
            o->record_size = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--batch-kb") == 0)
            o->batch_kb = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "log_append: unknown option %s\n", argv[i]);
            exit(2);
        }
    }
    if (o->size_mb <= 0 || o->record_size <= 0 || o->batch_kb <= 0) {
        fprintf(stderr, "log_append: sizes must be positive\n");
        exit(2);
    }
}

int main(int argc, char **argv) {
    opts_t o;
    parse(argc, argv, &o);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", o.dir);
    if (system(cmd) != 0 || mkdir(o.dir, 0755) != 0)
        die(o.dir, -errno);
    print_machine(o.dir);

    size_t len;
    int records;
    uint8_t *batch = build_batch(&o, &len, &records);
    long long total = o.size_mb << 20;
    printf("workload: %lld MiB of %d-byte records, %d records per %zu-byte batch\n", o.size_mb,
           o.record_size, records, len);

    double raw = phase_raw(&o, len, total);
    printf("raw      write(2) %zu-byte buffers + fdatasync: %8.1f MB/s\n", len, raw);
    double raw_read = phase_raw_read(&o);
    printf("raw      read(2) 1 MiB buffers:                %8.1f MB/s\n", raw_read);

    rn_logmgr_t *mgr = open_mgr(&o, NULL);
    rn_plog_t *plog = bench_plog(mgr);
    int64_t t0 = rn_mono_ns();
    append_bytes(plog, batch, len, total);
    if (rn_plog_flush_sync(plog) != 0)
        die("flush", -EIO);
    double app_s = secs_since(t0);
    double app = (double)rn_plog_size_bytes(plog) / app_s / 1e6;
    printf("append   rn_plog_append + final fsync:        %8.1f MB/s  (%.2f of raw), "
           "%.0f records/s\n",
           app, app / raw, (double)rn_plog_end_offset(plog) / app_s);

    long long scanned;
    double scan_s = phase_scan(plog, &scanned);
    printf("scan     rn_plog_read 1 MiB reads:            %8.1f MB/s  (%.2f of raw read)\n",
           (double)scanned / scan_s / 1e6, (double)scanned / scan_s / 1e6 / raw_read);
    long long log_bytes = rn_plog_size_bytes(plog);
    rn_logmgr_close(mgr, true);

    double clean_s;
    mgr = open_mgr(&o, &clean_s);
    rn_logmgr_close(mgr, true);
    printf("reopen   after clean shutdown, %lld MiB log:   %8.1f ms    (target < 50 ms)\n",
           log_bytes >> 20, clean_s * 1e3);

    long long tail = 16LL << 20;
    double crash_s = phase_crash(&o, batch, len, tail);
    printf("reopen   after kill -9, %lld MiB unflushed tail: %6.1f ms    (target < 1000 ms)\n",
           tail >> 20, crash_s * 1e3);

    rn_free(batch);
    if (system(cmd) != 0)
        fprintf(stderr, "log_append: could not remove %s\n", o.dir);
    return 0;
}
