/*
 * latency_proxy: a TCP proxy on loopback that delays every chunk of data by a fixed one-way
 * delay per direction, to stand in for a wide-area network in `make bench-wan`
 * (benches/wan.py); `tc netem` is not available on the machines this runs on.
 *
 *   latency_proxy -t HOST:PORT [-l HOST:PORT] [-d MS] [-u MS] [-w MS] [-s FILE]
 *
 *   -t HOST:PORT  where to forward each accepted connection (IPv4 literal)
 *   -l HOST:PORT  where to listen (default 127.0.0.1:0, a free port)
 *   -d MS         one-way delay in both directions, milliseconds (default 20: RTT 40 ms);
 *                 fractions allowed
 *   -u MS, -w MS  the delay client->server (up) and server->client (down) separately
 *   -s FILE       after every connection opened or closed, rewrite FILE (atomically, through
 *                 FILE.tmp) with "upstream_connections N\nopen N\nbytes_up N\nbytes_down N\n":
 *                 how many connections the proxy has opened to the target so far, which is
 *                 how a benchmark proves that a call opened no new connection
 *
 * Prints "listening 127.0.0.1:PORT" on stdout once it accepts connections. Runs until killed
 * (SIGTERM, SIGINT). Single-threaded, one poll loop.
 *
 * How it delays: every read() of up to 64 KiB is a chunk, timestamped on arrival
 * (CLOCK_MONOTONIC) and written to the other side at arrival + delay, in order; an end of
 * stream (FIN) is forwarded as shutdown(SHUT_WR) the same way, and a reset or a write error
 * closes both sides (with RST) after the delay toward the side that has not seen it yet. Both
 * sockets have TCP_NODELAY, so the proxy adds no Nagle wait of its own. The loop sleeps in
 * ppoll (timer slack 1 ns) until 0.4 ms before the next chunk is due and then polls without
 * sleeping until it is, so that a chunk leaves within a few microseconds of its time (ppoll
 * alone wakes up 100-200 us late on the VMs this runs on; the spinning costs at most 0.4 ms
 * of CPU per chunk, nothing at the rates a latency benchmark sends).
 *
 * What it cannot delay: the TCP handshake. On loopback the kernel completes a client's
 * connect() at once, before the proxy even accepts; benches/connect_delay.c (LD_PRELOAD)
 * adds that round trip in the client instead.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 512
#define CHUNK_MAX 65536
#define SPIN_NS 400000u /* see the ppoll below */
#define QUEUE_LIMIT (4u << 20) /* stop reading a side while this much waits to be sent */

typedef struct chunk {
    struct chunk *next;
    uint64_t due_ns;
    size_t len, off;
    int eof; /* forward an end of stream, not data */
    unsigned char data[];
} chunk;

/* One direction of a connection: from fd[src] to fd[dst]. */
typedef struct dir {
    chunk *head, *tail;
    size_t queued;
    int reading;   /* the source may still send */
    int done;      /* the end of stream has been forwarded */
} dir;

typedef struct pair {
    int used;
    int fd[2];        /* 0: the client's connection, 1: the one to the target */
    int connecting;   /* fd[1]'s connect() has not completed yet */
    dir d[2];         /* d[0]: client -> target (up), d[1]: target -> client (down) */
    uint64_t abort_ns; /* nonzero: reset both sides at this time */
} pair;

static pair pairs[MAX_PAIRS];
static uint64_t delay_ns[2] = {20000000u, 20000000u};
static const char *stats_path;
static unsigned long long n_upstream, n_open, bytes[2];
static volatile sig_atomic_t stop;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int parse_addr(const char *s, struct sockaddr_in *sa) {
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host) return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535) return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static uint64_t parse_ms(const char *s) {
    char *end;
    double ms = strtod(s, &end);
    if (*end || ms < 0 || ms > 60000) {
        fprintf(stderr, "latency_proxy: bad delay %s (milliseconds, 0..60000)\n", s);
        exit(2);
    }
    return (uint64_t)(ms * 1e6 + 0.5);
}

static void write_stats(void) {
    if (!stats_path) return;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", stats_path);
    FILE *f = fopen(tmp, "w");
    if (!f) die("latency_proxy: stats file");
    fprintf(f, "upstream_connections %llu\nopen %llu\nbytes_up %llu\nbytes_down %llu\n",
            n_upstream, n_open, bytes[0], bytes[1]);
    if (fclose(f) != 0 || rename(tmp, stats_path) != 0) die("latency_proxy: stats file");
}

static void set_nodelay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        die("latency_proxy: TCP_NODELAY");
}

static void free_queue(dir *d) {
    chunk *c = d->head;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    d->head = d->tail = NULL;
    d->queued = 0;
}

