/*
 * batch_int.h — internals shared by batch.c and batch_iter.c; not for other modules.
 */
#ifndef RN_PROTO_BATCH_INT_H
#define RN_PROTO_BATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/batch.h"

/* Start iterating the batch at p whose header h has already passed rn_batch_check:
 * refuse unknown codecs and decompress (at most max_inflated bytes) if needed.
 * Returns 0, RN_EBADCODEC, RN_ECOMPRESS or RN_ETOOLARGE; on error nothing needs
 * deinit. */
int rn__batch_iter_start(rn_batch_iter_t *it, const uint8_t *p, const rn_batch_header_t *h,
                         size_t max_inflated);

#endif
