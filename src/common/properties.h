/*
 * properties.h — Kafka-style .properties files: `key=value` (or `key: value`) lines,
 * `#` or `;` comments, blank lines. Parsed with libinih; this layer adds what inih
 * leaves out and a config file needs:
 *
 *   - line numbers for every key (so an error names the key and its line);
 *   - no [sections] (a line starting with '[' is an error);
 *   - leading white space is ignored (inih would read an indented line as the
 *     continuation of the previous value);
 *   - a line longer than RN_PROPS_MAX_LINE is an error, not silently split.
 *
 * An inline comment needs white space before its ';' or '#', so values such as
 * "a;b" stay whole.
 */
#ifndef RN_COMMON_PROPERTIES_H
#define RN_COMMON_PROPERTIES_H

#include <stddef.h>

#define RN_PROPS_MAX_LINE 198

/* Called once per key=value, in file order. Return 0 to go on; anything else stops
 * the parse and is returned by rn_props_parse_*. The callback writes its own
 * message into err. key and value are valid only during the call. */
typedef int (*rn_props_fn)(void *arg, const char *key, const char *value, int line, char *err,
                           size_t errlen);

/* Parse the file at path. Returns 0, -errno when it cannot be read, RN_ECONFIG on a
 * syntax error (err: "line N: ..."), or what fn returned (err as fn wrote it). */
int rn_props_parse_file(const char *path, rn_props_fn fn, void *arg, char *err, size_t errlen);

/* The same for text in memory (NUL-terminated). */
int rn_props_parse_string(const char *text, rn_props_fn fn, void *arg, char *err, size_t errlen);

#endif
