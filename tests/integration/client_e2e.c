/*
 * client_e2e.c — librunnel against a real runneld (driven by test_client_e2e.py):
 *
 *   client_e2e BOOTSTRAP keyed       100,000 keyed records over 4 partitions: same key
 *                                    → the partition Kafka's hash picks, per-key order
 *                                    kept, everything read back byte-identical
 *   client_e2e BOOTSTRAP keyless     keyless records: the sticky partitioner uses all 4
 *   client_e2e BOOTSTRAP broker      partitioner=broker: the broker's choice for keyed
 *                                    records equals the client's hash
 *   client_e2e BOOTSTRAP acks        acks 0, 1 and all, plain and gzip, read back
 *   client_e2e BOOTSTRAP consumer    poll hands out messages from batches: they stay
 *                                    valid after later polls and after the consumer is
 *                                    freed; a seek with a batch half served drops the
 *                                    rest of it; a 1 KiB queue limit still delivers all
 *   client_e2e BOOTSTRAP admin       create/list/describe/alter/delete topics
 *   client_e2e BOOTSTRAP timeout     BOOTSTRAP unreachable: records fail with an error
 *                                    after delivery.timeout.ms instead of hanging
 *
 * Prints one line per check that fails and exits 1; exit 0 when all pass.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runnel/runnel.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static const char *bootstrap;

typedef struct dr_state_s {
    atomic_long ok, failed;
    atomic_int last_err;
    int32_t *partition_of; /* per record index (msg_opaque - 1) */
    int64_t *offset_of;
} dr_state_t;

static void on_delivery(void *opaque, int err, const char *topic, int32_t partition, int64_t offset,
                        void *msg_opaque) {
    (void)topic;
    dr_state_t *st = opaque;
    intptr_t i = (intptr_t)msg_opaque - 1;
    if (err != 0) {
        atomic_fetch_add(&st->failed, 1);
        atomic_store(&st->last_err, err);
        return;
    }
    atomic_fetch_add(&st->ok, 1);
    if (st->partition_of != NULL && i >= 0) {
        st->partition_of[i] = partition;
        st->offset_of[i] = offset;
    }
}

static rn_conf_t *conf_with(const char *const *kv) {
    rn_conf_t *c = rn_conf_new();
    char err[256];
    CHECK(rn_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) == 0, "%s", err);
    for (; kv != NULL && kv[0] != NULL; kv += 2)
        CHECK(rn_conf_set(c, kv[0], kv[1], err, sizeof err) == 0, "%s", err);
    return c;
}

static void create_topic(const char *name, int32_t partitions) {
    char err[256];
    rn_admin_t *a = rn_admin_new(conf_with(NULL), err, sizeof err);
    CHECK(a != NULL, "%s", err);
    int rc = rn_admin_create_topic(a, name, partitions, 1, NULL, 0, err, sizeof err);
    CHECK(rc == 0, "create %s: %s", name, err);
    rn_admin_free(a);
}

/* Send with retry on a full queue. */
static void send_one(rn_producer_t *p, const char *topic, const void *key, int32_t klen,
                     const void *val, int32_t vlen, intptr_t idx) {
    for (;;) {
        int rc = rn_producer_send(p, topic, RN_PARTITION_ANY, key, klen, val, vlen, NULL, 0, 0,
                                  (void *)(idx + 1));
        if (rc == 0)
            return;
        CHECK(rc == RN_ERR_QUEUE_FULL, "send: %s", rn_err_str(rc));
        rn_producer_flush(p, 100);
    }
}

/* Read n records from every partition of topic from the beginning; calls fn for each. */
static void consume_all(const char *topic, int32_t partitions, long n,
                        void (*fn)(const rn_message_t *m, void *arg), void *arg) {
    char err[256];
    rn_consumer_t *c = rn_consumer_new(conf_with(NULL), err, sizeof err);
    CHECK(c != NULL, "%s", err);
    int rc = rn_consumer_assign_topic(c, topic, RN_OFFSET_BEGINNING, err, sizeof err);
    CHECK(rc == partitions, "assign_topic %s: %d %s", topic, rc, err);
    long got = 0;
    while (got < n) {
        rn_message_t *m;
        rc = rn_consumer_poll(c, 10000, &m, err, sizeof err);
        CHECK(rc >= 0, "poll: %s", err);
        CHECK(rc == 1, "poll timed out after %ld of %ld records", got, n);
        fn(m, arg);
        rn_message_free(m);
        got++;
    }
    rn_message_t *m;
    CHECK(rn_consumer_poll(c, 200, &m, err, sizeof err) == 0, "more records than produced");
    for (int32_t p = 0; p < partitions; p++)
        CHECK(rn_consumer_position(c, topic, p) >= 0, "position of %d", p);
    rn_consumer_free(c);
}

