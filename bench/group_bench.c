/*
 * group_bench.c — the consumer-group driver of bench/group_perf.sh (bench/README.md,
 * "group_perf"). Only librunnel's public API; every timestamp is CLOCK_MONOTONIC in
 * nanoseconds, which on Linux is one clock for every process of the machine, so the
 * script can compare the timestamps of several processes.
 *
 *   group_bench BOOTSTRAP consume TOPIC N GROUP|- [key=value ...]
 *       What `runnel perf consume TOPIC --num-records N [--group GROUP]` does (the
 *       same librunnel defaults; with a group auto.offset.reset=earliest and auto
 *       commit; without one ("-") every partition from the log start; poll with a
 *       100 ms timeout, one rn_message_free per record, 10 s idle limit), printing
 *       its timestamps instead of a rate, on one line:
 *         start_ns=S assigned_ns=A end_ns=E closed_ns=C n=N bytes=B
 *       S: subscribe (or assign) returned; A: the first non-empty assignment reached
 *       poll (the assigned callback; S without a group); E: the N-th record was
 *       returned by poll; C: rn_consumer_free returned (auto commit and LeaveGroup
 *       done). Exit 1 when fewer than N records arrived.
 *
 *   group_bench BOOTSTRAP drain TOPIC END0,END1,... GROUP [key=value ...]
 *       A member of GROUP (the same conf as consume) that reads what the group gives
 *       it until it holds a non-empty assignment and rn_consumer_position of every
 *       partition it holds has reached that partition's end offset ENDp (the log end
 *       offsets when the run starts; nothing is produced meanwhile); then it closes
 *       (auto commit, LeaveGroup) and prints the same line as consume. E is when it
 *       found its partitions drained; n counts every record poll returned to it
 *       (a record redelivered after a rebalance counts again). Run one per member:
 *       together they read the topic once, whatever the partitions' sizes and however
 *       the assignment moved. It checks only when a record was a partition's last one
 *       or a poll came back empty. Exit 1 when not drained (10 s with nothing new).
 *
 *   group_bench BOOTSTRAP rebalance TOPIC NPART RUNS JITTER_MS [key=value ...]
 *       RUNS times, in a fresh group each time: member 1 subscribes and waits for all
 *       NPART partitions; member 2 subscribes and waits until the two hold a balanced
 *       split; after a random pause of 0..JITTER_MS ms (so that the join falls at a
 *       random point of the others' heartbeat cycle) member 3 starts (rn_consumer_new,
 *       then subscribe) at t0, and the run ends when all three hold a balanced,
 *       disjoint split covering NPART partitions, each given by an assigned callback
 *       after t0. One line per run:
 *         run=R rebalance_ms=X join2_ms=Y m1_ms=.. m2_ms=.. m3_ms=..
 *       X: t0 to the last of the three assigned callbacks (the figure); Y: the same
 *       for member 2's join into a group of one; mK_ms: t0 to member K's callback.
 *       Each member polls (100 ms timeout) on a thread of its own; the callbacks run
 *       inside poll, which returns as soon as the assignment is queued. Then every
 *       member closes (LeaveGroup). Exit 1 when a stage does not settle within 60 s.
 *       key=value are extra rn_conf keys for every member (heartbeat.interval.ms=3000).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runnel/runnel.h"

#define POLL_MS        100
#define DRAIN_POLL_MS  20 /* drain: an idle poll is also when it checks its partitions */
#define IDLE_LIMIT_NS  (10LL * 1000000000LL)
#define SETTLE_NS      (60LL * 1000000000LL)
#define MAX_PARTITIONS 64
#define MEMBERS        3

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int64_t ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A conf with bootstrap.servers, group.id (unless NULL) and the key=value extras. */
static rn_conf_t *make_conf(const char *bootstrap, const char *group, char **kv, int nkv) {
    char err[512];
    rn_conf_t *conf = rn_conf_new();
    if (rn_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != 0)
        goto bad;
    if (group != NULL && (rn_conf_set(conf, "group.id", group, err, sizeof err) != 0 ||
                          rn_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err) != 0))
        goto bad;
    for (int i = 0; i < nkv; i++) {
        char key[256];
        const char *eq = strchr(kv[i], '=');
        if (eq == NULL || (size_t)(eq - kv[i]) >= sizeof key) {
            snprintf(err, sizeof err, "not key=value: %s", kv[i]);
            goto bad;
        }
        memcpy(key, kv[i], (size_t)(eq - kv[i]));
        key[eq - kv[i]] = '\0';
        if (rn_conf_set(conf, key, eq + 1, err, sizeof err) != 0)
            goto bad;
    }
    return conf;
