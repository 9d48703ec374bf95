/*
 * fast_endpoint.c - a minimal HTTP/1.1 keep-alive endpoint on loopback for the client benchmark.
 *
 *   oreg-fast-endpoint [-p PORT] [-i IDLE_SECONDS]
 *
 * Listens on 127.0.0.1:PORT (0, the default: a free port) and prints "port N" on stdout once it
 * accepts connections. One thread, epoll, non-blocking sockets, TCP_NODELAY. Every request is read
 * whole (request line, headers, a Content-Length or chunked body) and answered at once with a
 * fixed small JSON body, so that the server costs as little as possible:
 *   GET /__stats  200 {"connections":..,"requests":..,"get":..,"post":..,"expect100":..,
 *                      "missingApiKey":..,"badRequests":..,"bodyBytes":..,"reads":..,"writes":..,
 *                      "cpuNs":..}
 *                 (counters since start: reads and writes are recv() and send() calls that moved
 *                 bytes, cpuNs is this process's user + sys time; a /__stats request is counted
 *                 in connections, reads and writes only)
 *   GET  other    200 {"statusCode":200,"data":[],"meta":{"cursor":null}}
 *   POST, PATCH, DELETE, PUT
 *                 202 {"statusCode":202,"message":"Mutation queued","data":{"mutationId":"mut_1",...}}
 * "Expect: 100-continue" is answered with "100 Continue" as soon as the headers are in, as the
 * real service's front end does. "Connection: close" closes after the answer. Anything it cannot
 * parse gets a 400 and the connection is closed.
 *
 * Stops on SIGTERM or SIGINT, or by itself after IDLE_SECONDS (default 600) without any traffic.
 * Loopback only: it never binds another address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQUEST (4u << 20) /* headers + body: larger requests get a 400 */

static const char GET_BODY[] = "{\"statusCode\":200,\"data\":[],\"meta\":{\"cursor\":null}}";
static const char POST_BODY[] =
    "{\"statusCode\":202,\"message\":\"Mutation queued\",\"data\":{\"mutationId\":\"mut_1\","
    "\"idempotencyKey\":\"k\",\"operation\":\"candidate.create\",\"status\":\"queued\",\"itemCount\":1},"
    "\"meta\":{\"requestId\":\"r\"}}";
static const char BAD_BODY[] = "{\"statusCode\":400,\"message\":\"Bad request\"}";

struct conn {
    int fd;
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_len, out_off, out_cap;
    int continue_sent; /* 100 Continue already sent for the request at the head of `in` */
    int closing;       /* close once `out` is flushed */
};

static struct {
    unsigned long long connections, requests, get, post, expect100, missing_key, bad, body_bytes, reads, writes;
} stats;

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static int out_append(struct conn *c, const char *p, size_t n) {
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        char *b = realloc(c->out, cap);
        if (!b) return -1;
        c->out = b;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

static int respond(struct conn *c, int status, const char *reason, const char *body, size_t body_len) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nx-request-id: r\r\n%s\r\n",
                     status, reason, body_len, c->closing ? "Connection: close\r\n" : "");
    if (out_append(c, head, (size_t)n) || out_append(c, body, body_len)) return -1;
    return 0;
}

/* Case-insensitive search for a header line "name:" within [p, end); returns its value or NULL. */
static const char *header(const char *p, const char *end, const char *name, size_t *vlen) {
    size_t nl = strlen(name);
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol) eol = end;
        if ((size_t)(eol - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t')) v++;
            const char *ve = eol;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = eol + 2;
    }
    return NULL;
}

static int value_has(const char *v, size_t n, const char *token) {
    size_t tl = strlen(token);
    for (size_t i = 0; i + tl <= n; i++)
        if (strncasecmp(v + i, token, tl) == 0) return 1;
    return 0;
}

