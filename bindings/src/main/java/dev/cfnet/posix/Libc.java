package dev.cfnet.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls the CF backend makes itself (CF has no partial-write-safe send, no shutdown, no options), with
 * errno captured, and the constants they take ({@link Constant}: each OS's values, generated from its headers).
 */
public final class Libc {
    /** The OS whose ABI the calls follow. */
    public static final Os OS = Os.current();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    static final boolean MAC = OS == Os.MACOS;
    public static final int SOL_SOCKET = Constant.SOL_SOCKET.value();
    public static final int SO_ERROR = Constant.SO_ERROR.value();
    public static final int SO_REUSEADDR = Constant.SO_REUSEADDR.value();
    public static final int SO_REUSEPORT = Constant.SO_REUSEPORT.value();
    public static final int SO_KEEPALIVE = Constant.SO_KEEPALIVE.value();
    public static final int SO_BROADCAST = Constant.SO_BROADCAST.value();
    public static final int SO_LINGER = Constant.SO_LINGER.value();
    public static final int SO_SNDBUF = Constant.SO_SNDBUF.value();
    public static final int SO_RCVBUF = Constant.SO_RCVBUF.value();
    public static final int SO_NOSIGPIPE = Constant.SO_NOSIGPIPE.value();
    public static final int IPPROTO_IP = Constant.IPPROTO_IP.value();
    public static final int IP_TOS = Constant.IP_TOS.value();
    public static final int IPPROTO_TCP = Constant.IPPROTO_TCP.value();
    public static final int TCP_NODELAY = Constant.TCP_NODELAY.value();
    public static final int IPPROTO_IPV6 = Constant.IPPROTO_IPV6.value();
    public static final int IPV6_V6ONLY = Constant.IPV6_V6ONLY.value();
    public static final int MSG_DONTWAIT = Constant.MSG_DONTWAIT.value();
    public static final int MSG_PEEK = Constant.MSG_PEEK.value();
    public static final int MSG_NOSIGNAL = Constant.MSG_NOSIGNAL.value();
    public static final int SHUT_WR = Constant.SHUT_WR.value();
    public static final int POLLOUT = Constant.POLLOUT.value();
    public static final int POLLIN = Constant.POLLIN.value();
    public static final int EAGAIN = Constant.EAGAIN.value();
    public static final int EINTR = Constant.EINTR.value();
    public static final int EINPROGRESS = Constant.EINPROGRESS.value();
    public static final int EBADF = Constant.EBADF.value();
    public static final int O_RDWR = Constant.O_RDWR.value();
    public static final int AF_INET = Constant.AF_INET.value();
    public static final int AF_INET6 = Constant.AF_INET6.value();
    public static final int SOCK_STREAM = Constant.SOCK_STREAM.value();
    public static final int SOCK_DGRAM = Constant.SOCK_DGRAM.value();
    public static final int IPPROTO_UDP = Constant.IPPROTO_UDP.value();

    /** The libc functions cfnet calls, in the order their handles were made (tests check them against SDKs). */
    public static final java.util.Set<String> LIBC_SYMBOLS = new java.util.LinkedHashSet<>();

    private static final MethodHandle SEND = libc("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = libc("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = libc("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = libc("recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = libc("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = libc("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = libc("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = libc("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = libc("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKOPT = libc("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = libc("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // nfds_t is unsigned long on Linux, unsigned int on macOS.
    private static final MethodHandle POLL = libc("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS,
            MAC ? JAVA_INT : JAVA_LONG, JAVA_INT));

    private Libc() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        LIBC_SYMBOLS.add(name);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    /** A per-thread native buffer of {@link #SCRATCH_SIZE} bytes for copies on their way to or from the kernel. */
    public static MemorySegment scratch() {
        return SCRATCH.get();
    }

    /** A per-thread allocator for one sockaddr at a time (each allocation reuses the same bytes). */
    public static SegmentAllocator scratchAddress() {
        return SCRATCH_ADDRESS.get();
    }

    private static final ThreadLocal<SegmentAllocator> SCRATCH_ADDRESS = ThreadLocal.withInitial(
            () -> SegmentAllocator.prefixAllocator(Arena.ofAuto().allocate(SockAddr.MAX_SIZE)));

    public static final int SCRATCH_SIZE = 64 * 1024;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE));

    /** errno as the last call on this thread left it. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    public static long send(int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND.invokeExact(STATE.get(), fd, buf, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static long sendTo(int fd, MemorySegment buf, long len, int flags, MemorySegment addr) {
        try {
            return (long) SENDTO.invokeExact(STATE.get(), fd, buf, len, flags, addr, (int) addr.byteSize());
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static long recv(int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(STATE.get(), fd, buf, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static long recvFrom(int fd, MemorySegment buf, long len, int flags, MemorySegment addr,
                                MemorySegment addrLen) {
        try {
            return (long) RECVFROM.invokeExact(STATE.get(), fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int dup2(int from, int to) {
        try {
            return (int) DUP2.invokeExact(STATE.get(), from, to);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** open(path, O_RDWR); the descriptor, or -1. */
    public static int openReadWrite(String path) {
        try (Arena a = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(STATE.get(), a.allocateFrom(path), 2);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int shutdown(int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(STATE.get(), fd, how);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int bind(int fd, MemorySegment addr) {
        try {
            return (int) BIND.invokeExact(STATE.get(), fd, addr, (int) addr.byteSize());
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int listen(int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(STATE.get(), fd, backlog);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** getsockname (peer false) or getpeername (peer true), decoded; null when the call fails or is not IP. */
    public static java.net.InetSocketAddress socketName(int fd, boolean peer) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockAddr.MAX_SIZE);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, SockAddr.MAX_SIZE);
            int r = peer ? (int) GETPEERNAME.invokeExact(STATE.get(), fd, addr, len)
                    : (int) GETSOCKNAME.invokeExact(STATE.get(), fd, addr, len);
            return r == 0 ? SockAddr.decode(OS, addr, len.get(JAVA_INT, 0)) : null;
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) GETSOCKOPT.invokeExact(STATE.get(), fd, level, name, value, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value) {
        try {
            return (int) SETSOCKOPT.invokeExact(STATE.get(), fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Waits for {@code events} on fd; >0 ready, 0 timed out, <0 error (errno). */
    public static int poll(int fd, int events, int timeoutMillis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, (short) events);
            return MAC ? (int) POLL.invokeExact(STATE.get(), pfd, 1, timeoutMillis)
                    : (int) POLL.invokeExact(STATE.get(), pfd, 1L, timeoutMillis);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** An int socket option, or -1 with errno set. */
    public static int getIntOption(int fd, int level, int name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            return getsockopt(fd, level, name, v, len) == 0 ? v.get(JAVA_INT, 0) : -1;
        }
    }

    public static int setIntOption(int fd, int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            return setsockopt(fd, level, name, v);
        }
    }

    /** A downcall to {@code symbol} that captures errno, for calls (CF's too) whose failures only errno explains. */
    public static MethodHandle capturingErrno(MemorySegment symbol, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    /** The capture state segment to pass first to a {@link #capturingErrno} handle on this thread. */
    public static MemorySegment callState() {
        return STATE.get();
    }

    /** Turns what a downcall threw into an unchecked exception (downcalls throw no checked ones). */
    public static RuntimeException rethrow(Throwable t) {
        return fail(t);
    }
}
