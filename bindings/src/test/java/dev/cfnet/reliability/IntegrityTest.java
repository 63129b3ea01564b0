package dev.cfnet.reliability;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.READ;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte-exact delivery under pressure: a slow reader behind a fast writer, datagram bursts, half-closes. */
@Tag("reliability")
@Timeout(1800)
class IntegrityTest {

    static java.util.List<Backend> backends() {
        return dev.cfnet.Backends.backends();
    }

    /** A deterministic byte stream: the writer and the checker make the same bytes from the same offset. */
    static void fill(ByteBuffer b, long offset) {
        for (int i = b.position(); i < b.limit(); i++) {
            long x = offset + i - b.position();
            b.put(i, (byte) ((x * 0x9E3779B97F4A7C15L) >>> 56));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aSlowReaderGetsEveryByteOfAFastWriterWithBoundedMemory(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        long total = Scale.of(64L << 20, 1L << 30);
        int limit = 1 << 20;
        CRC32C sent = new CRC32C();
        CRC32C got = new CRC32C();
        AtomicLong received = new AtomicLong();
        AtomicLong maxQueued = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicInteger chunks = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> end = new CompletableFuture<>();
        long heapBefore = Resources.snapshot().heapAfterGc();
        long rssBefore = Resources.rss();
        AtomicLong rssPeak = new AtomicLong();
        long t0 = System.nanoTime();
        try (RunLoop readers = RunLoop.start("slow-reader", backend);
             RunLoop writers = RunLoop.start("fast-writer", backend)) {
            // The reader reads with READ at its own pace (DATA would let CF read ahead without bound), and only once
            // the writer's queue has reached its limit, so that the queue fills on every backend and every run.
            CompletableFuture<Socket> reader = new CompletableFuture<>();
            ByteBuffer in = ByteBuffer.allocateDirect(32 * 1024);
            Socket listener = Socket.create(readers, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(ACCEPT), (l, e) -> {
                        if (e instanceof SocketEvent.Accepted a) {
                            Socket c = Socket.wrap(readers, a.handle(), EnumSet.of(READ), (r, ev) -> {
                                in.clear();
                                int n = r.receive(in);
                                if (n < 0) {
                                    end.complete(null);
                                    return;
                                }
                                got.update(in.flip());
                                received.addAndGet(n);
                                if (chunks.incrementAndGet() % 4 == 0) Thread.sleep(1);   // slow
                                if (chunks.get() % 1024 == 0) rssPeak.accumulateAndGet(Resources.rss(), Math::max);
                            });
                            c.disableCallBacks(READ);
                            reader.complete(c);
                        }
                    });
            listener.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
            Socket w = Socket.create(writers, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, WRITE), (s, e) -> {
                        if (e instanceof SocketEvent.Writable || e instanceof SocketEvent.Connected) {
                            while (written.get() < total) {
                                if (!chunk.hasRemaining() || chunk.position() == 0) {
                                    chunk.clear().limit((int) Math.min(chunk.capacity(), total - written.get()));
                                    fill(chunk, written.get());
                                    sent.update(chunk.duplicate());
                                }
                                int n = s.write(chunk);
                                written.addAndGet(n);
                                maxQueued.accumulateAndGet(s.queuedBytes(), Math::max);
                                if (chunk.hasRemaining() && !reading.getAndSet(true)) {
                                    Socket r = reader.get(10, TimeUnit.SECONDS);
                                    readers.execute(() -> r.enableCallBacks(READ));
                                }
                                if (chunk.hasRemaining()) {
                                    s.enableCallBacks(WRITE);   // the queue is full: more once it drained
                                    return;
                                }
                                chunk.position(0).limit(0);
                            }
                            if (s.queuedBytes() == 0) {
                                s.shutdownOutput();
                            } else {
                                s.enableCallBacks(WRITE);
                            }
                        }
                    });
            w.setWriteQueueLimit(limit);
            w.connect(listener.localAddress().orElseThrow(), Duration.ZERO);
            end.get(25, TimeUnit.MINUTES);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(total, received.get(), "bytes received");
            assertEquals(sent.getValue(), got.getValue(), "CRC-32C of everything sent and received");
            assertTrue(maxQueued.get() <= limit, "write queue reached " + maxQueued.get() + " > limit " + limit);
            assertEquals(limit, maxQueued.get(), "the write queue filled to its limit before the reader started");
            long heapAfter = Resources.snapshot().heapAfterGc();
            System.out.printf("[integrity] %s: %d MiB byte-exact (CRC-32C %08x) in %.1f s (%.0f MB/s), write queue "
                            + "peak %d KiB of a %d KiB limit, heap after GC %.1f -> %.1f MiB, RSS %d -> peak %d MiB%n",
                    backend, total >> 20, got.getValue(), secs, total / 1e6 / secs, maxQueued.get() >> 10,
                    limit >> 10, heapBefore / 1048576.0, heapAfter / 1048576.0, rssBefore >> 20,
                    Math.max(rssPeak.get(), rssBefore) >> 20);
            assertTrue(heapAfter < heapBefore + 32 * 1048576L, "memory stayed bounded");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void datagramBurstsArriveUncorrupted(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        int datagrams = Scale.of(20_000, 200_000);
        AtomicInteger good = new AtomicInteger();
        AtomicInteger corrupt = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        try (RunLoop loop = RunLoop.start("udp-burst", backend)) {
            Socket rx = Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM, EnumSet.of(DATA),
                    (s, e) -> {
                        if (e instanceof SocketEvent.Data d && !d.isEmpty()) {
                            ByteBuffer b = d.bytes();
                            int expect = b.getInt(0);
                            CRC32C c = new CRC32C();
                            c.update(b.duplicate().position(4));
                            if (c.getValue() == (expect & 0xffffffffL)) good.incrementAndGet();
                            else corrupt.incrementAndGet();
                        }
                    });
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            rx.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress to = rx.localAddress().orElseThrow();
            try (RunLoop txLoop = RunLoop.start("udp-tx", backend)) {
                Socket tx = Socket.create(txLoop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                        EnumSet.of(DATA), (s, e) -> { });
                java.util.Random random = new java.util.Random(42);
                ByteBuffer b = ByteBuffer.allocate(1400);
                for (int i = 0; i < datagrams; i++) {
                    int size = 8 + random.nextInt(1392);
                    b.clear().limit(size).position(4);
                    while (b.hasRemaining()) b.put((byte) random.nextInt());
                    CRC32C c = new CRC32C();
                    c.update(b.flip().position(4));
                    b.putInt(0, (int) c.getValue()).position(0);
                    try {
                        tx.send(b, to, Duration.ZERO);
                    } catch (SocketErrorException full) {
                        dropped.incrementAndGet();
                    }
                    if (i % 200 == 199) Thread.sleep(1);   // bursts of 200
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (good.get() + corrupt.get() + dropped.get() < datagrams * 0.95 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        System.out.printf("[integrity] %s: %d datagrams sent in bursts of 200, %d arrived intact, %d corrupt, %d "
                + "refused by a full buffer%n", backend, datagrams, good.get(), corrupt.get(), dropped.get());
        assertEquals(0, corrupt.get(), "corrupt datagrams");
        assertTrue(good.get() >= datagrams * 0.9, "only " + good.get() + " of " + datagrams + " arrived");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void halfCloseBothWaysKeepsEachDirectionWhole(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " skipped: " + backend.unavailableReason().orElse(""));
        int size = Scale.of(4 << 20, 64 << 20);
        CRC32C aToB = new CRC32C();
        CRC32C bToA = new CRC32C();
        CRC32C bGot = new CRC32C();
        CRC32C aGot = new CRC32C();
        AtomicLong bReceived = new AtomicLong();
        AtomicLong aReceived = new AtomicLong();
        CompletableFuture<Void> aEnd = new CompletableFuture<>();
        try (RunLoop loop = RunLoop.start("half-close-b", backend);
             RunLoop aLoop = RunLoop.start("half-close-a", backend)) {
            // B reads with READ callbacks: the peer's end of stream does not invalidate it, so B can answer after it.
            Socket listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(ACCEPT),
                    (l, e) -> {
                        if (e instanceof SocketEvent.Accepted a) {
                            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                            Socket.wrap(loop, a.handle(), EnumSet.of(READ, WRITE), (b, ev) -> {
                                if (ev instanceof SocketEvent.Readable) {
                                    in.clear();
                                    int n = b.receive(in);
                                    if (n > 0) {
                                        bGot.update(in.flip());
                                        bReceived.addAndGet(n);
                                    } else if (n < 0) {
                                        b.disableCallBacks(READ);
                                        ByteBuffer out = ByteBuffer.allocate(size);
                                        fill(out, 7);
                                        bToA.update(out.duplicate());
                                        b.send(out, null, Duration.ofSeconds(60));   // all of it, or an exception
                                        b.shutdownOutput();
                                    }
                                }
                            }).disableCallBacks(WRITE);
                        }
                    });
            listener.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Socket a = Socket.create(aLoop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(DATA),
                    (s, e) -> {
                        if (e instanceof SocketEvent.Data d) {
                            if (d.isEmpty()) {
                                aEnd.complete(null);
                            } else {
                                aGot.update(d.bytes());
                                aReceived.addAndGet(d.bytes().limit());
                            }
                        }
                    });
            a.connect(listener.localAddress().orElseThrow(), Duration.ofSeconds(10));
            ByteBuffer out = ByteBuffer.allocate(size);
            fill(out, 3);
            aToB.update(out.duplicate());
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    a.send(out, null, Duration.ofSeconds(60));
                    a.shutdownOutput();
                } catch (Exception ex) {
                    aEnd.completeExceptionally(ex);
                }
            });
            aEnd.get(5, TimeUnit.MINUTES);
            sender.join();
        }
        assertEquals(size, bReceived.get(), "A to B, before A's half-close");
        assertEquals(aToB.getValue(), bGot.getValue());
        assertEquals(size, aReceived.get(), "B to A, after A's half-close");
        assertEquals(bToA.getValue(), aGot.getValue());
        System.out.printf("[integrity] %s: half-close both ways, %d MiB each way byte-exact%n", backend, size >> 20);
    }
}