/* ---- keyed ------------------------------------------------------------------------- */

#define KEYED_N    100000
#define KEYED_KEYS 1000

typedef struct keyed_s {
    int32_t key_partition[KEYED_KEYS];
    int64_t next_seq[KEYED_KEYS];
    long seen;
} keyed_t;

static void keyed_check(const rn_message_t *m, void *arg) {
    keyed_t *k = arg;
    char key[32], val[64];
    CHECK(m->key_len > 0 && m->key_len < 32 && m->value_len > 0 && m->value_len < 64, "sizes");
    memcpy(key, m->key, (size_t)m->key_len);
    key[m->key_len] = '\0';
    memcpy(val, m->value, (size_t)m->value_len);
    val[m->value_len] = '\0';
    int kid = atoi(key + 4);
    long seq, i;
    CHECK(sscanf(val, "value-%ld-%ld", &i, &seq) == 2, "value %s", val);
    CHECK(i % KEYED_KEYS == kid, "value %s under key %s", val, key);
    CHECK(m->partition == rn_partition_hash(m->key, m->key_len, 4), "key %s in partition %d", key,
          m->partition);
    CHECK(seq == k->next_seq[kid], "key %s: seq %ld, expected %" PRId64, key, seq,
          k->next_seq[kid]);
    k->next_seq[kid]++;
    k->seen++;
}

static void test_keyed(void) {
    create_topic("keyed", 4);
    dr_state_t st = {0};
    st.partition_of = calloc(KEYED_N, sizeof(int32_t));
    st.offset_of = calloc(KEYED_N, sizeof(int64_t));
    char err[256];
    const char *kv[] = {"acks", "1", NULL};
    rn_producer_t *p = rn_producer_new(conf_with(kv), on_delivery, &st, err, sizeof err);
    CHECK(p != NULL, "%s", err);
    for (long i = 0; i < KEYED_N; i++) {
        char key[32], val[64];
        int kl = snprintf(key, sizeof key, "key-%ld", i % KEYED_KEYS);
        int vl = snprintf(val, sizeof val, "value-%ld-%ld", i, i / KEYED_KEYS);
        send_one(p, "keyed", key, kl, val, vl, i);
    }
    CHECK(rn_producer_flush(p, 60000) == 0, "flush: %" PRId64 " left", rn_producer_outstanding(p));
    rn_producer_free(p);
    CHECK(st.ok == KEYED_N && st.failed == 0, "delivered %ld, failed %ld (%s)", (long)st.ok,
          (long)st.failed, rn_err_str(st.last_err));
    /* Offsets reported are unique per partition. */
    keyed_t *k = calloc(1, sizeof *k);
    consume_all("keyed", 4, KEYED_N, keyed_check, k);
    CHECK(k->seen == KEYED_N, "seen %ld", k->seen);
    free(k);
    free(st.partition_of);
    free(st.offset_of);
}

/* The broker partitioner: partition -1 on the wire; the broker's choice for keyed
 * records (reported back in the delivery report) must equal the client's hash. */
#define BROKER_N 2000

static void test_broker_partitioner(void) {
    create_topic("routed", 4);
    dr_state_t st = {0};
    st.partition_of = calloc(BROKER_N, sizeof(int32_t));
    st.offset_of = calloc(BROKER_N, sizeof(int64_t));
    char err[256];
    const char *kv[] = {"acks", "1", "partitioner", "broker", NULL};
    rn_producer_t *p = rn_producer_new(conf_with(kv), on_delivery, &st, err, sizeof err);
    CHECK(p != NULL, "%s", err);
    char keys[BROKER_N][16];
    for (long i = 0; i < BROKER_N; i++) {
        int kl = snprintf(keys[i], sizeof keys[i], "k%ld", i % 97);
        send_one(p, "routed", keys[i], kl, "v", 1, i);
    }
    CHECK(rn_producer_flush(p, 30000) == 0, "flush");
    rn_producer_free(p);
    CHECK(st.ok == BROKER_N, "delivered %ld failed %ld (%s)", (long)st.ok, (long)st.failed,
          rn_err_str(st.last_err));
    for (long i = 0; i < BROKER_N; i++) {
        int32_t want = rn_partition_hash(keys[i], (int32_t)strlen(keys[i]), 4);
        CHECK(st.partition_of[i] == want, "key %s: broker chose %d, client hash %d", keys[i],
              st.partition_of[i], want);
        CHECK(st.offset_of[i] >= 0, "offset");
    }
    free(st.partition_of);
    free(st.offset_of);
}

