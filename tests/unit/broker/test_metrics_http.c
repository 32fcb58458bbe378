/* test_metrics_http.c — the metrics endpoint's HTTP side: the request head parser (cut at
 * every byte, malformed lines, the size limit), the routing (200 / 404 / 405), and the
 * responder itself on a real loop with a blocking client in another thread (answers,
 * a half-closed client, stopping with a connection still mid-head). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "broker/metrics_http.h"
#include "common/alloc.h"
#include "common/errors.h"
#include "testutil.h"

static int parse(const char *s, rn_http_head_t *h) {
    return rn_http_parse_head(s, strlen(s), h);
}

/* ---- the parser ------------------------------------------------------------------- */

static void test_http_parse_complete_get(void **state) {
    (void)state;
    const char *req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\n"
                      "User-Agent: Prometheus/2.42.0\r\nAccept: text/plain;q=0.5, */*\r\n\r\n";
    rn_http_head_t h;
    assert_int_equal(parse(req, &h), 0);
    assert_int_equal(h.method_len, 3);
    assert_memory_equal(h.method, "GET", 3);
    assert_int_equal(h.path_len, 8);
    assert_memory_equal(h.path, "/metrics", 8);
    assert_int_equal(h.minor_version, 1);
    assert_int_equal(h.head_len, strlen(req));
    assert_int_equal(rn_http_route(&h), 200);
}

static void test_http_parse_every_cut_of_a_head_asks_for_more(void **state) {
    (void)state;
    const char *req = "GET /metrics?name[]=x HTTP/1.0\r\nX-A: b\r\n\r\nBODY";
    size_t full = strlen(req) - 4;
    rn_http_head_t h;
    for (size_t cut = 0; cut < full; cut++)
        assert_int_equal(rn_http_parse_head(req, cut, &h), 1);
    assert_int_equal(rn_http_parse_head(req, full, &h), 0);
    assert_int_equal(rn_http_parse_head(req, strlen(req), &h), 0);
    assert_int_equal(h.head_len, full); /* bytes after the head are not its business */
    assert_int_equal(h.path_len, 8);    /* the query is cut off */
    assert_int_equal(h.minor_version, 0);
    assert_int_equal(rn_http_route(&h), 200);
}

static void test_http_parse_bare_lf_lines(void **state) {
    (void)state;
    rn_http_head_t h;
    assert_int_equal(parse("GET /metrics HTTP/1.1\nHost: x\n\n", &h), 0);
    assert_int_equal(h.head_len, strlen("GET /metrics HTTP/1.1\nHost: x\n\n"));
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\n\n", &h), 0);
}

static void test_http_parse_refuses_malformed_heads(void **state) {
    (void)state;
    static const char *const bad[] = {
        "\r\nGET /metrics HTTP/1.1\r\n\r\n", /* empty first line */
        "GET  /metrics HTTP/1.1\r\n\r\n",    /* two spaces */
        "GET /metrics  HTTP/1.1\r\n\r\n",    /* two spaces */
        "GET /metrics\r\n\r\n",              /* HTTP/0.9 style */
        "GET /metrics HTTP/2.0\r\n\r\n",     /* another version */
        "GET /metrics HTTP/1.10\r\n\r\n",    /* trailing bytes */
        "GET /metrics http/1.1\r\n\r\n",     /* case */
        "GET /met\x01rics HTTP/1.1\r\n\r\n", /* control character in the target */
        "GET /met\xc3\xa9 HTTP/1.1\r\n\r\n", /* non-ASCII target */
        "G(T /metrics HTTP/1.1\r\n\r\n",     /* not a token */
        " GET /metrics HTTP/1.1\r\n\r\n",    /* leading space */
        "GET /metrics HTTP/1.1 \r\n\r\n",    /* trailing space */
        "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",         /* space before the colon */
        "GET /metrics HTTP/1.1\r\n: x\r\n\r\n",              /* empty name */
        "GET /metrics HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n", /* obs-fold */
        "GET /metrics HTTP/1.1\r\nA: b\rc\r\n\r\n",          /* bare CR */
        "GET /metrics HTTP/1.1\r\nA: b\x7f\r\n\r\n",         /* DEL */
        "garbage\r\n",                                       /* reported before the end */
    };
    rn_http_head_t h;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i], &h);
        if (rc != RN_EMALFORMED)
            fail_msg("case %zu (%s): got %d, want RN_EMALFORMED", i, bad[i], rc);
    }
    /* a NUL inside a header value */
    static const char nul[] = "GET /metrics HTTP/1.1\r\nA: b\0c\r\n\r\n";
    assert_int_equal(rn_http_parse_head(nul, sizeof nul - 1, &h), RN_EMALFORMED);
    /* a tab in a value is fine */
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nA:\tb c\xff\r\n\r\n", &h), 0);
}

