package dev.cfnet.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.cfnet.SocketError;
import dev.cfnet.SocketError.Kind;
import dev.cfnet.SocketErrorException;
import dev.cfnet.spi.WriteQueue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A native socket driven with libc: sends that never hide a partial write, receives, waits, options, bind and
 * shutdown, with errno turned into {@link SocketError}s. Sends reuse the segment of the buffer sent from last and a
 * per-thread scratch buffer for heap bytes, so the steady state allocates nothing. Any thread.
 */
public final class PosixSocket {
    private static final int SEND_FLAGS = Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL;

    private final int fd;
    private final boolean inet6;
    private final BufferSegment lastSent = new BufferSegment();
    private final WriteQueue.Sink sink = new Sink();

    public PosixSocket(int fd, boolean inet6) {
        this.fd = fd;
        this.inet6 = inet6;
    }

    public int fd() {
        return fd;
    }

    /** Forgets the buffer sent from last, so that the socket does not keep it alive. */
    public void forgetBuffers() {
        lastSent.clear();
    }

    private static SocketErrorException error(String op) {
        return new SocketErrorException(op, SocketError.fromErrno(Libc.errno()));
    }

    /**
     * One non-blocking send (sendto with {@code to}) from {@code data}'s position; advances it.
     *
     * @return bytes sent; 0 when the socket buffer is full
     */
    public int trySend(ByteBuffer data, InetSocketAddress to) throws SocketErrorException {
        MemorySegment addr = to == null ? null : SockAddr.encode(Libc.OS, to, inet6, Libc.scratchAddress());
        for (;;) {
            MemorySegment chunk;
            int n = data.remaining();
            if (data.isDirect()) {
                chunk = lastSent.of(data);
            } else {
                n = Math.min(n, Libc.SCRATCH_SIZE);
                chunk = Libc.scratch();
                copyHeap(data, chunk, n);
            }
            long w = addr == null ? Libc.send(fd, chunk, n, SEND_FLAGS) : Libc.sendTo(fd, chunk, n, SEND_FLAGS, addr);
            if (w >= 0) {
                data.position(data.position() + (int) w);
                return (int) w;
            }
            int errno = Libc.errno();
            if (errno == Libc.EINTR) continue;
            if (errno == Libc.EAGAIN) return 0;
            throw new SocketErrorException("send", SocketError.fromErrno(errno));
        }
    }

    /** Copies {@code n} bytes at {@code heap}'s position to the start of {@code dst}. */
    private static void copyHeap(ByteBuffer heap, MemorySegment dst, int n) {
        if (heap.hasArray()) {
            MemorySegment.copy(heap.array(), heap.arrayOffset() + heap.position(), dst, ValueLayout.JAVA_BYTE, 0, n);
        } else {
            MemorySegment.copy(MemorySegment.ofBuffer(heap), 0, dst, 0, n);   // read-only heap buffer
        }
    }

    /** Where a write queue flushes to: non-blocking sends of its chunks. */
    public WriteQueue.Sink sink() {
        return sink;
    }

    private final class Sink implements WriteQueue.Sink {
        @Override
        public long write(ByteBuffer[] buffers, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(buffers[i]);
                if (buffers[i].hasRemaining()) break;
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return src.hasRemaining() ? trySend(src, null) : 0;
        }
    }

