/*
 * errors.h — runnel's own error codes.
 *
 * Every function that can fail returns an int: 0 on success or a negative code.
 * System failures are -errno (libuv's UV_E* codes are the same numbers on Unix and
 * pass straight through). runnel's own codes live far below any errno value, in
 * one X-macro table that generates the enum, the names and the messages, so a new
 * code is one line here.
 *
 * Wire error codes (int16 on the protocol) are a separate type; handlers convert
 * explicitly. Bad bytes from the network are RN_EMALFORMED, bad bytes from disk are
 * RN_ECORRUPT; a programmer mistake is an assert, never an error code.
 */
#ifndef RN_COMMON_ERRORS_H
#define RN_COMMON_ERRORS_H

/* X(name, message) */
#define RN_ERROR_TABLE(X)                                                                          \
    X(EMALFORMED, "malformed input")                                                               \
    X(ECORRUPT, "corrupt data (checksum or structure mismatch)")                                   \
    X(ETOOLARGE, "record batch too large")                                                         \
    X(EBADCOUNT, "invalid record count")                                                           \
    X(EBADMAGIC, "unsupported record batch magic")                                                 \
    X(EBADCODEC, "unsupported compression codec")                                                  \
    X(EBADOFFSET, "invalid offset")                                                                \
    X(EOFFSETRANGE, "offset out of range")                                                         \
    X(ECLOSED, "object is closed")                                                                 \
    X(EBUSY, "operation already in progress")                                                      \
    X(ECONFIG, "invalid configuration value")                                                      \
    X(ECOMPRESS, "compression or decompression failed")                                            \
    X(EBADVERSION, "unsupported API key or version")                                               \
    X(ENOTLEADER, "not the metadata quorum leader (controller)")                                   \
    X(ERAFT, "metadata quorum (libraft) failure")                                                  \
    X(EINVALIDTOPIC, "invalid topic name")                                                         \
    X(ETOPICEXISTS, "topic already exists")                                                        \
    X(EUNKNOWNTOPIC, "unknown topic")                                                              \
    X(EINVALIDPARTITIONS, "invalid number of partitions or unknown partition")                     \
    X(EREPLICATIONFACTOR, "replication factor below 1 or above the live broker count")             \
    X(EUNKNOWNBROKER, "unknown broker")

enum {
    RN_ERROR_BASE = -100000,
#define RN__ERR_ENUM(name, msg) RN_##name,
    RN_ERROR_TABLE(RN__ERR_ENUM)
#undef RN__ERR_ENUM
        RN_ERROR_END
};

/* Static description of a code: ours from the table, others via strerror(-code).
 * Never returns NULL. Thread-safe. */
const char *rn_strerror(int code);

/* Short symbolic name ("RN_ECORRUPT", "ENOENT"), for logs and tests. Never NULL. */
const char *rn_errname(int code);

#endif