/* ---- keyless ----------------------------------------------------------------------- */

typedef struct keyless_s {
    long per_partition[4];
    char *seen;
} keyless_t;

static void keyless_check(const rn_message_t *m, void *arg) {
    keyless_t *k = arg;
    CHECK(m->key == NULL && m->key_len == -1, "key not null");
    CHECK(m->partition >= 0 && m->partition < 4, "partition %d", m->partition);
    char val[32];
    CHECK(m->value_len > 0 && m->value_len < 32, "value size");
    memcpy(val, m->value, (size_t)m->value_len);
    val[m->value_len] = '\0';
    long i = atol(val + 2);
    CHECK(i >= 0 && i < KEYED_N && !k->seen[i], "value %s twice or bad", val);
    k->seen[i] = 1;
    k->per_partition[m->partition]++;
}

static void test_keyless(void) {
    create_topic("keyless", 4);
    dr_state_t st = {0};
    char err[256];
    const char *kv[] = {"acks", "1", "batch.size", "4096", NULL};
    rn_producer_t *p = rn_producer_new(conf_with(kv), on_delivery, &st, err, sizeof err);
    CHECK(p != NULL, "%s", err);
    for (long i = 0; i < KEYED_N; i++) {
        char val[32];
        int vl = snprintf(val, sizeof val, "v-%ld", i);
        send_one(p, "keyless", NULL, -1, val, vl, i);
    }
    CHECK(rn_producer_flush(p, 60000) == 0, "flush");
    rn_producer_free(p);
    CHECK(st.ok == KEYED_N, "delivered %ld failed %ld (%s)", (long)st.ok, (long)st.failed,
          rn_err_str(st.last_err));
    keyless_t k = {{0}, calloc(KEYED_N, 1)};
    consume_all("keyless", 4, KEYED_N, keyless_check, &k);
    for (int i = 0; i < 4; i++)
        CHECK(k.per_partition[i] > KEYED_N / 20, "partition %d got only %ld records", i,
              k.per_partition[i]);
    free(k.seen);
}

/* ---- acks and gzip ----------------------------------------------------------------- */

#define ACKS_N 5000

typedef struct vals_s {
    char *seen;
    long n;
} vals_t;

static void value_check(const rn_message_t *m, void *arg) {
    vals_t *v = arg;
    char want[200];
    long i = m->offset; /* one partition: offset = index */
    CHECK(i >= 0 && i < ACKS_N && !v->seen[i], "offset %ld", i);
    int wl = snprintf(want, sizeof want, "record %ld %0100d", i, 7);
    CHECK(m->value_len == wl && memcmp(m->value, want, (size_t)wl) == 0, "value at %ld differs", i);
    CHECK(m->nheaders == 1 && strcmp(m->headers[0].key, "h") == 0 && m->headers[0].value_len == 1 &&
              memcmp(m->headers[0].value, "x", 1) == 0,
          "header at %ld", i);
    v->seen[i] = 1;
    v->n++;
}

/* Seek to the end (nothing new to read) and past it (reported once, as an error). */
static void check_seeks(const char *topic) {
    char err[256];
    rn_consumer_t *c = rn_consumer_new(conf_with(NULL), err, sizeof err);
    CHECK(c != NULL, "%s", err);
    rn_message_t *m;
    CHECK(rn_consumer_assign(c, topic, 0, RN_OFFSET_END) == 0, "assign end");
    CHECK(rn_consumer_poll(c, 500, &m, err, sizeof err) == 0, "a record after the end");
    CHECK(rn_consumer_position(c, topic, 0) == ACKS_N, "position at end: %" PRId64,
          rn_consumer_position(c, topic, 0));
    CHECK(rn_consumer_assign(c, topic, 0, ACKS_N + 1000) == 0, "seek past the end");
    int rc = rn_consumer_poll(c, 5000, &m, err, sizeof err);
    CHECK(rc == RN_ERR_OFFSET_OUT_OF_RANGE && strstr(err, topic) != NULL, "out of range: %d %s", rc,
          err);
    CHECK(rn_consumer_poll(c, 300, &m, err, sizeof err) == 0, "reported once");
    CHECK(rn_consumer_assign(c, topic, 0, ACKS_N - 1) == 0, "seek back");
    CHECK(rn_consumer_poll(c, 5000, &m, err, sizeof err) == 1 && m->offset == ACKS_N - 1,
          "the last record after seeking back");
    rn_message_free(m);
    rn_consumer_free(c);
}

