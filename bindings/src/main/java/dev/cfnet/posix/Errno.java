package dev.cfnet.posix;

import dev.cfnet.SocketError.Kind;
import java.util.EnumMap;
import java.util.Map;

/**
 * errno values and their portable kinds. The values are each OS's own ({@link Constant}, generated from its
 * headers); the two differ for every network error above EPIPE.
 */
public final class Errno {
    private Errno() {
    }

    private record Row(Kind kind, Constant errno) {
    }

    // The first row of a kind is the code reported for it.
    private static final Row[] TABLE = {
        new Row(Kind.CONNECTION_REFUSED, Constant.ECONNREFUSED),
        new Row(Kind.CONNECTION_RESET, Constant.ECONNRESET),
        new Row(Kind.CONNECTION_ABORTED, Constant.ECONNABORTED),
        new Row(Kind.TIMED_OUT, Constant.ETIMEDOUT),
        new Row(Kind.HOST_UNREACHABLE, Constant.EHOSTUNREACH),
        new Row(Kind.HOST_UNREACHABLE, Constant.EHOSTDOWN),
        new Row(Kind.NETWORK_UNREACHABLE, Constant.ENETUNREACH),
        new Row(Kind.NETWORK_UNREACHABLE, Constant.ENETDOWN),
        new Row(Kind.ADDRESS_IN_USE, Constant.EADDRINUSE),
        new Row(Kind.ADDRESS_NOT_AVAILABLE, Constant.EADDRNOTAVAIL),
        new Row(Kind.ADDRESS_FAMILY_NOT_SUPPORTED, Constant.EAFNOSUPPORT),
        new Row(Kind.BROKEN_PIPE, Constant.EPIPE),
        new Row(Kind.NOT_CONNECTED, Constant.ENOTCONN),
        new Row(Kind.ALREADY_CONNECTED, Constant.EISCONN),
        new Row(Kind.ACCESS_DENIED, Constant.EACCES),
        new Row(Kind.ACCESS_DENIED, Constant.EPERM),
        new Row(Kind.MESSAGE_TOO_LARGE, Constant.EMSGSIZE),
        new Row(Kind.WOULD_BLOCK, Constant.EAGAIN),
        new Row(Kind.INVALID_ARGUMENT, Constant.EINVAL),
        new Row(Kind.CLOSED, Constant.EBADF),
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
        if (os == Os.OTHER) return 0;
        for (Row row : TABLE) {
            if (row.kind == kind) return row.errno.on(os);
        }
        return 0;
    }

    /** The kind of an OS's errno value; OTHER when cfnet does not name it. */
    public static Kind kind(Os os, int errno) {
        if (os == Os.OTHER) return Kind.OTHER;
        for (Row row : TABLE) {
            if (row.errno.on(os) == errno) return row.kind;
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
