package dev.cfnet;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** The argument checks of {@link Socket}'s calls: what is wrong is said before any backend sees it. */
final class SocketChecks {
    private SocketChecks() {
    }

    /** {@link Socket#create}'s arguments; the callbacks' bits. */
    static int create(RunLoop loop, ProtocolFamily family, SocketType type, Set<CallBackType> callBacks,
                      SocketHandler handler) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("cfnet sockets are INET or INET6, not " + family);
        }
        return callBacks(callBacks, type);
    }

    /** {@link Socket#wrap}'s arguments; the callbacks' bits. */
    static int wrap(RunLoop loop, SocketHandle handle, Set<CallBackType> callBacks, SocketHandler handler) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(handler, "handler");
        if (handle.backend() != loop.backend()) {
            throw new IllegalArgumentException("a " + handle.backend() + " handle cannot be wrapped on a "
                    + loop.backend() + " run loop");
        }
        if (!handle.isOpen()) {
            throw new IllegalStateException("the handle is closed, or already wrapped by another socket");
        }
        int bits = callBacks(callBacks, handle.type());
        checkOpen(loop);
        return bits;
    }

    static void checkOpen(RunLoop loop) {
        if (loop.isClosed()) throw new IllegalStateException("run loop '" + loop.name() + "' is closed");
    }

    /** The CF bits of a socket's callbacks; at most one read type, and none a datagram socket cannot have. */
    static int callBacks(Set<CallBackType> callBacks, SocketType type) {
        Objects.requireNonNull(callBacks, "callBacks");
        EnumSet<CallBackType> readTypes = EnumSet.noneOf(CallBackType.class);
        for (CallBackType t : callBacks) {
            Objects.requireNonNull(t, "callBacks contains null");
            if (t.isReadType()) readTypes.add(t);
        }
        if (readTypes.size() > 1) {
            throw new IllegalArgumentException("READ, ACCEPT and DATA are mutually exclusive; asked for " + readTypes);
        }
        if (type == SocketType.DATAGRAM && callBacks.contains(CallBackType.ACCEPT)) {
            throw new IllegalArgumentException("ACCEPT needs a STREAM socket; a DATAGRAM socket has no connections");
        }
        if (type == SocketType.DATAGRAM && callBacks.contains(CallBackType.CONNECT)) {
            throw new IllegalArgumentException("CONNECT never fires on a DATAGRAM socket (UDP has no handshake); "
                    + "leave it out");
        }
        return CallBackType.toBits(callBacks);
    }

    static void checkResolved(InetSocketAddress address, String op) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(op + ": '" + address.getHostString()
                    + "' is not resolved; resolve it with Host.resolve first");
        }
    }

    /** True for an IPv6 address given to an INET (IPv4 only) socket. */
    static boolean wrongFamily(ProtocolFamily family, InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address && family == StandardProtocolFamily.INET;
    }

    /** What connecting an INET socket to an IPv6 address throws (as CF's kCFSocketError). */
    static SocketErrorException wrongFamilyError(InetSocketAddress remote) {
        return new SocketErrorException("connect to " + remote, new SocketError(
                SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED,
                SocketError.of(SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED).code(),
                "the address is IPv6 and this is an INET (IPv4) socket; create an INET6 socket for it, or "
                        + "connect by name with Socket.connect(loop, host, port, ...)"));
    }

    static void checkAddress(ProtocolFamily family, InetSocketAddress address, String op) {
        checkResolved(address, op);
        if (wrongFamily(family, address)) {
            throw new IllegalArgumentException(op + ": " + address + " is IPv6; this is an INET (IPv4) socket");
        }
    }

    /** A datagram's destination: none for a stream, else resolved, of the socket's family, port not 0. */
    static void checkDestination(SocketType type, ProtocolFamily family, InetSocketAddress to) {
        if (to == null) return;
        if (type == SocketType.STREAM) {
            throw new IllegalArgumentException("a STREAM socket sends to its peer; pass null as the address");
        }
        checkAddress(family, to, "send");
        if (to.getPort() == 0) throw new IllegalArgumentException("cannot send to port 0: " + to);
    }

    /** A buffer to receive into, on a socket of {@code type} ({@code wanted} for this call). */
    static void checkReceive(ByteBuffer dst, SocketType type, SocketType wanted) {
        Objects.requireNonNull(dst, "dst");
        if (type != wanted) {
            throw new UnsupportedOperationException(wanted == SocketType.STREAM
                    ? "use receiveFrom(dst) on a DATAGRAM socket" : "use receive(dst) on a STREAM socket");
        }
        if (dst.isReadOnly()) throw new IllegalArgumentException("dst is read-only");
    }

    /** The bits of callbacks the socket was created with; one it was not is an error. */
    static int owned(int callBackTypes, CallBackType first, CallBackType... more) {
        Objects.requireNonNull(first, "type");
        EnumSet<CallBackType> set = EnumSet.of(first);
        for (CallBackType t : more) set.add(Objects.requireNonNull(t, "type"));
        return owned(callBackTypes, set);
    }

    static int owned(int callBackTypes, Collection<CallBackType> types) {
        Objects.requireNonNull(types, "types");
        int bits = 0;
        for (CallBackType t : types) {
            Objects.requireNonNull(t, "types contains null");
            if ((callBackTypes & t.cfValue()) != t.cfValue()) {
                throw new IllegalArgumentException(t + " was not among the callbacks this socket was created with "
                        + CallBackType.fromBits(callBackTypes));
            }
            bits |= t.cfValue();
        }
        return bits;
    }

    /** The read type among a socket's callbacks (READ, ACCEPT or DATA), or null. */
    static CallBackType readType(int callBackTypes) {
        return switch (callBackTypes & CallBackType.READ_TYPE_BITS) {
            case 1 -> CallBackType.READ;
            case 2 -> CallBackType.ACCEPT;
            case 3 -> CallBackType.DATA;
            default -> null;
        };
    }

    /** The CF bits of flags that apply to a socket with these callbacks. */
    static int flags(Set<SocketFlag> flags, int callBackTypes) {
        Objects.requireNonNull(flags, "flags");
        CallBackType rt = readType(callBackTypes);
        for (SocketFlag f : flags) {
            Objects.requireNonNull(f, "flags contains null");
            boolean applies = switch (f) {
                case AUTO_REENABLE_READ -> rt == CallBackType.READ;
                case AUTO_REENABLE_ACCEPT -> rt == CallBackType.ACCEPT;
                case AUTO_REENABLE_DATA -> rt == CallBackType.DATA;
                case AUTO_REENABLE_WRITE -> (callBackTypes & CallBackType.WRITE.cfValue()) != 0;
                default -> true;
            };
            if (!applies) {
                throw new IllegalArgumentException(f + " does not apply to a socket with callbacks "
                        + CallBackType.fromBits(callBackTypes));
            }
        }
        return SocketFlag.toBits(flags);
    }
}
