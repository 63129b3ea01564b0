/*
 * CFSocket connect-rate reference for cfnet's CF backend: the same operation as cfnet's "cfnet-cf-park" connect
 * row (connect, read the one-byte greeting, close), written against CoreFoundation directly. The server thread
 * runs a CFRunLoop with a listening CFSocket whose accept callback sends the greeting with send(2) and wraps the
 * connection in a CFSocket with a data callback that invalidates it at end of stream. The client (main thread)
 * creates a CFSocket with connect and data callbacks, connects asynchronously (CFSocketConnectToAddress with a
 * negative timeout), schedules it, and runs CFRunLoopRunInMode(default, "forever", returnAfterSourceHandled) until
 * the greeting is in; then invalidates and releases it. Prints the same JSON line as connect.c.
 *
 * Both CoreFoundations' socket managers match a select() result to their sockets by descriptor number, so a
 * number closed and reused at once can make a new socket read a false end of stream (Apple's CF showed it within
 * 2,000 connections here). Like cfnet (see Fds.java), this program closes a socket by dup2-ing /dev/null over its
 * descriptor and gives the number back later: here after 1,024 further connections.
 *
 *   cf_connect [warmup=2000] [operations=10000]
 *
 * Builds on macOS (-framework CoreFoundation) or against a CoreFoundation for Linux (with clang -fblocks for
 * Apple's headers).
 */
#include "cf_bench.h"
#include <fcntl.h>

static int greeted, failed;

#define REUSE_RING 1024
static int ring[REUSE_RING], ring_next, dev_null = -1;

/* Closes the socket on fd now and its number REUSE_RING closes later. */
static void close_late(int fd) {
    if (dev_null < 0 && (dev_null = open("/dev/null", O_RDWR)) < 0) die("open /dev/null");
    if (dup2(dev_null, fd) < 0) die("dup2");
    if (ring[ring_next] > 0) close(ring[ring_next]);
    ring[ring_next] = fd;
    ring_next = (ring_next + 1) % REUSE_RING;
}

static void server_conn_cb(CFSocketRef s, CFSocketCallBackType type, CFDataRef address, const void *data,
                           void *info) {
    (void)address;
    (void)info;
    if (type == kCFSocketDataCallBack && CFDataGetLength((CFDataRef)data) == 0) CFSocketInvalidate(s);
}

static void accept_cb(CFSocketRef s, CFSocketCallBackType type, CFDataRef address, const void *data, void *info) {
    (void)s;
    (void)address;
    (void)info;
    if (type != kCFSocketAcceptCallBack) return;
    CFSocketNativeHandle fd = *(const CFSocketNativeHandle *)data;
    nodelay(fd);
    char one = 1;
    if (send(fd, &one, 1, 0) != 1) die("greet");
    CFSocketRef c = CFSocketCreateWithNative(kCFAllocatorDefault, fd, kCFSocketDataCallBack, server_conn_cb, NULL);
    cf_schedule(c);
    CFRelease(c);   /* the run loop keeps it until it is invalidated */
}

static void client_cb(CFSocketRef s, CFSocketCallBackType type, CFDataRef address, const void *data, void *info) {
    (void)s;
    (void)address;
    (void)info;
    if (type == kCFSocketConnectCallBack && data != NULL) failed = *(const int *)data;
    if (type == kCFSocketDataCallBack) {
        if (CFDataGetLength((CFDataRef)data) > 0) greeted = 1;
        else failed = -1;
    }
}

int main(int argc, char **argv) {
    long warmup = arg_long(argc, argv, 1, 2000), ops = arg_long(argc, argv, 2, 10000);
    uint16_t server_port = cf_start_server(accept_cb);

    struct sockaddr_in a = loopback(server_port);
    CFDataRef to = CFDataCreate(kCFAllocatorDefault, (const UInt8 *)&a, sizeof a);
    uint64_t t0 = 0;
    for (long i = 0; i < warmup + ops; i++) {
        if (i == warmup) t0 = now_ns();
        greeted = failed = 0;
        CFSocketRef c = CFSocketCreate(kCFAllocatorDefault, PF_INET, SOCK_STREAM, IPPROTO_TCP,
                                       kCFSocketConnectCallBack | kCFSocketDataCallBack, client_cb, NULL);
        if (!c) die("CFSocketCreate");
        nodelay(CFSocketGetNative(c));
        if (CFSocketConnectToAddress(c, to, -1) != kCFSocketSuccess) die("CFSocketConnectToAddress");
        CFRunLoopSourceRef src = CFSocketCreateRunLoopSource(kCFAllocatorDefault, c, 0);
        CFRunLoopAddSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode);
        while (!greeted && !failed) CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0e10, true);
        if (failed) {
            fprintf(stderr, "connection %ld failed before the greeting (%d)\n", i, failed);
            exit(1);
        }
        int fd = CFSocketGetNative(c);
        CFSocketSetSocketFlags(c, CFSocketGetSocketFlags(c) & ~kCFSocketCloseOnInvalidate);
        CFSocketInvalidate(c);
        close_late(fd);
        CFRelease(src);
        CFRelease(c);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("{\"name\":\"connect-cfsocket\",\"ops\":%ld,\"ops_per_s\":%.1f,\"avg_us\":%.3f}\n", ops,
           (double)ops / secs, secs * 1e6 / (double)ops);
    CFRelease(to);
    return 0;
}
