/*
 * crc32c.h — CRC32C (Castagnoli), the checksum of Kafka's RecordBatch v2.
 *
 * Backed by Intel ISA-L's crc32_iscsi, which computes the reflected CRC without the
 * final inversion: the standard CRC32C is ~crc32_iscsi(buf, len, 0xFFFFFFFF).
 * Check value: rn_crc32c("123456789", 9) == 0xE3069283.
 */
#ifndef RN_COMMON_CRC32C_H
#define RN_COMMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC32C of buf[0..len). buf may be NULL when len is 0. Thread-safe. */
uint32_t rn_crc32c(const void *buf, size_t len);

/* Continue a CRC: rn_crc32c_update(rn_crc32c(a), b) == rn_crc32c(a ++ b).
 * Start from 0 for an empty prefix. */
uint32_t rn_crc32c_update(uint32_t crc, const void *buf, size_t len);

#endif
