package dev.cfnet.cf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.cfnet.cf.ffi.CF;
import dev.cfnet.spi.Os;
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
 * The libc calls the CF backend makes itself (CF has no partial-write-safe send, no shutdown, no options), and
 * errno-capturing handles for the CF calls whose failures only errno explains. Constants differ per OS; each
 * is given for Linux and macOS.
 */
final class Native {
    static final Os OS = Os.current();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    static final boolean MAC = OS == Os.MACOS;
    static final int SOL_SOCKET = MAC ? 0xffff : 1;
    static final int SO_ERROR = MAC ? 0x1007 : 4;
    static final int SO_REUSEADDR = MAC ? 0x4 : 2;
    static final int SO_REUSEPORT = MAC ? 0x200 : 15;
    static final int SO_KEEPALIVE = MAC ? 0x8 : 9;
    static final int SO_BROADCAST = MAC ? 0x20 : 6;
    static final int SO_LINGER = MAC ? 0x1080 : 13;    // SO_LINGER_SEC on macOS: seconds, as Java's option
    static final int SO_SNDBUF = MAC ? 0x1001 : 7;
    static final int SO_RCVBUF = MAC ? 0x1002 : 8;
    static final int SO_NOSIGPIPE = 0x1022;             // macOS only
    static final int IPPROTO_IP = 0;
    static final int IP_TOS = MAC ? 3 : 1;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = MAC ? 27 : 26;
    static final int MSG_DONTWAIT = MAC ? 0x80 : 0x40;
    static final int MSG_PEEK = 2;
    static final int MSG_NOSIGNAL = MAC ? 0 : 0x4000;  // macOS uses SO_NOSIGPIPE instead
    static final int SHUT_WR = 1;
    static final int POLLOUT = 4;
    static final int POLLIN = 1;
    static final int EAGAIN = MAC ? 35 : 11;
    static final int EINTR = 4;
    static final int EINPROGRESS = MAC ? 36 : 115;
    static final int EBADF = 9;

    /** The libc functions cfnet calls, in the order their handles were made (tests check them against SDKs). */
    static final java.util.Set<String> LIBC_SYMBOLS = new java.util.LinkedHashSet<>();

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

    private Native() {
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        LIBC_SYMBOLS.add(name);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    /** A per-thread native buffer of {@link #SCRATCH_SIZE} bytes for copies on their way to or from the kernel. */
    static MemorySegment scratch() {
        return SCRATCH.get();
    }

    /** A per-thread allocator for one sockaddr at a time (each allocation reuses the same bytes). */
    static SegmentAllocator scratchAddress() {
        return SCRATCH_ADDRESS.get();
    }

    private static final ThreadLocal<SegmentAllocator> SCRATCH_ADDRESS = ThreadLocal.withInitial(
            () -> SegmentAllocator.prefixAllocator(Arena.ofAuto().allocate(SockAddr.MAX_SIZE)));

    static final int SCRATCH_SIZE = 64 * 1024;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_SIZE));

    /** errno as the last call on this thread left it. */
    static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    static long send(int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND.invokeExact(STATE.get(), fd, buf, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long sendTo(int fd, MemorySegment buf, long len, int flags, MemorySegment addr) {
        try {
            return (long) SENDTO.invokeExact(STATE.get(), fd, buf, len, flags, addr, (int) addr.byteSize());
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long recv(int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(STATE.get(), fd, buf, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long recvFrom(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, MemorySegment addrLen) {
        try {
            return (long) RECVFROM.invokeExact(STATE.get(), fd, buf, len, flags, addr, addrLen);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int dup2(int from, int to) {
        try {
            return (int) DUP2.invokeExact(STATE.get(), from, to);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** open(path, O_RDWR); the descriptor, or -1. */
    static int openReadWrite(String path) {
        try (Arena a = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(STATE.get(), a.allocateFrom(path), 2);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int shutdown(int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(STATE.get(), fd, how);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int bind(int fd, MemorySegment addr) {
        try {
            return (int) BIND.invokeExact(STATE.get(), fd, addr, (int) addr.byteSize());
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** getsockname (peer false) or getpeername (peer true), decoded; null when the call fails or is not IP. */
    static java.net.InetSocketAddress socketName(int fd, boolean peer) {
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

    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) GETSOCKOPT.invokeExact(STATE.get(), fd, level, name, value, len);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment value) {
        try {
            return (int) SETSOCKOPT.invokeExact(STATE.get(), fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** Waits for {@code events} on fd; >0 ready, 0 timed out, <0 error (errno). */
    static int poll(int fd, int events, int timeoutMillis) {
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
    static int getIntOption(int fd, int level, int name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            return getsockopt(fd, level, name, v, len) == 0 ? v.get(JAVA_INT, 0) : -1;
        }
    }

    /** macOS has no MSG_NOSIGNAL: a socket is told once not to raise SIGPIPE. Elsewhere each send says so. */
    static void suppressSigPipe(int fd) {
        if (MAC) setIntOption(fd, SOL_SOCKET, SO_NOSIGPIPE, 1);
    }

    static int setIntOption(int fd, int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            return setsockopt(fd, level, name, v);
        }
    }

    /** The CF calls whose failure reasons live in errno: created on first use, after CoreFoundation loaded. */
    static final class Cf {
        private static final MethodHandle CREATE = LINKER.downcallHandle(CF.CFSocketCreate$address(),
                CF.CFSocketCreate$descriptor(), CAPTURE_ERRNO);
        private static final MethodHandle CONNECT = LINKER.downcallHandle(CF.CFSocketConnectToAddress$address(),
                CF.CFSocketConnectToAddress$descriptor(), CAPTURE_ERRNO);
        private static final MethodHandle SET_ADDRESS = LINKER.downcallHandle(CF.CFSocketSetAddress$address(),
                CF.CFSocketSetAddress$descriptor(), CAPTURE_ERRNO);

        private Cf() {
        }

        static MemorySegment socketCreate(int family, int type, int protocol, long callBackTypes,
                                          MemorySegment callout, MemorySegment context) {
            try {
                return (MemorySegment) CREATE.invokeExact(STATE.get(), CF.kCFAllocatorDefault(), family, type,
                        protocol, callBackTypes, callout, context);
            } catch (Throwable t) {
                throw fail(t);
            }
        }

        static long connect(MemorySegment s, MemorySegment address, double timeout) {
            try {
                return (long) CONNECT.invokeExact(STATE.get(), s, address, timeout);
            } catch (Throwable t) {
                throw fail(t);
            }
        }

        static long setAddress(MemorySegment s, MemorySegment address) {
            try {
                return (long) SET_ADDRESS.invokeExact(STATE.get(), s, address);
            } catch (Throwable t) {
                throw fail(t);
            }
        }
    }

}
