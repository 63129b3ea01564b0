/* Shared helpers of cfnet's C reference benchmarks: timing, statistics, JSON output, loopback sockets. */
#ifndef CFNET_BENCH_H
#define CFNET_BENCH_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE 64

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    exit(1);
}

static inline int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted samples, p in [0, 100]. */
static inline double pct_us(const uint64_t *sorted, long n, double p) {
    long i = (long)(p / 100.0 * (double)n + 0.5) - 1;
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return (double)sorted[i] / 1000.0;
}

/* Prints the latency JSON line every latency program ends with; sorts samples in place. */
static inline void print_latency(const char *name, uint64_t *samples, long n, uint64_t total_ns) {
    qsort(samples, (size_t)n, sizeof *samples, cmp_u64);
    printf("{\"name\":\"%s\",\"ops\":%ld,\"avg_us\":%.4f,\"p0_us\":%.4f,\"p50_us\":%.4f,\"p90_us\":%.4f,"
           "\"p99_us\":%.4f,\"p999_us\":%.4f,\"p9999_us\":%.4f,\"max_us\":%.4f}\n",
           name, n, (double)total_ns / (double)n / 1000.0, (double)samples[0] / 1000.0, pct_us(samples, n, 50),
           pct_us(samples, n, 90), pct_us(samples, n, 99), pct_us(samples, n, 99.9), pct_us(samples, n, 99.99),
           (double)samples[n - 1] / 1000.0);
    fflush(stdout);
}

static inline struct sockaddr_in loopback(uint16_t port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static inline void nodelay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("TCP_NODELAY");
}

/* A listening TCP socket on 127.0.0.1, ephemeral port; *port receives it. */
static inline int tcp_listener(uint16_t *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = loopback(0);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(fd, 256) < 0) die("listen");
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die("getsockname");
    *port = ntohs(a.sin_port);
    return fd;
}

static inline int tcp_connect(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    nodelay(fd);
    struct sockaddr_in a = loopback(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    return fd;
}

static inline long arg_long(int argc, char **argv, int i, long dflt) {
    return argc > i ? strtol(argv[i], NULL, 10) : dflt;
}

#endif
