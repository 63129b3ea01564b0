package dev.cfnet.reliability;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/** The leak checks' native gauges see a leak: memory allocated and kept shows up, and goes when it is freed. */
class ResourcesTest {
    static final long MIB = 1L << 20;

    @Test
    void nmtSeesOffHeapMemoryAllocatedFromJava() {
        long before = Resources.nmtOther();
        assumeTrue(before >= 0, "the JVM runs without -XX:NativeMemoryTracking");
        try (Arena arena = Arena.ofShared()) {
            arena.allocate(4 * MIB);
            long during = Resources.nmtOther();
            assertTrue(during >= before + 4 * MIB, before + " -> " + during);
        }
        long after = Resources.nmtOther();
        assertTrue(after < before + MIB, "freed: " + before + " -> " + after);
    }

    @Test
    void mallocInUseSeesWhatCAllocatesAndKeeps() throws Throwable {
        long before = Resources.mallocInUse();
        assumeTrue(before >= 0, "no mallinfo2 here (not glibc)");
        Linker linker = Linker.nativeLinker();
        MethodHandle malloc = linker.downcallHandle(linker.defaultLookup().findOrThrow("malloc"),
                FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        MethodHandle free = linker.downcallHandle(linker.defaultLookup().findOrThrow("free"),
                FunctionDescriptor.ofVoid(ADDRESS));
        // mallinfo2 counts the whole process: the JIT and GC threads malloc and free meanwhile (the JIT's pooled
        // chunks, several MiB, go every 5 s), so one of three tries must show the 32 MiB come and go.
        String seen = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            long start = attempt == 0 ? before : Resources.mallocInUse();
            MemorySegment[] blocks = new MemorySegment[32 * 1024];   // 32 MiB in 1 KiB pieces, as small objects
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = (MemorySegment) malloc.invokeExact(1024L);
            }
            long during = Resources.mallocInUse();
            for (MemorySegment b : blocks) {
                free.invokeExact(b);
            }
            long after = Resources.mallocInUse();
            seen += start + " -> " + during + " -> " + after + "; ";
            if (during >= start + 32 * MIB - LeakTest.MALLOC_SLACK / 2 && after < during - 30 * MIB) return;
        }
        throw new AssertionError("32 MiB malloc'd and freed, in use seen as: " + seen);
    }
}