static void test_http_parse_method_and_target_limits(void **state) {
    (void)state;
    char buf[RN_HTTP_TARGET_MAX + 64];
    rn_http_head_t h;
    snprintf(buf, sizeof buf, "%s /metrics HTTP/1.1\r\n\r\n", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF");
    assert_int_equal(parse(buf, &h), 0); /* 32: the longest method */
    snprintf(buf, sizeof buf, "%s /metrics HTTP/1.1\r\n\r\n", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG");
    assert_int_equal(parse(buf, &h), RN_EMALFORMED);
    char target[RN_HTTP_TARGET_MAX + 2];
    memset(target, 'a', sizeof target);
    target[0] = '/';
    target[RN_HTTP_TARGET_MAX] = '\0';
    snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\n\r\n", target);
    assert_int_equal(parse(buf, &h), 0);
    assert_int_equal(rn_http_route(&h), 404);
    target[RN_HTTP_TARGET_MAX] = 'a';
    target[RN_HTTP_TARGET_MAX + 1] = '\0';
    snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\n\r\n", target);
    assert_int_equal(parse(buf, &h), RN_EMALFORMED);
}

static void test_http_parse_head_size_limit(void **state) {
    (void)state;
    size_t n = RN_HTTP_HEAD_MAX + 100;
    char *buf = rn_malloc(n);
    const char *line = "GET /metrics HTTP/1.1\r\nX: ";
    memcpy(buf, line, strlen(line));
    memset(buf + strlen(line), 'a', n - strlen(line));
    rn_http_head_t h;
    assert_int_equal(rn_http_parse_head(buf, RN_HTTP_HEAD_MAX - 1, &h), 1);
    assert_int_equal(rn_http_parse_head(buf, RN_HTTP_HEAD_MAX, &h), RN_ETOOLARGE);
    assert_int_equal(rn_http_parse_head(buf, n, &h), RN_ETOOLARGE);
    /* a head that ends exactly at the limit is fine; one byte more is not */
    memcpy(buf + RN_HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
    assert_int_equal(rn_http_parse_head(buf, RN_HTTP_HEAD_MAX, &h), 0);
    assert_int_equal(h.head_len, RN_HTTP_HEAD_MAX);
    memset(buf + RN_HTTP_HEAD_MAX - 4, 'a', 4);
    memcpy(buf + RN_HTTP_HEAD_MAX - 3, "\r\n\r\n", 4);
    assert_int_equal(rn_http_parse_head(buf, n, &h), RN_ETOOLARGE);
    rn_free(buf);
}

static void test_http_route(void **state) {
    (void)state;
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        {"GET /metrics HTTP/1.1\r\n\r\n", 200},  {"GET /metrics?x HTTP/1.1\r\n\r\n", 200},
        {"POST /metrics HTTP/1.1\r\n\r\n", 405}, {"HEAD /metrics HTTP/1.1\r\n\r\n", 405},
        {"get /metrics HTTP/1.1\r\n\r\n", 405},  {"GET /metrics/ HTTP/1.1\r\n\r\n", 404},
        {"GET /Metrics HTTP/1.1\r\n\r\n", 404},  {"GET / HTTP/1.1\r\n\r\n", 404},
        {"POST /other HTTP/1.1\r\n\r\n", 404},   {"GET http://h/metrics HTTP/1.1\r\n\r\n", 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rn_http_head_t h;
        assert_int_equal(parse(cases[i].req, &h), 0);
        if (rn_http_route(&h) != cases[i].status)
            fail_msg("%s: got %d, want %d", cases[i].req, rn_http_route(&h), cases[i].status);
    }
}

/* ---- the responder, on a loop ------------------------------------------------------- */

#define NREQ 6

typedef struct client_s {
    int port;
    char *answer[NREQ];
    int lingering; /* a socket left mid-head for the stop to close */
    uv_async_t done;
    rn_mhttp_t *srv;
    int collects;
    int stopped;
} client_t;

static const char metrics_text[] = "# HELP a A.\n# TYPE a gauge\na 1\n";

static void collect(void *arg, rn_mtext_t *t) {
    client_t *c = arg;
    c->collects++;
    rn_mtext_family(t, "a", "gauge", "A.");
    rn_mtext_int(t, "a", NULL, 0, 1);
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send req (len bytes), half-close when asked, read to EOF. NUL-terminated answer. */
static char *exchange(int port, const char *req, size_t len, int half_close) {
    int fd = dial(port);
    if (fd < 0)
        return NULL;
    for (size_t off = 0; off < len;) {
        ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (half_close)
        shutdown(fd, SHUT_WR);
    size_t cap = 4096, got = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (got + 1 == cap)
            buf = realloc(buf, cap *= 2);
        ssize_t n = recv(fd, buf + got, cap - got - 1, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    return buf;
}

static void client_main(void *arg) {
    client_t *c = arg;
    static const char *const reqs[NREQ - 1] = {
        "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "DELETE /metrics HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\n\r\n",
        "\x01\x02\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n\r\n", /* sent half-closed */
    };
    for (int i = 0; i < NREQ - 1; i++)
        c->answer[i] = exchange(c->port, reqs[i], strlen(reqs[i]), i == 4);
    size_t big = 20000; /* no line end within the limit */
    char *junk = malloc(big);
    memset(junk, 'a', big);
    c->answer[NREQ - 1] = exchange(c->port, junk, big, 0);
    free(junk);
    c->lingering = dial(c->port);
    if (c->lingering >= 0)
        (void)send(c->lingering, "GET /me", 7, MSG_NOSIGNAL);
    usleep(100000); /* let the loop accept it */
    uv_async_send(&c->done);
}

static void stopped(void *arg) {
    client_t *c = arg;
    c->stopped = 1;
}

static void on_done(uv_async_t *a) {
    client_t *c = a->data;
    assert_true(rn_mhttp_conn_count(c->srv) >= 1); /* the one left mid-head */
    rn_mhttp_stop(c->srv, stopped, c);
    uv_close((uv_handle_t *)a, NULL);
}

static void test_http_responder_answers_and_stops_cleanly(void **state) {
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    client_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rn_mhttp_start(&loop, "127.0.0.1", 0, collect, &c, &c.srv), 0);
    c.port = rn_mhttp_port(c.srv);
    assert_true(c.port > 0);
    uv_async_init(&loop, &c.done, on_done);
    c.done.data = &c;
    uv_thread_t th;
    assert_int_equal(uv_thread_create(&th, client_main, &c), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_thread_join(&th);
    assert_true(c.stopped);
    assert_int_equal(uv_loop_close(&loop), 0);
    if (c.lingering >= 0)
        close(c.lingering);

    char want[512];
    snprintf(want, sizeof want,
             "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
             strlen(metrics_text), metrics_text);
    assert_string_equal(c.answer[0], want);
    assert_string_equal(c.answer[4], want); /* the half-closed client got it too */
    assert_int_equal(c.collects, 2);
    assert_non_null(strstr(c.answer[1], "HTTP/1.1 405 Method Not Allowed\r\n"));
    assert_non_null(strstr(c.answer[1], "\r\nAllow: GET\r\n"));
    assert_non_null(strstr(c.answer[2], "HTTP/1.1 404 Not Found\r\n"));
    assert_non_null(strstr(c.answer[3], "HTTP/1.1 400 Bad Request\r\n"));
    assert_non_null(strstr(c.answer[5], "HTTP/1.1 400 Bad Request\r\n"));
    for (int i = 0; i < NREQ; i++)
        free(c.answer[i]);
}

static void test_http_responder_bind_error_is_returned(void **state) {
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    rn_mhttp_t *a = NULL, *b = NULL;
    assert_int_equal(rn_mhttp_start(&loop, "127.0.0.1", 0, collect, NULL, &a), 0);
    assert_int_equal(rn_mhttp_start(&loop, "127.0.0.1", rn_mhttp_port(a), collect, NULL, &b),
                     UV_EADDRINUSE);
    assert_null(b);
    assert_int_equal(rn_mhttp_start(&loop, "not-an-address", 1, collect, NULL, &b), UV_EINVAL);
    rn_mhttp_stop(a, NULL, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_parse_complete_get),
        cmocka_unit_test(test_http_parse_every_cut_of_a_head_asks_for_more),
        cmocka_unit_test(test_http_parse_bare_lf_lines),
        cmocka_unit_test(test_http_parse_refuses_malformed_heads),
        cmocka_unit_test(test_http_parse_method_and_target_limits),
        cmocka_unit_test(test_http_parse_head_size_limit),
        cmocka_unit_test(test_http_route),
        cmocka_unit_test(test_http_responder_answers_and_stops_cleanly),
        cmocka_unit_test(test_http_responder_bind_error_is_returned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