bad:
    fprintf(stderr, "group_bench: %s\n", err);
    rn_conf_free(conf);
    return NULL;
}

/* ---- consume ----------------------------------------------------------------------- */

static void on_first_assigned(void *opaque, rn_consumer_t *c, const char *const *topics,
                              const int32_t *partitions, int32_t count) {
    int64_t *assigned_ns = opaque;
    (void)c, (void)topics, (void)partitions;
    if (count > 0 && *assigned_ns == 0)
        *assigned_ns = mono_ns();
}

static int consume(const char *bootstrap, const char *topic, long long num, const char *group,
                   char **kv, int nkv) {
    char err[512] = "";
    int64_t assigned_ns = 0; /* written by the callback, on this thread (inside poll) */
    int grouped = strcmp(group, "-") != 0;
    rn_conf_t *conf = make_conf(bootstrap, grouped ? group : NULL, kv, nkv);
    if (conf == NULL)
        return 2;
    if (grouped)
        rn_conf_set_rebalance_cb(conf, on_first_assigned, NULL, &assigned_ns);
    rn_consumer_t *c = rn_consumer_new(conf, err, sizeof err);
    if (c == NULL) {
        fprintf(stderr, "group_bench: consumer: %s\n", err);
        return 2;
    }
    int rc;
    if (grouped) {
        const char *topics[1] = {topic};
        rc = rn_consumer_subscribe(c, topics, 1, err, sizeof err);
    } else {
        rc = rn_consumer_assign_topic(c, topic, RN_OFFSET_BEGINNING, err, sizeof err);
        rc = rc > 0 ? 0 : rc < 0 ? rc : -1;
    }
    if (rc != 0) {
        fprintf(stderr, "group_bench: %s: %s\n", grouped ? "subscribe" : "assign", err);
        rn_consumer_free(c);
        return 2;
    }
    int64_t start_ns = mono_ns(), end_ns = 0, idle_since = -1;
    long long n = 0, bytes = 0;
    while (n < num) {
        rn_message_t *m = NULL;
        int r = rn_consumer_poll(c, POLL_MS, &m, err, sizeof err);
        if (r != 0 && m == NULL) {
            fprintf(stderr, "group_bench: poll: %s\n", err);
            break;
        }
        if (m != NULL) {
            bytes += (m->key_len > 0 ? m->key_len : 0) + (m->value_len > 0 ? m->value_len : 0);
            rn_message_free(m);
            if (++n == num)
                end_ns = mono_ns();
            idle_since = -1;
            continue;
        }
        int64_t now = mono_ns();
        if (idle_since < 0)
            idle_since = now - (int64_t)POLL_MS * 1000000;
        if (now - idle_since >= IDLE_LIMIT_NS)
            break;
    }
    rn_consumer_free(c);
    int64_t closed_ns = mono_ns();
    printf("start_ns=%lld assigned_ns=%lld end_ns=%lld closed_ns=%lld n=%lld bytes=%lld\n",
           (long long)start_ns, (long long)(grouped ? assigned_ns : start_ns), (long long)end_ns,
           (long long)closed_ns, n, bytes);
    if (n < num) {
        fprintf(stderr, "group_bench: only %lld of %lld records arrived\n", n, num);
        return 1;
    }
    return 0;
}

/* ---- drain ------------------------------------------------------------------------- */

/* Every partition this member holds (a non-empty assignment) has been returned up to
 * its end offset. */
