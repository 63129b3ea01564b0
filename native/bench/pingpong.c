/*
 * Ping-pong reference for cfnet's benchmarks: 64-byte round trips over loopback, TCP or UDP, with blocking
 * sockets or non-blocking sockets waited on with poll(). The server runs on a second thread of this process;
 * the client (main thread) times every round trip after the warm-up and prints one JSON line:
 * {"name":..., "ops":N, "avg_us":..., "p50_us":..., ...}.
 *
 *   pingpong tcp|udp blocking|poll [warmup=20000] [iterations=100000]
 */
#include "bench.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>

static int use_poll;
static int udp;

static void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
}

static void wait_fd(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    while (poll(&p, 1, -1) < 0) {
        if (errno != EINTR) die("poll");
    }
}

/* Reads exactly n bytes (TCP); 0 on end of stream. */
static int read_full(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        if (use_poll) wait_fd(fd, POLLIN);
        ssize_t r = read(fd, buf + got, n - got);
        if (r == 0) return 0;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return 0;
        }
        got += (size_t)r;
    }
    return 1;
}

static void write_full(int fd, const char *buf, size_t n) {
    size_t put = 0;
    while (put < n) {
        ssize_t w = write(fd, buf + put, n - put);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                wait_fd(fd, POLLOUT);
                continue;
            }
            die("write");
        }
        put += (size_t)w;
    }
}

static void *tcp_server(void *arg) {
    int listener = *(int *)arg;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) die("accept");
    nodelay(fd);
    if (use_poll) set_nonblocking(fd);
    char buf[MESSAGE];
    while (read_full(fd, buf, MESSAGE)) write_full(fd, buf, MESSAGE);
    close(fd);
    return NULL;
}

static void *udp_server(void *arg) {
    int fd = *(int *)arg;
    char buf[65536];
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        if (use_poll) wait_fd(fd, POLLIN);
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return NULL;
        }
        if (r == 0 && len == 0) return NULL;
        sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, len);
    }
}

static void udp_round_trip(int fd, const char *msg, char *reply) {
    if (send(fd, msg, MESSAGE, 0) != MESSAGE) die("send");
    for (;;) {
        if (use_poll) wait_fd(fd, POLLIN);
        ssize_t r = recv(fd, reply, 65536, 0);
        if (r == MESSAGE) return;
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        die("recv");
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s tcp|udp blocking|poll [warmup] [iterations]\n", argv[0]);
        return 2;
    }
    udp = strcmp(argv[1], "udp") == 0;
    use_poll = strcmp(argv[2], "poll") == 0;
    long warmup = arg_long(argc, argv, 3, 20000), iters = arg_long(argc, argv, 4, 100000);
    char msg[MESSAGE], reply[65536];
    for (int i = 0; i < MESSAGE; i++) msg[i] = (char)('a' + i % 26);

    pthread_t server;
    int client, server_fd;
    if (udp) {
        server_fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = loopback(0);
        if (server_fd < 0 || bind(server_fd, (struct sockaddr *)&a, sizeof a) < 0) die("udp server");
        socklen_t len = sizeof a;
        getsockname(server_fd, (struct sockaddr *)&a, &len);
        if (use_poll) set_nonblocking(server_fd);
        pthread_create(&server, NULL, udp_server, &server_fd);
        client = socket(AF_INET, SOCK_DGRAM, 0);
        if (client < 0 || connect(client, (struct sockaddr *)&a, sizeof a) < 0) die("udp connect");
    } else {
        uint16_t port;
        server_fd = tcp_listener(&port);
        pthread_create(&server, NULL, tcp_server, &server_fd);
        client = tcp_connect(port);
    }
    if (use_poll) set_nonblocking(client);

    uint64_t *samples = malloc(sizeof(uint64_t) * (size_t)iters);
    if (!samples) die("malloc");
    for (long i = 0; i < warmup + iters; i++) {
        uint64_t t0 = now_ns();
        if (udp) {
            udp_round_trip(client, msg, reply);
        } else {
            write_full(client, msg, MESSAGE);
            if (!read_full(client, reply, MESSAGE)) die("server closed");
        }
        if (i >= warmup) samples[i - warmup] = now_ns() - t0;
    }
    uint64_t total = 0;
    for (long i = 0; i < iters; i++) total += samples[i];
    char name[64];
    snprintf(name, sizeof name, "%s-%s", argv[1], argv[2]);
    print_latency(name, samples, iters, total);
    if (udp) {
        shutdown(server_fd, SHUT_RDWR);
        close(client);
        /* the server thread may sit in recvfrom: the process ends anyway */
    } else {
        close(client);
        pthread_join(server, NULL);
    }
    return 0;
}
