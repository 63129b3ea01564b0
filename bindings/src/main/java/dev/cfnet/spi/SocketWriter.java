package dev.cfnet.spi;

import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A socket's way out, for every backend: send (all bytes or an error saying how many went out, never silently
 * partial) and the non-blocking write queue with its limit, flushed as the socket becomes writable. Any thread.
 */
final class SocketWriter {
    private final SocketCore core;
    private final WriteQueue.Lazy queue = new WriteQueue.Lazy(Socket.DEFAULT_WRITE_QUEUE_LIMIT);
    private volatile SocketError writeError;   // a failed flush of the write queue

    SocketWriter(SocketCore core) {
        this.core = core;
    }

    WriteQueue.Lazy queue() {
        return queue;
    }

    static SocketError errorOf(IOException e) {
        return e instanceof SocketErrorException se ? se.error() : new SocketError(Kind.OTHER, 0, String.valueOf(e));
    }

    int send(SocketIo io, ByteBuffer data, InetSocketAddress to, long timeoutNanos) throws SocketErrorException {
        SocketType type = core.type();
        Connection state = core.state();
        if (type == SocketType.STREAM) {
            if (queue.nonEmpty()) {
                throw new IllegalStateException(queue.size() + " bytes given to write() are still queued; "
                        + "send() would overtake them. Keep to write(), or send once WRITE fires");
            }
            if (!state.isConnected()) throw new SocketErrorException("send", SocketError.of(Kind.NOT_CONNECTED));
        } else if (to == null && state != Connection.CONNECTED) {
            throw new SocketErrorException("send", new SocketError(Kind.NOT_CONNECTED,
                    SocketError.of(Kind.NOT_CONNECTED).code(), "a datagram needs an address unless the socket "
                    + "is connected"));
        }
        long deadline = System.nanoTime() + timeoutNanos;
        int size = data.remaining();
        int total = 0;
        for (;;) {
            int n;
            try {
                n = io.trySend(data, to);
            } catch (SocketErrorException e) {
                throw new SocketErrorException("send", core.isValid() ? e.error() : SocketError.of(Kind.CLOSED),
                        total, e);
            }
            total += n;
            if (type == SocketType.DATAGRAM ? n > 0 || size == 0 : !data.hasRemaining()) return total;
            if (n > 0) continue;
            if (timeoutNanos <= 0) {
                throw new SocketErrorException("send", SocketError.of(Kind.WOULD_BLOCK), total, null);
            }
            if (!io.awaitWritable(deadline)) {
                throw new SocketErrorException("send", SocketError.of(Kind.TIMED_OUT), total, null);
            }
            if (!core.isValid()) throw new SocketErrorException("send", SocketError.of(Kind.CLOSED), total, null);
        }
    }

    /** Queues (or, with nothing queued and the socket connected, writes through) what fits under the limit. */
    int write(SocketIo io, ByteBuffer data) throws SocketErrorException {
        SocketError we = writeError;
        if (we != null) throw new SocketErrorException("write", we);
        Connection s = core.state();
        if (s == Connection.LISTENING || core.readType() == CallBackBits.ACCEPT) {
            throw new IllegalStateException("a listening socket has nothing to write to");
        }
        if (s == Connection.FAILED) throw new SocketErrorException("write", SocketError.of(Kind.NOT_CONNECTED));
        WriteQueue q = queue.get();
        int n;
        boolean started;   // this write left bytes in a queue that was empty: nothing has WRITE armed for them
        // Atomic with the loop's flush (same lock): seen non-empty, the queue is one a flush still has to empty.
        synchronized (q) {
            boolean wasEmpty = q.isEmpty();
            if (s == Connection.CONNECTED) {
                try {
                    n = q.writeThrough(io.sink(), data);
                } catch (IOException e) {
                    SocketError err = core.isValid() ? errorOf(e) : SocketError.of(Kind.CLOSED);
                    writeError = err;
                    throw new SocketErrorException("write", err, 0, e);
                }
            } else {
                n = q.offer(data);
            }
            started = wasEmpty && !q.isEmpty();
        }
        if (started) io.arm(CallBackBits.WRITE);
        return n;
    }

    /** Loop thread, the socket writable: flushes the queue; true when it is empty afterwards. */
    boolean flush(SocketIo io) {
        WriteQueue q = queue.peek();
        if (q == null || q.isEmpty()) return true;
        try {
            q.flush(io.sink());
        } catch (IOException e) {
            writeError = errorOf(e);
            q.clear();
        }
        return q.isEmpty();
    }
}