static int drained(rn_consumer_t *c, const int64_t *ends, int nends) {
    char **topics;
    int32_t *parts;
    int32_t n = rn_consumer_assignment(c, &topics, &parts);
    int done = n > 0;
    for (int32_t i = 0; i < n && done; i++)
        done = parts[i] >= 0 && parts[i] < nends &&
               rn_consumer_position(c, topics[i], parts[i]) >= ends[parts[i]];
    rn_consumer_assignment_free(topics, parts, n);
    return done;
}

static int drain(const char *bootstrap, const char *topic, const char *endlist, const char *group,
                 char **kv, int nkv) {
    int64_t ends[MAX_PARTITIONS];
    int nends = 0;
    for (const char *p = endlist; *p != '\0' && nends < MAX_PARTITIONS;) {
        char *next;
        ends[nends++] = strtoll(p, &next, 10);
        if (next == p || (*next != ',' && *next != '\0')) {
            fprintf(stderr, "group_bench: bad end offsets: %s\n", endlist);
            return 2;
        }
        p = *next == ',' ? next + 1 : next;
    }
    char err[512] = "";
    int64_t assigned_ns = 0; /* written by the callback, on this thread (inside poll) */
    rn_conf_t *conf = make_conf(bootstrap, group, kv, nkv);
    if (conf == NULL)
        return 2;
    rn_conf_set_rebalance_cb(conf, on_first_assigned, NULL, &assigned_ns);
    rn_consumer_t *c = rn_consumer_new(conf, err, sizeof err);
    if (c == NULL) {
        fprintf(stderr, "group_bench: consumer: %s\n", err);
        return 2;
    }
    const char *topics[1] = {topic};
    if (rn_consumer_subscribe(c, topics, 1, err, sizeof err) != 0) {
        fprintf(stderr, "group_bench: subscribe: %s\n", err);
        rn_consumer_free(c);
        return 2;
    }
    int64_t start_ns = mono_ns(), end_ns = 0, idle_since = -1;
    long long n = 0, bytes = 0;
    for (;;) {
        rn_message_t *m = NULL;
        int r = rn_consumer_poll(c, DRAIN_POLL_MS, &m, err, sizeof err);
        if (r != 0 && m == NULL) {
            fprintf(stderr, "group_bench: poll: %s\n", err);
            break;
        }
        if (m != NULL) {
            int last =
                m->partition >= 0 && m->partition < nends && m->offset + 1 >= ends[m->partition];
            bytes += (m->key_len > 0 ? m->key_len : 0) + (m->value_len > 0 ? m->value_len : 0);
            n++;
            rn_message_free(m);
            idle_since = -1;
            if (!last) /* only a partition's last record, or an idle poll, checks */
                continue;
        }
        if (assigned_ns != 0 && drained(c, ends, nends)) {
            end_ns = mono_ns();
            break;
        }
        if (m != NULL)
            continue;
        int64_t now = mono_ns();
        if (idle_since < 0)
            idle_since = now - (int64_t)DRAIN_POLL_MS * 1000000;
        if (now - idle_since >= IDLE_LIMIT_NS)
            break;
    }
    rn_consumer_free(c);
    int64_t closed_ns = mono_ns();
    printf("start_ns=%lld assigned_ns=%lld end_ns=%lld closed_ns=%lld n=%lld bytes=%lld\n",
           (long long)start_ns, (long long)assigned_ns, (long long)end_ns, (long long)closed_ns, n,
           bytes);
    if (end_ns == 0) {
        fprintf(stderr, "group_bench: its partitions were not drained (%lld records)\n", n);
        return 1;
    }
    return 0;
}

/* ---- rebalance ---------------------------------------------------------------------- */

typedef struct member_s {
    rn_consumer_t *c;
    pthread_t thread;
    atomic_int stop;
    pthread_mutex_t lock; /* the fields below: written by the callbacks (member thread) */
    int count;            /* partitions held (0 after a revocation) */
    uint64_t mask;        /* which */
    int64_t asg_ns;       /* the latest assigned callback */
} member_t;

