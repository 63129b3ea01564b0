package dev.cfnet.reliability;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.cfnet.posix.Os;
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
public final class Resources {
    private Resources() {
    }

    /**
     * {@code nativeOther}: NMT's "Other" committed bytes, where off-heap memory that Java code allocates (FFM arenas,
     * Unsafe) is counted; -1 without -XX:NativeMemoryTracking. {@code mallocInUse}: bytes the C allocator has handed
     * out and not had back (glibc's mallinfo2: the JVM's own mallocs and CoreFoundation's objects); -1 elsewhere.
     */
    record Snapshot(long fds, int threads, long heapAfterGc, long directBytes, long directBuffers, int cfIds,
                    long nativeOther, long mallocInUse, java.util.SortedMap<Integer, String> fdTable,
                    java.util.SortedSet<String> threadNames) {
        /** What differs from {@code before} in descriptors (number: what it is) and thread names. */
        String diff(Snapshot before) {
            var added = new java.util.TreeMap<>(fdTable);
            added.entrySet().removeAll(before.fdTable.entrySet());
            var removed = new java.util.TreeMap<>(before.fdTable);
            removed.entrySet().removeAll(fdTable.entrySet());
            var newThreads = new java.util.TreeSet<>(threadNames);
            newThreads.removeAll(before.threadNames);
            var goneThreads = new java.util.TreeSet<>(before.threadNames);
            goneThreads.removeAll(threadNames);
            return "descriptors opened " + added + ", closed " + removed + "; threads started " + newThreads
                    + ", ended " + goneThreads;
        }

        @Override
        public String toString() {
            return String.format("fds %d, threads %d, heap after GC %.1f MiB, direct %d buffers / %.1f MiB%s%s%s", fds,
                    threads, heapAfterGc / 1048576.0, directBuffers, directBytes / 1048576.0,
                    cfIds >= 0 ? ", CF ids " + cfIds : "",
                    nativeOther >= 0 ? String.format(", NMT other %.1f KiB", nativeOther / 1024.0) : "",
                    mallocInUse >= 0 ? String.format(", malloc in use %.1f MiB", mallocInUse / 1048576.0) : "");
        }
    }

    private static final java.util.regex.Pattern NMT_OTHER =
            java.util.regex.Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    /** NMT's committed bytes in the "Other" category (FFM and Unsafe allocations), or -1 without NMT. */
    static long nmtOther() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            var m = NMT_OTHER.matcher(String.valueOf(out));
            return m.find() ? Long.parseLong(m.group(2)) * 1024 : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static final MethodHandle MALLINFO2 = Os.current() == Os.LINUX
            ? Linker.nativeLinker().defaultLookup().find("mallinfo2").map(a -> Linker.nativeLinker().downcallHandle(a,
                    FunctionDescriptor.of(java.lang.foreign.MemoryLayout.structLayout(
                            java.lang.foreign.MemoryLayout.sequenceLayout(10, JAVA_LONG))))).orElse(null)
            : null;

    /** glibc's bytes in use: uordblks (heap chunks) + hblkhd (mmapped chunks); -1 off glibc. */
    static long mallocInUse() {
        if (MALLINFO2 == null) return -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mi = (MemorySegment) MALLINFO2.invokeExact((java.lang.foreign.SegmentAllocator) a);
            return mi.get(JAVA_LONG, 7 * 8) + mi.get(JAVA_LONG, 4 * 8);
        } catch (Throwable t) {
            return -1;
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

    /** This process's open descriptors: /proc/self/fd on Linux, /dev/fd on macOS. */
    public static final Path FD_DIR = Files.isDirectory(Path.of("/proc/self/fd")) ? Path.of("/proc/self/fd") : Path.of("/dev/fd");

    static long fds() {
        try (Stream<Path> s = Files.list(FD_DIR)) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Each open descriptor and what it is (the link's target: a socket, a pipe, anon_inode:[eventpoll], ...). */
    static java.util.SortedMap<Integer, String> fdTable() {
        var table = new java.util.TreeMap<Integer, String>();
        try (Stream<Path> s = Files.list(FD_DIR)) {
            s.forEach(p -> {
                try {
                    table.put(Integer.parseInt(p.getFileName().toString()), String.valueOf(Files.readSymbolicLink(p)));
                } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
                    table.put(Integer.parseInt(p.getFileName().toString()), "?");
                }
            });
        } catch (IOException | NumberFormatException e) {
            return table;
        }
        return table;
    }

    static java.util.SortedSet<String> threadNames() {
        var names = new java.util.TreeSet<String>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    /** The descriptor count once it stops falling (the CF backend frees numbers 250 ms after a close). */
    public static long stableFds() {
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
        return new Snapshot(stableFds(), Thread.activeCount(), heap, direct, count, cfIds(), nmtOther(), mallocInUse(),
                fdTable(), threadNames());
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
