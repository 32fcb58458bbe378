/*
 * metrics_http.c — the metrics endpoint's HTTP/1.1 responder (metrics_http.h has the
 * contract and the life of a connection).
 *
 * One connection:
 *
 *   READING ──head complete / bad──▶ WRITING ──written──▶ LINGER ──EOF / limit / timer──▶
 *      │ EOF, error, timeout               │ error, timeout                    closed
 *      └───────────────────────────────────┴──────────────────────────────────▶ closed
 *
 * Each connection owns a tcp handle and a timer (both closed before it is freed), the
 * request head buffer (fixed size: it never grows) and the answer while it is written.
 * The server keeps its connections in a list for stop; it is freed once the listener
 * and every connection have closed.
 */
#include "broker/metrics_http.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/errors.h"
#include "common/logging.h"

#define MOD "metrics"

/* ---- the head parser ------------------------------------------------------------ */

static bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static size_t token_len(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    return i;
}

/* METHOD SP TARGET SP HTTP/1.x */
static int parse_request_line(const char *s, size_t n, rn_http_head_t *h) {
    size_t m = token_len(s, n);
    if (m == 0 || m > 32 || m >= n || s[m] != ' ')
        return RN_EMALFORMED;
    h->method = s;
    h->method_len = m;
    size_t t0 = m + 1, t = t0;
    while (t < n && (unsigned char)s[t] > 0x20 && (unsigned char)s[t] < 0x7F)
        t++;
    if (t == t0 || t - t0 > RN_HTTP_TARGET_MAX || t >= n || s[t] != ' ')
        return RN_EMALFORMED;
    const char *q = memchr(s + t0, '?', t - t0);
    h->path = s + t0;
    h->path_len = q != NULL ? (size_t)(q - (s + t0)) : t - t0;
    const char *v = s + t + 1;
    size_t vn = n - t - 1;
    if (vn != 8 || memcmp(v, "HTTP/1.", 7) != 0 || (v[7] != '0' && v[7] != '1'))
        return RN_EMALFORMED;
    h->minor_version = v[7] - '0';
    return 0;
}

/* field-name ":" OWS field-value OWS; the value is HTAB, SP, VCHAR or obs-text. */
static int check_header(const char *s, size_t n) {
    size_t k = token_len(s, n);
    if (k == 0 || k >= n || s[k] != ':')
        return RN_EMALFORMED; /* also a folded line (leading SP/HTAB) */
    for (size_t i = k + 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\t' && (c < 0x20 || c == 0x7F))
            return RN_EMALFORMED;
    }
    return 0;
}

int rn_http_parse_head(const char *buf, size_t len, rn_http_head_t *h) {
    memset(h, 0, sizeof *h);
    size_t n = len < RN_HTTP_HEAD_MAX ? len : RN_HTTP_HEAD_MAX;
    size_t pos = 0;
    for (int line = 0;; line++) {
        const char *nl = memchr(buf + pos, '\n', n - pos);
        if (nl == NULL)
            return len >= RN_HTTP_HEAD_MAX ? RN_ETOOLARGE : 1;
        size_t end = (size_t)(nl - buf);
        size_t llen = end - pos;
        if (llen > 0 && buf[end - 1] == '\r')
            llen--;
        int rc;
        if (line == 0)
            rc = parse_request_line(buf + pos, llen, h);
        else if (llen == 0) {
            h->head_len = end + 1;
            return 0;
        } else
            rc = check_header(buf + pos, llen);
        if (rc != 0)
            return rc;
        pos = end + 1;
    }
}

int rn_http_route(const rn_http_head_t *h) {
    static const char path[] = "/metrics";
    if (h->path_len != sizeof path - 1 || memcmp(h->path, path, h->path_len) != 0)
        return 404;
    if (h->method_len != 3 || memcmp(h->method, "GET", 3) != 0)
        return 405;
    return 200;
}

/* ---- the server ------------------------------------------------------------------ */

typedef enum { READING = 0, WRITING, LINGER, CLOSING } state_t;

typedef struct mconn_s mconn_t;

struct rn_mhttp_s {
    uv_loop_t *loop;
    uv_tcp_t listener;
    int port;
    rn_mhttp_collect_fn collect;
    void *arg;
    mconn_t *conns;
    int nconns;
    uint64_t rejected;
    bool stopping, listener_closed;
    void (*stop_cb)(void *arg);
    void *stop_arg;
    char scratch[16384]; /* where LINGER reads go */
};

