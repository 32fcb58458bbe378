/*
 * meta_props.c — read and write <dir>/meta.properties (meta_props.h).
 */
#include "broker/meta_props.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/errors.h"
#include "common/properties.h"

#define FILE_NAME "meta.properties"

static int on_key(void *arg, const char *key, const char *value, int line, char *err,
                  size_t errlen) {
    rn_meta_props_t *p = arg;
    char *end;
    if (strcmp(key, "version") == 0 || strcmp(key, "broker.id") == 0) {
        long v = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || v < 0 || v > INT32_MAX) {
            snprintf(err, errlen, "line %d: %s: expected an integer, got '%s'", line, key, value);
            return RN_ECONFIG;
        }
        if (key[0] == 'v')
            p->version = (int32_t)v;
        else
            p->broker_id = (int32_t)v;
    } else if (strcmp(key, "cluster.id") == 0) {
        snprintf(p->cluster_id, sizeof p->cluster_id, "%s", value);
    }
    return 0; /* other keys (a newer format's) are ignored */
}

int rn_meta_props_read(const char *dir, rn_meta_props_t *out, char *err, size_t errlen) {
    char path[4200];
    snprintf(path, sizeof path, "%s/" FILE_NAME, dir);
    memset(out, 0, sizeof *out);
    out->broker_id = -1;
    if (access(path, F_OK) != 0)
        return -ENOENT;
    int rc = rn_props_parse_file(path, on_key, out, err, errlen);
    if (rc == 0 && out->broker_id < 0) {
        snprintf(err, errlen, "no broker.id");
        rc = RN_ECONFIG;
    }
    return rc;
}

int rn_meta_props_write(const char *dir, const rn_meta_props_t *props) {
    char path[4200], tmp[4300], text[256];
    snprintf(path, sizeof path, "%s/" FILE_NAME, dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(text, sizeof text,
                     "# written by runneld; do not edit\nversion=%d\nbroker.id=%d\ncluster.id=%s\n",
                     (int)props->version, (int)props->broker_id, props->cluster_id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int rc = 0;
    if (write(fd, text, (size_t)n) != n || fsync(fd) != 0)
        rc = errno ? -errno : -EIO;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc != 0)
        unlink(tmp);
    return rc;
}
