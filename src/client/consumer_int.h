/*
 * consumer_int.h — the consumer's internals, shared by consumer.c (API, message
 * queue, assignment), consumer_fetch.c (ListOffsets, Fetch, decoding on the loop) and
 * consumer_slab.c (the memory messages live in).
 *
 *   loop: Fetch ──▶ decode ──▶ cmsg list ──lock──▶ queue ──lock──▶ batch ──plock──▶ poll
 *          ▲ one in flight      (per partition,     (poll takes the  (served one by one
 *          │ per broker          spliced in O(1))    whole queue)     without `lock`)
 *          └─ none while queue + batch hold queued.max.messages.kbytes; poll kicks
 *             the loop once they have drained to half
 *
 * Threads and ownership. Two mutexes, always taken plock before lock:
 *  - lock guards the queue (q_*), qbytes and paused; the loop thread holds it only
 *    to splice a partition's messages on (or read paused);
 *  - plock guards the batch poll serves from (b_head, b_done) and every position.
 * The cpos list and each cpos's version are written under both, so either may read
 * them. Poll never waits
 * holding plock (it waits on cond under lock alone), so assign and position are not
 * held up by a waiting poll.
 *
 * qbytes counts the queue and the batch together, less what poll has returned:
 * poll credits returned bytes back in steps of qlimit/8 (and whenever it takes a new
 * batch), so `lock` is not taken per message and the bound stays about qlimit.
 *
 * A seek bumps the partition's version under both locks and drops its messages from
 * the queue and the batch; the loop tags what it fetches with the version it fetched
 * for, and messages from an older version are dropped when they reach the queue, so
 * nothing from before a seek is returned after it. cpart_t (the loop side: fetch
 * offset and state) belongs to the loop thread.
 */
#ifndef RN_CLIENT_CONSUMER_INT_H
#define RN_CLIENT_CONSUMER_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "client/client.h"
#include "client/metadata.h"

/* The API side of one assigned partition. */
typedef struct cpos_s {
    struct cpos_s *next;
    char *topic;
    int32_t partition;
    int64_t position;    /* under plock: next offset poll returns; logical until resolved */
    uint32_t version;    /* written under both locks: bumped by every assign/seek */
    int assigned;        /* written under both locks: 0 once a group rebalance took it away */
    int64_t committable; /* under plock: the position when poll was last entered (what
                            the application has processed); auto commit commits this */
    int64_t committed;   /* loop thread: the last offset committed for it (-1: none) */
} cpos_t;

/* Something for the polling thread besides messages (group.c produces them). */
typedef enum { CEV_ASSIGNED, CEV_REVOKED, CEV_COMMIT } cevkind_t;

typedef struct cevent_s {
    struct cevent_s *next;
    cevkind_t kind;
    int32_t n; /* CEV_ASSIGNED / CEV_REVOKED: the partitions */
    char **topics;
    int32_t *partitions;
    rn_commit_fn cb; /* CEV_COMMIT: the outcome of a rn_consumer_commit_async */
    void *opaque;
    int err;
} cevent_t;

typedef struct rn__group_s rn__group_t;

typedef struct cslab_s cslab_t;

/* A fetched message or a partition error on its way to poll. */
typedef struct cmsg_s {
    rn_message_t msg; /* first: rn_message_free gets the cmsg from it */
    struct cmsg_s *next;
    cpos_t *pos;
    cslab_t *slab;      /* the slab it was carved from; NULL: an error entry, own allocation */
    int err;            /* != 0: an error entry; msg unused */
    size_t bytes;       /* counted in qbytes */
    const char *errmsg; /* error entries: "topic-partition: what" */
} cmsg_t;

/* Messages of one partition on their way to the queue ({0}: empty). */
typedef struct mlist_s {
    cmsg_t *head, *last;
    size_t bytes;
} mlist_t;

static inline void mlist_push(mlist_t *l, cmsg_t *m) {
    if (l->last != NULL)
        l->last->next = m;
    else
        l->head = m;
    l->last = m;
    l->bytes += m->bytes;
}

typedef enum { CP_NEED_OFFSET, CP_LISTING, CP_FETCHABLE, CP_STOPPED } cpstate_t;

