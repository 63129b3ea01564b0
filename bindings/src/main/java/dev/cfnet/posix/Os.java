package dev.cfnet.posix;

import java.util.Locale;

/** The operating systems whose ABI facts (errno values, sockaddr layout) cfnet encodes. */
public enum Os {
    LINUX,
    MACOS,
    OTHER;

    private static final Os CURRENT = detect(System.getProperty("os.name", ""));

    /** The OS this JVM runs on. */
    public static Os current() {
        return CURRENT;
    }

    static Os detect(String osName) {
        String n = osName.toLowerCase(Locale.ROOT);
        if (n.contains("linux")) return LINUX;
        if (n.contains("mac") || n.contains("darwin")) return MACOS;
        return OTHER;
    }
}