static void on_assigned(void *opaque, rn_consumer_t *c, const char *const *topics,
                        const int32_t *partitions, int32_t count) {
    member_t *mb = opaque;
    (void)c, (void)topics;
    uint64_t mask = 0;
    for (int32_t i = 0; i < count; i++)
        if (partitions[i] >= 0 && partitions[i] < MAX_PARTITIONS)
            mask |= 1ULL << partitions[i];
    int64_t now = mono_ns();
    pthread_mutex_lock(&mb->lock);
    mb->count = count;
    mb->mask = mask;
    mb->asg_ns = now;
    pthread_mutex_unlock(&mb->lock);
}

static void on_revoked(void *opaque, rn_consumer_t *c, const char *const *topics,
                       const int32_t *partitions, int32_t count) {
    member_t *mb = opaque;
    (void)c, (void)topics, (void)partitions, (void)count;
    pthread_mutex_lock(&mb->lock);
    mb->count = 0;
    mb->mask = 0;
    pthread_mutex_unlock(&mb->lock);
}

static void *member_main(void *arg) {
    member_t *mb = arg;
    char err[512];
    while (!atomic_load(&mb->stop)) {
        rn_message_t *m = NULL;
        if (rn_consumer_poll(mb->c, POLL_MS, &m, err, sizeof err) == 1 && m != NULL)
            rn_message_free(m);
    }
    rn_consumer_close(mb->c); /* LeaveGroup: the others of the run need not wait */
    return NULL;
}

static int member_start(member_t *mb, const char *bootstrap, const char *group, const char *topic,
                        char **kv, int nkv) {
    char err[512];
    memset(mb, 0, sizeof *mb);
    pthread_mutex_init(&mb->lock, NULL);
    rn_conf_t *conf = make_conf(bootstrap, group, kv, nkv);
    if (conf == NULL)
        return -1;
    rn_conf_set(conf, "auto.offset.reset", "latest", NULL, 0); /* idle members */
    rn_conf_set_rebalance_cb(conf, on_assigned, on_revoked, mb);
    mb->c = rn_consumer_new(conf, err, sizeof err);
    if (mb->c == NULL) {
        fprintf(stderr, "group_bench: consumer: %s\n", err);
        return -1;
    }
    const char *topics[1] = {topic};
    if (rn_consumer_subscribe(mb->c, topics, 1, err, sizeof err) != 0) {
        fprintf(stderr, "group_bench: subscribe: %s\n", err);
        rn_consumer_free(mb->c);
        mb->c = NULL;
        return -1;
    }
    if (pthread_create(&mb->thread, NULL, member_main, mb) != 0) {
        rn_consumer_free(mb->c);
        mb->c = NULL;
        return -1;
    }
    return 0;
}

static void member_stop(member_t *mb) {
    if (mb->c == NULL)
        return;
    atomic_store(&mb->stop, 1);
}

static void member_join(member_t *mb) {
    if (mb->c == NULL)
        return;
    pthread_join(mb->thread, NULL);
    rn_consumer_free(mb->c);
    mb->c = NULL;
    pthread_mutex_destroy(&mb->lock);
}

/* The first k members hold a balanced, disjoint split of npart partitions, each from
 * an assigned callback after since_ns. *last_ns: the latest of those callbacks. */
static int settled(member_t *ms, int k, int npart, int64_t since_ns, int64_t *last_ns) {
    uint64_t all = 0;
    int ok = 1, lo = npart / k, hi = (npart + k - 1) / k, sum = 0;
    int64_t last = 0;
    for (int i = 0; i < k; i++) {
        pthread_mutex_lock(&ms[i].lock);
        int cnt = ms[i].count;
        uint64_t mask = ms[i].mask;
        int64_t at = ms[i].asg_ns;
        pthread_mutex_unlock(&ms[i].lock);
        ok &= cnt >= lo && cnt <= hi && (all & mask) == 0 && at > since_ns;
        all |= mask;
        sum += cnt;
        last = at > last ? at : last;
    }
    *last_ns = last;
    return ok && sum == npart;
}

