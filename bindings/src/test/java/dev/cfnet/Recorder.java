package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A socket handler that records every event (copying DATA bytes, which live only during the callback), checks
 * that each callback runs on the loop thread of its socket, and then runs an optional action.
 */
final class Recorder implements SocketHandler {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration QUIET = Duration.ofMillis(300);

    /** One recorded callback. */
    record Ev(SocketEvent event, byte[] bytes, InetSocketAddress address, Thread thread, Socket socket) {
        CallBackType type() {
            return event.type();
        }
    }

    final BlockingQueue<Ev> events = new LinkedBlockingQueue<>();
    final List<Ev> all = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<AssertionError> wrongThread = new AtomicReference<>();
    volatile SocketHandler then;

    Recorder() {
    }

    Recorder(SocketHandler then) {
        this.then = then;
    }

    @Override
    public void handle(Socket socket, SocketEvent event) throws Exception {
        if (!socket.loop().inLoopThread()) {
            wrongThread.compareAndSet(null, new AssertionError("callback " + event + " on thread "
                    + Thread.currentThread().getName() + ", not the loop's"));
        }
        byte[] bytes = null;
        InetSocketAddress address = null;
        if (event instanceof SocketEvent.Data d) {
            bytes = d.toByteArray();
            address = d.address();
        } else if (event instanceof SocketEvent.Accepted a) {
            address = a.peer();
        }
        Ev ev = new Ev(event, bytes, address, Thread.currentThread(), socket);
        all.add(ev);
        events.add(ev);
        SocketHandler t = then;
        if (t != null) t.handle(socket, event);
    }

    Ev next() {
        return next(WAIT);
    }

    Ev next(Duration wait) {
        try {
            Ev ev = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (ev == null) fail("no socket event within " + wait + "; had " + all);
            checkThreads();
            return ev;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    <T extends SocketEvent> T next(Class<T> type) {
        Ev ev = next();
        return assertInstanceOf(type, ev.event(), () -> "expected " + type.getSimpleName() + ", events: " + all);
    }

    Ev nextOf(CallBackType type) {
        Ev ev = next();
        assertEquals(type, ev.type(), () -> "events: " + all);
        return ev;
    }

    void assertQuiet() {
        assertQuiet(QUIET);
    }

    void assertQuiet(Duration d) {
        try {
            Ev ev = events.poll(d.toMillis(), TimeUnit.MILLISECONDS);
            assertNull(ev, () -> "unexpected event " + ev + "; all: " + all);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        checkThreads();
    }

    void checkThreads() {
        AssertionError e = wrongThread.get();
        if (e != null) throw e;
    }

    /** Collects DATA bytes until {@code n} bytes arrived; fails on end of stream first. */
    byte[] readData(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < n) {
            Ev ev = next();
            assertEquals(CallBackType.DATA, ev.type(), () -> "events: " + all);
            assertNotNull(ev.bytes());
            if (ev.bytes().length == 0) fail("end of stream after " + out.size() + " of " + n + " bytes");
            out.writeBytes(ev.bytes());
        }
        return out.toByteArray();
    }
}
