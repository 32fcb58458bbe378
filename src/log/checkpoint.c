/*
 * checkpoint.c — reading and atomically writing an offset checkpoint file (the
 * recovery points, the high watermarks; see checkpoint.h for the format). The file is untrusted
 * input: every field is checked and anything unexpected makes the whole file RN_ECORRUPT.
 */
#include "log/checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "log/fileio.h"
#include "log/partmap.h"

#define MAX_FILE (64 << 20)
#define TMP      ".tmp." /* <name>.tmp.<seq>: a snapshot being written */

/* A decimal number without sign or leading zeros, at most max. */
static bool parse_num(const char *s, int64_t max, int64_t *v) {
    size_t n = strlen(s);
    if (n == 0 || n > 19 || (s[0] == '0' && n > 1))
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || x > (max - (s[i] - '0')) / 10)
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* "topic partition offset" (the line is modified). */
static bool parse_entry(char *line, rn__ckpt_entry_t *e) {
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (sp1 == NULL || sp2 == NULL)
        return false;
    *sp1 = *sp2 = '\0';
    int64_t part, off;
    if (!rn__topic_valid(line) || !parse_num(sp1 + 1, INT32_MAX, &part) ||
        !parse_num(sp2 + 1, INT64_MAX, &off))
        return false;
    e->topic = rn_strdup(line);
    e->partition = (int32_t)part;
    e->offset = off;
    return true;
}

static int cmp_entry(const void *a, const void *b) {
    const rn__ckpt_entry_t *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* Next '\n'-terminated line of *p (made a string), or NULL. */
static char *next_line(char **p, const char *end) {
    char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (nl == NULL)
        return NULL;
    char *line = *p;
    *nl = '\0';
    *p = nl + 1;
    return line;
}

static int parse(char *buf, size_t len, rn__ckpt_entry_t **entries, size_t *n) {
    char *p = buf, *end = buf + len;
    if (memchr(buf, '\0', len) != NULL)
        return RN_ECORRUPT;
    char *version = next_line(&p, end), *count_line = next_line(&p, end);
    int64_t count;
    if (version == NULL || strcmp(version, "0") != 0 || count_line == NULL ||
        !parse_num(count_line, 1 << 24, &count))
        return RN_ECORRUPT;
    rn__ckpt_entry_t *e = rn_calloc((size_t)count + 1, sizeof *e);
    size_t i = 0;
    for (; i < (size_t)count; i++) {
        char *line = next_line(&p, end);
        if (line == NULL || !parse_entry(line, &e[i]))
            break;
    }
    if (i != (size_t)count || p != end) {
        rn__checkpoint_free(e, i);
        return RN_ECORRUPT;
    }
    qsort(e, i, sizeof *e, cmp_entry);
    *entries = e;
    *n = i;
    return 0;
}

int rn__checkpoint_read(const char *path, rn__ckpt_entry_t **entries, size_t *n) {
    char *buf = NULL;
    size_t len = 0;
    int rc = rn__read_small_file(path, MAX_FILE, &buf, &len);
    if (rc != 0)
        return rc;
    rc = parse(buf, len, entries, n);
    rn_free(buf);
    return rc;
}

void rn__checkpoint_free(rn__ckpt_entry_t *entries, size_t n) {
    for (size_t i = 0; i < n; i++)
        rn_free(entries[i].topic);
    rn_free(entries);
}

int64_t rn__checkpoint_find(const rn__ckpt_entry_t *entries, size_t n, const char *topic,
                            int32_t partition) {
    rn__ckpt_entry_t key = {(char *)topic, partition, 0};
    const rn__ckpt_entry_t *e = n ? bsearch(&key, entries, n, sizeof key, cmp_entry) : NULL;
    return e ? e->offset : -1;
}

void rn__ckpt_text_add(rn__ckpt_text_t *text, const char *topic, int32_t partition,
                       int64_t offset) {
    size_t need = strlen(topic) + 40;
    if (text->len + need > text->cap) {
        text->cap = (text->len + need) * 2;
        text->buf = rn_realloc(text->buf, text->cap);
    }
    text->len += (size_t)snprintf(text->buf + text->len, text->cap - text->len,
                                  "%s %" PRId32 " %" PRId64 "\n", topic, partition, offset);
    text->count++;
}

char *rn__ckpt_text_finish(rn__ckpt_text_t *text, size_t *len) {
    char head[32];
    int h = snprintf(head, sizeof head, "0\n%zu\n", text->count);
    char *out = rn_malloc((size_t)h + text->len + 1);
    memcpy(out, head, (size_t)h);
    if (text->len > 0)
        memcpy(out + h, text->buf, text->len);
    *len = (size_t)h + text->len;
    out[*len] = '\0';
    rn_free(text->buf);
    *text = (rn__ckpt_text_t){0};
    return out;
}

int rn__ckpt_writer_init(rn__ckpt_writer_t *w, const char *dir, const char *name) {
    w->dir = rn_strdup(dir);
    w->name = rn_strdup(name);
    w->written = 0;
    int rc = uv_mutex_init(&w->lock);
    if (rc != 0) {
        rn_free(w->dir);
        rn_free(w->name);
    }
    return rc;
}

void rn__ckpt_writer_deinit(rn__ckpt_writer_t *w) {
    uv_mutex_destroy(&w->lock);
    rn_free(w->dir);
    rn_free(w->name);
}

static int write_tmp(const char *tmp, const char *text, size_t len) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int rc = rn__pwrite_full(fd, text, len, 0);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    close(fd);
    return rc;
}

int rn__ckpt_write(rn__ckpt_writer_t *w, uint64_t seq, const char *text, size_t len) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s" TMP "%" PRIu64, w->dir, w->name, seq);
    snprintf(path, sizeof path, "%s/%s", w->dir, w->name);
    int rc = write_tmp(tmp, text, len);
    if (rc == 0) {
        uv_mutex_lock(&w->lock);
        bool newer = seq > w->written;
        if (newer && rename(tmp, path) != 0)
            rc = -errno;
        if (newer && rc == 0)
            w->written = seq;
        uv_mutex_unlock(&w->lock);
        if (!newer)
            (void)unlink(tmp);
        else if (rc == 0)
            rc = rn__fsync_dir(w->dir);
    }
    if (rc != 0)
        (void)unlink(tmp);
    return rc;
}

void rn__ckpt_remove_stale(const char *dir, const char *name) {
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s" TMP, name);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            (void)unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
}
