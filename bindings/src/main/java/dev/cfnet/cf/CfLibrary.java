package dev.cfnet.cf;

import dev.cfnet.posix.Os;
import java.io.File;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Loads CoreFoundation (and, on macOS, CFNetwork) once, into this module's class loader, where the generated
 * bindings look their symbols up ({@code SymbolLookup.loaderLookup()}).
 *
 * <p>{@code -Dcfnet.cf.library=PATH[:PATH...]} loads other builds instead, e.g. OpenCFLite on Linux.
 */
public final class CfLibrary {
    /** System property naming the libraries to load. */
    public static final String PROPERTY = "cfnet.cf.library";

    static final String MAC_CORE_FOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation";
    static final String MAC_CFNETWORK = "/System/Library/Frameworks/CFNetwork.framework/CFNetwork";

    /** Symbols the backend cannot work without. */
    static final List<String> REQUIRED = List.of("CFRunLoopGetCurrent", "CFRunLoopRunInMode", "CFRunLoopStop",
            "CFRunLoopWakeUp", "CFRunLoopSourceCreate", "CFRunLoopTimerCreate", "CFSocketCreate",
            "CFSocketCreateWithNative", "CFSocketConnectToAddress", "CFSocketCreateRunLoopSource",
            "CFSocketEnableCallBacks", "CFSocketInvalidate", "CFDataCreate", "CFStringCreateWithCString",
            "CFRelease", "kCFRunLoopDefaultMode", "kCFRunLoopCommonModes");

    static final String CFHOST_PROBE = "CFHostCreateWithName";

    /** Every CoreFoundation and CFNetwork symbol the glue looks up itself, besides those of the bindings. */
    static List<String> symbolsLookedUp() {
        List<String> all = new ArrayList<>(REQUIRED);
        all.addAll(List.of(CFHOST_PROBE, CfImplementation.APPLE_PROBE, CfImplementation.VERSION_SYMBOL));
        return all;
    }

    /** The outcome of loading: the reason it cannot work, or what loaded. Immutable; replaced under the lock. */
    private record State(String property, String unavailable, CfImplementation impl, boolean hasCFHost,
                         String description) {
    }

    private static final List<String> LOADED = new ArrayList<>();
    private static volatile State state;

    private CfLibrary() {
    }

    /**
     * Loads CoreFoundation unless it loaded already; a failed attempt is tried again when the property changed
     * since (so that a library named later still loads).
     */
    private static State state() {
        State s = state;
        String property = System.getProperty(PROPERTY, "").trim();
        if (s != null && (s.unavailable() == null || s.property().equals(property))) return s;
        synchronized (CfLibrary.class) {
            s = state;
            if (s != null && (s.unavailable() == null || s.property().equals(property))) return s;
            String why;
            why = loadOnMainThread(property);
            if (why != null) {
                s = new State(property, why, CfImplementation.APPLE, false, null);
            } else {
                SymbolLookup loaded = SymbolLookup.loaderLookup();
                boolean cfHost = loaded.find(CFHOST_PROBE).isPresent();
                CfImplementation impl = CfImplementation.identify(loaded);
                s = new State(property, null, impl, cfHost, impl.describe(CfImplementation.versionNumber(loaded))
                        + (cfHost ? " with CFNetwork" : "") + " (" + String.join(File.pathSeparator, LOADED) + ")");
            }
            state = s;
            return s;
        }
    }

    /** Empty when CoreFoundation is loaded and complete; otherwise why not. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(state().unavailable());
    }

    /** Which CoreFoundation loaded and from where, e.g. "OpenCFLite 635.21 (/opt/cf/libCoreFoundation.so)". */
    public static Optional<String> description() {
        return Optional.ofNullable(state().description());
    }

    /** True when CFNetwork's CFHost is there (macOS); elsewhere names resolve on worker threads. */
    public static boolean hasCFHost() {
        return state().hasCFHost();
    }

    /** Which CoreFoundation loaded, for its workarounds; APPLE (none) when none did. */
    static CfImplementation implementation() {
        return state().impl();
    }

