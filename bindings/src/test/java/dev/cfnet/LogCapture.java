package dev.cfnet;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what cfnet logs (System.Logger "dev.cfnet" and below, which the JDK backs with java.util.logging) while
 * open, instead of printing it: a test that provokes a logged failure asserts on the record, and a green run stays
 * quiet. Closing restores the logger.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;   // held: java.util.logging keeps loggers only weakly
    private final boolean parentHandlers;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        parentHandlers = logger.getUseParentHandlers();
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /** Captures the "dev.cfnet" logger and its children ("dev.cfnet.nio", "dev.cfnet.cf"). */
    public static LogCapture cfnet() {
        return new LogCapture("dev.cfnet");
    }

    /** Everything recorded so far. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The first record that matches, waiting up to {@code wait} for it; fails the test if none comes. */
    public LogRecord await(String what, Predicate<LogRecord> match, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (;;) {
            for (LogRecord r : records) {
                if (match.test(r)) return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing logged for " + what + "; logged: " + describe());
            }
            Thread.sleep(2);
        }
    }

    /** The record of {@code thrown}, waiting up to 10 s for it. */
    public LogRecord awaitThrown(Throwable thrown) throws InterruptedException {
        return await(String.valueOf(thrown), r -> r.getThrown() == thrown, Duration.ofSeconds(10));
    }

    /** The records so far, for a failure message. */
    public String describe() {
        StringBuilder b = new StringBuilder("[");
        for (LogRecord r : records) {
            b.append("\n  ").append(r.getLevel()).append(' ').append(r.getMessage()).append(" / ").append(r.getThrown());
        }
        return b.append(records.isEmpty() ? "]" : "\n]").toString();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parentHandlers);
    }
}
