/*
 * What the two CFSocket reference programs share: scheduling a CFSocket on the current run loop, and a server
 * thread that listens on 127.0.0.1 (an ephemeral port) with an accept callback and runs its CFRunLoop.
 */
#ifndef CF_BENCH_H
#define CF_BENCH_H

#include "bench.h"
#include <CoreFoundation/CoreFoundation.h>
#include <pthread.h>

/* Adds s's run loop source to the current run loop's default mode; the run loop keeps what it needs. */
static void cf_schedule(CFSocketRef s) {
    CFRunLoopSourceRef src = CFSocketCreateRunLoopSource(kCFAllocatorDefault, s, 0);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), src, kCFRunLoopDefaultMode);
    CFRelease(src);
}

static pthread_mutex_t cf_server_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cf_server_ready = PTHREAD_COND_INITIALIZER;
static uint16_t cf_server_port;

static void *cf_server_main(void *accept_cb) {
    CFSocketRef l = CFSocketCreate(kCFAllocatorDefault, PF_INET, SOCK_STREAM, IPPROTO_TCP, kCFSocketAcceptCallBack,
                                   (CFSocketCallBack)accept_cb, NULL);
    if (!l) die("CFSocketCreate");
    struct sockaddr_in a = loopback(0);
    CFDataRef addr = CFDataCreate(kCFAllocatorDefault, (const UInt8 *)&a, sizeof a);
    if (CFSocketSetAddress(l, addr) != kCFSocketSuccess) die("CFSocketSetAddress");
    CFRelease(addr);
    socklen_t len = sizeof a;
    getsockname(CFSocketGetNative(l), (struct sockaddr *)&a, &len);
    cf_schedule(l);
    pthread_mutex_lock(&cf_server_lock);
    cf_server_port = ntohs(a.sin_port);
    pthread_cond_signal(&cf_server_ready);
    pthread_mutex_unlock(&cf_server_lock);
    CFRunLoopRun();
    return NULL;
}

/* Starts the server thread with accept_cb and returns its port once it listens. */
static uint16_t cf_start_server(CFSocketCallBack accept_cb) {
    pthread_t t;
    if (pthread_create(&t, NULL, cf_server_main, (void *)accept_cb) != 0) die("pthread_create");
    pthread_mutex_lock(&cf_server_lock);
    while (cf_server_port == 0) pthread_cond_wait(&cf_server_ready, &cf_server_lock);
    pthread_mutex_unlock(&cf_server_lock);
    return cf_server_port;
}

#endif
