package dev.cfnet.bench;

import java.lang.management.ManagementFactory;

/** The process's descriptor limit, for the scaling scenario (10,000 idle connections need 20,000 descriptors). */
final class FdLimit {
    private FdLimit() {
    }

    /** The soft RLIMIT_NOFILE as the JVM sees it, or -1 when it cannot tell. */
    static long max() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return u.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** Fails with a clear message when fewer than {@code needed} descriptors are allowed. */
    static void require(long needed, String what) {
        long max = max();
        if (max >= 0 && max < needed) {
            throw new IllegalStateException(what + " need about " + needed + " file descriptors; the limit is " + max
                    + ". Raise it (ulimit -n " + Math.max(needed, 65536) + "; make bench does when it may)");
        }
    }
}
