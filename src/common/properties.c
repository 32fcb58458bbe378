/*
 * properties.c — .properties files on top of libinih (see properties.h).
 *
 * inih reads through a reader callback; ours counts lines, strips leading white space,
 * refuses over-long lines and [sections] before inih sees them, and so knows the line
 * of every key the handler receives.
 */
#include "common/properties.h"

#include "common/errors.h"

#include <ini.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct parse_s {
    FILE *file;       /* source, or NULL when parsing text */
    const char *text; /* remaining text when file is NULL */
    int line;         /* number of the line last handed to inih */
    int rc;           /* first error (sticky) */
    rn_props_fn fn;
    void *arg;
    char *err;
    size_t errlen;
} parse_t;

static void fail(parse_t *ps, int rc, const char *what) {
    if (ps->rc != 0)
        return;
    ps->rc = rc;
    snprintf(ps->err, ps->errlen, "line %d: %s", ps->line, what);
}

/* Next raw line into buf (NUL-terminated, newline kept); 0 at the end. */
static size_t next_line(parse_t *ps, char *buf, size_t cap) {
    if (ps->file)
        return fgets(buf, (int)cap, ps->file) ? strlen(buf) : 0;
    if (*ps->text == '\0')
        return 0;
    const char *nl = strchr(ps->text, '\n');
    size_t n = nl ? (size_t)(nl - ps->text) + 1 : strlen(ps->text);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, ps->text, n);
    buf[n] = '\0';
    ps->text += n;
    return n;
}

/* The ini_reader: hands inih one checked line at a time. */
static char *reader(char *str, int num, void *stream) {
    parse_t *ps = stream;
    char buf[1024];
    size_t n = next_line(ps, buf, sizeof buf);
    if (n == 0 || ps->rc != 0)
        return NULL;
    ps->line++;
    int complete = buf[n - 1] == '\n' || (ps->file ? feof(ps->file) : *ps->text == '\0');
    if (!complete || n > RN_PROPS_MAX_LINE) {
        fail(ps, RN_ECONFIG, "line too long");
        return NULL;
    }
    const char *s = buf + strspn(buf, " \t\r");
    if (*s == '[') {
        fail(ps, RN_ECONFIG, "sections are not allowed in a properties file");
        return NULL;
    }
    snprintf(str, (size_t)num, "%s", s);
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
    (void)section;
    parse_t *ps = user;
    if (ps->rc != 0)
        return 0;
    int rc = ps->fn(ps->arg, name, value, ps->line, ps->err, ps->errlen);
    if (rc != 0)
        ps->rc = rc;
    return rc == 0;
}

static int run(parse_t *ps) {
    int bad = ini_parse_stream(reader, ps, handler, ps);
    if (ps->rc == 0 && bad > 0) {
        ps->line = bad;
        fail(ps, RN_ECONFIG, "expected key=value");
    }
    return ps->rc;
}

int rn_props_parse_file(const char *path, rn_props_fn fn, void *arg, char *err, size_t errlen) {
    parse_t ps = {.fn = fn, .arg = arg, .err = err, .errlen = errlen};
    ps.file = fopen(path, "r");
    if (ps.file == NULL) {
        int rc = -errno;
        snprintf(err, errlen, "cannot read %s: %s", path, rn_strerror(rc));
        return rc;
    }
    int rc = run(&ps);
    fclose(ps.file);
    return rc;
}

int rn_props_parse_string(const char *text, rn_props_fn fn, void *arg, char *err, size_t errlen) {
    parse_t ps = {.text = text, .fn = fn, .arg = arg, .err = err, .errlen = errlen};
    return run(&ps);
}
