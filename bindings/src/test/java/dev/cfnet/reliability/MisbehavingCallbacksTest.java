package dev.cfnet.reliability;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.READ;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.Host;
import dev.cfnet.LogCapture;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoopSource;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Callbacks that throw anything (stack overflows and out-of-memory errors included), calls from the wrong thread,
 * after invalidate, and invalidation from inside callbacks: the loop survives all of it and behaves as documented.
 */
@Tag("reliability")
@Timeout(300)
class MisbehavingCallbacksTest {

    static java.util.List<Backend> backends() {
        return dev.cfnet.Backends.backends();
    }

    static int depth;

    static void recurse() {
        depth++;
        recurse();
    }

    /** Things a callback may throw: an exception, an error, a real stack overflow, a real out-of-memory error. */
    static final List<Supplier<Throwable>> THROWABLES = List.of(
            () -> new IllegalStateException("callback bug"),
            () -> new AssertionError("callback assertion"),
            () -> {
                try {
                    recurse();
                    return new AssertionError("no overflow");
                } catch (StackOverflowError e) {
                    return e;
                }
            },
            () -> {
                try {
                    long[] huge = new long[Integer.MAX_VALUE];   // the JVM refuses: OutOfMemoryError
                    return new AssertionError("allocated " + huge.length);
                } catch (OutOfMemoryError e) {
                    return e;
                }
            });

    static void sneakyThrow(Throwable t) {
        MisbehavingCallbacksTest.<RuntimeException>sneaky(t);
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }

    record Failure(RunLoopSource source, Throwable error) {
    }

    @ParameterizedTest
    @MethodSource("backends")
    void everyCallbackTypeMayThrowAnythingAndTheLoopGoesOn(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        int kinds = 0;
        // The default handler logs each throwable with its stack trace (a real overflow's is 1,024 frames): the
        // capture takes the records, which the test checks, instead of printing them.
        try (LogCapture log = LogCapture.cfnet(); RunLoop loop = RunLoop.start("throwing-" + backend, backend)) {
            LinkedBlockingQueue<Failure> failures = new LinkedBlockingQueue<>();
            var dflt = loop.errorHandler();
            loop.setErrorHandler((l, source, error) -> {
                failures.add(new Failure(source, error));
                dflt.callbackFailed(l, source, error);   // logs, and invalidates the source
            });
            for (Supplier<Throwable> make : THROWABLES) {
                Throwable t = make.get();
                kinds++;
                // execute
                loop.execute(() -> sneakyThrow(t));
                assertEquals(t, failures.poll(10, TimeUnit.SECONDS).error());
                assertLogged(log, t, "a task");
                // timer
                loop.schedule(Duration.ZERO, () -> sneakyThrow(t));
                Failure f = failures.poll(10, TimeUnit.SECONDS);
                assertEquals(t, f.error());
                assertInstanceOf(dev.cfnet.Timer.class, f.source());
                assertLogged(log, t, "Timer[");
                // resolution
                Host.resolve(loop, "127.0.0.1", r -> sneakyThrow(t));
                assertInstanceOf(Host.Resolution.class, failures.poll(10, TimeUnit.SECONDS).source());
                assertLogged(log, t, "Resolution[127.0.0.1");
                // socket callbacks, each type
                for (CallBackType type : List.of(CONNECT, DATA, READ, ACCEPT, WRITE)) {
                    Socket s = socketThatThrows(loop, type, t);
                    Failure sf = failures.poll(10, TimeUnit.SECONDS);
                    assertTrue(sf != null, "no failure reported for " + type + " throwing " + t);
                    assertEquals(t, sf.error());
                    assertTrue(sf.source() instanceof Socket, "source of " + type);
                    assertLogged(log, t, "Socket[STREAM [" + type + "]");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (((Socket) sf.source()).isValid() && System.nanoTime() < deadline) Thread.sleep(2);
                    assertFalse(((Socket) sf.source()).isValid(), "the default handler invalidated the socket");
                    s.invalidate();
                    failures.clear();
                }
                assertEquals(42, loop.submit(() -> 42).get(10, TimeUnit.SECONDS), "the loop goes on");
            }
        }
        System.out.printf("[callbacks] %s: %d kinds of throwable (exception, error, stack overflow, out of memory) "
                + "from 8 callback types; the loop survived each%n", backend, kinds);
    }

