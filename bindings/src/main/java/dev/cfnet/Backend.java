package dev.cfnet;

import dev.cfnet.spi.BackendProvider;
import dev.cfnet.posix.Os;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Optional;

/**
 * The implementation under the API: Core Foundation through FFM, or pure Java NIO. Chosen once per
 * {@link RunLoop}; everything scheduled on a loop uses its backend.
 */
public enum Backend {
    /** Pure Java: a Selector-based run loop over NIO channels. Runs everywhere. */
    NIO,
    /**
     * CoreFoundation and CFNetwork through the Foreign Function &amp; Memory API: real CFSockets on real CFRunLoops.
     * Loads on macOS, or wherever {@code -Dcfnet.cf.library=PATH} names a CoreFoundation build.
     */
    CF;

    /** System property that picks the backend: {@code nio} or {@code cf}. */
    public static final String PROPERTY = "cfnet.backend";

    /**
     * True when this backend can run here. For CF this loads CoreFoundation on first use.
     *
     * @return whether loops of this backend can start
     */
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /**
     * Why this backend cannot run here; empty when it can.
     *
     * @return the reason, saying what to install or pass (e.g. {@code -Dcfnet.cf.library}), or empty
     */
    public Optional<String> unavailableReason() {
        return provider().unavailableReason();
    }

    /**
     * What this backend runs on here, when it is available: for CF, which CoreFoundation loaded and from where
     * (e.g. "OpenCFLite 635.21 (/opt/cf/lib/libCoreFoundation.so)" or "Apple CoreFoundation 1953.3 with CFNetwork
     * (...)"); for NIO, the JDK's selector.
     *
     * @return a one-line description; empty when the backend is not available
     */
    public Optional<String> implementation() {
        return provider().implementation();
    }

    void requireAvailable() {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException("the " + this + " backend is not available: " + why.get());
        }
    }

    /**
     * The backend to use: {@code -Dcfnet.backend} when set; else CF on macOS when it loads; else NIO.
     *
     * @return the backend {@link RunLoop#start(String)} and {@link RunLoop#current()} use
     * @throws IllegalArgumentException when the property names no backend
     * @throws IllegalStateException    when the property names a backend that cannot run here
     */
    public static Backend preferred() {
        String p = System.getProperty(PROPERTY, "").trim();
        if (!p.isEmpty()) {
            Backend chosen = switch (p.toLowerCase(Locale.ROOT)) {
                case "nio" -> NIO;
                case "cf" -> CF;
                default -> throw new IllegalArgumentException(
                        "-D" + PROPERTY + " must be 'nio' or 'cf', not '" + p + "'");
            };
            chosen.requireAvailable();
            return chosen;
        }
        if (Os.current() == Os.MACOS && CF.isAvailable()) {
            return CF;
        }
        return NIO;
    }

    BackendProvider provider() {
        BackendProvider p = Providers.BY_BACKEND.get(this);
        if (p == null) {
            throw new IllegalStateException("no provider of the " + this + " backend was found (ServiceLoader of "
                    + BackendProvider.class.getName() + "): is the cfnet jar whole?");
        }
        return p;
    }

    /** The backends' providers, found once through {@link ServiceLoader}. */
    private static final class Providers {
        static final Map<Backend, BackendProvider> BY_BACKEND = load();

        private static Map<Backend, BackendProvider> load() {
            Map<Backend, BackendProvider> m = new EnumMap<>(Backend.class);
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backend.class.getClassLoader())) {
                m.putIfAbsent(p.backend(), p);
            }
            return m;
        }
    }
}
