package dev.cfnet.cf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.cfnet.cf.ffi.CFAllocatorReleaseCallBack;
import dev.cfnet.cf.ffi.CFHostClientCallBack;
import dev.cfnet.cf.ffi.CFRunLoopSourceContext;
import dev.cfnet.cf.ffi.CFRunLoopTimerCallBack;
import dev.cfnet.cf.ffi.CFSocketCallBack;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * The function pointers CF calls back through, made once for the process: every callout dispatches by the registry
 * id CF hands back as {@code info}, so no stub belongs to a loop or a socket, and none is ever freed.
 *
 * <p>Pointers reach Java as plain addresses ({@code long}): an upcall with pointer parameters makes a
 * MemorySegment for each of them on every call, and callouts are the per-event path. The descriptors are
 * jextract's with each pointer replaced by a 64-bit integer, which both C ABIs cfnet runs on (x86_64 System V and
 * arm64 AAPCS64) pass the same way. Every target catches everything: nothing may leave an upcall.
 */
final class Upcalls {
    private static final Linker LINKER = Linker.nativeLinker();

    /** CFSocketCallBack: CfSocketIo.onCallout(s, type, address, data, info). */
    static final MemorySegment SOCKET = stub("onSocket", CFSocketCallBack.descriptor());
    /** CFRunLoopTimerCallBack: CfTimer.onFire(timer, info). */
    static final MemorySegment TIMER = stub("onTimer", CFRunLoopTimerCallBack.descriptor());
    /** CFHostClientCallBack: CfResolution.onHostCallback(host, typeInfo, error, info). */
    static final MemorySegment HOST = stub("onHost", CFHostClientCallBack.descriptor());
    /** A version-0 source's perform(info): CfLoop.onPerform. */
    static final MemorySegment PERFORM = stub("onPerform", CFRunLoopSourceContext.perform.descriptor());
    /** The context release of every CF object cfnet makes: drops the registry entry. */
    static final MemorySegment RELEASE = stub("onRelease", CFAllocatorReleaseCallBack.descriptor());

    private Upcalls() {
    }

    /** {@code d} with every pointer (argument or result) passed as a 64-bit integer instead. */
    static FunctionDescriptor addressesAsLongs(FunctionDescriptor d) {
        MemoryLayout[] args = d.argumentLayouts().stream().map(Upcalls::asLong).toArray(MemoryLayout[]::new);
        return d.returnLayout().map(r -> FunctionDescriptor.of(asLong(r), args))
                .orElseGet(() -> FunctionDescriptor.ofVoid(args));
    }

    private static MemoryLayout asLong(MemoryLayout l) {
        return l instanceof AddressLayout ? JAVA_LONG : l;
    }

    private static MemorySegment stub(String method, FunctionDescriptor jextract) {
        FunctionDescriptor d = addressesAsLongs(jextract);
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(Upcalls.class, method, d.toMethodType());
            return LINKER.upcallStub(target, d, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A downcall to {@code symbol} with jextract's descriptor, pointers passed and returned as longs. */
    static MethodHandle downcall(MemorySegment symbol, FunctionDescriptor jextract) {
        return LINKER.downcallHandle(symbol, addressesAsLongs(jextract));
    }

    // ---- targets ------------------------------------------------------------------------------------------------

    /**
     * Logs what escaped a callout. Depends on nothing that can fail to load (a CfLoop whose class could not be
     * initialised must not take the handler down with it), and catches its own failures: nothing may leave an upcall.
     */
    private static void failed(String where, Throwable t) {
        try {
            System.getLogger("dev.cfnet.cf").log(System.Logger.Level.ERROR, "cfnet upcall (" + where + ") failed", t);
        } catch (Throwable ignored) {
            // not even a failure to log
        }
    }

    private static void onSocket(long s, long type, long address, long data, long info) {
        try {
            CfSocketIo.onCallout(type, address, data, info);
        } catch (Throwable t) {
            failed("socket callback", t);
        }
    }

    private static void onTimer(long timer, long info) {
        try {
            CfTimer.onFire(info);
        } catch (Throwable t) {
            failed("timer callback", t);
        }
    }

    private static void onHost(long host, int typeInfo, long error, long info) {
        try {
            CfResolution.onHostCallback(error, info);
        } catch (Throwable t) {
            failed("host callback", t);
        }
    }

    private static void onPerform(long info) {
        try {
            CfLoop.onPerform(info);
        } catch (Throwable t) {
            failed("run loop source", t);
        }
    }

    private static void onRelease(long info) {
        try {
            Registry.remove(info);
        } catch (Throwable t) {
            failed("context release", t);
        }
    }

}
