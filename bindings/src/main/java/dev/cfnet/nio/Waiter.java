package dev.cfnet.nio;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;

/**
 * Blocking waits on a non-blocking channel (a send with a timeout, a waiting connect), with a private selector so
 * that the loop's own selection is untouched. Only on the slow path; the selector is closed after each wait so
 * no thread keeps file descriptors behind.
 */
final class Waiter {
    private Waiter() {
    }

    /** Waits until {@code channel} is ready for {@code ops} or {@code deadline} (System.nanoTime) passes. */
    static boolean await(SelectableChannel channel, int ops, long deadline) throws IOException {
        try (Selector s = Selector.open()) {
            channel.register(s, ops);
            for (;;) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                int n = s.select(Math.max(1, (left + 999_999) / 1_000_000));
                if (n > 0) return true;
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting on " + channel);
                }
            }
        }
    }
}
