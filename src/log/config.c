/*
 * config.c — defaults and range checks for the per-partition log settings.
 *
 * The defaults are DESIGN.md's broker defaults; a topic's overrides are resolved by the
 * broker before they reach the log module, which only ever sees one rn_log_config_t.
 * Invariant: every config a plog holds has passed rn_log_config_check, so the storage
 * code may rely on segment_bytes fitting a 32-bit file position.
 */
#include "log/config.h"

#include "common/errors.h"

#define DAY_MS (24LL * 60 * 60 * 1000)

void rn_log_config_default(rn_log_config_t *cfg) {
    cfg->segment_bytes = 1073741824;
    cfg->segment_ms = 7 * DAY_MS;
    cfg->retention_ms = 7 * DAY_MS;
    cfg->retention_bytes = -1;
    cfg->index_interval_bytes = 4096;
    cfg->flush_messages = 0;
    cfg->flush_ms = 0;
    cfg->max_message_bytes = 1048588;
}

int rn_log_config_check(const rn_log_config_t *cfg) {
    /* A segment must hold at least one batch header; positions are 32-bit. */
    if (cfg->segment_bytes < 61 + 12 || cfg->segment_bytes > INT32_MAX)
        return RN_ECONFIG;
    if (cfg->segment_ms <= 0)
        return RN_ECONFIG;
    if (cfg->retention_ms < -1 || cfg->retention_bytes < -1)
        return RN_ECONFIG;
    if (cfg->index_interval_bytes < 0)
        return RN_ECONFIG;
    if (cfg->max_message_bytes < 61)
        return RN_ECONFIG;
    return 0;
}
