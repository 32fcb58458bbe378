/*
 * snapshot.h — the whole metadata image as bytes, for Raft snapshots (quorum.h).
 *
 * A snapshot is the list of records that rebuilds the image from empty, in the same
 * entry layout the log uses (records.h), framed by a magic, a version and a CRC:
 *
 *   magic u32 0x524e4d53 ("RNMS") | version i16 (0) |
 *   entry: 'M' | 0 | count i32 | count × (len i32 | record) | zero padding
 *            SetClusterId            (when the image has one)
 *            RegisterBroker × brokers (fenced flag included), by id
 *            CreateTopic × topics     (current leader, epoch, ISR, configs), by name
 *   crc32c u32 over everything before it
 *
 * Restoring applies those records to an empty image, so there is exactly one code
 * path that builds an image (rn_meta_image_apply) and the snapshot format is nothing
 * but records. Any mismatch (magic, version, CRC, a record that does not decode or
 * apply) is RN_ECORRUPT: snapshots come from disk or from the leader, and a broker must
 * not start on a half-restored image.
 */
#ifndef RN_META_SNAPSHOT_H
#define RN_META_SNAPSHOT_H

#include <stddef.h>

#include "meta/image.h"
#include "proto/writer.h"

#define RN_META_SNAPSHOT_MAGIC   0x524e4d53u
#define RN_META_SNAPSHOT_VERSION 0

/* Append the snapshot of img to wr. Cannot fail. */
void rn_meta_snapshot_encode(const rn_meta_image_t *img, rn_writer_t *wr);

/* Rebuild an image from p[0..len). 0 and *out (the caller frees it), or RN_ECORRUPT
 * with *out NULL. */
int rn_meta_snapshot_decode(const void *p, size_t len, rn_meta_image_t **out);

#endif
