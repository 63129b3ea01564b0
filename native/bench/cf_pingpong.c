/*
 * CFSocket ping-pong reference for cfnet's CF backend: the same 64-byte TCP round trip as cfnet's
 * "cfnet-cf-park" row, written against CoreFoundation directly. The server thread runs a CFRunLoop with a
 * listening CFSocket (accept callback) and echoes from each connection's data callback with send(2), as cfnet
 * does. The client (main thread) wraps its connected socket in a CFSocket with a data callback, sends with
 * send(2), and runs CFRunLoopRunInMode(default, "forever", returnAfterSourceHandled) until the echo is in.
 * Prints the same JSON line as pingpong.c.
 *
 *   cf_pingpong [warmup=20000] [iterations=100000]
 *
 * Builds on macOS (-framework CoreFoundation) or against a CoreFoundation for Linux such as OpenCFLite.
 */
#include "cf_bench.h"

static long received;

static void send_full(int fd, const UInt8 *p, CFIndex n) {
    while (n > 0) {
        ssize_t w = send(fd, p, (size_t)n, 0);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            die("send");
        }
        p += w;
        n -= w;
    }
}

static void echo_cb(CFSocketRef s, CFSocketCallBackType type, CFDataRef address, const void *data, void *info) {
    (void)address;
    (void)info;
    if (type != kCFSocketDataCallBack) return;
    CFDataRef d = (CFDataRef)data;
    CFIndex n = CFDataGetLength(d);
    if (n == 0) {
        CFSocketInvalidate(s);
        return;
    }
    send_full(CFSocketGetNative(s), CFDataGetBytePtr(d), n);
}

static void accept_cb(CFSocketRef s, CFSocketCallBackType type, CFDataRef address, const void *data, void *info) {
    (void)s;
    (void)address;
    (void)info;
    if (type != kCFSocketAcceptCallBack) return;
    CFSocketNativeHandle fd = *(const CFSocketNativeHandle *)data;
    nodelay(fd);
    CFSocketRef c = CFSocketCreateWithNative(kCFAllocatorDefault, fd, kCFSocketDataCallBack, echo_cb, NULL);
    cf_schedule(c);
    CFRelease(c);   /* the run loop source keeps it */
}

static void client_cb(CFSocketRef s, CFSocketCallBackType type, CFDataRef address, const void *data, void *info) {
    (void)s;
    (void)address;
    (void)info;
    if (type != kCFSocketDataCallBack) return;
    CFIndex n = CFDataGetLength((CFDataRef)data);
    if (n == 0) {
        fprintf(stderr, "server closed the connection\n");
        exit(1);
    }
    received += n;
}

int main(int argc, char **argv) {
    long warmup = arg_long(argc, argv, 1, 20000), iters = arg_long(argc, argv, 2, 100000);
    uint16_t server_port = cf_start_server(accept_cb);

    int fd = tcp_connect(server_port);
    CFSocketRef c = CFSocketCreateWithNative(kCFAllocatorDefault, fd, kCFSocketDataCallBack, client_cb, NULL);
    CFRunLoopSourceRef src = CFSocketCreateRunLoopSource(kCFAllocatorDefault, c, 0);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode);

    UInt8 msg[MESSAGE];
    for (int i = 0; i < MESSAGE; i++) msg[i] = (UInt8)('a' + i % 26);
    uint64_t *samples = malloc(sizeof(uint64_t) * (size_t)iters);
    if (!samples) die("malloc");
    for (long i = 0; i < warmup + iters; i++) {
        uint64_t t0 = now_ns();
        received = 0;
        send_full(fd, msg, MESSAGE);
        while (received < MESSAGE) CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0e10, true);
        if (i >= warmup) samples[i - warmup] = now_ns() - t0;
    }
    uint64_t total = 0;
    for (long i = 0; i < iters; i++) total += samples[i];
    print_latency("tcp-cfsocket", samples, iters, total);
    CFSocketInvalidate(c);
    CFRelease(src);
    CFRelease(c);
    return 0;   /* the server's run loop thread ends with the process */
}