    /**
     * Where the generated bindings ({@code dev.cfnet.cf.ffi.CF}) look their symbols up: this module's loaded
     * libraries, CoreFoundation loaded first the way {@link dev.cfnet.Backend#CF} does. A symbol missing because no
     * CoreFoundation loads throws an error that says why and what to do (make bindings puts this lookup in place).
     *
     * @return the lookup
     */
    public static SymbolLookup symbolLookup() {
        SymbolLookup loaded = SymbolLookup.loaderLookup();
        SymbolLookup libc = Linker.nativeLinker().defaultLookup();
        return name -> {
            State s = state();
            Optional<MemorySegment> found = loaded.find(name).or(() -> libc.find(name));
            if (found.isEmpty() && s.unavailable() != null) {
                throw new UnsatisfiedLinkError("CoreFoundation's " + name + " is not loaded: " + s.unavailable()
                        + ". Call Backend.CF.isAvailable() before the first raw CF call (it loads CoreFoundation, "
                        + "or says why it cannot); a function called before that stays unusable in this JVM");
            }
            return found;
        };
    }

    /** The library files loaded. */
    public static List<String> loaded() {
        return List.copyOf(LOADED);
    }

    /** The libraries to load for a property value on an OS; empty when there is nothing to try. */
    static List<String> candidates(String property, Os os) {
        if (!property.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (String p : property.split(File.pathSeparator)) {
                if (!p.isBlank()) out.add(p.strip());
            }
            return out;
        }
        if (os == Os.MACOS) return List.of(MAC_CORE_FOUNDATION, MAC_CFNETWORK);
        return List.of();
    }

    /**
     * Loads on a thread of its own that, once CoreFoundation loaded, never ends. CF takes the thread that
     * initializes it for the process's main thread for good (macOS requires it to be the main thread); where
     * that thread ended, the main run loop came and went as later threads reused its id (seen on both Linux CFs as
     * a kqueue's descriptors appearing and vanishing). On macOS the process initialized CF before any Java ran.
     */
    private static String loadOnMainThread(String property) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("cfnet-cf-main").start(() -> {
            String why;
            try {
                why = load(property, Os.current());
            } catch (Throwable t) {
                why = "loading CoreFoundation failed: " + t;
            }
            outcome.complete(why);
            while (why == null) LockSupport.park();
        });
        return outcome.join();
    }

    /** Loads; returns null on success or the reason it cannot work. */
    static String load(String property, Os os) {
        List<String> libs = candidates(property, os);
        if (libs.isEmpty()) {
            return "no CoreFoundation on " + System.getProperty("os.name") + "; build one (e.g. OpenCFLite) and "
                    + "pass -D" + PROPERTY + "=/path/to/libCoreFoundation.so";
        }
        for (String lib : libs) {
            File f = new File(lib);
            if (!f.isAbsolute()) {
                return "-D" + PROPERTY + " needs absolute paths; '" + lib + "' is not one";
            }
            // macOS keeps its frameworks in the dyld shared cache: they load although no file is there.
            if (os != Os.MACOS && !f.exists()) {
                return "-D" + PROPERTY + " names '" + lib + "', which does not exist";
            }
            try {
                System.load(lib);
                LOADED.add(lib);
            } catch (UnsatisfiedLinkError e) {
                return "cannot load '" + lib + "': " + e.getMessage();
            }
        }
        // Ask the files named, not the class loader: it may hold a CoreFoundation loaded earlier.
        SymbolLookup lookup = null;
        for (String lib : libs) {
            SymbolLookup one = SymbolLookup.libraryLookup(lib, java.lang.foreign.Arena.global());
            lookup = lookup == null ? one : lookup.or(one);
        }
        for (String symbol : REQUIRED) {
            if (lookup.find(symbol).isEmpty()) {
                return String.join(File.pathSeparator, libs) + " is not a usable CoreFoundation: no symbol "
                        + symbol;
            }
        }
        return null;
    }
}
