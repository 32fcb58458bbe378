/*
 * api.c — the table of API keys and codec versions (see api.h).
 */
#include "proto/api.h"

#include <stddef.h>

#include "common/errors.h"

static const rn_api_info_t table[] = {
#define RN__API_ROW(name, key, str, min, max) {key, str, min, max},
    RN_API_TABLE(RN__API_ROW)
#undef RN__API_ROW
};

#define TABLE_LEN ((int)(sizeof table / sizeof table[0]))

const rn_api_info_t *rn_api_info(int16_t key) {
    for (int i = 0; i < TABLE_LEN; i++)
        if (table[i].key == key)
            return &table[i];
    return NULL;
}

const char *rn_api_name(int16_t key) {
    const rn_api_info_t *info = rn_api_info(key);
    return info ? info->name : "Unknown";
}

int rn_api_check_version(int16_t key, int16_t version) {
    const rn_api_info_t *info = rn_api_info(key);
    if (info == NULL || info->min_version < 0)
        return RN_EBADVERSION;
    if (version < info->min_version || version > info->max_version)
        return RN_EBADVERSION;
    return 0;
}

const rn_api_info_t *rn_api_table(int *count) {
    *count = TABLE_LEN;
    return table;
}
