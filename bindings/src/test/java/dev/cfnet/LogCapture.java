package dev.cfnet;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what cfnet logs (System.Logger "dev.cfnet" and its children "dev.cfnet.nio", "dev.cfnet.cf", which the
 * JDK routes to java.util.logging) at INFO or above, while open. Also keeps those records off the console: a test
 * that captures asserts on them instead.
 */
final class LogCapture implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.cfnet");   // held: java.util.logging keeps loggers weakly
    private final boolean parentHandlers;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        parentHandlers = logger.getUseParentHandlers();
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /** The records so far. */
    List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records so far, one line each, with the first line of any exception. */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (LogRecord r : records) {
            b.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ").append(r.getMessage());
            if (r.getThrown() != null) b.append(" -- ").append(r.getThrown());
            b.append('\n');
        }
        return b.toString();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parentHandlers);
    }
}