    /** The default handler logged {@code t} as a warning that names the source whose callback threw it. */
    static void assertLogged(LogCapture log, Throwable t, String source) throws InterruptedException {
        java.util.logging.LogRecord r = log.await(source + " throwing " + t,
                x -> x.getThrown() == t && x.getMessage().contains(source), Duration.ofSeconds(10));
        assertEquals(java.util.logging.Level.WARNING, r.getLevel());
        assertTrue(r.getMessage().contains("threw"), r.getMessage());
    }

    /** A socket whose callback of {@code type} throws {@code t}, with whatever it takes to make that one fire. */
    static Socket socketThatThrows(RunLoop loop, CallBackType type, Throwable t) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        java.net.ServerSocket peer = new java.net.ServerSocket(0, 5, lo);
        Thread.ofPlatform().daemon().start(() -> {
            try (peer; java.net.Socket c = peer.accept()) {
                c.getOutputStream().write(new byte[] {1, 2, 3});
                c.getInputStream().read();
            } catch (Exception ignored) {
                // closed by the test
            }
        });
        Set<CallBackType> types = switch (type) {
            case CONNECT -> EnumSet.of(CONNECT);
            case DATA -> EnumSet.of(DATA);
            case READ -> EnumSet.of(READ);
            case WRITE -> EnumSet.of(WRITE);
            case ACCEPT -> EnumSet.of(ACCEPT);
        };
        Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, types, (sock, e) -> {
            if (e.type() == type) sneakyThrow(t);
        });
        if (type == ACCEPT) {
            s.setAddress(new InetSocketAddress(lo, 0));
            new java.net.Socket(lo, s.localAddress().orElseThrow().getPort()).close();
        } else {
            s.connect(new InetSocketAddress(lo, peer.getLocalPort()), Duration.ZERO);
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void afterInvalidateOperationsBehaveAsDocumented(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        try (RunLoop loop = RunLoop.start("after-invalidate", backend)) {
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(DATA, WRITE),
                    (x, e) -> { });
            s.invalidate();
            assertEquals(SocketError.Kind.CLOSED, assertThrows(SocketErrorException.class,
                    () -> s.send(new byte[1], Duration.ZERO)).kind());
            assertEquals(SocketError.Kind.CLOSED, assertThrows(SocketErrorException.class,
                    () -> s.write(ByteBuffer.allocate(1))).kind());
            assertEquals(SocketError.Kind.CLOSED, assertThrows(SocketErrorException.class,
                    () -> s.receive(ByteBuffer.allocate(1))).kind());
            assertThrows(IllegalStateException.class, () -> s.connect(new InetSocketAddress(
                    InetAddress.getLoopbackAddress(), 9), Duration.ZERO));
            assertThrows(IllegalStateException.class, () -> s.setOption(java.net.StandardSocketOptions.TCP_NODELAY,
                    true));
            s.enableCallBacks(DATA);   // no-ops on an invalid socket
            s.disableCallBacks(WRITE);
            s.addMode(new RunLoop.Mode("late"));
            s.invalidate();
            s.close();
            assertFalse(s.isValid());
            assertEquals(0, loop.sourceCount());
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void reentrantInvalidationInsideCallbacks(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        try (RunLoop loop = RunLoop.start("reentrant", backend)) {
            List<String> seen = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            Socket other = Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM, EnumSet.of(DATA),
                    (x, e) -> seen.add("other got " + e));
            java.net.ServerSocket peer = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(() -> {
                try (peer; java.net.Socket c = peer.accept()) {
                    c.getOutputStream().write(new byte[] {1});
                    c.getInputStream().read();
                } catch (Exception ignored) {
                    // closed by the test
                }
            });
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, DATA, WRITE), (x, e) -> {
                        seen.add(e.type().name());
                        if (e instanceof SocketEvent.Data) {
                            x.invalidate();
                            x.invalidate();          // twice, from inside
                            other.invalidate();      // another source, from inside
                            try {
                                x.send(new byte[] {1}, Duration.ZERO);
                            } catch (SocketErrorException expected) {
                                seen.add("send after invalidate: " + expected.kind());
                            }
                            loop.execute(() -> done.complete(null));
                        }
                    });
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort()), Duration.ZERO);
            done.get(10, TimeUnit.SECONDS);
            Thread.sleep(100);
            List<String> copy = loop.submit(() -> List.copyOf(seen)).get(5, TimeUnit.SECONDS);
            assertTrue(copy.contains("send after invalidate: CLOSED"), copy.toString());
            assertEquals(1, copy.stream().filter(x -> x.equals("DATA")).count(), "no callback after invalidate: "
                    + copy);
            assertFalse(s.isValid() || other.isValid());
            assertEquals(0, loop.sourceCount());
        }
    }
}
