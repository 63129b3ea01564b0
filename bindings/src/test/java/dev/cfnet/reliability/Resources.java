package dev.cfnet.reliability;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.cfnet.spi.Os;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a process holds, for leak checks: descriptors, threads, heap after GC, direct memory; and the fd limit. */
final class Resources {
    private Resources() {
    }

    record Snapshot(long fds, int threads, long heapAfterGc, long directBytes, long directBuffers, int cfIds) {
        @Override
        public String toString() {
            return String.format("fds %d, threads %d, heap after GC %.1f MiB, direct %d buffers / %.1f MiB%s", fds,
                    threads, heapAfterGc / 1048576.0, directBuffers, directBytes / 1048576.0,
                    cfIds >= 0 ? ", CF ids " + cfIds : "");
        }
    }

    /** Resident set size of this process in bytes (Linux), or -1. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static long fds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The descriptor count once it stops falling (the CF backend frees numbers 250 ms after a close). */
    static long stableFds() {
        long last = fds();
        long since = System.nanoTime();
        while (System.nanoTime() - since < 400_000_000L) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
            long now = fds();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }

    static Snapshot snapshot() {
        long heap = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {   // settle: a few collections, keep the lowest
            System.gc();
            heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long direct = 0;
        long count = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
                count = pool.getCount();
            }
        }
        return new Snapshot(stableFds(), Thread.activeCount(), heap, direct, count, cfIds());
    }

    /** Ids the CF backend handed to CoreFoundation and did not get back; -1 where CF is not loaded. */
    static int cfIds() {
        try {
            Class<?> registry = Class.forName("dev.cfnet.cf.Registry");
            var size = registry.getDeclaredMethod("size");
            size.setAccessible(true);
            return (int) size.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Raises this process's RLIMIT_NOFILE (soft and, as root, hard) to at least {@code want}; returns the soft limit
     * in force afterwards.
     */
    static long raiseFdLimit(long want) {
        Linker linker = Linker.nativeLinker();
        int resource = Os.current() == Os.MACOS ? 8 : 7;
        MethodHandle get = linker.downcallHandle(linker.defaultLookup().findOrThrow("getrlimit"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        MethodHandle set = linker.downcallHandle(linker.defaultLookup().findOrThrow("setrlimit"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rl = a.allocate(16);
            if ((int) get.invokeExact(resource, rl) != 0) return -1;
            long cur = rl.get(JAVA_LONG, 0);
            long max = rl.get(JAVA_LONG, 8);
            if (cur >= want) return cur;
            rl.set(JAVA_LONG, 0, want);
            rl.set(JAVA_LONG, 8, Math.max(max, want));
            if ((int) set.invokeExact(resource, rl) != 0) {
                rl.set(JAVA_LONG, 0, max);   // unprivileged: as far as the hard limit goes
                rl.set(JAVA_LONG, 8, max);
                int ignored = (int) set.invokeExact(resource, rl);
            }
            int ok = (int) get.invokeExact(resource, rl);
            return ok == 0 ? rl.get(JAVA_LONG, 0) : -1;
        } catch (Throwable t) {
            return -1;
        }
    }
}