/* The loop side of one assigned partition. */
typedef struct cpart_s {
    struct cpart_s *next;
    cpos_t *pos; /* its API side; topic/partition are read-only after creation */
    rn__mtopic_t *mt;
    int64_t offset; /* next fetch offset, or logical with CP_NEED_OFFSET */
    uint32_t version;
    cpstate_t state;
    rn__broker_t *fetching; /* the broker of the fetch it is in, or NULL */
    int64_t backoff_until;
    int32_t max_bytes; /* partition_max_bytes; grows for a batch larger than it */
} cpart_t;

struct rn_consumer_s {
    rn__client_t cl;
    uv_mutex_t plock; /* the batch, positions */
    cmsg_t *b_head;   /* the batch poll serves from: the queue as poll last took it */
    size_t b_done;    /* bytes poll returned and has not credited to qbytes yet */
    uv_mutex_t lock;  /* queue, qbytes, paused, q_gen */
    uv_cond_t cond;   /* signalled when messages reach the queue */
    cmsg_t *q_head, *q_tail;
    uint64_t q_gen; /* bumped by every enqueue: a waiting poll's wake-up condition */
    size_t qbytes;
    size_t qlimit;
    int paused;                  /* the loop stopped fetching for a full queue */
    cevent_t *ev_head, *ev_tail; /* under lock: events for poll, before any message */
    int subscribed;              /* under lock: rn_consumer_subscribe was called */
    atomic_int closed;           /* written under lock: rn_consumer_close has finished */
    atomic_int ev_flag;          /* set when an event (or close) is queued: poll looks */
    int group_closed;            /* under cl.lock: the group's close sequence ended */
    cpos_t *last_returned;       /* under plock: the partition of poll's last message */
    cpos_t *positions;
    /* ---- loop thread only ---- */
    cpart_t *parts;
    cslab_t *slab;      /* the slab messages are being carved from */
    rn__group_t *group; /* set by the subscribe command; NULL: manual assignment */
};

/* ---- consumer.c, for group.c (loop thread) ---- */

/* Make the assignment exactly parts[0..n): (topics[i], partitions[i]) starting at
 * offsets[i] (>= 0, RN_OFFSET_BEGINNING, RN_OFFSET_END, or RN__RESET_NONE: the
 * partition reports `none_what` from poll once and is not fetched). Partitions not
 * listed stop being fetched and their queued messages are dropped. */
void rn__consumer_set_assignment(rn_consumer_t *c, int32_t n, char *const *topics,
                                 const int32_t *partitions, const int64_t *offsets,
                                 const char *none_what);

/* The assigned partitions with a resolved offset to commit: `committable` (0) or
 * `position` (1) of each. Arrays rn_malloc'd (topics point into the cpos, valid until
 * consumer free). Returns the count. Loop thread. */
int32_t rn__consumer_offsets(rn_consumer_t *c, int use_position, const char ***topics,
                             int32_t **partitions, int64_t **offsets, cpos_t ***poss);

/* Queue ev for poll (and wake it). Loop thread. */
void rn__consumer_push_event(rn_consumer_t *c, cevent_t *ev);

/* Queue an error entry for poll not tied to a partition ("group G: what"). */
void rn__consumer_push_error(rn_consumer_t *c, int err, const char *what);

void rn__cevent_free(cevent_t *ev);

/* Run the queued events (callbacks) on the calling thread, no lock held. */
void rn__consumer_run_events(rn_consumer_t *c);

/* Loop thread: send ListOffsets and Fetch requests that are due. */
int64_t rn__consumer_fetch_serve(struct rn_consumer_s *c, int64_t now);

/* Loop thread: hand cp's messages in l to poll (all dropped when cp was sought
 * since: its version is older). l is left empty. */
void rn__consumer_enqueue(struct rn_consumer_s *c, const cpart_t *cp, mlist_t *l);

/* ---- consumer_slab.c ---- */

/* Loop thread: a zeroed cmsg with extra bytes after it, carved from *cur (a new slab
 * replaces it when full); msg.topic points at the slab's copy of topic. Freed with
 * rn__cmsg_free / rn_message_free on any thread. */
cmsg_t *rn__cmsg_carve(cslab_t **cur, const char *topic, size_t extra);

/* Drop the loop's reference to its current slab (*cur becomes NULL). */
void rn__cslab_release(cslab_t **cur);

/* An error entry for poll: "topic-partition: what" with code err. */
cmsg_t *rn__cmsg_error(cpos_t *pos, int err, const char *what);

/* Free one entry, or a list of them (linked by next); any thread. */
void rn__cmsg_free(cmsg_t *m);
void rn__cmsg_free_list(cmsg_t *m);

#endif