static int wait_settled(member_t *ms, int k, int npart, int64_t since_ns, int64_t *last_ns) {
    int64_t deadline = mono_ns() + SETTLE_NS;
    while (!settled(ms, k, npart, since_ns, last_ns)) {
        if (mono_ns() > deadline)
            return -1;
        sleep_ms(1);
    }
    return 0;
}

static double ms_between(int64_t a, int64_t b) {
    return (double)(b - a) / 1e6;
}

static int64_t asg_at(member_t *mb) {
    pthread_mutex_lock(&mb->lock);
    int64_t at = mb->asg_ns;
    pthread_mutex_unlock(&mb->lock);
    return at;
}

static int rebalance_run(const char *bootstrap, const char *topic, int npart, int run,
                         int jitter_ms, char **kv, int nkv) {
    member_t ms[MEMBERS];
    char group[128];
    snprintf(group, sizeof group, "group_bench-%d-%d", (int)getpid(), run);
    int rc = 1, started = 0;
    int64_t t_join2, t0, last2, last3;
    if (member_start(&ms[0], bootstrap, group, topic, kv, nkv) != 0)
        goto out;
    started = 1;
    if (wait_settled(ms, 1, npart, 0, &last2) != 0) {
        fprintf(stderr, "group_bench: run %d: member 1 got no assignment\n", run);
        goto out;
    }
    t_join2 = mono_ns();
    if (member_start(&ms[1], bootstrap, group, topic, kv, nkv) != 0)
        goto out;
    started = 2;
    if (wait_settled(ms, 2, npart, t_join2, &last2) != 0) {
        fprintf(stderr, "group_bench: run %d: two members did not settle\n", run);
        goto out;
    }
    if (jitter_ms > 0)
        sleep_ms(rand() % jitter_ms);
    t0 = mono_ns();
    if (member_start(&ms[2], bootstrap, group, topic, kv, nkv) != 0)
        goto out;
    started = 3;
    if (wait_settled(ms, 3, npart, t0, &last3) != 0) {
        fprintf(stderr, "group_bench: run %d: three members did not settle within 60 s\n", run);
        goto out;
    }
    printf("run=%d rebalance_ms=%.1f join2_ms=%.1f m1_ms=%.1f m2_ms=%.1f m3_ms=%.1f\n", run,
           ms_between(t0, last3), ms_between(t_join2, last2), ms_between(t0, asg_at(&ms[0])),
           ms_between(t0, asg_at(&ms[1])), ms_between(t0, asg_at(&ms[2])));
    fflush(stdout);
    rc = 0;
out:
    for (int i = 0; i < started; i++)
        member_stop(&ms[i]);
    for (int i = 0; i < started; i++)
        member_join(&ms[i]);
    return rc;
}

static int rebalance(const char *bootstrap, const char *topic, int npart, int runs, int jitter_ms,
                     char **kv, int nkv) {
    if (npart < MEMBERS || npart > MAX_PARTITIONS || runs < 1 || jitter_ms < 0) {
        fprintf(stderr, "group_bench: rebalance needs 3..64 partitions, RUNS >= 1\n");
        return 2;
    }
    srand((unsigned)(mono_ns() ^ getpid()));
    for (int r = 1; r <= runs; r++)
        if (rebalance_run(bootstrap, topic, npart, r, jitter_ms, kv, nkv) != 0)
            return 1;
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 6 && strcmp(argv[2], "consume") == 0)
        return consume(argv[1], argv[3], atoll(argv[4]), argv[5], argv + 6, argc - 6);
    if (argc >= 6 && strcmp(argv[2], "drain") == 0)
        return drain(argv[1], argv[3], argv[4], argv[5], argv + 6, argc - 6);
    if (argc >= 7 && strcmp(argv[2], "rebalance") == 0)
        return rebalance(argv[1], argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), argv + 7,
                         argc - 7);
    fprintf(stderr, "usage: group_bench BOOTSTRAP consume TOPIC N GROUP|- [key=value ...]\n"
                    "       group_bench BOOTSTRAP drain TOPIC END,END,... GROUP [key=value ...]\n"
                    "       group_bench BOOTSTRAP rebalance TOPIC NPART RUNS JITTER_MS "
                    "[key=value ...]\n");
    return 2;
}
