/*
 * wire_errors.c — names, messages and retriability of the wire error codes, and the
 * mapping from runnel's internal codes (see wire_errors.h).
 *
 * The table is sparse (Kafka's numbers have gaps we do not list), so lookups scan it;
 * it has under a hundred entries and is consulted on error paths only.
 */
#include "proto/wire_errors.h"

#include <stddef.h>

#include "common/errors.h"

typedef struct {
    rn_wire_err_t code;
    bool retriable;
    const char *name;
    const char *message;
} entry_t;

static const entry_t table[] = {
#define RN__WIRE_ERR_ENTRY(name, code, retriable, msg) {code, retriable, #name, msg},
    RN_WIRE_ERROR_TABLE(RN__WIRE_ERR_ENTRY)
#undef RN__WIRE_ERR_ENTRY
};

static const entry_t *find(rn_wire_err_t err) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == err)
            return &table[i];
    return NULL;
}

const char *rn_wire_err_name(rn_wire_err_t err) {
    const entry_t *e = find(err);
    return e ? e->name : "UNKNOWN_WIRE_ERROR";
}

const char *rn_wire_err_message(rn_wire_err_t err) {
    const entry_t *e = find(err);
    return e ? e->message : find(RN_WIRE_UNKNOWN_SERVER_ERROR)->message;
}

bool rn_wire_err_retriable(rn_wire_err_t err) {
    const entry_t *e = find(err);
    return e ? e->retriable : false;
}

rn_wire_err_t rn_wire_err_from(int rc) {
    switch (rc) {
    case 0:
        return RN_WIRE_NONE;
    case RN_ECORRUPT:
    case RN_EBADCOUNT:
    case RN_EBADOFFSET:
    case RN_EBADMAGIC:
    case RN_EMALFORMED:
        return RN_WIRE_CORRUPT_MESSAGE;
    case RN_ETOOLARGE:
        return RN_WIRE_MESSAGE_TOO_LARGE;
    case RN_EBADCODEC:
        return RN_WIRE_UNSUPPORTED_COMPRESSION_TYPE;
    case RN_EOFFSETRANGE:
        return RN_WIRE_OFFSET_OUT_OF_RANGE;
    case RN_EBADVERSION:
        return RN_WIRE_UNSUPPORTED_VERSION;
    case RN_ECONFIG:
        return RN_WIRE_INVALID_CONFIG;
    case RN_ENOTLEADER:
        return RN_WIRE_NOT_CONTROLLER;
    case RN_EINVALIDTOPIC:
        return RN_WIRE_INVALID_TOPIC_EXCEPTION;
    case RN_ETOPICEXISTS:
        return RN_WIRE_TOPIC_ALREADY_EXISTS;
    case RN_EUNKNOWNTOPIC:
        return RN_WIRE_UNKNOWN_TOPIC_OR_PARTITION;
    case RN_EINVALIDPARTITIONS:
        return RN_WIRE_INVALID_PARTITIONS;
    case RN_EREPLICATIONFACTOR:
        return RN_WIRE_INVALID_REPLICATION_FACTOR;
    case RN_EUNKNOWNBROKER:
        return RN_WIRE_BROKER_NOT_AVAILABLE;
    default:
        return RN_WIRE_UNKNOWN_SERVER_ERROR;
    }
}
