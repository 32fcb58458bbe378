/* crc32c.c — CRC32C via ISA-L (see crc32c.h). */
#include "common/crc32c.h"

#include <isa-l.h>

uint32_t rn_crc32c_update(uint32_t crc, const void *buf, size_t len) {
    if (len == 0)
        return crc;
    /* ISA-L takes and returns the un-inverted register; our values are inverted. */
    return ~crc32_iscsi((unsigned char *)buf, (int)len, ~crc);
}

uint32_t rn_crc32c(const void *buf, size_t len) {
    return rn_crc32c_update(0, buf, len);
}
