package dev.cfnet;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The non-blocking write queue: backpressure, bounded memory, byte-exact delivery, ordering with send. */
class WriteQueueContractTest extends BackendTestBase {

    @Test
    void aSlowReaderGetsEveryByteAndTheQueueStaysWithinItsLimit() throws Exception {
        int total = 8 << 20;
        int limit = 256 * 1024;
        byte[] data = Peers.pattern(total, 5);
        AtomicLong maxQueued = new AtomicLong();
        CompletableFuture<Void> allQueued = new CompletableFuture<>();
        ByteBuffer src = ByteBuffer.wrap(data);
        SocketHandler pump = (s, e) -> {
            if (e instanceof SocketEvent.Writable || e instanceof SocketEvent.Connected) {
                while (src.hasRemaining()) {
                    ByteBuffer slice = src.slice(src.position(), Math.min(20_000, src.remaining()));
                    int n = s.write(slice);
                    src.position(src.position() + n);
                    maxQueued.accumulateAndGet(s.queuedBytes(), Math::max);
                    if (slice.hasRemaining()) {
                        s.enableCallBacks(WRITE);   // the queue is full: go on when it drained
                        return;
                    }
                }
                allQueued.complete(null);
            }
        };
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, WRITE), new Recorder(pump)));
            s.setWriteQueueLimit(limit);
            s.connect(server.address(), Duration.ZERO);
            InputStream in = server.peer().getInputStream();
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            sent.update(data);
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[8192];
            long read = 0;
            while (read < total) {
                int n = in.read(buf);
                if (n < 0) break;
                got.update(buf, 0, n);
                read += n;
                if ((read & 0xFFFF) < 8192) Thread.sleep(1);   // a slow reader
            }
            assertEquals(total, read);
            assertArrayEquals(sent.digest(), got.digest());
            allQueued.get(10, TimeUnit.SECONDS);
            assertTrue(maxQueued.get() <= limit, "queue grew to " + maxQueued.get() + " over its limit " + limit);
            assertTrue(maxQueued.get() > 0, "the reader was slow enough to make the queue hold bytes");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (s.queuedBytes() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(0, s.queuedBytes());
        }
    }

    @Test
    void writeTakesWhatFitsAndLeavesTheRestInTheBuffer() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(DATA), new Recorder()));
            s.setWriteQueueLimit(1000);
            assertEquals(1000, s.writeQueueLimit());
            ByteBuffer b = ByteBuffer.wrap(new byte[5000]);
            int n = s.write(b);                       // not connected yet: all of it queues
            assertEquals(1000, n);
            assertEquals(1000, b.position(), "the buffer's position moved past what was taken");
            assertEquals(1000, s.queuedBytes());
            assertEquals(0, s.write(b), "a full queue takes nothing");
            s.connect(server.address(), Duration.ofSeconds(5));
            assertEquals(1000, server.peer().getInputStream().readNBytes(1000).length,
                    "bytes queued before the connection went out once it was up");
            assertThrows(IllegalArgumentException.class, () -> s.setWriteQueueLimit(0));
        }
    }

    @Test
    void writeFiresOnlyOnceTheQueueHasDrained() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, WRITE), r));
            s.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 8192);
            s.connect(server.address(), Duration.ofSeconds(5));
            r.next(SocketEvent.Connected.class);
            r.next(SocketEvent.Writable.class);
            java.net.Socket peer = server.peer();
            peer.setReceiveBufferSize(8192);
            byte[] big = new byte[2 << 20];
            int taken = loop.submit(() -> s.write(ByteBuffer.wrap(big))).get(5, TimeUnit.SECONDS);
            assertEquals(big.length, taken);
            assertTrue(s.queuedBytes() > 0);
            s.enableCallBacks(WRITE);
            r.assertQuiet(Duration.ofMillis(200));   // bytes still queued: not writable for the user yet
            assertEquals(big.length, peer.getInputStream().readNBytes(big.length).length);
            r.next(SocketEvent.Writable.class);
            assertEquals(0, s.queuedBytes());
        }
    }

    @Test
    void sendRefusesToOvertakeQueuedBytes() throws Exception {
        Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(DATA), new Recorder()));
        s.write(ByteBuffer.wrap(new byte[10]));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.send(new byte[1], Duration.ZERO));
        assertTrue(e.getMessage().contains("queued"), e.getMessage());
        s.invalidate();
        assertEquals(0, s.queuedBytes(), "invalidate drops queued bytes");
        SocketErrorException closed = assertThrows(SocketErrorException.class,
                () -> s.write(ByteBuffer.allocate(1)));
        assertEquals(SocketError.Kind.CLOSED, closed.kind());
    }

    @Test
    void writesFromManyThreadsNeverInterleave() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(DATA), new Recorder()));
            s.connect(server.address(), Duration.ofSeconds(5));
            int threads = 4;
            int messages = 500;
            int size = 1000;
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                byte fill = (byte) ('a' + t);
                ts[t] = Thread.ofPlatform().start(() -> {
                    byte[] m = new byte[size];
                    java.util.Arrays.fill(m, fill);
                    for (int i = 0; i < messages; i++) {
                        ByteBuffer b = ByteBuffer.wrap(m);
                        try {
                            while (b.hasRemaining()) {
                                if (b.position() > 0) throw new AssertionError("a message was split");
                                if (s.write(b) == 0) Thread.sleep(1);
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }
                });
            }
            InputStream in = server.peer().getInputStream();
            for (int i = 0; i < threads * messages; i++) {
                byte[] m = in.readNBytes(size);
                assertEquals(size, m.length);
                for (byte x : m) assertEquals(m[0], x, "message " + i + " interleaves writes");
            }
            for (Thread t : ts) t.join();
        }
    }
}
