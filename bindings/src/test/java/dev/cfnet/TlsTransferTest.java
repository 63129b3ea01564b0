package dev.cfnet;

import static dev.cfnet.CallBackType.ACCEPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bulk data through TLS, byte-exact by CRC-32C, with the write queue at its limit and a slow reader on the other
 * end: cfnet to the JDK's server, the JDK's server to cfnet, and both ways between cfnet peers; 64 MiB each way.
 */
@Timeout(300)
class TlsTransferTest extends BackendTestBase {
    static final long MIB = 1 << 20;
    static final long BULK = 64 * MIB;
    static final int QUEUE_LIMIT = 1 << 20;
    /** What the TLS socket may hold beyond the queue limit: one flush of records and their overhead. */
    static final long SLACK = 128 * 1024;

    /** A deterministic byte stream: the writer and the checker make the same bytes at the same offset. */
    static void fill(ByteBuffer b, long offset) {
        for (int i = b.position(); i < b.limit(); i++) {
            long x = offset + i - b.position();
            b.put(i, (byte) ((x * 0x9E3779B97F4A7C15L) >>> 56));
        }
    }

    static long crcOf(long total) {
        CRC32C c = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        for (long off = 0; off < total; off += b.capacity()) {
            b.clear().limit((int) Math.min(b.capacity(), total - off));
            fill(b, off);
            c.update(b);
        }
        return c.getValue();
    }

    /** Writes {@code total} pattern bytes through a TLS socket on its loop, going on at each WRITE. */
    static final class Pump {
        final TlsSocket tls;
        final long total;
        final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long offset;
        final AtomicLong maxQueued = new AtomicLong();
        final CompletableFuture<Void> full = new CompletableFuture<>();
        final Runnable whenDone;

        Pump(TlsSocket tls, long total, Runnable whenDone) {
            this.tls = tls;
            this.total = total;
            this.whenDone = whenDone;
            chunk.limit(0);
        }

