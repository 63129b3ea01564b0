package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.SocketError.Kind;
import dev.cfnet.posix.Errno;
import dev.cfnet.posix.Os;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Backend-independent values: CF bit masks, per-OS errno tables, backend selection. */
class ValuesTest {

    @Test
    void callBackTypeBitsAreCfs() {
        assertEquals(1, CallBackType.READ.cfValue());
        assertEquals(2, CallBackType.ACCEPT.cfValue());
        assertEquals(3, CallBackType.DATA.cfValue());
        assertEquals(4, CallBackType.CONNECT.cfValue());
        assertEquals(8, CallBackType.WRITE.cfValue());
        Set<CallBackType> seed = EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE);
        assertEquals(15, CallBackType.toBits(seed));
        assertEquals(seed, CallBackType.fromBits(15));
        assertEquals(EnumSet.of(CallBackType.ACCEPT), CallBackType.fromBits(2));
    }

    @Test
    void socketFlagBitsAreCfs() {
        assertEquals(0x83, SocketFlag.toBits(EnumSet.of(SocketFlag.AUTO_REENABLE_DATA, SocketFlag.CLOSE_ON_INVALIDATE)));
        assertEquals(EnumSet.of(SocketFlag.AUTO_REENABLE_DATA, SocketFlag.CLOSE_ON_INVALIDATE),
                SocketFlag.fromBits(0x83, CallBackType.DATA));
        assertEquals(EnumSet.of(SocketFlag.AUTO_REENABLE_DATA), SocketFlag.fromBits(0x1, CallBackType.DATA),
                "CF re-arms a DATA callback for either of its bits");
        assertEquals(EnumSet.of(SocketFlag.AUTO_REENABLE_READ, SocketFlag.LEAVE_ERRORS,
                SocketFlag.AUTO_REENABLE_WRITE), SocketFlag.fromBits(0x49, CallBackType.READ));
        assertEquals(EnumSet.noneOf(SocketFlag.class), SocketFlag.fromBits(0x2, CallBackType.READ));
    }

    @Test
    void errnoTablesDifferPerOs() {
        assertEquals(111, Errno.code(Os.LINUX, Kind.CONNECTION_REFUSED));
        assertEquals(61, Errno.code(Os.MACOS, Kind.CONNECTION_REFUSED));
        assertEquals(104, Errno.code(Os.LINUX, Kind.CONNECTION_RESET));
        assertEquals(54, Errno.code(Os.MACOS, Kind.CONNECTION_RESET));
        assertEquals(110, Errno.code(Os.LINUX, Kind.TIMED_OUT));
        assertEquals(60, Errno.code(Os.MACOS, Kind.TIMED_OUT));
        assertEquals(98, Errno.code(Os.LINUX, Kind.ADDRESS_IN_USE));
        assertEquals(48, Errno.code(Os.MACOS, Kind.ADDRESS_IN_USE));
        assertEquals(35, Errno.code(Os.MACOS, Kind.WOULD_BLOCK));
        assertEquals(Kind.CONNECTION_REFUSED, Errno.kind(Os.MACOS, 61));
        assertEquals(Kind.HOST_UNREACHABLE, Errno.kind(Os.LINUX, 112), "EHOSTDOWN counts as unreachable");
        assertEquals(Kind.OTHER, Errno.kind(Os.LINUX, 61), "61 is ENODATA on Linux, not a socket error");
        assertEquals(Kind.OTHER, Errno.kind(Os.OTHER, 111));
        for (Kind k : Kind.values()) {
            if (k == Kind.OTHER) continue;
            assertEquals(k, Errno.kind(Os.LINUX, Errno.code(Os.LINUX, k)), k.name());
            assertEquals(k, Errno.kind(Os.MACOS, Errno.code(Os.MACOS, k)), k.name());
        }
    }

    @Test
    void socketErrorsFromErrnoCarryKindCodeAndText() {
        int refused = Errno.code(Os.current(), Kind.CONNECTION_REFUSED);   // 111 on Linux, 61 on macOS
        SocketError e = SocketError.fromErrno(refused);
        assertEquals(Kind.CONNECTION_REFUSED, e.kind());
        assertEquals(refused, e.code());
        assertEquals("Connection refused", e.message());
        assertTrue(e.toString().contains("errno " + refused));
        SocketError odd = SocketError.fromErrno(4242);
        assertEquals(Kind.OTHER, odd.kind());
        assertTrue(odd.message().contains("4242"));
    }

    @Test
    void jdkMessagesMapToKinds() {
        assertEquals(Kind.CONNECTION_REFUSED, Errno.kindOfMessage("Connection refused"));
        assertEquals(Kind.CONNECTION_RESET, Errno.kindOfMessage("Connection reset by peer"));
        assertEquals(Kind.NETWORK_UNREACHABLE, Errno.kindOfMessage("Network is unreachable"));
        assertEquals(Kind.ADDRESS_NOT_AVAILABLE, Errno.kindOfMessage("Can't assign requested address"));
        assertEquals(null, Errno.kindOfMessage("something else"));
    }

    @Test
    void osDetection() {
        assertEquals(Os.LINUX, osOf("Linux"));
        assertEquals(Os.MACOS, osOf("Mac OS X"));
        assertEquals(Os.OTHER, osOf("Windows 11"));
    }

    private static Os osOf(String name) {
        try {
            var m = Os.class.getDeclaredMethod("detect", String.class);
            m.setAccessible(true);
            return (Os) m.invoke(null, name);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void backendPropertyIsCheckedClearly() {
        String old = System.getProperty(Backend.PROPERTY);
        try {
            System.setProperty(Backend.PROPERTY, "carrier-pigeon");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Backend::preferred);
            assertTrue(e.getMessage().contains("'nio' or 'cf'"), e.getMessage());
            System.setProperty(Backend.PROPERTY, "NIO");
            assertEquals(Backend.NIO, Backend.preferred());
            System.clearProperty(Backend.PROPERTY);
            Backend p = Backend.preferred();
            assertTrue(p.isAvailable());
            if (Os.current() != Os.MACOS) assertEquals(Backend.NIO, p);
        } finally {
            if (old == null) System.clearProperty(Backend.PROPERTY);
            else System.setProperty(Backend.PROPERTY, old);
        }
    }

    @Test
    void idleStrategiesValidate() {
        assertThrows(IllegalArgumentException.class,
                () -> IdleStrategy.spinThenPark(java.time.Duration.ofMillis(-1)));
        assertEquals(new IdleStrategy.Park(), IdleStrategy.park());
    }
}