/* Length of a complete chunked body starting at p, 0 when incomplete, -1 when malformed. */
static long chunked_length(const char *p, size_t avail, unsigned long long *data_bytes) {
    size_t off = 0;
    *data_bytes = 0;
    for (;;) {
        const char *eol = memmem(p + off, avail - off, "\r\n", 2);
        if (!eol) return 0;
        char *endp;
        unsigned long size = strtoul(p + off, &endp, 16);
        if (endp == p + off) return -1;
        off = (size_t)(eol - p) + 2;
        if (size == 0) { /* trailers end with an empty line */
            for (;;) {
                const char *e = memmem(p + off, avail - off, "\r\n", 2);
                if (!e) return 0;
                size_t len = (size_t)(e - (p + off));
                off += len + 2;
                if (len == 0) return (long)off;
            }
        }
        if (size > MAX_REQUEST || off + size + 2 > MAX_REQUEST) return -1;
        if (off + size + 2 > avail) return 0;
        *data_bytes += size;
        off += size + 2;
    }
}

static void cpu_ns(unsigned long long *out) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *out = ((unsigned long long)ru.ru_utime.tv_sec + (unsigned long long)ru.ru_stime.tv_sec) * 1000000000ull +
           ((unsigned long long)ru.ru_utime.tv_usec + (unsigned long long)ru.ru_stime.tv_usec) * 1000ull;
}

/* Handles every complete request in c->in. Returns -1 when the connection must be dropped now. */
static int process(struct conn *c) {
    for (;;) {
        if (c->closing) return 0;
        char *buf = c->in;
        size_t len = c->in_len;
        char *hend = len ? memmem(buf, len, "\r\n\r\n", 4) : NULL;
        if (!hend) {
            if (len > 65536) goto bad;
            return 0;
        }
        size_t head_len = (size_t)(hend - buf) + 4;
        char *sp1 = memchr(buf, ' ', head_len);
        char *line_end = memmem(buf, head_len, "\r\n", 2);
        if (!sp1 || sp1 > line_end) goto bad;
        char *sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
        if (!sp2) goto bad;
        const char *hp = line_end + 2, *he = hend + 2;
        size_t vlen;
        const char *v;
        long body_len = 0;
        unsigned long long data_bytes = 0;
        int chunked = 0;
        if ((v = header(hp, he, "transfer-encoding", &vlen)) && value_has(v, vlen, "chunked")) {
            chunked = 1;
            body_len = chunked_length(buf + head_len, len - head_len, &data_bytes);
            if (body_len < 0) goto bad;
        } else if ((v = header(hp, he, "content-length", &vlen))) {
            char tmp[32];
            if (vlen == 0 || vlen >= sizeof tmp) goto bad;
            memcpy(tmp, v, vlen);
            tmp[vlen] = 0;
            char *endp;
            unsigned long long n = strtoull(tmp, &endp, 10);
            if (*endp || n > MAX_REQUEST) goto bad;
            body_len = (long)n;
            data_bytes = n;
        }
        int complete = chunked ? body_len > 0 : len - head_len >= (size_t)body_len;
        if (!complete) {
            if (!c->continue_sent && (v = header(hp, he, "expect", &vlen)) && value_has(v, vlen, "100-continue")) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                if (out_append(c, cont, sizeof cont - 1)) return -1;
                c->continue_sent = 1;
                stats.expect100++;
            }
            return 0;
        }
        size_t total = head_len + (size_t)body_len;
        stats.body_bytes += data_bytes;
        if ((v = header(hp, he, "connection", &vlen)) && value_has(v, vlen, "close")) c->closing = 1;
        int is_get = sp1 - buf == 3 && memcmp(buf, "GET", 3) == 0;
        size_t target_len = (size_t)(sp2 - sp1 - 1);
        if (is_get && target_len == 8 && memcmp(sp1 + 1, "/__stats", 8) == 0) {
            unsigned long long cpu;
            cpu_ns(&cpu);
            char body[512];
            int n = snprintf(body, sizeof body,
                             "{\"connections\":%llu,\"requests\":%llu,\"get\":%llu,\"post\":%llu,\"expect100\":%llu,"
                             "\"missingApiKey\":%llu,\"badRequests\":%llu,\"bodyBytes\":%llu,\"reads\":%llu,"
                             "\"writes\":%llu,\"cpuNs\":%llu}",
                             stats.connections, stats.requests, stats.get, stats.post, stats.expect100,
                             stats.missing_key, stats.bad, stats.body_bytes, stats.reads, stats.writes, cpu);
            if (respond(c, 200, "OK", body, (size_t)n)) return -1;
        } else {
            stats.requests++;
            if (!header(hp, he, "x-api-key", &vlen)) stats.missing_key++;
            if (is_get) {
                stats.get++;
                if (respond(c, 200, "OK", GET_BODY, sizeof GET_BODY - 1)) return -1;
            } else {
                stats.post++;
                if (respond(c, 202, "Accepted", POST_BODY, sizeof POST_BODY - 1)) return -1;
            }
        }
        memmove(c->in, c->in + total, len - total);
        c->in_len = len - total;
        c->continue_sent = 0;
    }
