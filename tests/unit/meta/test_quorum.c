/* test_quorum.c — a real one-voter libraft node on a uv loop on 127.0.0.1: it becomes
 * leader, proposals commit and apply in order, a record that cannot apply is skipped
 * and reported, stop, restart from the same directory restores the image (by log
 * replay, and from a snapshot after more entries than the threshold).
 *
 * Ports: a random port in 20000..60000 that a bind probe found free; a start that
 * still fails (another test took it meanwhile) retries on a fresh port. Every loop
 * run is bounded by a 20 s deadline timer; nothing sleeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"
#include "meta/controller.h"
#include "meta/quorum.h"
#include "meta_testutil.h"
#include "testutil.h"

#define DEADLINE_MS 20000

typedef struct fx_s {
    uv_loop_t loop;
    uv_timer_t deadline;
    bool timed_out;
    char *dir;
    char address[64];
    uint16_t port;
    rn_quorum_t *q;
    unsigned threshold;
    /* observations */
    bool leader;
    int applied;    /* on_apply(record) calls */
    int restored;   /* on_apply(NULL) calls */
    char order[64]; /* first letter of each applied CreateTopic's name, in order */
    int done;       /* proposal callbacks */
    int last_status;
    int stopped;
} fx_t;

static void on_apply(void *arg, const rn_meta_record_t *rec) {
    fx_t *fx = arg;
    if (rec == NULL) {
        fx->restored++;
        return;
    }
    fx->applied++;
    size_t n = strlen(fx->order);
    if (rec->type == RN_MREC_CREATE_TOPIC && n + 1 < sizeof fx->order)
        fx->order[n] = rec->create_topic.name[0];
}

static void on_leader(void *arg, int32_t leader_id, bool is_self) {
    fx_t *fx = arg;
    fx->leader = is_self;
    if (is_self)
        assert_int_equal(leader_id, 1);
}

static void on_deadline(uv_timer_t *t) {
    fx_t *fx = t->data;
    fx->timed_out = true;
}

static uint16_t probe_port(void) {
    for (;;) {
        uint16_t port = (uint16_t)(20000 + rand() % 40001);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok)
            return port;
    }
}

/* Run the loop until *flag is true (or the deadline passes: the test fails). */
static void run_until(fx_t *fx, const bool *flag) {
    uv_timer_start(&fx->deadline, on_deadline, DEADLINE_MS, 0);
    while (!*flag && !fx->timed_out)
        uv_run(&fx->loop, UV_RUN_ONCE);
    uv_timer_stop(&fx->deadline);
    assert_false(fx->timed_out);
}

static void run_until_count(fx_t *fx, const int *counter, int want) {
    uv_timer_start(&fx->deadline, on_deadline, DEADLINE_MS, 0);
    while (*counter < want && !fx->timed_out)
        uv_run(&fx->loop, UV_RUN_ONCE);
    uv_timer_stop(&fx->deadline);
    assert_false(fx->timed_out);
}

static void start_node(fx_t *fx) {
    fx->leader = false;
    for (int attempt = 0; attempt < 10; attempt++) {
        /* A restart tries its old port first: it is free again once the node stopped. */
        if (fx->port == 0 || attempt > 0)
            fx->port = probe_port();
        snprintf(fx->address, sizeof fx->address, "127.0.0.1:%u", (unsigned)fx->port);
        rn_quorum_voter_t voter = {1, fx->address};
        rn_quorum_config_t cfg = {
            .node_id = 1,
            .address = fx->address,
            .log_dir = fx->dir,
            .voters = &voter,
            .nvoters = 1,
            .snapshot_threshold = fx->threshold,
            .snapshot_trailing = fx->threshold ? fx->threshold / 4 : 0,
            .heartbeat_timeout_ms = 50,
            .election_timeout_ms = 500,
            .on_apply = on_apply,
            .on_leader = on_leader,
            .arg = fx,
        };
        int rc = rn_quorum_start(&fx->loop, &cfg, &fx->q);
        if (rc == 0)
            return;
        assert_int_equal(rc, RN_ERAFT);
        /* Let the failed node finish closing, then try another port. */
        uv_run(&fx->loop, UV_RUN_DEFAULT);
    }
    fail_msg("no free port for the quorum after 10 attempts");
}

