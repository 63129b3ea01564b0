package dev.cfnet.cf;

import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.util.OptionalDouble;

/**
 * The one seam for differences between CoreFoundation implementations, chosen by the CoreFoundation that loaded
 * (never by the operating system). Apple's CoreFoundation, on macOS and swift-corelibs-foundation's build for
 * Linux, takes the straight path: every workaround here is off for it. OpenCFLite, a fork of CF-Lite 635 (2009)
 * running over libkqueue, gets the workarounds for its bugs, each described where it is switched on.
 */
enum CfImplementation {
    /** Apple's CoreFoundation (macOS, or swift-corelibs-foundation on Linux). No workarounds. */
    APPLE("Apple CoreFoundation", 0, false, false, false),
    /**
     * OpenCFLite. Its kqueue timer for a mode is armed in whole milliseconds and skipped for a timer already due,
     * so due timers stall (lead, nudges, watchdog); an idle CFRunLoopRunInMode ignores its timeout (an alarm wakes
     * it); and its socket manager can read a socket that has nothing to read and take the EAGAIN for an end (a peek
     * before trusting an empty read).
     */
    OPENCFLITE("OpenCFLite", 0.0025, true, true, true);

    private final String product;
    private final double minTimerLeadSeconds;
    private final boolean nudgesDueTimers;
    private final boolean wakesIdleTimeouts;
    private final boolean peeksEmptyReads;

    CfImplementation(String product, double minTimerLeadSeconds, boolean nudgesDueTimers, boolean wakesIdleTimeouts,
                     boolean peeksEmptyReads) {
        this.product = product;
        this.minTimerLeadSeconds = minTimerLeadSeconds;
        this.nudgesDueTimers = nudgesDueTimers;
        this.wakesIdleTimeouts = wakesIdleTimeouts;
        this.peeksEmptyReads = peeksEmptyReads;
    }

    /** The product name. */
    String product() {
        return product;
    }

    /** The earliest a timer may be due after it is armed; 0 where CF arms timers already due (Apple's). */
    double minTimerLeadSeconds() {
        return minTimerLeadSeconds;
    }

    /** Re-arm a mode by moving its due timers just ahead, and watch for timers that did not fire. */
    boolean nudgesDueTimers() {
        return nudgesDueTimers;
    }

    /** Wake a timed run from outside at its deadline, since an idle run would sleep past it. */
    boolean wakesIdleTimeouts() {
        return wakesIdleTimeouts;
    }

    /** Check with MSG_PEEK that CF's empty read on a stream is a real end before delivering it. */
    boolean peeksEmptyReads() {
        return peeksEmptyReads;
    }

    static final String APPLE_PROBE = "CFRunLoopTimerSetTolerance";
    static final String VERSION_SYMBOL = "kCFCoreFoundationVersionNumber";

    /**
     * Which implementation a lookup over the loaded libraries is. CF-Lite 635, OpenCFLite's base, predates
     * CFRunLoopTimerSetTolerance (CF 855, OS X 10.9), which every Apple CoreFoundation since has, Linux's included.
     */
    static CfImplementation identify(SymbolLookup lookup) {
        return lookup.find(APPLE_PROBE).isPresent() ? APPLE : OPENCFLITE;
    }

    /** kCFCoreFoundationVersionNumber where the library exports it (swift-corelibs' build does not). */
    static OptionalDouble versionNumber(SymbolLookup lookup) {
        return lookup.find(VERSION_SYMBOL)
                .map(s -> OptionalDouble.of(s.reinterpret(8).get(ValueLayout.JAVA_DOUBLE, 0)))
                .orElse(OptionalDouble.empty());
    }

    /** A one-line description, e.g. "OpenCFLite 635.21". */
    String describe(OptionalDouble version) {
        return version.isPresent() ? product + " " + formatVersion(version.getAsDouble()) : product;
    }

    private static String formatVersion(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.2f", v);
        return s.endsWith(".00") ? s.substring(0, s.length() - 3) : s;
    }
}