bad:
    stats.bad++;
    c->closing = 1;
    return respond(c, 400, "Bad Request", BAD_BODY, sizeof BAD_BODY - 1);
}

/* Writes what is pending; returns -1 on a write error, 1 when data is left, 0 when all is out. */
static int flush_out(struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
            return -1;
        }
        c->out_off += (size_t)n;
        stats.writes++;
    }
    c->out_off = c->out_len = 0;
    return 0;
}

static void drop(int ep, struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

int main(int argc, char **argv) {
    int port = 0, idle = 600, opt;
    while ((opt = getopt(argc, argv, "p:i:")) != -1) {
        if (opt == 'p') port = atoi(optarg);
        else if (opt == 'i') idle = atoi(optarg);
        else {
            fprintf(stderr, "usage: %s [-p PORT] [-i IDLE_SECONDS]\n", argv[0]);
            return 2;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) || listen(ls, 512)) {
        perror("fast_endpoint: listen");
        return 1;
    }
    socklen_t alen = sizeof addr;
    getsockname(ls, (struct sockaddr *)&addr, &alen);
    printf("port %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event events[64];
    while (!stop) {
        int n = epoll_wait(ep, events, 64, idle * 1000);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("fast_endpoint: epoll_wait");
            return 1;
        }
        if (n == 0) {
            fprintf(stderr, "fast_endpoint: idle for %d s, stopping\n", idle);
            break;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) { /* the listening socket */
                for (;;) {
                    int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = calloc(1, sizeof *nc);
                    if (!nc) { close(fd); continue; }
                    nc->fd = fd;
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                    stats.connections++;
                }
                continue;
            }
            int dead = 0, eof = 0;
            if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    if (c->in_cap - c->in_len < 16384) {
                        size_t cap = c->in_cap ? c->in_cap * 2 : 65536;
                        if (cap > MAX_REQUEST + 65536) { dead = 1; break; }
                        char *b = realloc(c->in, cap);
                        if (!b) { dead = 1; break; }
                        c->in = b;
                        c->in_cap = cap;
                    }
                    ssize_t r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
                    if (r > 0) {
                        c->in_len += (size_t)r;
                        stats.reads++;
                        if ((size_t)r < 16384) break; /* drained for now: level-triggered epoll says if not */
                        continue;
                    }
                    if (r < 0 && errno == EINTR) continue;
                    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                    if (r == 0) eof = 1; /* answer what came in, then close */
                    else dead = 1;
                    break;
                }
                if (!dead && process(c) < 0) dead = 1;
                if (eof) c->closing = 1;
            }
            if (!dead) {
                int left = flush_out(c);
                if (left < 0 || (left == 0 && c->closing)) dead = 1;
                else {
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP | (left ? EPOLLOUT : 0), .data.ptr = c};
                    if (left || (events[i].events & EPOLLOUT)) epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &cev);
                }
            }
            if (dead) drop(ep, c);
        }
    }
    close(ls);
    return 0;
}
