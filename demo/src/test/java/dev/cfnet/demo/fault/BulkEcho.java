package dev.cfnet.demo.fault;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

/**
 * A cfnet client that writes {@code total} bytes of a reproducible stream to an echo peer with {@link Socket#write}
 * (a small write-queue limit, so that the queue fills and drains many times) and checks every byte that comes back,
 * in order, against the same stream; plus a CRC32 of both sides.
 */
final class BulkEcho {
    static final int QUEUE_LIMIT = 256 << 10;
    private static final int CHUNK = 64 << 10;

    record Result(long bytes, long millis, long sentCrc, long receivedCrc, int writeStalls) {
        boolean exact() {
            return sentCrc == receivedCrc;
        }
    }

    private final RunLoop loop;
    private final long total;
    private final long seed;
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final CRC32 sentCrc = new CRC32();
    private final CRC32 receivedCrc = new CRC32();
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK).limit(0);
    private final byte[] scratch = new byte[32 << 10];
    private Socket socket;
    private long generated;
    private volatile long written;
    private volatile long received;
    private int stalls;
    private long start;

    private BulkEcho(RunLoop loop, long total, long seed) {
        this.loop = loop;
        this.total = total;
        this.seed = seed;
    }

    /** Runs one transfer on a fresh loop of {@code backend}; fails when it takes longer than {@code bound}. */
    static Result run(Backend backend, InetSocketAddress peer, long total, long seed, Duration bound) throws Exception {
        try (RunLoop loop = RunLoop.start("bulk-echo-" + backend, backend)) {
            BulkEcho b = new BulkEcho(loop, total, seed);
            loop.execute(() -> b.start(peer));
            try {
                return b.done.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long queued = b.socket == null ? -1 : b.socket.queuedBytes();
                throw new AssertionError("bulk echo of " + total + " bytes to " + peer + " did not finish within "
                        + bound.toMillis() + " ms: written " + b.written + ", received " + b.received + ", queued "
                        + queued);
            } finally {
                loop.submit(() -> {
                    if (b.socket != null) b.socket.invalidate();
                    return null;
                }).get(5, TimeUnit.SECONDS);
                if (loop.sourceCount() != 0) {
                    throw new AssertionError("the transfer left " + loop.sourceCount() + " sources on its loop");
                }
            }
        }
    }

    /** Byte {@code i} of the stream for {@code seed}: splitmix64 of the 8-byte block, little end first. */
    static byte at(long seed, long i) {
        long z = seed + (i >>> 3) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (byte) (z >>> ((i & 7) * 8));
    }

    private void start(InetSocketAddress peer) {
        try {
            socket = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(CONNECT, DATA,
                    WRITE), this::onEvent);
            socket.setWriteQueueLimit(QUEUE_LIMIT);
            start = System.nanoTime();
            socket.connect(peer, Duration.ZERO);
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
    }

    private void onEvent(Socket s, SocketEvent e) throws SocketErrorException {
        switch (e) {
            case SocketEvent.Connected c when c.failed() ->
                    done.completeExceptionally(new AssertionError("connect failed: " + c.error().orElseThrow()));
            case SocketEvent.Connected c -> { }   // WRITE follows
            case SocketEvent.Writable w -> pump();
            case SocketEvent.Data d when d.isEmpty() -> {
                if (received < total) {
                    done.completeExceptionally(new AssertionError("the connection ended after " + received + " of "
                            + total + " bytes came back" + d.error().map(x -> ": " + x).orElse("")));
                }
            }
            case SocketEvent.Data d -> check(d.bytes());
            default -> { }
        }
    }

    private void pump() throws SocketErrorException {
        while (written < total) {
            if (!chunk.hasRemaining()) {
                int n = (int) Math.min(CHUNK, total - generated);
                chunk.clear().limit(n);
                for (int i = 0; i < n; i++) chunk.put(i, at(seed, generated + i));
                sentCrc.update(chunk.array(), 0, n);
                generated += n;
            }
            int before = chunk.position();
            socket.write(chunk);
            written += chunk.position() - before;
            if (chunk.hasRemaining()) {
                stalls++;
                socket.enableCallBacks(WRITE);   // fires once the queue has drained
                return;
            }
        }
    }

    private void check(ByteBuffer bytes) {
        while (bytes.hasRemaining() && !done.isDone()) {
            checkPiece(bytes);
        }
    }

    private void checkPiece(ByteBuffer bytes) {
        int n = Math.min(bytes.remaining(), scratch.length);
        bytes.get(scratch, 0, n);
        for (int i = 0; i < n; i++) {
            byte want = at(seed, received + i);
            if (scratch[i] != want) {
                done.completeExceptionally(new AssertionError("byte " + (received + i) + " came back as "
                        + (scratch[i] & 0xff) + ", sent " + (want & 0xff)));
                socket.invalidate();
                return;
            }
        }
        receivedCrc.update(scratch, 0, n);
        received += n;
        if (received > total) {
            done.completeExceptionally(new AssertionError(received + " bytes came back, " + total + " were sent"));
        } else if (received == total) {
            done.complete(new Result(total, (System.nanoTime() - start) / 1_000_000, sentCrc.getValue(),
                    receivedCrc.getValue(), stalls));
            socket.invalidate();
        }
    }
}