        void pump() throws Exception {
            while (offset < total || chunk.hasRemaining()) {
                if (!chunk.hasRemaining()) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), total - offset));
                    fill(chunk, offset);
                    offset += chunk.limit();
                }
                tls.write(chunk);
                maxQueued.accumulateAndGet(tls.queuedBytes(), Math::max);
                if (chunk.hasRemaining()) {
                    full.complete(null);
                    tls.enableCallBacks(CallBackType.WRITE);
                    return;
                }
            }
            whenDone.run();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientWritesBulkToTheJdksSlowReader(String protocol) throws Exception {
        Pump[] pump = new Pump[1];
        CompletableFuture<Void> queueFull = new CompletableFuture<>();
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            s.startHandshake();
            queueFull.get(60, TimeUnit.SECONDS);   // read nothing until the writer is held back
            return slowRead(s.getInputStream());
        })) {
            CompletableFuture<TlsEvent.Data> end = new CompletableFuture<>();
            TlsSocket tls = closeLater(TlsSocket.connect(loop, server.address(),
                    TlsConfig.client(TlsPeers.CLIENT, "localhost").withProtocols(protocol), (t, e) -> {
                        switch (e) {
                            case TlsEvent.Handshake h when h.failed() -> end.completeExceptionally(
                                    new AssertionError(h.error().orElseThrow().toString()));
                            case TlsEvent.Handshake h -> {
                                t.setWriteQueueLimit(QUEUE_LIMIT);
                                pump[0] = new Pump(t, BULK, () -> {
                                    try {
                                        t.shutdownOutput();
                                    } catch (Exception ex) {
                                        end.completeExceptionally(ex);
                                    }
                                });
                                pump[0].full.thenRun(() -> queueFull.complete(null));
                                pump[0].pump();
                            }
                            case TlsEvent.Writable w -> pump[0].pump();
                            case TlsEvent.Data d when d.isEmpty() -> end.complete(d);
                            case TlsEvent.Data d -> { }
                        }
                    }));
            long[] got = server.result.get(240, TimeUnit.SECONDS);
            assertEquals(BULK, got[0], "bytes the JDK server read");
            assertEquals(crcOf(BULK), got[1], "CRC-32C of what it read");
            assertTrue(pump[0].maxQueued.get() <= QUEUE_LIMIT + SLACK,
                    "queued at most the limit and one flush: " + pump[0].maxQueued.get());
            assertTrue(pump[0].maxQueued.get() >= QUEUE_LIMIT / 2,
                    "the reader held the writer back: " + pump[0].maxQueued.get());
            assertTrue(end.get(20, TimeUnit.SECONDS).error().isEmpty(), "the server's close_notify ended it");
            eventually(() -> !tls.isValid(), "invalid after the end");
        }
    }

    /** Reads to the end, pausing 5 ms every 2 MiB; returns {bytes, CRC-32C}. */
    static long[] slowRead(InputStream in) throws Exception {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[16 * 1024];
        long n = 0;
        long nextPause = 2 * MIB;
        for (int k; (k = in.read(buf)) >= 0; ) {
            crc.update(buf, 0, k);
            n += k;
            if (n >= nextPause) {
                nextPause += 2 * MIB;
                Thread.sleep(5);
            }
        }
        return new long[] {n, crc.getValue()};
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void theJdksServerWritesBulkToASlowCfnetReader(String protocol) throws Exception {
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            OutputStream out = s.getOutputStream();
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            for (long off = 0; off < BULK; off += b.capacity()) {
                b.clear().limit((int) Math.min(b.capacity(), BULK - off));
                fill(b, off);
                out.write(b.array(), 0, b.limit());
            }
            out.flush();
            return "sent";
        })) {
            SlowReader reader = new SlowReader();
            closeLater(TlsSocket.connect(loop, server.address(),
                    TlsConfig.client(TlsPeers.CLIENT, "localhost").withProtocols(protocol), reader));
            TlsEvent.Data end = reader.end.get(240, TimeUnit.SECONDS);
            assertEquals("sent", server.result.get(10, TimeUnit.SECONDS));
            assertTrue(end.error().isEmpty(), () -> "the JDK server's close_notify ended it: " + end);
            reader.check(BULK);
        }
    }

    /** A TLS handler that checks the pattern and pauses DATA for 2 ms after every MiB. */
    final class SlowReader implements dev.cfnet.tls.TlsHandler {
        final CRC32C crc = new CRC32C();
        final CompletableFuture<TlsEvent.Data> end = new CompletableFuture<>();
        final AtomicBoolean dataWhilePaused = new AtomicBoolean();
        long received;
        long nextPause = MIB;
        boolean paused;
        int pauses;

        @Override
        public void handle(TlsSocket t, TlsEvent e) {
            switch (e) {
                case TlsEvent.Handshake h when h.failed() -> end.completeExceptionally(
                        new AssertionError(h.error().orElseThrow().toString()));
                case TlsEvent.Data d when d.isEmpty() -> end.complete(d);
                case TlsEvent.Data d -> {
                    if (paused) dataWhilePaused.set(true);
                    received += d.bytes().remaining();
                    crc.update(d.bytes());
                    if (received >= nextPause) {
                        nextPause += MIB;
                        paused = true;
                        pauses++;
                        t.disableCallBacks(CallBackType.DATA);
                        loop.schedule(Duration.ofMillis(2), () -> {
                            paused = false;
                            t.enableCallBacks(CallBackType.DATA);
                        });
                    }
                }
                default -> { }
            }
        }

        void check(long total) {
            assertEquals(total, received, "plaintext bytes");
            assertEquals(crcOf(total), crc.getValue(), "CRC-32C of the plaintext");
            assertFalse(dataWhilePaused.get(), "no DATA while it was disabled");
            assertTrue(pauses >= total / MIB - 1, "paused every MiB: " + pauses);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void cfnetPeersEchoBulkBothWaysThroughSlowReaders(String protocol) throws Exception {
        long total = BULK;
        CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
        AtomicLong serverMaxQueued = new AtomicLong();
        Socket listener = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(ACCEPT), (l, e) -> {
                    if (e instanceof SocketEvent.Accepted a) {
                        accepted.complete(TlsSocket.wrap(loop, a.handle(), TlsConfig.server(TlsPeers.SERVER_CONTEXT)
                                .withProtocols(protocol), new Echo(serverMaxQueued)));
                    }
                }));
        listener.setAddress(new InetSocketAddress(Peers.v4(), 0));
        SlowReader reader = new SlowReader();
        Pump[] pump = new Pump[1];
        closeLater(TlsSocket.connect(loop, listener.localAddress().orElseThrow(),
                TlsConfig.client(TlsPeers.CLIENT, "localhost").withProtocols(protocol), (t, e) -> {
                    switch (e) {
                        case TlsEvent.Handshake h when h.succeeded() -> {
                            t.setWriteQueueLimit(QUEUE_LIMIT);
                            pump[0] = new Pump(t, total, () -> { });
                            pump[0].pump();
                        }
                        case TlsEvent.Writable w -> pump[0].pump();
                        default -> { }
                    }
                    reader.handle(t, e);
                    if (e instanceof TlsEvent.Data d && !d.isEmpty() && reader.received == total) t.invalidate();
                }));
        eventually(() -> reader.received == total || reader.end.isDone(), "the echo came back");
        assertFalse(reader.end.isDone(), () -> "the session ended early: " + reader.end.join());
        reader.check(total);
        assertTrue(pump[0].maxQueued.get() <= QUEUE_LIMIT + SLACK, "client queue: " + pump[0].maxQueued.get());
        assertTrue(serverMaxQueued.get() <= QUEUE_LIMIT + SLACK, "server queue: " + serverMaxQueued.get());
        eventually(() -> !accepted.join().isValid(), "the server ends when the client goes");
    }

    /** Echoes with flow control: what the write queue does not take waits, with DATA off, for WRITE. */
    static final class Echo implements dev.cfnet.tls.TlsHandler {
        final AtomicLong maxQueued;
        ByteBuffer pending = ByteBuffer.allocate(64 * 1024).limit(0);

        Echo(AtomicLong maxQueued) {
            this.maxQueued = maxQueued;
        }

        @Override
        public void handle(TlsSocket t, TlsEvent e) throws Exception {
            switch (e) {
                case TlsEvent.Handshake h when h.succeeded() -> t.setWriteQueueLimit(QUEUE_LIMIT);
                case TlsEvent.Data d when !d.isEmpty() -> {
                    t.write(d.bytes());
                    if (d.bytes().hasRemaining()) {
                        if (pending.capacity() < d.bytes().remaining()) {
                            pending = ByteBuffer.allocate(d.bytes().remaining());
                        }
                        pending.clear();
                        pending.put(d.bytes()).flip();
                        t.disableCallBacks(CallBackType.DATA);
                        t.enableCallBacks(CallBackType.WRITE);
                    }
                }
                case TlsEvent.Writable w -> {
                    t.write(pending);
                    if (pending.hasRemaining()) {
                        t.enableCallBacks(CallBackType.WRITE);
                    } else {
                        t.enableCallBacks(CallBackType.DATA);
                    }
                }
                default -> { }
            }
            maxQueued.accumulateAndGet(t.queuedBytes(), Math::max);
        }
    }
}
