/*
 * group_consumer.c — a consumer-group member for tests/integration/test_groups.py,
 * and a small producer to feed it:
 *
 *   group_consumer BOOTSTRAP produce TOPIC PARTITIONS COUNT PREFIX
 *       COUNT records "PREFIX-<i>" to partition i mod PARTITIONS (acks all); exit 0
 *       when every one is delivered.
 *
 *   group_consumer BOOTSTRAP consume GROUP TOPIC [key=value ...]
 *       Joins GROUP subscribed to TOPIC (key=value are extra rn_conf keys, e.g.
 *       enable.auto.commit=false, session.timeout.ms=6000, auto.offset.reset=none)
 *       and prints, one line each (line-buffered, so a kill -9 loses none printed):
 *         R <TAB> partition <TAB> offset <TAB> value    a record, once processed
 *         ASSIGNED <TAB> p,p,...                        the assigned callback
 *         REVOKED <TAB> p,p,...                         the revoked callback
 *         ERROR <TAB> code <TAB> message                poll returned an error
 *         COMMIT_ERROR <TAB> code <TAB> message         a commit after a record failed
 *         CLOSED                                        after rn_consumer_close
 *       With commit.each=true (a driver key, not a librunnel one) it calls
 *       rn_consumer_commit_sync after printing each record: "commits after
 *       processing". SIGTERM: close (leave the group, auto commit) and exit 0.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runnel/runnel.h"

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static void print_parts(const char *what, const int32_t *partitions, int32_t count) {
    printf("%s\t", what);
    for (int32_t i = 0; i < count; i++)
        printf("%s%d", i ? "," : "", partitions[i]);
    printf("\n");
}

static void on_assigned(void *opaque, rn_consumer_t *c, const char *const *topics,
                        const int32_t *partitions, int32_t count) {
    (void)opaque;
    (void)c;
    (void)topics;
    print_parts("ASSIGNED", partitions, count);
}

static void on_revoked(void *opaque, rn_consumer_t *c, const char *const *topics,
                       const int32_t *partitions, int32_t count) {
    (void)opaque;
    (void)c;
    (void)topics;
    print_parts("REVOKED", partitions, count);
}

static atomic_long delivered, failed;

static void on_delivery(void *opaque, int err, const char *topic, int32_t partition, int64_t offset,
                        void *msg_opaque) {
    (void)opaque;
    (void)topic;
    (void)partition;
    (void)offset;
    (void)msg_opaque;
    if (err != 0) {
        fprintf(stderr, "delivery failed: %s\n", rn_err_str(err));
        atomic_fetch_add(&failed, 1);
    } else {
        atomic_fetch_add(&delivered, 1);
    }
}

static int produce(rn_conf_t *conf, const char *topic, int32_t nparts, long count,
                   const char *prefix) {
    char err[512];
    rn_conf_set(conf, "acks", "all", NULL, 0);
    rn_producer_t *p = rn_producer_new(conf, on_delivery, NULL, err, sizeof err);
    if (p == NULL) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        char v[256];
        int n = snprintf(v, sizeof v, "%s-%ld", prefix, i);
        int rc;
        while ((rc = rn_producer_send(p, topic, (int32_t)(i % nparts), NULL, -1, v, n, NULL, 0, 0,
                                      NULL)) == RN_ERR_QUEUE_FULL)
            rn_producer_flush(p, 1000);
        if (rc != 0) {
            fprintf(stderr, "send: %s\n", rn_err_str(rc));
            rn_producer_free(p);
            return 1;
        }
    }
    int rc = rn_producer_flush(p, 60000);
    rn_producer_free(p);
    if (rc != 0 || atomic_load(&failed) != 0 || atomic_load(&delivered) != count) {
        fprintf(stderr, "produce: %ld of %ld delivered\n", atomic_load(&delivered), count);
        return 1;
    }
    return 0;
}

static int consume(rn_conf_t *conf, const char *topic, int commit_each) {
    char err[512];
    rn_conf_set_rebalance_cb(conf, on_assigned, on_revoked, NULL);
    rn_consumer_t *c = rn_consumer_new(conf, err, sizeof err);
    if (c == NULL) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    const char *topics[] = {topic};
    if (rn_consumer_subscribe(c, topics, 1, err, sizeof err) != 0) {
        fprintf(stderr, "subscribe: %s\n", err);
        rn_consumer_free(c);
        return 1;
    }
    while (!stop) {
        rn_message_t *m;
        int rc = rn_consumer_poll(c, 200, &m, err, sizeof err);
        if (rc == 0)
            continue;
        if (rc < 0 || rc > 1) {
            printf("ERROR\t%d\t%s\n", rc, err);
            continue;
        }
        printf("R\t%d\t%lld\t%.*s\n", m->partition, (long long)m->offset, (int)m->value_len,
               (const char *)m->value);
        rn_message_free(m);
        if (commit_each && (rc = rn_consumer_commit_sync(c, err, sizeof err)) != 0)
            printf("COMMIT_ERROR\t%d\t%s\n", rc, err);
    }
    rn_consumer_close(c);
    printf("CLOSED\n");
    rn_consumer_free(c);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: group_consumer BOOTSTRAP produce|consume ...\n");
        return 2;
    }
    char err[512];
    rn_conf_t *conf = rn_conf_new();
    if (rn_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (strcmp(argv[2], "produce") == 0 && argc == 7)
        return produce(conf, argv[3], atoi(argv[4]), atol(argv[5]), argv[6]);
    if (strcmp(argv[2], "consume") != 0 || argc < 5) {
        fprintf(stderr, "usage: group_consumer BOOTSTRAP consume GROUP TOPIC [k=v ...]\n");
        rn_conf_free(conf);
        return 2;
    }
    int commit_each = 0;
    rn_conf_set(conf, "group.id", argv[3], NULL, 0);
    for (int i = 5; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "not key=value: %s\n", argv[i]);
            rn_conf_free(conf);
            return 2;
        }
        *eq = '\0';
        if (strcmp(argv[i], "commit.each") == 0) {
            commit_each = strcmp(eq + 1, "true") == 0;
            continue;
        }
        if (rn_conf_set(conf, argv[i], eq + 1, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            rn_conf_free(conf);
            return 2;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return consume(conf, argv[4], commit_each);
}
