package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.cf.ffi.CFAllocatorReleaseCallBack;
import dev.cfnet.cf.ffi.CFHostClientCallBack;
import dev.cfnet.cf.ffi.CFHostClientContext;
import dev.cfnet.cf.ffi.CFRunLoopSourceContext;
import dev.cfnet.cf.ffi.CFRunLoopTimerCallBack;
import dev.cfnet.cf.ffi.CFRunLoopTimerContext;
import dev.cfnet.cf.ffi.CFSocketCallBack;
import dev.cfnet.cf.ffi.CFSocketContext;
import dev.cfnet.cf.ffi.CFStreamError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The generated bindings and the glue's native edges, without a CoreFoundation: struct layouts as the macOS ABI
 * has them, upcall stubs called through the generated invokers, and upcalls that must shrug off what they do not
 * know (an exception leaving an upcall would end the JVM).
 */
class CfBindingsTest {

    @Test
    void structLayoutsMatchTheMacOsAbi() {
        assertEquals(40, CFSocketContext.layout().byteSize());
        assertEquals(0, CFSocketContext.version$offset());
        assertEquals(8, CFSocketContext.info$offset());
        assertEquals(24, CFSocketContext.release$offset());
        assertEquals(80, CFRunLoopSourceContext.layout().byteSize());
        assertEquals(72, CFRunLoopSourceContext.perform$offset());
        assertEquals(40, CFRunLoopTimerContext.layout().byteSize());
        assertEquals(40, CFHostClientContext.layout().byteSize());
        assertEquals(2, CFHostClientContext.layout().byteAlignment(), "CFHost.h packs it with #pragma pack(2)");
        assertEquals(8, CFHostClientContext.info$offset());
        assertEquals(16, CFStreamError.layout().byteSize());
        assertEquals(8, CFStreamError.error$offset());
    }

