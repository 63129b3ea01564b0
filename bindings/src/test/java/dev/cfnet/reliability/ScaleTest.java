package dev.cfnet.reliability;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of connections on one loop at once, each exchanging a sequence of messages with an echo peer in a
 * child process: every message comes back exactly once, in order; no callback is lost or doubled.
 */
@Tag("reliability")
@Timeout(1800)
class ScaleTest {
    static final int MESSAGES = 5;

    static java.util.List<Backend> backends() {
        return dev.cfnet.Backends.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void thousandsOfConnectionsOnOneLoopAllExchange(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        int connections = Scale.of(1_000, 10_000);
        long limit = Resources.raiseFdLimit(connections + 1_000L);
        assumeTrue(limit >= connections + 200, "the descriptor limit is " + limit + "; " + connections
                + " connections need more");
        Process peer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EchoPeer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            int port = Integer.parseInt(new BufferedReader(new InputStreamReader(peer.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine().strip());
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            run(backend, connections, at);
        } finally {
            peer.getOutputStream().close();
            peer.destroy();
            peer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void run(Backend backend, int connections, InetSocketAddress at) throws Exception {
        AtomicLong dataEvents = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicInteger problems = new AtomicInteger();
        AtomicInteger connected = new AtomicInteger();
        CountDownLatch allConnected = new CountDownLatch(connections);
        CountDownLatch done = new CountDownLatch(connections);
        StringBuffer firstProblem = new StringBuffer();
        long t0 = System.nanoTime();
        try (RunLoop loop = RunLoop.start("scale-" + backend, backend)) {
            Socket[] sockets = new Socket[connections];
            for (int i = 0; i < connections; i++) {
                int id = i;
                int[] next = {0};
                StringBuilder pending = new StringBuilder();
                sockets[i] = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CONNECT, DATA, WRITE), (s, e) -> {
                            switch (e) {
                                case SocketEvent.Connected c when c.failed() -> {
                                    problem(problems, firstProblem, "connection " + id + ": " + c.error());
                                    allConnected.countDown();
                                    done.countDown();
                                }
                                case SocketEvent.Connected c -> {
                                    connected.incrementAndGet();
                                    allConnected.countDown();
                                }
                                case SocketEvent.Writable w -> { }   // the first message goes once all are up
                                case SocketEvent.Data d when d.isEmpty() -> {
                                    if (next[0] < MESSAGES) {
                                        problem(problems, firstProblem, "connection " + id + " ended after "
                                                + next[0] + " messages");
                                        done.countDown();
                                    }
                                }
                                case SocketEvent.Data d -> {
                                    dataEvents.incrementAndGet();
                                    bytes.addAndGet(d.bytes().remaining());
                                    pending.append(StandardCharsets.US_ASCII.decode(d.bytes()));
                                    String expect = message(id, next[0]);
                                    while (pending.length() >= expect.length() && next[0] < MESSAGES) {
                                        String got = pending.substring(0, expect.length());
                                        pending.delete(0, expect.length());
                                        if (!got.equals(expect)) {
                                            problem(problems, firstProblem, "connection " + id + " expected '"
                                                    + expect + "' got '" + got + "'");
                                        }
                                        next[0]++;
                                        if (next[0] == MESSAGES) {
                                            if (pending.length() > 0) {
                                                problem(problems, firstProblem, "connection " + id
                                                        + ": bytes after the last message: " + pending);
                                            }
                                            done.countDown();
                                        } else {
                                            s.write(ByteBuffer.wrap(message(id, next[0]).getBytes(
                                                    StandardCharsets.US_ASCII)));
                                            expect = message(id, next[0]);
                                        }
                                    }
                                }
                                default -> { }
                            }
                        });
                sockets[i].connect(at, Duration.ZERO);
            }
            assertTrue(allConnected.await(10, TimeUnit.MINUTES), "not connected: " + allConnected.getCount());
            long connectedAt = System.nanoTime();
            assertEquals(connections, connected.get(), firstProblem.toString());
            for (int i = 0; i < connections; i++) {
                int id = i;
                Socket s = sockets[i];
                loop.execute(() -> {
                    try {
                        s.write(ByteBuffer.wrap(message(id, 0).getBytes(StandardCharsets.US_ASCII)));
                    } catch (Exception ex) {
                        problem(problems, firstProblem, "write on connection " + id + ": " + ex);
                    }
                });
            }
            assertTrue(done.await(10, TimeUnit.MINUTES), "connections not done: " + done.getCount());
            long end = System.nanoTime();
            assertEquals(0, problems.get(), () -> problems.get() + " problems, first: " + firstProblem);
            long expectedBytes = (long) connections * MESSAGES * message(0, 0).length();
            assertEquals(expectedBytes, bytes.get(), "bytes received: none lost, none doubled");
            System.out.printf("[scale] %s: %d connections held on one loop (connected in %.1f s), %d messages "
                            + "echoed in %.1f s, %d DATA callbacks, 0 lost, 0 duplicated%n", backend, connections,
                    (connectedAt - t0) / 1e9, (long) connections * MESSAGES, (end - connectedAt) / 1e9,
                    dataEvents.get());
        }
    }

    static String message(int id, int seq) {
        return String.format("%06d:%02d|", id, seq);
    }

    static void problem(AtomicInteger problems, StringBuffer first, String what) {
        if (problems.getAndIncrement() == 0) first.append(what);
    }
}
