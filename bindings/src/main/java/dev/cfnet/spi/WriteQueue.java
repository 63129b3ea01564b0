package dev.cfnet.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The bytes a socket has accepted for writing and not yet handed to the OS, bounded by a limit. Bytes live in
 * 64 KiB direct chunks that are recycled, so a steady stream of writes allocates nothing. Thread-safe.
 */
public final class WriteQueue {
    /** Where flushed bytes go: non-blocking writes that return how many bytes they took. */
    public interface Sink {
        long write(ByteBuffer[] buffers, int offset, int length) throws IOException;

        int write(ByteBuffer src) throws IOException;
    }

    static final int CHUNK = 64 * 1024;
    private static final int MAX_GATHER = 16;
    private static final int MAX_FREE = 2;

    // Each chunk is in "read mode": position = next byte to flush, limit = end of the bytes queued in it.
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private long queued;
    private int limit;

    public WriteQueue(int limit) {
        this.limit = limit;
    }

    /** A socket's write queue, made on first use (most sockets never queue a byte). Thread-safe. */
    public static final class Lazy {
        private volatile int limit;
        private volatile WriteQueue queue;

        public Lazy(int limit) {
            this.limit = limit;
        }

        /** The queue, made now if need be. */
        public WriteQueue get() {
            WriteQueue q = queue;
            if (q == null) {
                synchronized (this) {
                    q = queue;
                    if (q == null) queue = q = new WriteQueue(limit);
                }
            }
            return q;
        }

        /** The queue if it was made, else null. */
        public WriteQueue peek() {
            return queue;
        }

        public boolean nonEmpty() {
            WriteQueue q = queue;
            return q != null && !q.isEmpty();
        }

        public long size() {
            WriteQueue q = queue;
            return q == null ? 0 : q.size();
        }

        public int limit() {
            return limit;
        }

        public synchronized void setLimit(int bytes) {
            limit = bytes;
            WriteQueue q = queue;
            if (q != null) q.setLimit(bytes);
        }

        /** Drops what is queued. */
        public void clear() {
            WriteQueue q = queue;
            if (q != null) q.clear();
        }
    }

    public synchronized int limit() {
        return limit;
    }

    public synchronized void setLimit(int limit) {
        this.limit = limit;
    }

    public synchronized long size() {
        return queued;
    }

    public synchronized boolean isEmpty() {
        return queued == 0;
    }

    /** Copies as many of src's remaining bytes as fit under the limit; advances src; returns the count. */
    public synchronized int offer(ByteBuffer src) {
        long room = limit - queued;
        int n = (int) Math.min(src.remaining(), Math.max(0, room));
        int left = n;
        while (left > 0) {
            ByteBuffer tail = chunks.peekLast();
            if (tail == null || tail.limit() == tail.capacity()) {
                tail = free.isEmpty() ? ByteBuffer.allocateDirect(CHUNK) : free.pop();
                tail.clear().limit(0);
                chunks.addLast(tail);
            }
            int k = Math.min(left, tail.capacity() - tail.limit());
            int at = tail.limit();
            tail.limit(at + k);
            tail.put(at, src, src.position(), k);
            src.position(src.position() + k);
            left -= k;
        }
        queued += n;
        return n;
    }

    /**
     * Writes src straight to the sink when nothing is queued, then queues what the sink did not take (up to the
     * limit). Atomic with other writers and with {@link #flush}, so concurrent writes never interleave.
     *
     * @return the bytes taken from src (written plus queued)
     */
    public synchronized int writeThrough(Sink sink, ByteBuffer src) throws IOException {
        int written = 0;
        if (queued == 0) {
            written = sink.write(src);
        }
        return written + (src.hasRemaining() ? offer(src) : 0);
    }

    /** Writes queued bytes to the sink until it takes no more or the queue is empty; returns the bytes written. */
    public synchronized long flush(Sink sink) throws IOException {
        long total = 0;
        while (queued > 0) {
            int count = 0;
            for (ByteBuffer b : chunks) {
                if (count == MAX_GATHER) break;
                gather[count++] = b;
            }
            long w;
            try {
                w = sink.write(gather, 0, count);
            } finally {
                java.util.Arrays.fill(gather, 0, count, null);
            }
            if (w <= 0) break;
            total += w;
            queued -= w;
            while (!chunks.isEmpty() && !chunks.peekFirst().hasRemaining()) {
                recycle(chunks.pollFirst());
            }
            if (count < MAX_GATHER && queued > 0 && w > 0) {
                // The sink took less than offered: the socket buffer is full.
                break;
            }
        }
        return total;
    }

    private void recycle(ByteBuffer b) {
        if (free.size() < MAX_FREE) {
            free.push(b);
        }
    }

    /** Drops every queued byte; returns how many were dropped. */
    public synchronized long clear() {
        long dropped = queued;
        chunks.clear();
        free.clear();
        queued = 0;
        return dropped;
    }
}
