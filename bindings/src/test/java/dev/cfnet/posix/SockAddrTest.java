package dev.cfnet.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cfnet.posix.Os;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** sockaddr bytes as each OS lays them out, both ways. */
class SockAddrTest {

    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    /** Encodes {@code address} for {@code os}, checks the bytes, and decodes them back. */
    static void assertIpv4RoundTrip(Os os, InetSocketAddress address, byte[] expected) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = SockAddr.encode(os, address, false, a);
            assertArrayEquals(expected, bytes(s));
            assertEquals(address, SockAddr.decode(os, s, 16));
        }
    }

    @Test
    void linuxSockaddrInHasATwoByteFamilyAndNoLength() throws Exception {
        assertIpv4RoundTrip(Os.LINUX, at("127.0.0.1", 25),
                new byte[] {2, 0, 0, 25, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
    }

    @Test
    void macSockaddrInStartsWithLengthThenFamily() throws Exception {
        assertIpv4RoundTrip(Os.MACOS, at("10.1.2.3", 0x1234),
                new byte[] {16, 2, 0x12, 0x34, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0});
    }

    @Test
    void ipv6FamiliesDiffer() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment linux = SockAddr.encode(Os.LINUX, at("::1", 587), true, a);
            assertEquals(28, linux.byteSize());
            assertEquals(10, linux.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
            assertEquals(1, linux.get(ValueLayout.JAVA_BYTE, 23));
            assertEquals(at("::1", 587), SockAddr.decode(Os.LINUX, linux, 28));
            MemorySegment mac = SockAddr.encode(Os.MACOS, at("::1", 587), true, a);
            assertEquals(28, mac.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(30, mac.get(ValueLayout.JAVA_BYTE, 1));
            assertEquals(at("::1", 587), SockAddr.decode(Os.MACOS, mac, 28));
            assertEquals(10, SockAddr.afInet6(Os.LINUX));
            assertEquals(30, SockAddr.afInet6(Os.MACOS));
        }
    }

    @Test
    void ipv4OnAnIpv6SocketIsMappedAndComesBackAsIpv4() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = SockAddr.encode(Os.LINUX, at("192.0.2.7", 80), true, a);
            byte[] addr = s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) 192, 0, 2, 7}, addr);
            assertEquals(at("192.0.2.7", 80), SockAddr.decode(Os.LINUX, s, 28));
        }
    }

    @Test
    void garbageDecodesToNull() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(256);
            s.fill((byte) 0x7f);   // CF hands 256 uninitialised bytes after a reset
            assertNull(SockAddr.decode(Os.LINUX, s, 256));
            assertNull(SockAddr.decode(Os.LINUX, s, 4), "too short");
            assertNull(SockAddr.decode(Os.MACOS, a.allocate(16), 16), "family 0");
        }
    }

    @Test
    void ipv6OnAnIpv4SocketIsRefused() {
        try (Arena a = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> SockAddr.encode(Os.LINUX, at("::1", 1), false, a));
        }
    }
}
