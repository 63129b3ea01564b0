package dev.cfnet.cf;

import dev.cfnet.posix.Libc;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes native sockets without freeing their descriptor numbers at once, on every CoreFoundation. CF's socket
 * manager thread (CFSocket.c's __CFSocketManager, Apple's and OpenCFLite's alike) matches the readiness of its last
 * select() against the sockets it has now by descriptor number: a number closed and reused by a new socket in
 * between makes the new socket look readable, and CF reads from it: it blocks the manager on a blocking socket, or
 * takes EAGAIN for end of stream on a non-blocking one. So a socket is closed by dup2-ing /dev/null over its
 * descriptor (the socket goes now, with its FIN or, under SO_LINGER 0, its RST) and the number is given back
 * later, when no select() of the manager can still hold it. The JDK guards its own channels the same way.
 */
final class Fds {
    static final long REUSE_DELAY_MILLIS = 250;
    private static final int DEV_NULL = Libc.openReadWrite("/dev/null");
    private static final ScheduledThreadPoolExecutor LATER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "cfnet-cf-close");
        t.setDaemon(true);
        return t;
    });

    private Fds() {
    }

    /** Closes the socket on {@code fd} now; the number itself is closed after {@link #REUSE_DELAY_MILLIS}. */
    static void close(int fd) {
        if (fd < 0) return;
        if (DEV_NULL < 0 || Libc.dup2(DEV_NULL, fd) < 0) {
            Libc.close(fd);
            return;
        }
        LATER.schedule(() -> Libc.close(fd), REUSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }
}