static void stopped_cb(void *arg) {
    fx_t *fx = arg;
    fx->stopped++;
}

static void stop_node(fx_t *fx) {
    int want = fx->stopped + 1;
    rn_quorum_stop(fx->q, stopped_cb, fx);
    fx->q = NULL;
    run_until_count(fx, &fx->stopped, want);
}

static void fx_init(fx_t *fx, const char *name, unsigned threshold) {
    memset(fx, 0, sizeof *fx);
    static bool seeded;
    if (!seeded) {
        srand((unsigned)time(NULL) ^ (unsigned)getpid() << 16);
        seeded = true;
    }
    assert_int_equal(uv_loop_init(&fx->loop), 0);
    uv_timer_init(&fx->loop, &fx->deadline);
    fx->deadline.data = fx;
    uv_unref((uv_handle_t *)&fx->deadline);
    fx->dir = rn_test_tmpdir(name);
    fx->threshold = threshold;
}

static void fx_deinit(fx_t *fx) {
    uv_close((uv_handle_t *)&fx->deadline, NULL);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&fx->loop), 0);
    rn_test_rmtree(fx->dir);
    free(fx->dir);
}

static void proposed(void *arg, int status) {
    fx_t *fx = arg;
    fx->done++;
    fx->last_status = status;
}