static void acks_case(const char *topic, const char *acks, const char *codec) {
    create_topic(topic, 1);
    dr_state_t st = {0};
    st.partition_of = calloc(ACKS_N, sizeof(int32_t));
    st.offset_of = calloc(ACKS_N, sizeof(int64_t));
    char err[256];
    const char *kv[] = {"acks", acks, "compression.type", codec, NULL};
    rn_producer_t *p = rn_producer_new(conf_with(kv), on_delivery, &st, err, sizeof err);
    CHECK(p != NULL, "%s", err);
    rn_header_t h = {"h", "x", 1};
    for (long i = 0; i < ACKS_N; i++) {
        char val[200];
        int vl = snprintf(val, sizeof val, "record %ld %0100d", i, 7);
        int rc = rn_producer_send(p, topic, 0, NULL, -1, val, vl, &h, 1, 0, (void *)(i + 1));
        CHECK(rc == 0, "send: %s", rn_err_str(rc));
        if (strcmp(acks, "0") == 0 && i % 1000 == 999)
            rn_producer_flush(p, 10000); /* acks=0: keep the broker's order simple */
    }
    CHECK(rn_producer_flush(p, 30000) == 0, "flush");
    rn_producer_free(p);
    CHECK(st.ok == ACKS_N, "%s acks=%s %s: delivered %ld failed %ld (%s)", topic, acks, codec,
          (long)st.ok, (long)st.failed, rn_err_str(st.last_err));
    for (long i = 0; i < ACKS_N; i++) {
        CHECK(st.partition_of[i] == 0, "partition");
        if (strcmp(acks, "0") == 0)
            CHECK(st.offset_of[i] == -1, "acks=0 reports offset -1");
        else
            CHECK(st.offset_of[i] == i, "record %ld reported at offset %" PRId64, i,
                  st.offset_of[i]);
    }
    vals_t v = {calloc(ACKS_N, 1), 0};
    consume_all(topic, 1, ACKS_N, value_check, &v);
    check_seeks(topic);
    free(v.seen);
    free(st.partition_of);
    free(st.offset_of);
}

static void test_acks(void) {
    acks_case("acks0", "0", "none");
    acks_case("acks1", "1", "none");
    acks_case("acksall", "all", "none");
    acks_case("gzip1", "1", "gzip");
    acks_case("gzipall", "all", "gzip");
}

/* ---- consumer batches -------------------------------------------------------------- */

#define CONS_N 20000

static int value_is(const rn_message_t *m, int64_t i) {
    char want[64];
    int wl = snprintf(want, sizeof want, "value %" PRId64, i);
    return m->offset == i && m->value_len == wl && memcmp(m->value, want, (size_t)wl) == 0 &&
           strcmp(m->topic, "cons") == 0 && m->partition == 0;
}

static rn_message_t *poll_one(rn_consumer_t *c) {
    char err[256];
    rn_message_t *m = NULL;
    int rc = rn_consumer_poll(c, 10000, &m, err, sizeof err);
    CHECK(rc == 1, "poll: %d %s", rc, err);
    return m;
}

