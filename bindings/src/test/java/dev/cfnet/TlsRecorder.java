package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsHandler;
import dev.cfnet.tls.TlsSocket;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TLS handler that records every event (copying plaintext, which lives only during the callback), checks that it
 * runs on the loop thread, and then runs an optional action.
 */
final class TlsRecorder implements TlsHandler {
    static final Duration WAIT = Duration.ofSeconds(20);

    /** One recorded callback. */
    record Ev(TlsEvent event, byte[] bytes) {
    }

    final BlockingQueue<Ev> events = new LinkedBlockingQueue<>();
    final List<Ev> all = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<AssertionError> wrongThread = new AtomicReference<>();
    volatile TlsHandler then;

    TlsRecorder() {
    }

    TlsRecorder(TlsHandler then) {
        this.then = then;
    }

    @Override
    public void handle(TlsSocket tls, TlsEvent event) throws Exception {
        if (!tls.loop().inLoopThread()) {
            wrongThread.compareAndSet(null, new AssertionError("TLS callback " + event + " on thread "
                    + Thread.currentThread().getName()));
        }
        Ev ev = new Ev(event, event instanceof TlsEvent.Data d ? d.toByteArray() : null);
        all.add(ev);
        events.add(ev);
        TlsHandler t = then;
        if (t != null) t.handle(tls, event);
    }

    Ev next() {
        try {
            Ev ev = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (ev == null) fail("no TLS event within " + WAIT + "; had " + all);
            AssertionError e = wrongThread.get();
            if (e != null) throw e;
            return ev;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    <T extends TlsEvent> T next(Class<T> type) {
        Ev ev = next();
        return assertInstanceOf(type, ev.event(), () -> "expected " + type.getSimpleName() + ", events: " + all);
    }

    /** The handshake, which must have succeeded. */
    TlsEvent.Handshake handshake() {
        TlsEvent.Handshake h = next(TlsEvent.Handshake.class);
        if (h.failed()) fail("handshake failed: " + h.error().orElseThrow());
        return h;
    }

    /** Plaintext until {@code n} bytes arrived; fails at the end of the session first. */
    byte[] read(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < n) {
            Ev ev = next();
            TlsEvent.Data d = assertInstanceOf(TlsEvent.Data.class, ev.event(), () -> "events: " + all);
            if (d.isEmpty()) fail("end of session after " + out.size() + " of " + n + " bytes: " + d);
            out.writeBytes(ev.bytes());
        }
        return out.toByteArray();
    }

    /** The session's end: an empty Data event (plaintext and Writable events before it are skipped). */
    TlsEvent.Data end() {
        for (;;) {
            Ev ev = next();
            if (ev.event() instanceof TlsEvent.Data d && d.isEmpty()) return d;
            if (!(ev.event() instanceof TlsEvent.Writable || ev.event() instanceof TlsEvent.Data)) {
                fail("expected the end, got " + ev.event() + "; " + all);
            }
        }
    }

    void assertQuiet(Duration d) {
        try {
            Ev ev = events.poll(d.toMillis(), TimeUnit.MILLISECONDS);
            assertNull(ev, () -> "unexpected TLS event " + ev + "; all: " + all);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