    /** Waits for {@code events} until {@code deadline} (System.nanoTime): true when ready, false at the deadline. */
    private boolean await(int events, long deadline) throws SocketErrorException {
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            int n = Libc.poll(fd, events, (int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)));
            if (n > 0) return true;
            if (n < 0 && Libc.errno() != Libc.EINTR) throw error("poll");
        }
    }

    public boolean awaitWritable(long deadline) throws SocketErrorException {
        return await(Libc.POLLOUT, deadline);
    }

    /** Waits for a connect in progress; null once connected, else why not (TIMED_OUT at the deadline). */
    public SocketError awaitConnect(long deadline) {
        try {
            if (!await(Libc.POLLOUT, deadline)) return SocketError.of(Kind.TIMED_OUT);
        } catch (SocketErrorException e) {
            return e.error();
        }
        int soError = Libc.getIntOption(fd, Libc.SOL_SOCKET, Libc.SO_ERROR);
        if (soError < 0) return SocketError.fromErrno(Libc.errno());
        return soError == 0 ? null : SocketError.fromErrno(soError);
    }

    /** Reads what is there without waiting: bytes read, 0 when none, -1 at end of stream. */
    public int receive(ByteBuffer dst) throws SocketErrorException {
        int want = Math.min(dst.remaining(), Libc.SCRATCH_SIZE);
        MemorySegment buf = Libc.scratch();
        long n = Libc.recv(fd, buf, want, Libc.MSG_DONTWAIT);
        if (n > 0) {
            MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
        if (n == 0) return want == 0 ? 0 : -1;
        int errno = Libc.errno();
        if (errno == Libc.EAGAIN || errno == Libc.EINTR) return 0;
        throw new SocketErrorException("receive", SocketError.fromErrno(errno));
    }

    /** Reads one datagram without waiting (what does not fit is lost); its source, or null when none waits. */
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65535);
            MemorySegment addr = a.allocate(SockAddr.MAX_SIZE);
            MemorySegment addrLen = a.allocate(JAVA_INT);
            addrLen.set(JAVA_INT, 0, SockAddr.MAX_SIZE);
            long n = Libc.recvFrom(fd, buf, buf.byteSize(), Libc.MSG_DONTWAIT, addr, addrLen);
            if (n < 0) {
                int errno = Libc.errno();
                if (errno == Libc.EAGAIN || errno == Libc.EINTR) return null;
                throw new SocketErrorException("receiveFrom", SocketError.fromErrno(errno));
            }
            int k = (int) Math.min(n, dst.remaining());
            MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, k);
            dst.position(dst.position() + k);
            return SockAddr.decode(Libc.OS, addr, addrLen.get(JAVA_INT, 0));
        }
    }

    /** True when a peek finds bytes or nothing yet (EAGAIN): the stream has not ended. */
    public boolean stillOpen() {
        try (Arena a = Arena.ofConfined()) {
            long n = Libc.recv(fd, a.allocate(1), 1, Libc.MSG_PEEK | Libc.MSG_DONTWAIT);
            return n > 0 || (n < 0 && Libc.errno() == Libc.EAGAIN);
        }
    }

    public void bind(InetSocketAddress local) throws SocketErrorException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.bind(fd, SockAddr.encode(Libc.OS, local, inet6, a)) != 0) throw error("setAddress " + local);
        }
    }

    /** listen(2); CFSocketSetAddress listens with a backlog of 256 and ignores a failure, this throws it. */
    public void listen(int backlog) throws SocketErrorException {
        if (Libc.listen(fd, backlog) != 0) throw error("listen");
    }

    public void shutdownOutput() throws SocketErrorException {
        if (Libc.shutdown(fd, Libc.SHUT_WR) != 0) throw error("shutdownOutput");
    }

    /** The bound address (getsockname); null before the socket is bound or connected. */
    public InetSocketAddress localAddress() {
        InetSocketAddress a = Libc.socketName(fd, false);
        return a != null && a.getPort() != 0 ? a : null;
    }

    /** macOS has no MSG_NOSIGNAL: the socket is told once not to raise SIGPIPE. */
    public void suppressSigPipe() {
        if (Libc.MAC) Libc.setIntOption(fd, Libc.SOL_SOCKET, Libc.SO_NOSIGPIPE, 1);
    }

    // ---- options ------------------------------------------------------------------------------------------------

    /** level and name of an int option; null when not supported. */
    private int[] optionOf(SocketOption<?> o) {
        if (o == StandardSocketOptions.TCP_NODELAY) return new int[] {Libc.IPPROTO_TCP, Libc.TCP_NODELAY};
        if (o == StandardSocketOptions.SO_SNDBUF) return new int[] {Libc.SOL_SOCKET, Libc.SO_SNDBUF};
        if (o == StandardSocketOptions.SO_RCVBUF) return new int[] {Libc.SOL_SOCKET, Libc.SO_RCVBUF};
        if (o == StandardSocketOptions.SO_REUSEADDR) return new int[] {Libc.SOL_SOCKET, Libc.SO_REUSEADDR};
        if (o == StandardSocketOptions.SO_REUSEPORT) return new int[] {Libc.SOL_SOCKET, Libc.SO_REUSEPORT};
        if (o == StandardSocketOptions.SO_KEEPALIVE) return new int[] {Libc.SOL_SOCKET, Libc.SO_KEEPALIVE};
        if (o == StandardSocketOptions.SO_BROADCAST) return new int[] {Libc.SOL_SOCKET, Libc.SO_BROADCAST};
        if (o == StandardSocketOptions.IP_TOS && !inet6) return new int[] {Libc.IPPROTO_IP, Libc.IP_TOS};
        return null;
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> option) {
        return new UnsupportedOperationException("option " + option.name() + " is not supported by the CF backend");
    }

    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(value, "value");
        if (option == StandardSocketOptions.SO_LINGER) {
            // struct linger { int l_onoff; int l_linger; }, in seconds; negative turns it off
            int seconds = (Integer) value;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment linger = a.allocate(8, 4);
                linger.set(JAVA_INT, 0, seconds < 0 ? 0 : 1);
                linger.set(JAVA_INT, 4, Math.max(0, seconds));
                if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_LINGER, linger) != 0) {
                    throw error("setOption SO_LINGER");
                }
            }
            return;
        }
        int[] lv = optionOf(option);
        int v;
        if (value instanceof Boolean b) {
            v = b ? 1 : 0;
        } else if (value instanceof Integer i) {
            v = i;
        } else {
            throw unsupported(option);
        }
        if (lv == null) throw unsupported(option);
        if (v < 0 && (option == StandardSocketOptions.SO_SNDBUF || option == StandardSocketOptions.SO_RCVBUF)) {
            throw new IllegalArgumentException(option.name() + " must not be negative: " + v);
        }
        if (Libc.setIntOption(fd, lv[0], lv[1], v) != 0) throw error("setOption " + option.name());
    }

    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) throws IOException {
        if (option == StandardSocketOptions.SO_LINGER) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment linger = a.allocate(8, 4);
                MemorySegment len = a.allocate(JAVA_INT);
                len.set(JAVA_INT, 0, 8);
                if (Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_LINGER, linger, len) != 0) {
                    throw error("getOption SO_LINGER");
                }
                return (T) Integer.valueOf(linger.get(JAVA_INT, 0) == 0 ? -1 : linger.get(JAVA_INT, 4));
            }
        }
        int[] lv = optionOf(option);
        if (lv == null) throw unsupported(option);
        int v = Libc.getIntOption(fd, lv[0], lv[1]);
        if (v == -1 && Libc.errno() != 0) throw error("getOption " + option.name());
        return option.type() == Boolean.class ? (T) Boolean.valueOf(v != 0) : (T) Integer.valueOf(v);
    }
}
