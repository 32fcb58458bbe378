/* frame.c — incremental frame reassembly (see frame.h for the state machine). */
#include "net/frame.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"

void rn_frame_rd_init(rn_frame_rd_t *frd, size_t max_frame_bytes) {
    assert(max_frame_bytes <= INT32_MAX);
    memset(frd, 0, sizeof *frd);
    frd->max_frame_bytes = max_frame_bytes;
}

void rn_frame_rd_deinit(rn_frame_rd_t *frd) {
    RN_FREE(&frd->body);
    frd->prefix_have = 0;
    frd->body_len = 0;
    frd->body_have = 0;
}

/* Take prefix bytes; once all 4 are in, validate the size and allocate the body. */
static int take_prefix(rn_frame_rd_t *frd, const uint8_t *data, size_t len, size_t *used) {
    size_t n = RN_FRAME_PREFIX - frd->prefix_have;
    if (n > len)
        n = len;
    memcpy(frd->prefix + frd->prefix_have, data, n);
    frd->prefix_have += n;
    *used = n;
    if (frd->prefix_have < RN_FRAME_PREFIX)
        return 0;
    uint32_t u = (uint32_t)frd->prefix[0] << 24 | (uint32_t)frd->prefix[1] << 16 |
                 (uint32_t)frd->prefix[2] << 8 | (uint32_t)frd->prefix[3];
    if (u > INT32_MAX)
        return frd->err = RN_EMALFORMED; /* a negative int32 */
    if (u > frd->max_frame_bytes)
        return frd->err = RN_ETOOLARGE;
    frd->body_len = u;
    frd->body_have = 0;
    frd->body = rn_malloc(u);
    return 0;
}

int rn_frame_rd_feed(rn_frame_rd_t *frd, const uint8_t *data, size_t len, size_t *used,
                     uint8_t **frame, size_t *frame_len) {
    *used = 0;
    if (frd->err != 0)
        return frd->err;
    while (*used < len || (frd->body != NULL && frd->body_have == frd->body_len)) {
        if (frd->body == NULL) {
            size_t n;
            int rc = take_prefix(frd, data + *used, len - *used, &n);
            *used += n;
            if (rc < 0)
                return rc;
            continue;
        }
        size_t n = frd->body_len - frd->body_have;
        if (n > len - *used)
            n = len - *used;
        memcpy(frd->body + frd->body_have, data + *used, n);
        frd->body_have += n;
        *used += n;
        if (frd->body_have == frd->body_len) {
            *frame = frd->body;
            *frame_len = frd->body_len;
            frd->body = NULL;
            frd->prefix_have = 0;
            frd->body_len = 0;
            frd->body_have = 0;
            return 1;
        }
    }
    return 0;
}

void rn_frame_put_prefix(uint8_t out[RN_FRAME_PREFIX], size_t len) {
    assert(len <= INT32_MAX);
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
}
