package dev.cfnet.cf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.cfnet.cf.ffi.CF;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CFData a callout hands over (bytes read, a peer's sockaddr, an errno, a descriptor), read by address: the
 * per-event path makes no MemorySegment for the CFDataRef. Handles are jextract's symbols and descriptors with
 * pointers as longs (see {@link Upcalls#downcall}).
 */
final class CfData {
    private static final MethodHandle LENGTH = Upcalls.downcall(CF.CFDataGetLength$address(),
            CF.CFDataGetLength$descriptor());
    private static final MethodHandle BYTE_PTR = Upcalls.downcall(CF.CFDataGetBytePtr$address(),
            CF.CFDataGetBytePtr$descriptor());

    private CfData() {
    }

    /** CFDataGetLength. */
    static long length(long data) {
        try {
            return (long) LENGTH.invokeExact(data);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long bytePtr(long data) {
        try {
            return (long) BYTE_PTR.invokeExact(data);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The {@code length} bytes of a CFData, as a segment of exactly that size. */
    static MemorySegment bytes(long data, long length) {
        return MemorySegment.ofAddress(bytePtr(data)).reinterpret(length);
    }

    /** Copies the first {@code length} bytes of a CFData to the start of {@code dst}. */
    static void copy(long data, long length, MemorySegment dst) {
        MemorySegment.copy(bytes(data, length), 0, dst, 0, length);
    }

    /** The int a callout's data points at (an errno for CONNECT, a descriptor for ACCEPT). */
    static int intAt(long address) {
        return MemorySegment.ofAddress(address).reinterpret(JAVA_INT.byteSize()).get(JAVA_INT, 0);
    }
}