static void close_pair(pair *p, int reset) {
    for (int i = 0; i < 2; i++) {
        if (reset) {
            struct linger lg = {1, 0}; /* close with RST */
            setsockopt(p->fd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        close(p->fd[i]);
        free_queue(&p->d[i]);
    }
    memset(p, 0, sizeof *p);
    n_open--;
    write_stats();
}

/* Something went wrong on side `side` (a reset, a write error): the other side learns of it
 * one delay later, as a reset. Nothing more is read or forwarded meanwhile. */
static void schedule_abort(pair *p, int side, uint64_t now) {
    uint64_t at = now + delay_ns[side == 0 ? 0 : 1];
    if (!p->abort_ns || at < p->abort_ns) p->abort_ns = at;
    for (int i = 0; i < 2; i++) {
        p->d[i].reading = 0;
        free_queue(&p->d[i]);
    }
}

static void enqueue(dir *d, const unsigned char *data, size_t len, int eof, uint64_t due) {
    chunk *c = malloc(sizeof *c + len);
    if (!c) die("latency_proxy: malloc");
    c->next = NULL;
    c->due_ns = due;
    c->len = len;
    c->off = 0;
    c->eof = eof;
    if (len) memcpy(c->data, data, len);
    if (d->tail) d->tail->next = c;
    else d->head = c;
    d->tail = c;
    d->queued += len;
}

static void accept_one(int lfd, const struct sockaddr_in *target) {
    int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) return; /* EAGAIN, ECONNABORTED, ...: nothing to do */
    pair *p = NULL;
    for (int i = 0; i < MAX_PAIRS && !p; i++)
        if (!pairs[i].used) p = &pairs[i];
    if (!p) {
        fprintf(stderr, "latency_proxy: more than %d connections, refusing one\n", MAX_PAIRS);
        close(cfd);
        return;
    }
    int ufd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ufd < 0) die("latency_proxy: socket");
    set_nodelay(cfd);
    set_nodelay(ufd);
    int rc = connect(ufd, (const struct sockaddr *)target, sizeof *target);
    if (rc != 0 && errno != EINPROGRESS) {
        perror("latency_proxy: connect to the target");
        struct linger lg = {1, 0};
        setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(cfd);
        close(ufd);
        return;
    }
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->fd[0] = cfd;
    p->fd[1] = ufd;
    p->connecting = rc != 0;
    p->d[0].reading = p->d[1].reading = 1;
    n_upstream++;
    n_open++;
    write_stats();
}

/* Reads what side `src` has to send (one read) and queues it for the other side. */
static void read_side(pair *p, int src, uint64_t now) {
    static unsigned char buf[CHUNK_MAX];
    dir *d = &p->d[src];
    if (!d->reading) return;
    ssize_t n = read(p->fd[src], buf, sizeof buf);
    if (n > 0) {
        uint64_t t = now_ns(); /* the arrival time of this chunk */
        (void)now;
        bytes[src] += (unsigned long long)n;
        enqueue(d, buf, (size_t)n, 0, t + delay_ns[src]);
    } else if (n == 0) {
        d->reading = 0;
        enqueue(d, NULL, 0, 1, now_ns() + delay_ns[src]);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        schedule_abort(p, src, now_ns());
    }
}