    @Test
    void generatedUpcallStubsCarryTheirArgumentsThroughInvoke() {
        AtomicReference<Object[]> seen = new AtomicReference<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stub = CFSocketCallBack.allocate((s, type, address, data, info) ->
                    seen.set(new Object[] {s.address(), type, address.address(), data.address(), info.address()}),
                    arena);
            CFSocketCallBack.invoke(stub, MemorySegment.ofAddress(0x1000), 3L, MemorySegment.ofAddress(0x2000),
                    MemorySegment.ofAddress(0x3000), MemorySegment.ofAddress(42));
            assertArrayEquals(new Object[] {0x1000L, 3L, 0x2000L, 0x3000L, 42L}, seen.get());

            MemorySegment timer = CFRunLoopTimerCallBack.allocate((t, info) -> seen.set(new Object[] {info.address()}),
                    arena);
            CFRunLoopTimerCallBack.invoke(timer, MemorySegment.NULL, MemorySegment.ofAddress(7));
            assertArrayEquals(new Object[] {7L}, seen.get());

            MemorySegment host = CFHostClientCallBack.allocate((h, typeInfo, error, info) ->
                    seen.set(new Object[] {typeInfo, info.address()}), arena);
            CFHostClientCallBack.invoke(host, MemorySegment.NULL, 0, MemorySegment.NULL, MemorySegment.ofAddress(9));
            assertArrayEquals(new Object[] {0, 9L}, seen.get());
        }
    }

    @Test
    void theReleaseStubDropsTheRegistryEntry() {
        Object target = new Object();
        MemorySegment info = Registry.add(target);
        int before = Registry.size();
        assertSame(target, Registry.get(info));
        // Called as CF calls it (jextract's pointer-typed descriptor) into the stub that takes addresses as longs.
        CFAllocatorReleaseCallBack.invoke(Upcalls.RELEASE, info);
        assertNull(Registry.get(info));
        assertEquals(before - 1, Registry.size());
        CFAllocatorReleaseCallBack.invoke(Upcalls.RELEASE, info);   // twice: nothing left, nothing thrown
        assertTrue(MemorySegment.ofAddress(info.address()).address() > 0, "ids are small positive integers");
    }

    @Test
    void upcallsIgnoreIdsTheyDoNotKnow() {
        MemorySegment unknown = MemorySegment.ofAddress(Long.MAX_VALUE / 3);
        MemorySegment wrongKind = Registry.add("not a socket");
        try {
            for (MemorySegment info : new MemorySegment[] {unknown, wrongKind, MemorySegment.NULL}) {
                for (long type : new long[] {1, 2, 3, 4, 8, 99}) {
                    CFSocketCallBack.invoke(Upcalls.SOCKET, MemorySegment.NULL, type, MemorySegment.NULL,
                            MemorySegment.NULL, info);
                }
                CFRunLoopTimerCallBack.invoke(Upcalls.TIMER, MemorySegment.NULL, info);
                CFHostClientCallBack.invoke(Upcalls.HOST, MemorySegment.NULL, 0, MemorySegment.NULL, info);
                dev.cfnet.cf.ffi.CFRunLoopSourceContext.perform.invoke(Upcalls.PERFORM, info);
            }
        } finally {
            Registry.remove(wrongKind);
        }
    }

    @Test
    void upcallDescriptorsAreJextractsWithPointersAsLongs() {
        java.lang.foreign.FunctionDescriptor d = Upcalls.addressesAsLongs(CFSocketCallBack.descriptor());
        assertEquals(CFSocketCallBack.descriptor().argumentLayouts().size(), d.argumentLayouts().size());
        for (int i = 0; i < d.argumentLayouts().size(); i++) {
            var original = CFSocketCallBack.descriptor().argumentLayouts().get(i);
            var mapped = d.argumentLayouts().get(i);
            assertEquals(original.byteSize(), mapped.byteSize(), "argument " + i + " keeps its size");
            assertEquals(original instanceof java.lang.foreign.AddressLayout ? ValueLayout.JAVA_LONG : original,
                    mapped, "argument " + i);
        }
        assertTrue(d.returnLayout().isEmpty());
        // (a function's $descriptor() looks its symbol up: this one is built the way jextract builds CFDataGetBytePtr's)
        var bytePtr = java.lang.foreign.FunctionDescriptor.of(dev.cfnet.cf.ffi.CF.C_POINTER, dev.cfnet.cf.ffi.CF.C_POINTER);
        assertEquals(java.util.Optional.of(ValueLayout.JAVA_LONG), Upcalls.addressesAsLongs(bytePtr).returnLayout());
    }

    /** make bindings puts CfLibrary's loading lookup into jextract's output (native/ffi-lookup.sed). */
    @Test
    void theGeneratedBindingsLookUpThroughCfLibrary() throws java.io.IOException {
        java.nio.file.Path cf = java.nio.file.Path.of("src/gen/java/dev/cfnet/cf/ffi/CF.java");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(cf), "sources not found");
        assertTrue(java.nio.file.Files.readString(cf)
                .contains("static final SymbolLookup SYMBOL_LOOKUP = dev.cfnet.cf.CfLibrary.symbolLookup();"));
    }

    @Test
    void registryIdsAreUniqueAndReleasable() {
        MemorySegment a = Registry.add("a");
        MemorySegment b = Registry.add("b");
        assertTrue(a.address() != b.address());
        assertEquals("a", Registry.remove(a));
        assertNull(Registry.get(a));
        assertEquals("b", Registry.get(b));
        assertEquals("b", Registry.remove(b));
        assertNull(Registry.get(null));
    }

    @Test
    void zeroLengthPointersAreReadOnlyWithTheirRealSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(ValueLayout.JAVA_INT);
            errno.set(ValueLayout.JAVA_INT, 0, 61);
            MemorySegment asCfHandsItOver = MemorySegment.ofAddress(errno.address());
            assertEquals(0, asCfHandsItOver.byteSize());
            assertEquals(61, asCfHandsItOver.reinterpret(4).get(ValueLayout.JAVA_INT, 0));
        }
    }
}
