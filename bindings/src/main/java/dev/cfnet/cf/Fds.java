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
 *
 * <p>Numbers wait in a FIFO (all wait the same time); each close gives back those that are due, and a sweep thread
 * takes the tail only when closes stop: no thread wake-up per socket.
 */
final class Fds {
    static final long REUSE_DELAY_MILLIS = 250;
    private static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(REUSE_DELAY_MILLIS);
    private static final int DEV_NULL = Libc.openReadWrite("/dev/null");
    private static final ScheduledThreadPoolExecutor SWEEPER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "cfnet-cf-close");
        t.setDaemon(true);
        return t;
    });

    // A ring of (descriptor, when its number may be given back), guarded by Fds.class.
    private static int[] fds = new int[256];
    private static long[] due = new long[256];
    private static int head;
    private static int size;
    private static boolean sweepScheduled;

    private Fds() {
    }

    /** Closes the socket on {@code fd} now; its number {@link #REUSE_DELAY_MILLIS} to twice that later. */
    static void close(int fd) {
        if (fd < 0) return;
        if (DEV_NULL < 0 || Libc.dup2(DEV_NULL, fd) < 0) {
            Libc.close(fd);
            return;
        }
        long now = System.nanoTime();
        synchronized (Fds.class) {
            closeDue(now);
            if (size == fds.length) grow();
            int tail = (head + size) % fds.length;
            fds[tail] = fd;
            due[tail] = now + DELAY_NANOS;
            size++;
            if (!sweepScheduled) {
                sweepScheduled = true;
                SWEEPER.schedule(Fds::sweep, REUSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static synchronized void sweep() {
        long now = System.nanoTime();
        closeDue(now);
        if (size == 0) {
            sweepScheduled = false;
        } else {
            // Closes give back what is due while they go on; this only takes the tail, a delay later.
            SWEEPER.schedule(Fds::sweep, REUSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static void closeDue(long now) {
        while (size > 0 && now - due[head] >= 0) {
            Libc.close(fds[head]);
            head = (head + 1) % fds.length;
            size--;
        }
    }

    private static void grow() {
        int n = fds.length;
        int[] f = new int[n * 2];
        long[] d = new long[n * 2];
        for (int i = 0; i < size; i++) {
            f[i] = fds[(head + i) % n];
            d[i] = due[(head + i) % n];
        }
        fds = f;
        due = d;
        head = 0;
    }
}