/* Writes what is due in direction `src` -> other side. */
static void write_side(pair *p, int src, uint64_t now) {
    dir *d = &p->d[src];
    int dst = 1 - src;
    while (d->head && d->head->due_ns <= now) {
        chunk *c = d->head;
        if (c->eof) {
            shutdown(p->fd[dst], SHUT_WR);
            d->done = 1;
        } else {
            ssize_t n = send(p->fd[dst], c->data + c->off, c->len - c->off, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
                schedule_abort(p, dst, now);
                return;
            }
            c->off += (size_t)n;
            d->queued -= (size_t)n;
            if (c->off < c->len) return; /* the rest when the socket is writable again */
        }
        d->head = c->next;
        if (!d->head) d->tail = NULL;
        free(c);
    }
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv) {
    struct sockaddr_in listen_at, target;
    parse_addr("127.0.0.1:0", &listen_at);
    int have_target = 0;
    int opt;
    while ((opt = getopt(argc, argv, "t:l:d:u:w:s:")) != -1) {
        switch (opt) {
        case 't':
            if (parse_addr(optarg, &target) != 0) goto usage;
            have_target = 1;
            break;
        case 'l':
            if (parse_addr(optarg, &listen_at) != 0) goto usage;
            break;
        case 'd': delay_ns[0] = delay_ns[1] = parse_ms(optarg); break;
        case 'u': delay_ns[0] = parse_ms(optarg); break;
        case 'w': delay_ns[1] = parse_ms(optarg); break;
        case 's': stats_path = optarg; break;
        default: goto usage;
        }
    }
    if (!have_target || optind != argc) goto usage;

    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake up on time, not up to 50 us late */
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (const struct sockaddr *)&listen_at, sizeof listen_at) != 0 ||
        listen(lfd, 128) != 0)
        die("latency_proxy: listen");
    socklen_t alen = sizeof listen_at;
    getsockname(lfd, (struct sockaddr *)&listen_at, &alen);
    write_stats();
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &listen_at.sin_addr, host, sizeof host);
    printf("listening %s:%u\n", host, ntohs(listen_at.sin_port));
    fflush(stdout);

    static struct pollfd pfd[1 + 2 * MAX_PAIRS];
    static int owner[1 + 2 * MAX_PAIRS]; /* index into pairs * 2 + side */
    while (!stop) {
        uint64_t now = now_ns();
        uint64_t next = UINT64_MAX;
        int n = 0;
        pfd[n].fd = lfd;
        pfd[n].events = POLLIN;
        owner[n++] = -1;
        for (int i = 0; i < MAX_PAIRS; i++) {
            pair *p = &pairs[i];
            if (!p->used) continue;
            if (p->abort_ns) {
                if (p->abort_ns < next) next = p->abort_ns;
                continue;
            }
            for (int side = 0; side < 2; side++) {
                short ev = 0;
                /* read from `side` while its queue is not too long */
                if (p->d[side].reading && p->d[side].queued < QUEUE_LIMIT &&
                    !(side == 1 && p->connecting))
                    ev |= POLLIN;
                /* write to `side` what the other direction has due */
                chunk *h = p->d[1 - side].head;
                if (h) {
                    if (h->due_ns <= now || (side == 1 && p->connecting)) ev |= POLLOUT;
                    else if (h->due_ns < next) next = h->due_ns;
                }
                if (side == 1 && p->connecting) ev |= POLLOUT;
                /* nothing wanted from this side: leave it out (a hang-up would wake ppoll
                 * again and again until the other direction's end of stream is due) */
                pfd[n].fd = ev ? p->fd[side] : -1;
                pfd[n].events = ev;
                owner[n++] = i * 2 + side;
            }
        }
        struct timespec ts, *tsp = NULL;
        if (next != UINT64_MAX) {
            /* sleep until SPIN_NS before the chunk is due, then poll without sleeping: a
             * wake-up from ppoll comes 100-200 us late on this kind of VM */
            uint64_t wait = next > now + SPIN_NS ? next - now - SPIN_NS : 0;
            ts.tv_sec = (time_t)(wait / 1000000000u);
            ts.tv_nsec = (long)(wait % 1000000000u);
            tsp = &ts;
        }
        int rc = ppoll(pfd, (nfds_t)n, tsp, NULL);
        if (rc < 0) {
            if (errno == EINTR) continue;
            die("latency_proxy: ppoll");
        }
        now = now_ns();
        if (pfd[0].revents & POLLIN)
            for (int k = 0; k < 16; k++) accept_one(lfd, &target);
        for (int k = 1; k < n; k++) {
            pair *p = &pairs[owner[k] / 2];
            int side = owner[k] % 2;
            if (!p->used || p->abort_ns) continue;
            short re = pfd[k].revents;
            if (side == 1 && p->connecting && (re & (POLLOUT | POLLERR | POLLHUP))) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(p->fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) {
                    fprintf(stderr, "latency_proxy: connect to the target: %s\n", strerror(err));
                    schedule_abort(p, 1, now);
                    continue;
                }
                p->connecting = 0;
            }
            if ((re & POLLIN) || ((re & (POLLHUP | POLLERR)) && p->d[side].reading))
                read_side(p, side, now);
            else if (re & POLLERR)
                schedule_abort(p, side, now);
        }
        /* release everything that is due, in every direction */
        now = now_ns();
        for (int i = 0; i < MAX_PAIRS; i++) {
            pair *p = &pairs[i];
            if (!p->used) continue;
            if (p->abort_ns) {
                if (p->abort_ns <= now) close_pair(p, 1);
                continue;
            }
            if (!p->connecting) write_side(p, 0, now);
            if (p->abort_ns) continue;
            write_side(p, 1, now);
            if (p->d[0].done && p->d[1].done) close_pair(p, 0);
        }
    }
    for (int i = 0; i < MAX_PAIRS; i++)
        if (pairs[i].used) close_pair(&pairs[i], 0);
    return 0;

usage:
    fprintf(stderr, "usage: latency_proxy -t HOST:PORT [-l HOST:PORT] [-d MS] [-u MS] [-w MS] "
                    "[-s STATS_FILE]\n");
    return 2;
}
