package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connect, send, invalidate, over and over, from another thread than the loop's: nothing may reach the loop's error
 * handler or cfnet's log. The NIO backend once logged "dispatch failed: NoConnectionPendingException" here, a few
 * times in 3,000 cycles.
 */
class ConnectChurnContractTest extends BackendTestBase {
    static final int CYCLES = Integer.getInteger("cfnet.test.churnCycles", 3_000);

    @Test
    @Timeout(300)
    void connectSendInvalidateChurnReachesNoHandlerAndNoLog() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        loop.setErrorHandler((l, source, error) -> errors.add(source + ": " + error));
        AtomicInteger ended = new AtomicInteger();
        try (LogCapture log = LogCapture.cfnet()) {
            Socket listener = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                        if (e instanceof SocketEvent.Accepted a) {
                            Socket.wrap(loop, a.handle(), EnumSet.of(CallBackType.DATA), (c, d) -> {
                                if (d instanceof SocketEvent.Data data && data.isEmpty()) ended.incrementAndGet();
                            });
                        }
                    }));
            listener.setAddress(new InetSocketAddress(Peers.v4(), 0));
            InetSocketAddress at = listener.localAddress().orElseThrow();
            byte[] one = "x".getBytes(StandardCharsets.US_ASCII);
            int sent = 0;
            for (int i = 0; i < CYCLES; i++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                Socket c = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.CONNECT, CallBackType.WRITE), (s, e) -> {
                            if (e instanceof SocketEvent.Writable) {
                                s.send(one, Duration.ofSeconds(1));
                                s.invalidate();
                                done.complete(null);
                            } else if (e instanceof SocketEvent.Connected con && con.failed()) {
                                done.completeExceptionally(new AssertionError("connect failed: " + con));
                            }
                        });
                c.connect(at, Duration.ZERO);
                if (i % 3 == 2) {
                    c.invalidate();   // every third cycle: invalidated from this thread while it connects
                } else {
                    done.get(10, TimeUnit.SECONDS);
                    sent++;
                }
            }
            int expected = sent;
            eventually(() -> ended.get() >= expected, "the peer saw " + expected + " connections end");
            loop.submit(() -> null).get(5, TimeUnit.SECONDS);
            assertEquals(List.of(), errors, "errors reached the loop's handler");
            assertTrue(log.records().isEmpty(), () -> "cfnet logged:\n" + log.describe());
            System.out.printf("[churn] %s: %d cycles (%d sent and invalidated in WRITE, %d invalidated while "
                    + "connecting), no error, nothing logged%n", backend, CYCLES, sent, CYCLES - sent);
        }
    }
}
