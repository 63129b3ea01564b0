package dev.cfnet.spi;

import dev.cfnet.SocketError.Kind;
import java.util.EnumMap;
import java.util.Map;

/**
 * errno values per OS and their portable kinds. Linux values are from asm-generic/errno*.h, macOS values from
 * sys/errno.h; the two differ for every network error above EPIPE.
 */
public final class Errno {
    private Errno() {
    }

    // {kind, linux, macos}; the first row of a kind is the code reported for it.
    private static final Object[][] TABLE = {
        {Kind.CONNECTION_REFUSED, 111, 61},
        {Kind.CONNECTION_RESET, 104, 54},
        {Kind.CONNECTION_ABORTED, 103, 53},
        {Kind.TIMED_OUT, 110, 60},
        {Kind.HOST_UNREACHABLE, 113, 65},
        {Kind.HOST_UNREACHABLE, 112, 64},      // EHOSTDOWN
        {Kind.NETWORK_UNREACHABLE, 101, 51},
        {Kind.NETWORK_UNREACHABLE, 100, 50},   // ENETDOWN
        {Kind.ADDRESS_IN_USE, 98, 48},
        {Kind.ADDRESS_NOT_AVAILABLE, 99, 49},
        {Kind.ADDRESS_FAMILY_NOT_SUPPORTED, 97, 47},
        {Kind.BROKEN_PIPE, 32, 32},
        {Kind.NOT_CONNECTED, 107, 57},
        {Kind.ALREADY_CONNECTED, 106, 56},
        {Kind.ACCESS_DENIED, 13, 13},          // EACCES
        {Kind.ACCESS_DENIED, 1, 1},            // EPERM
        {Kind.MESSAGE_TOO_LARGE, 90, 40},
        {Kind.WOULD_BLOCK, 11, 35},
        {Kind.INVALID_ARGUMENT, 22, 22},
        {Kind.CLOSED, 9, 9},                   // EBADF
    };

    private static final Map<Kind, String> TEXT = new EnumMap<>(Kind.class);

    static {
        TEXT.put(Kind.CONNECTION_REFUSED, "Connection refused");
        TEXT.put(Kind.CONNECTION_RESET, "Connection reset by peer");
        TEXT.put(Kind.CONNECTION_ABORTED, "Software caused connection abort");
        TEXT.put(Kind.TIMED_OUT, "Operation timed out");
        TEXT.put(Kind.HOST_UNREACHABLE, "No route to host");
        TEXT.put(Kind.NETWORK_UNREACHABLE, "Network is unreachable");
        TEXT.put(Kind.ADDRESS_IN_USE, "Address already in use");
        TEXT.put(Kind.ADDRESS_NOT_AVAILABLE, "Cannot assign requested address");
        TEXT.put(Kind.ADDRESS_FAMILY_NOT_SUPPORTED, "Address family not supported by protocol");
        TEXT.put(Kind.BROKEN_PIPE, "Broken pipe");
        TEXT.put(Kind.NOT_CONNECTED, "Socket is not connected");
        TEXT.put(Kind.ALREADY_CONNECTED, "Socket is already connected");
        TEXT.put(Kind.ACCESS_DENIED, "Permission denied");
        TEXT.put(Kind.MESSAGE_TOO_LARGE, "Message too long");
        TEXT.put(Kind.WOULD_BLOCK, "Resource temporarily unavailable");
        TEXT.put(Kind.INVALID_ARGUMENT, "Invalid argument");
        TEXT.put(Kind.CLOSED, "Socket is closed");
        TEXT.put(Kind.OTHER, "Socket error");
    }

    /** The errno an OS uses for a kind; 0 for OTHER, or where the OS is unknown. */
    public static int code(Os os, Kind kind) {
        for (Object[] row : TABLE) {
            if (row[0] == kind) {
                return switch (os) {
                    case LINUX -> (int) row[1];
                    case MACOS -> (int) row[2];
                    case OTHER -> 0;
                };
            }
        }
        return 0;
    }

    /** The kind of an OS's errno value; OTHER when cfnet does not name it. */
    public static Kind kind(Os os, int errno) {
        if (os == Os.OTHER) return Kind.OTHER;
        int column = os == Os.LINUX ? 1 : 2;
        for (Object[] row : TABLE) {
            if ((int) row[column] == errno) return (Kind) row[0];
        }
        return Kind.OTHER;
    }

    /** The usual strerror text of a kind. */
    public static String text(Kind kind) {
        return TEXT.get(kind);
    }

    /**
     * The kind a JDK exception message stands for: the JDK passes strerror() text through, which is the same on
     * Linux and macOS for these errors. Null when the text is not one of them.
     */
    public static Kind kindOfMessage(String message) {
        if (message == null) return null;
        String m = message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("refused")) return Kind.CONNECTION_REFUSED;
        if (m.contains("reset")) return Kind.CONNECTION_RESET;
        if (m.contains("connection abort")) return Kind.CONNECTION_ABORTED;
        if (m.contains("timed out")) return Kind.TIMED_OUT;
        if (m.contains("no route to host") || m.contains("host is down")) return Kind.HOST_UNREACHABLE;
        if (m.contains("network is unreachable") || m.contains("network is down")) return Kind.NETWORK_UNREACHABLE;
        if (m.contains("address already in use")) return Kind.ADDRESS_IN_USE;
        if (m.contains("cannot assign requested address") || m.contains("can't assign requested address")) {
            return Kind.ADDRESS_NOT_AVAILABLE;
        }
        if (m.contains("address family not supported") || m.contains("protocol family unavailable")
                || m.contains("address family")) {
            return Kind.ADDRESS_FAMILY_NOT_SUPPORTED;
        }
        if (m.contains("broken pipe")) return Kind.BROKEN_PIPE;
        if (m.contains("not connected")) return Kind.NOT_CONNECTED;
        if (m.contains("already connected")) return Kind.ALREADY_CONNECTED;
        if (m.contains("permission denied") || m.contains("not permitted")) return Kind.ACCESS_DENIED;
        if (m.contains("message too long")) return Kind.MESSAGE_TOO_LARGE;
        if (m.contains("temporarily unavailable")) return Kind.WOULD_BLOCK;
        if (m.contains("invalid argument")) return Kind.INVALID_ARGUMENT;
        return null;
    }
}