static void test_consumer(void) {
    create_topic("cons", 1);
    dr_state_t st = {0};
    char err[256];
    rn_producer_t *p = rn_producer_new(conf_with(NULL), on_delivery, &st, err, sizeof err);
    CHECK(p != NULL, "%s", err);
    for (long i = 0; i < CONS_N; i++) {
        char val[64];
        int vl = snprintf(val, sizeof val, "value %ld", i);
        CHECK(rn_producer_send(p, "cons", 0, NULL, -1, val, vl, NULL, 0, 0, NULL) == 0, "send");
    }
    CHECK(rn_producer_flush(p, 30000) == 0, "flush");
    rn_producer_free(p);
    CHECK(st.ok == CONS_N, "delivered %ld", (long)st.ok);

    /* Held messages stay intact while later polls go on, and after the consumer goes. */
    rn_consumer_t *c = rn_consumer_new(conf_with(NULL), err, sizeof err);
    CHECK(c != NULL, "%s", err);
    CHECK(rn_consumer_assign(c, "cons", 0, RN_OFFSET_BEGINNING) == 0, "assign");
    rn_message_t *held[3];
    int64_t held_at[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++)
        held[i] = poll_one(c);
    for (int64_t i = 3; i < 10000; i++) {
        rn_message_t *m = poll_one(c);
        CHECK(value_is(m, i), "record %" PRId64 " differs (offset %" PRId64 ")", i, m->offset);
        rn_message_free(m);
        if (i == 5000) { /* swap one held message for a fresh one */
            rn_message_free(held[1]);
            held[1] = poll_one(c);
            held_at[1] = ++i;
        }
    }
    CHECK(rn_consumer_position(c, "cons", 0) == 10000, "position %" PRId64,
          rn_consumer_position(c, "cons", 0));

    /* Seek back while the batch is half served: the rest of it is dropped and polling
     * resumes at the new offset, in order, with the position following. */
    CHECK(rn_consumer_assign(c, "cons", 0, 42) == 0, "seek");
    CHECK(rn_consumer_position(c, "cons", 0) == 42, "position after seek");
    for (int64_t i = 42; i < 1042; i++) {
        rn_message_t *m = poll_one(c);
        CHECK(value_is(m, i), "after seek: want %" PRId64 ", got offset %" PRId64, i, m->offset);
        rn_message_free(m);
    }
    CHECK(rn_consumer_position(c, "cons", 0) == 1042, "position after the seek's records");
    /* And forward, past what the old position had fetched. */
    CHECK(rn_consumer_assign(c, "cons", 0, CONS_N - 5) == 0, "seek forward");
    for (int64_t i = CONS_N - 5; i < CONS_N; i++) {
        rn_message_t *m = poll_one(c);
        CHECK(value_is(m, i), "seek forward: want %" PRId64 ", got %" PRId64, i, m->offset);
        rn_message_free(m);
    }
    rn_message_t *m = NULL;
    CHECK(rn_consumer_poll(c, 300, &m, err, sizeof err) == 0, "nothing after the end");
    rn_consumer_free(c);
    for (int i = 0; i < 3; i++) {
        CHECK(value_is(held[i], held_at[i]), "held message %d changed", i);
        rn_message_free(held[i]);
    }

    /* A queue limit of 1 KiB: poll resumes the paused loop often; all arrive in order. */
    const char *kv[] = {"queued.max.messages.kbytes", "1", NULL};
    c = rn_consumer_new(conf_with(kv), err, sizeof err);
    CHECK(c != NULL, "%s", err);
    CHECK(rn_consumer_assign(c, "cons", 0, RN_OFFSET_BEGINNING) == 0, "assign");
    for (int64_t i = 0; i < CONS_N; i++) {
        m = poll_one(c);
        CHECK(value_is(m, i), "small queue: want %" PRId64 ", got %" PRId64, i, m->offset);
        rn_message_free(m);
    }
    rn_consumer_free(c);
}

/* ---- admin ------------------------------------------------------------------------- */

