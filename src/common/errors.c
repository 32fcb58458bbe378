/* errors.c — names and messages for runnel's error codes (see errors.h). */
#include "common/errors.h"

#include <string.h>

static const char *const messages[] = {
#define RN__ERR_MSG(name, msg) msg,
    RN_ERROR_TABLE(RN__ERR_MSG)
#undef RN__ERR_MSG
};

static const char *const names[] = {
#define RN__ERR_NAME(name, msg) "RN_" #name,
    RN_ERROR_TABLE(RN__ERR_NAME)
#undef RN__ERR_NAME
};

static int is_ours(int code) {
    return code > RN_ERROR_BASE && code < RN_ERROR_END;
}

const char *rn_strerror(int code) {
    if (code == 0)
        return "success";
    if (is_ours(code))
        return messages[code - RN_ERROR_BASE - 1];
    /* strerror() is not guaranteed thread-safe; strerrordesc_np is (glibc 2.32+). */
    const char *s = strerrordesc_np(-code);
    return s ? s : "unknown error";
}

const char *rn_errname(int code) {
    if (code == 0)
        return "OK";
    if (is_ours(code))
        return names[code - RN_ERROR_BASE - 1];
    const char *s = strerrorname_np(-code);
    return s ? s : "EUNKNOWN";
}
