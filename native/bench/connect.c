/*
 * Connect-rate reference for cfnet's benchmarks: the client connects to a loopback listener, reads the one-byte
 * greeting the server thread sends on accept, and closes; the server closes on end of stream. Blocking sockets.
 * Prints one JSON line: {"ops_per_s":..., "avg_us":...}.
 *
 *   connect [warmup=2000] [operations=10000]
 */
#include "bench.h"
#include <pthread.h>

static void *server(void *arg) {
    int listener = *(int *)arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) return NULL;
        nodelay(fd);
        char one = 1, buf[16];
        if (write(fd, &one, 1) != 1) die("greet");
        while (read(fd, buf, sizeof buf) > 0) { }
        close(fd);
    }
}

int main(int argc, char **argv) {
    long warmup = arg_long(argc, argv, 1, 2000), ops = arg_long(argc, argv, 2, 10000);
    uint16_t port;
    int listener = tcp_listener(&port);
    pthread_t t;
    pthread_create(&t, NULL, server, &listener);
    uint64_t t0 = 0;
    for (long i = 0; i < warmup + ops; i++) {
        if (i == warmup) t0 = now_ns();
        int fd = tcp_connect(port);
        char b;
        if (read(fd, &b, 1) != 1) die("no greeting");
        close(fd);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("{\"name\":\"connect-blocking\",\"ops\":%ld,\"ops_per_s\":%.1f,\"avg_us\":%.3f}\n", ops,
           (double)ops / secs, secs * 1e6 / (double)ops);
    return 0;
}
