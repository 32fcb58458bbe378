/* murmur2.c — Kafka's MurmurHash2 (see murmur2.h). */
#include "common/murmur2.h"

#define SEED 0x9747b28cu
#define M    0x5bd1e995u
#define R    24

uint32_t rn_murmur2(const void *key, size_t len) {
    const uint8_t *p = key;
    uint32_t h = SEED ^ (uint32_t)len;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++, p += 4) {
        uint32_t k =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        k *= M;
        k ^= k >> R;
        k *= M;
        h *= M;
        h ^= k;
    }
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)p[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)p[1] << 8;
        /* fall through */
    case 1:
        h ^= (uint32_t)p[0];
        h *= M;
    }
    h ^= h >> 13;
    h *= M;
    h ^= h >> 15;
    return h;
}