static void propose_one(fx_t *fx, rn_meta_record_t rec) {
    assert_int_equal(rn_quorum_propose(fx->q, &rec, 1, proposed, fx), 0);
    rn_meta_record_deinit(&rec);
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_quorum_one_voter_leads_commits_in_order_and_replays(void **state) {
    (void)state;
    fx_t fx;
    fx_init(&fx, "quorum-replay", 0);
    start_node(&fx);
    /* Not a ready leader before its first barrier applied. */
    rn_meta_record_t rec = mt_register(1, "127.0.0.1", 9092, false);
    assert_int_equal(rn_quorum_propose(fx.q, &rec, 1, proposed, &fx), RN_ENOTLEADER);
    rn_meta_record_deinit(&rec);
    run_until(&fx, &fx.leader);
    assert_true(rn_quorum_is_leader(fx.q));
    assert_int_equal(rn_quorum_leader_id(fx.q), 1);

    /* A batch of two records is one entry; then topics a..j, one proposal each, all
     * in flight at once. */
    rn_meta_record_t batch[2] = {mt_register(1, "127.0.0.1", 9092, false), mt_cluster(7)};
    assert_int_equal(rn_quorum_propose(fx.q, batch, 2, proposed, &fx), 0);
    rn_meta_record_deinit(&batch[0]);
    rn_meta_record_deinit(&batch[1]);
    for (char c = 'a'; c <= 'j'; c++) {
        char name[2] = {c, 0};
        propose_one(&fx, mt_create(name, (uint8_t)c, 2, 1));
    }
    run_until_count(&fx, &fx.done, 11);
    assert_int_equal(fx.last_status, 0);
    assert_string_equal(fx.order, "abcdefghij");
    assert_int_equal(fx.applied, 12);
    const rn_meta_image_t *img = rn_quorum_image(fx.q);
    assert_int_equal(img->ntopics, 10);
    assert_true(img->has_cluster_id);

    /* A record that cannot apply is skipped everywhere and reported to its proposer. */
    rn_test_capture_logs();
    propose_one(&fx, mt_create("a", 99, 1, 1));
    run_until_count(&fx, &fx.done, 12);
    assert_int_equal(fx.last_status, RN_ETOPICEXISTS);
    assert_non_null(strstr(rn_test_captured(), "skipped a committed CreateTopic"));
    rn_log_set_sink(NULL, NULL);

    /* Through the controller, as a broker would. */
    char err[128];
    rn_topic_spec_t spec = {.name = "orders", .partitions = 3, .replication_factor = 1};
    assert_int_equal(rn_controller_create_topic(img, &spec, NULL, &rec, err, sizeof err), 0);
    propose_one(&fx, rec);
    run_until_count(&fx, &fx.done, 13);
    assert_int_equal(fx.last_status, 0);
    assert_non_null(rn_meta_image_topic(rn_quorum_image(fx.q), "orders"));

    rn_meta_image_t *before = rn_meta_image_copy(rn_quorum_image(fx.q));
    stop_node(&fx);

    /* Restart from the same directory: the log is replayed into a fresh image. */
    fx.applied = 0;
    start_node(&fx);
    run_until(&fx, &fx.leader);
    assert_true(rn_meta_image_equal(rn_quorum_image(fx.q), before));
    assert_int_equal(fx.restored, 0); /* no snapshot yet: pure replay */
    /* 2 + 10 + orders; the skipped record is skipped again. */
    assert_int_equal(fx.applied, 13);
    stop_node(&fx);
    rn_meta_image_free(before);
    fx_deinit(&fx);
}

static void test_quorum_restart_restores_from_snapshot(void **state) {
    (void)state;
    fx_t fx;
    fx_init(&fx, "quorum-snap", 16);
    start_node(&fx);
    run_until(&fx, &fx.leader);
    propose_one(&fx, mt_register(1, "127.0.0.1", 9092, false));
    propose_one(&fx, mt_create("t", 1, 1, 1));
    /* 100 more entries: leader epoch bumps and config flips, far past the threshold. */
    static const int32_t isr[] = {1};
    for (int i = 1; i <= 100; i++) {
        if (i % 2)
            propose_one(&fx, mt_change("t", 1, 0, 1, i, isr, 1));
        else
            propose_one(&fx, mt_config("t", "retention.ms", i % 4 ? "1000" : NULL));
    }
    run_until_count(&fx, &fx.done, 102);
    assert_int_equal(fx.last_status, 0);
    const rn_meta_topic_t *t = rn_meta_image_topic(rn_quorum_image(fx.q), "t");
    assert_int_equal(t->partitions[0].leader_epoch, 99);
    assert_true(rn_quorum_applied_index(fx.q) >= 103);
    rn_meta_image_t *before = rn_meta_image_copy(rn_quorum_image(fx.q));
    stop_node(&fx);

    /* libraft wrote at least one snapshot-* file. */
    char meta[1024];
    snprintf(meta, sizeof meta, "%s/__meta", fx.dir);
    DIR *d = opendir(meta);
    assert_non_null(d);
    int snapshots = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        snapshots += strncmp(e->d_name, "snapshot-", 9) == 0;
    closedir(d);
    assert_true(snapshots > 0);

    fx.applied = fx.restored = 0;
    start_node(&fx);
    assert_int_equal(fx.restored, 1); /* loaded during start */
    run_until(&fx, &fx.leader);
    assert_true(rn_meta_image_equal(rn_quorum_image(fx.q), before));
    assert_true(fx.applied < 100); /* only the entries after the snapshot were replayed */
    stop_node(&fx);
    rn_meta_image_free(before);
    fx_deinit(&fx);
}

static void test_quorum_stop_with_proposals_in_flight_calls_back_once(void **state) {
    (void)state;
    fx_t fx;
    fx_init(&fx, "quorum-stop", 0);
    start_node(&fx);
    run_until(&fx, &fx.leader);
    for (int i = 0; i < 5; i++)
        propose_one(&fx, mt_register(i + 1, "127.0.0.1", (uint16_t)(9000 + i), false));
    stop_node(&fx);
    /* Every callback fired, before the stop callback: stop drains what is in flight. */
    assert_int_equal(fx.done, 5);
    assert_int_equal(fx.last_status, 0);
    fx_deinit(&fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quorum_one_voter_leads_commits_in_order_and_replays),
        cmocka_unit_test(test_quorum_restart_restores_from_snapshot),
        cmocka_unit_test(test_quorum_stop_with_proposals_in_flight_calls_back_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