struct mconn_s {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t wreq;
    uv_shutdown_t sreq;
    rn_mhttp_t *srv;
    mconn_t *prev, *next;
    state_t state;
    int handles; /* tcp and timer, until their close callbacks */
    bool peer_eof;
    size_t discarded;
    char *resp_head; /* status line and headers (rn_malloc'd) */
    char *resp_body; /* the metrics text or an error line (rn_malloc'd) */
    size_t hlen;     /* bytes of head[] filled */
    char head[RN_HTTP_HEAD_MAX];
};

static void maybe_stopped(rn_mhttp_t *srv) {
    if (!srv->stopping || !srv->listener_closed || srv->nconns > 0)
        return;
    void (*cb)(void *) = srv->stop_cb;
    void *arg = srv->stop_arg;
    rn_free(srv);
    if (cb != NULL)
        cb(arg);
}

static void conn_handle_closed(uv_handle_t *handle) {
    mconn_t *c = handle->data;
    if (--c->handles > 0)
        return;
    rn_mhttp_t *srv = c->srv;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    srv->nconns--;
    rn_free(c->resp_head);
    rn_free(c->resp_body);
    rn_free(c);
    maybe_stopped(srv);
}

static void conn_close(mconn_t *c) {
    if (c->state == CLOSING)
        return;
    c->state = CLOSING;
    uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
    uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
}

static void on_timeout(uv_timer_t *t) {
    conn_close(t->data);
}

static void arm(mconn_t *c, uint64_t ms) {
    uv_timer_start(&c->timer, on_timeout, ms, 0);
}

static const char *reason(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    default:
        return "Method Not Allowed";
    }
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    mconn_t *c = req->data;
    if (status < 0)
        conn_close(c); /* includes UV_ECANCELED from our own close: a no-op then */
}

static void on_written(uv_write_t *req, int status) {
    mconn_t *c = req->data;
    RN_FREE(&c->resp_head);
    RN_FREE(&c->resp_body);
    if (c->state == CLOSING)
        return;
    if (status < 0 || c->peer_eof) {
        conn_close(c); /* everything written is in the kernel: close sends it, then FIN */
        return;
    }
    c->state = LINGER;
    arm(c, RN_MHTTP_LINGER_MS);
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
        conn_close(c);
}

/* Answer status with body[0..len) (taken) and move to WRITING. */
static void respond(mconn_t *c, int status, char *body, size_t len) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "%s"
                     "Connection: close\r\n\r\n",
                     status, reason(status),
                     status == 200 ? "text/plain; version=0.0.4; charset=utf-8"
                                   : "text/plain; charset=utf-8",
                     len, status == 405 ? "Allow: GET\r\n" : "");
    c->resp_head = rn_strndup(head, (size_t)n);
    c->resp_body = body;
    c->state = WRITING;
    arm(c, RN_MHTTP_WRITE_MS);
    uv_buf_t bufs[2] = {uv_buf_init(c->resp_head, (unsigned)n), uv_buf_init(body, (unsigned)len)};
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, bufs, len > 0 ? 2 : 1, on_written) < 0) {
        RN_FREE(&c->resp_head);
        RN_FREE(&c->resp_body);
        conn_close(c);
    }
}

static void respond_text(mconn_t *c, int status, const char *text) {
    respond(c, status, rn_strdup(text), strlen(text));
}

/* The head buffer got more bytes: answer once it is complete or hopeless. */
static void on_head_bytes(mconn_t *c) {
    rn_http_head_t h;
    int rc = rn_http_parse_head(c->head, c->hlen, &h);
    if (rc == 1)
        return;
    if (rc != 0) {
        rn_log(RN_LOG_DEBUG, MOD, "bad request head (%s): answering 400",
               rc == RN_ETOOLARGE ? "too large" : "malformed");
        respond_text(c, 400, "400 bad request\n");
        return;
    }
    int status = rn_http_route(&h);
    if (status == 404) {
        respond_text(c, 404, "404 not found: this listener serves only /metrics\n");
    } else if (status == 405) {
        respond_text(c, 405, "405 method not allowed: use GET\n");
    } else {
        rn_mtext_t t;
        rn_mtext_init(&t);
        c->srv->collect(c->srv->arg, &t);
        size_t len;
        char *body = rn_mtext_take(&t, &len);
        respond(c, 200, body, len);
    }
}

