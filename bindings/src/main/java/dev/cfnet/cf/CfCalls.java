package dev.cfnet.cf;

import dev.cfnet.cf.ffi.CF;
import dev.cfnet.posix.Libc;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The CF calls whose failures only errno explains, with errno captured ({@link Libc#errno()} after each). */
final class CfCalls {
    private static final MethodHandle CREATE = Libc.capturingErrno(CF.CFSocketCreate$address(),
            CF.CFSocketCreate$descriptor());
    private static final MethodHandle CONNECT = Libc.capturingErrno(CF.CFSocketConnectToAddress$address(),
            CF.CFSocketConnectToAddress$descriptor());

    private CfCalls() {
    }

    /** CFSocketCreate; NULL on failure. */
    static MemorySegment socketCreate(int family, int type, int protocol, long callBackTypes, MemorySegment callout,
                                      MemorySegment context) {
        try {
            return (MemorySegment) CREATE.invokeExact(Libc.callState(), CF.kCFAllocatorDefault(), family, type,
                    protocol, callBackTypes, callout, context);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** CFSocketConnectToAddress; kCFSocketSuccess (0) or an error. */
    static long connect(MemorySegment socket, MemorySegment address, double timeout) {
        try {
            return (long) CONNECT.invokeExact(Libc.callState(), socket, address, timeout);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
