/*
 * Bulk throughput reference for cfnet's benchmarks: 64 MiB one way over loopback TCP per operation, written
 * 64 KiB per call, with blocking sockets or non-blocking sockets waited on with poll(). The receiver runs on a
 * second thread and acknowledges every complete 64 MiB through a pipe; an operation is timed from its first write
 * to that acknowledgement, as the Java rows are. Prints one JSON line: {"ms_per_op":..., "mb_per_s":...}, where
 * MB is 10^6 bytes.
 *
 *   throughput blocking|poll [warmup=3] [operations=20]
 */
#include "bench.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>

#define BULK (64L << 20)
#define CHUNK (64 * 1024)

static int use_poll;
static int ack[2];

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

static void *receiver(void *arg) {
    int listener = *(int *)arg;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) die("accept");
    nodelay(fd);
    if (use_poll) set_nonblocking(fd);
    static char buf[CHUNK];
    long received = 0;
    for (;;) {
        if (use_poll) wait_fd(fd, POLLIN);
        ssize_t r = read(fd, buf, sizeof buf);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            die("read");
        }
        received += r;
        if (received >= BULK) {
            received -= BULK;
            char one = 1;
            if (write(ack[1], &one, 1) != 1) die("ack");
        }
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s blocking|poll [warmup] [operations]\n", argv[0]);
        return 2;
    }
    use_poll = strcmp(argv[1], "poll") == 0;
    long warmup = arg_long(argc, argv, 2, 3), ops = arg_long(argc, argv, 3, 20);
    if (pipe(ack) < 0) die("pipe");
    uint16_t port;
    int listener = tcp_listener(&port);
    pthread_t t;
    pthread_create(&t, NULL, receiver, &listener);
    int fd = tcp_connect(port);
    if (use_poll) set_nonblocking(fd);
    static char chunk[CHUNK];
    for (int i = 0; i < CHUNK; i++) chunk[i] = (char)('a' + i % 26);

    uint64_t total = 0;
    for (long op = 0; op < warmup + ops; op++) {
        uint64_t t0 = now_ns();
        for (long sent = 0; sent < BULK;) {
            size_t off = (size_t)(sent % CHUNK);
            ssize_t w = write(fd, chunk + off, CHUNK - off);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    wait_fd(fd, POLLOUT);
                    continue;
                }
                die("write");
            }
            sent += w;
        }
        char one;
        if (read(ack[0], &one, 1) != 1) die("ack read");
        if (op >= warmup) total += now_ns() - t0;
    }
    double ms = (double)total / (double)ops / 1e6;
    printf("{\"name\":\"bulk-%s\",\"ops\":%ld,\"ms_per_op\":%.4f,\"mb_per_s\":%.2f}\n", argv[1], ops, ms,
           (double)BULK / 1e6 / (ms / 1e3));
    close(fd);
    pthread_join(t, NULL);
    return 0;
}
