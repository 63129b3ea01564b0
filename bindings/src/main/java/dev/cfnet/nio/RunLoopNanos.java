package dev.cfnet.nio;

import java.time.Duration;

final class RunLoopNanos {
    private RunLoopNanos() {
    }

    static long of(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