static void test_admin(void) {
    char err[256];
    rn_admin_t *a = rn_admin_new(conf_with(NULL), err, sizeof err);
    CHECK(a != NULL, "%s", err);
    rn_config_entry_t cfg = {"retention.ms", "3600000", 0};
    CHECK(rn_admin_create_topic(a, "adm", 3, 1, &cfg, 1, err, sizeof err) == 0, "%s", err);
    int rc = rn_admin_create_topic(a, "adm", 3, 1, NULL, 0, err, sizeof err);
    CHECK(rc == 36 && strstr(err, "adm") != NULL, "duplicate: %d %s", rc, err);
    char **names;
    int32_t n;
    CHECK(rn_admin_list_topics(a, &names, &n, err, sizeof err) == 0, "%s", err);
    int found = 0;
    for (int32_t i = 0; i < n; i++)
        found |= strcmp(names[i], "adm") == 0;
    CHECK(found, "list lacks adm");
    rn_admin_names_free(names, n);
    rn_topic_info_t *t;
    CHECK(rn_admin_describe_topic(a, "adm", &t, err, sizeof err) == 0, "%s", err);
    CHECK(t->npartitions == 3 && t->replication_factor == 1, "describe counts");
    for (int32_t i = 0; i < 3; i++)
        CHECK(t->partitions[i].partition == i && t->partitions[i].leader >= 0 &&
                  t->partitions[i].log_start_offset == 0 && t->partitions[i].high_watermark == 0 &&
                  t->partitions[i].log_end_offset == 0,
              "partition %d: leader %d offsets %" PRId64 " %" PRId64 " %" PRId64, i,
              t->partitions[i].leader, t->partitions[i].log_start_offset,
              t->partitions[i].high_watermark, t->partitions[i].log_end_offset);
    found = 0;
    for (int32_t i = 0; i < t->nconfigs; i++)
        found |= strcmp(t->configs[i].name, "retention.ms") == 0 &&
                 strcmp(t->configs[i].value, "3600000") == 0;
    CHECK(found, "describe lacks the retention.ms override");
    rn_admin_topic_free(t);
    rn_config_entry_t alter = {"retention.ms", NULL, 0};
    CHECK(rn_admin_alter_topic_configs(a, "adm", &alter, 1, err, sizeof err) == 0, "%s", err);
    rn_config_entry_t bad = {"no.such.config", "1", 0};
    rc = rn_admin_alter_topic_configs(a, "adm", &bad, 1, err, sizeof err);
    CHECK(rc == 40, "bad config: %d %s", rc, err);
    rn_broker_info_t *b;
    CHECK(rn_admin_list_brokers(a, &b, &n, err, sizeof err) == 0, "%s", err);
    CHECK(n == 1 && b[0].is_controller, "brokers: %d", n);
    rn_admin_brokers_free(b, n);
    CHECK(rn_admin_delete_topic(a, "adm", err, sizeof err) == 0, "%s", err);
    rc = rn_admin_describe_topic(a, "adm", &t, err, sizeof err);
    CHECK(rc == 3 && strstr(err, "adm") != NULL, "describe deleted: %d %s", rc, err);
    rc = rn_admin_delete_topic(a, "adm", err, sizeof err);
    CHECK(rc == 3, "delete missing: %d %s", rc, err);
    rn_admin_free(a);
}

/* ---- unreachable ------------------------------------------------------------------- */

static void test_timeout(void) {
    dr_state_t st = {0};
    char err[256];
    const char *kv[] = {"delivery.timeout.ms", "1500", "retry.backoff.ms", "50", NULL};
    rn_producer_t *p = rn_producer_new(conf_with(kv), on_delivery, &st, err, sizeof err);
    CHECK(p != NULL, "%s", err);
    time_t start = time(NULL);
    for (long i = 0; i < 100; i++)
        CHECK(rn_producer_send(p, "nowhere", RN_PARTITION_ANY, NULL, -1, "x", 1, NULL, 0, 0,
                               (void *)(i + 1)) == 0,
              "send");
    rn_producer_free(p); /* flushes up to delivery.timeout.ms, then reports */
    CHECK(st.failed == 100 && st.ok == 0, "failed %ld ok %ld", (long)st.failed, (long)st.ok);
    CHECK(time(NULL) - start < 10, "took %ld s", (long)(time(NULL) - start));
    rn_admin_t *a = rn_admin_new(conf_with(NULL), err, sizeof err);
    CHECK(a != NULL, "%s", err);
    char **names;
    int32_t n;
    int rc = rn_admin_list_topics(a, &names, &n, err, sizeof err);
    CHECK(rc < 0 && strstr(err, "cannot reach any bootstrap server") != NULL &&
              strstr(err, bootstrap) != NULL,
          "admin error: %s", err);
    printf("unreachable: %s\n", err);
    rn_admin_free(a);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP keyed|keyless|broker|acks|consumer|admin|timeout\n",
                argv[0]);
        return 2;
    }
    bootstrap = argv[1];
    const char *t = argv[2];
    if (strcmp(t, "keyed") == 0)
        test_keyed();
    else if (strcmp(t, "broker") == 0)
        test_broker_partitioner();
    else if (strcmp(t, "keyless") == 0)
        test_keyless();
    else if (strcmp(t, "acks") == 0)
        test_acks();
    else if (strcmp(t, "admin") == 0)
        test_admin();
    else if (strcmp(t, "consumer") == 0)
        test_consumer();
    else if (strcmp(t, "timeout") == 0)
        test_timeout();
    else
        return 2;
    printf("ok %s\n", t);
    return 0;
}