static void alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    mconn_t *c = handle->data;
    (void)suggested;
    if (c->state == READING) {
        assert(c->hlen < RN_HTTP_HEAD_MAX);
        *buf = uv_buf_init(c->head + c->hlen, (unsigned)(RN_HTTP_HEAD_MAX - c->hlen));
    } else {
        *buf = uv_buf_init(c->srv->scratch, sizeof c->srv->scratch);
    }
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
    mconn_t *c = stream->data;
    (void)buf;
    if (c->state == CLOSING || nread == 0)
        return;
    if (nread < 0) {
        if (nread == UV_EOF && c->state == WRITING) {
            c->peer_eof = true; /* half-closed client: finish writing, then close */
            uv_read_stop(stream);
            return;
        }
        conn_close(c);
        return;
    }
    if (c->state == READING) {
        c->hlen += (size_t)nread;
        on_head_bytes(c);
        return;
    }
    c->discarded += (size_t)nread;
    if (c->discarded > RN_MHTTP_LINGER_BYTES)
        conn_close(c);
}

static void reject_closed(uv_handle_t *handle) {
    rn_free(handle);
}

/* Over the limit: accept (so the listener goes on) and close at once. */
static void reject(rn_mhttp_t *srv, uv_stream_t *listener) {
    uv_tcp_t *tcp = rn_malloc(sizeof *tcp);
    if (uv_tcp_init(srv->loop, tcp) != 0) {
        rn_free(tcp);
        return;
    }
    (void)uv_accept(listener, (uv_stream_t *)tcp);
    uv_close((uv_handle_t *)tcp, reject_closed);
    if (srv->rejected++ % 100 == 0)
        rn_log(RN_LOG_WARN, MOD, "metrics listener: %d connections open, refusing more",
               srv->nconns);
}

static void on_connection(uv_stream_t *listener, int status) {
    rn_mhttp_t *srv = listener->data;
    if (status < 0 || srv->stopping)
        return;
    if (srv->nconns >= RN_MHTTP_MAX_CONNS) {
        reject(srv, listener);
        return;
    }
    mconn_t *c = rn_calloc(1, sizeof *c);
    c->srv = srv;
    if (uv_tcp_init(srv->loop, &c->tcp) != 0) {
        rn_free(c);
        return;
    }
    uv_timer_init(srv->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->handles = 2;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read) != 0) {
        conn_close(c);
        return;
    }
    arm(c, RN_MHTTP_READ_MS);
}

static void listener_closed(uv_handle_t *handle) {
    rn_mhttp_t *srv = handle->data;
    srv->listener_closed = true;
    maybe_stopped(srv);
}

static void free_on_close(uv_handle_t *handle) {
    rn_free(handle->data);
}

static int listen_on(rn_mhttp_t *srv, const char *host, int port) {
    struct sockaddr_storage ss;
    if (port < 0 || port > 65535)
        return UV_EINVAL;
    int rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss);
    if (rc != 0)
        rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
    if (rc == 0)
        rc = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, 64, on_connection);
    int n = sizeof ss;
    if (rc == 0)
        rc = uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &n);
    if (rc != 0)
        return rc;
    srv->port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                                        : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

int rn_mhttp_start(uv_loop_t *loop, const char *host, int port, rn_mhttp_collect_fn collect,
                   void *arg, rn_mhttp_t **out) {
    rn_mhttp_t *srv = rn_calloc(1, sizeof *srv);
    srv->loop = loop;
    srv->collect = collect;
    srv->arg = arg;
    int rc = uv_tcp_init(loop, &srv->listener);
    if (rc != 0) {
        rn_free(srv);
        return rc;
    }
    srv->listener.data = srv;
    rc = listen_on(srv, host, port);
    if (rc != 0) {
        uv_close((uv_handle_t *)&srv->listener, free_on_close); /* srv goes with it */
        return rc;
    }
    *out = srv;
    return 0;
}

int rn_mhttp_port(const rn_mhttp_t *srv) {
    return srv->port;
}

int rn_mhttp_conn_count(const rn_mhttp_t *srv) {
    return srv->nconns;
}

uint64_t rn_mhttp_rejected(const rn_mhttp_t *srv) {
    return srv->rejected;
}

void rn_mhttp_stop(rn_mhttp_t *srv, void (*cb)(void *arg), void *arg) {
    assert(!srv->stopping);
    srv->stopping = true;
    srv->stop_cb = cb;
    srv->stop_arg = arg;
    for (mconn_t *c = srv->conns; c != NULL; c = c->next)
        conn_close(c);
    uv_close((uv_handle_t *)&srv->listener, listener_closed);
}
