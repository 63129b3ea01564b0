package dev.cfnet.posix;

import dev.cfnet.posix.Os;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * sockaddr_in / sockaddr_in6 as each OS lays them out. macOS (BSD) starts with a length byte and a one-byte
 * family, with AF_INET6 = 30; Linux has a two-byte family in host order and AF_INET6 = 10. Ports and addresses
 * are in network order on both.
 */
public final class SockAddr {
    public static final int AF_INET = 2;
    public static final int IN_SIZE = 16;
    public static final int IN6_SIZE = 28;
    /** Room for any sockaddr (sockaddr_storage is 128 bytes on both). */
    public static final int MAX_SIZE = 128;

    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort HOST_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;

    private SockAddr() {
    }

    public static int afInet6(Os os) {
        return os == Os.MACOS ? 30 : 10;
    }

    /**
     * Encodes {@code a} for a socket of the given family. An IPv4 address on an IPv6 socket becomes its
     * IPv4-mapped IPv6 form (::ffff:a.b.c.d).
     */
    public static MemorySegment encode(Os os, InetSocketAddress a, boolean inet6Socket, SegmentAllocator arena) {
        InetAddress ip = a.getAddress();
        if (!inet6Socket) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException(a + " is not an IPv4 address");
            }
            MemorySegment s = arena.allocate(IN_SIZE);
            putFamily(os, s, AF_INET, IN_SIZE);
            s.set(NET_SHORT, 2, (short) a.getPort());
            MemorySegment.copy(MemorySegment.ofArray(ip.getAddress()), 0, s, 4, 4);
            return s;
        }
        byte[] v6;
        int scope = 0;
        if (ip instanceof Inet6Address i6) {
            v6 = i6.getAddress();
            scope = i6.getScopeId();
        } else {
            byte[] v4 = ip.getAddress();
            v6 = new byte[16];
            v6[10] = (byte) 0xff;
            v6[11] = (byte) 0xff;
            System.arraycopy(v4, 0, v6, 12, 4);
        }
        MemorySegment s = arena.allocate(IN6_SIZE);
        putFamily(os, s, afInet6(os), IN6_SIZE);
        s.set(NET_SHORT, 2, (short) a.getPort());
        // sin6_flowinfo (4..8) stays 0
        MemorySegment.copy(MemorySegment.ofArray(v6), 0, s, 8, 16);
        s.set(HOST_INT, 24, scope);
        return s;
    }

    private static void putFamily(Os os, MemorySegment s, int family, int len) {
        if (os == Os.MACOS) {
            s.set(ValueLayout.JAVA_BYTE, 0, (byte) len);
            s.set(ValueLayout.JAVA_BYTE, 1, (byte) family);
        } else {
            s.set(HOST_SHORT, 0, (short) family);
        }
    }

    /** The family field of a sockaddr. */
    public static int family(Os os, MemorySegment s) {
        return os == Os.MACOS ? Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, 1))
                : Short.toUnsignedInt(s.get(HOST_SHORT, 0));
    }

    /**
     * Decodes a sockaddr of {@code len} bytes; null when it is not an IPv4/IPv6 address or too short (CF hands
     * uninitialised bytes after some errors). IPv4-mapped IPv6 addresses come back as IPv4.
     */
    public static InetSocketAddress decode(Os os, MemorySegment s, long len) {
        if (len < IN_SIZE || s.byteSize() < len) return null;
        int family = family(os, s);
        int port = Short.toUnsignedInt(s.get(NET_SHORT, 2));
        try {
            if (family == AF_INET) {
                byte[] v4 = s.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(v4), port);
            }
            if (family == afInet6(os) && len >= IN6_SIZE) {
                byte[] v6 = s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = s.get(HOST_INT, 24);
                InetAddress ip = InetAddress.getByAddress(v6);   // IPv4-mapped comes back as Inet4Address
                if (ip instanceof Inet6Address && scope != 0) {
                    ip = Inet6Address.getByAddress(null, v6, scope);
                }
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }
}
