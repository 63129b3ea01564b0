package dev.cfnet.posix;

import dev.cfnet.posix.gen.Linux;
import dev.cfnet.posix.gen.MacOs;

/**
 * The libc constants cfnet uses, with each OS's value. The values come from generated code (jextract over
 * native/posix.h: {@link Linux} from glibc's headers, {@link MacOs} from the macOS SDK), never from hand tables.
 */
public enum Constant {
    AF_INET(Linux.AF_INET(), MacOs.AF_INET()),
    AF_INET6(Linux.AF_INET6(), MacOs.AF_INET6()),
    SOCK_STREAM(Linux.SOCK_STREAM(), MacOs.SOCK_STREAM()),
    SOCK_DGRAM(Linux.SOCK_DGRAM(), MacOs.SOCK_DGRAM()),
    IPPROTO_IP(Linux.IPPROTO_IP(), MacOs.IPPROTO_IP()),
    IPPROTO_TCP(Linux.IPPROTO_TCP(), MacOs.IPPROTO_TCP()),
    IPPROTO_UDP(Linux.IPPROTO_UDP(), MacOs.IPPROTO_UDP()),
    IPPROTO_IPV6(Linux.IPPROTO_IPV6(), MacOs.IPPROTO_IPV6()),
    SOL_SOCKET(Linux.SOL_SOCKET(), MacOs.SOL_SOCKET()),
    SO_ERROR(Linux.SO_ERROR(), MacOs.SO_ERROR()),
    SO_REUSEADDR(Linux.SO_REUSEADDR(), MacOs.SO_REUSEADDR()),
    SO_REUSEPORT(Linux.SO_REUSEPORT(), MacOs.SO_REUSEPORT()),
    SO_KEEPALIVE(Linux.SO_KEEPALIVE(), MacOs.SO_KEEPALIVE()),
    SO_BROADCAST(Linux.SO_BROADCAST(), MacOs.SO_BROADCAST()),
    SO_SNDBUF(Linux.SO_SNDBUF(), MacOs.SO_SNDBUF()),
    SO_RCVBUF(Linux.SO_RCVBUF(), MacOs.SO_RCVBUF()),
    IP_TOS(Linux.IP_TOS(), MacOs.IP_TOS()),
    TCP_NODELAY(Linux.TCP_NODELAY(), MacOs.TCP_NODELAY()),
    IPV6_V6ONLY(Linux.IPV6_V6ONLY(), MacOs.IPV6_V6ONLY()),
    MSG_DONTWAIT(Linux.MSG_DONTWAIT(), MacOs.MSG_DONTWAIT()),
    MSG_PEEK(Linux.MSG_PEEK(), MacOs.MSG_PEEK()),
    SHUT_WR(Linux.SHUT_WR(), MacOs.SHUT_WR()),
    POLLIN(Linux.POLLIN(), MacOs.POLLIN()),
    POLLOUT(Linux.POLLOUT(), MacOs.POLLOUT()),
    O_RDWR(Linux.O_RDWR(), MacOs.O_RDWR()),
    EAGAIN(Linux.EAGAIN(), MacOs.EAGAIN()),
    EINTR(Linux.EINTR(), MacOs.EINTR()),
    EINPROGRESS(Linux.EINPROGRESS(), MacOs.EINPROGRESS()),
    EBADF(Linux.EBADF(), MacOs.EBADF()),
    EPIPE(Linux.EPIPE(), MacOs.EPIPE()),
    EACCES(Linux.EACCES(), MacOs.EACCES()),
    EPERM(Linux.EPERM(), MacOs.EPERM()),
    EINVAL(Linux.EINVAL(), MacOs.EINVAL()),
    EMSGSIZE(Linux.EMSGSIZE(), MacOs.EMSGSIZE()),
    ECONNREFUSED(Linux.ECONNREFUSED(), MacOs.ECONNREFUSED()),
    ECONNRESET(Linux.ECONNRESET(), MacOs.ECONNRESET()),
    ECONNABORTED(Linux.ECONNABORTED(), MacOs.ECONNABORTED()),
    ETIMEDOUT(Linux.ETIMEDOUT(), MacOs.ETIMEDOUT()),
    EHOSTUNREACH(Linux.EHOSTUNREACH(), MacOs.EHOSTUNREACH()),
    EHOSTDOWN(Linux.EHOSTDOWN(), MacOs.EHOSTDOWN()),
    ENETUNREACH(Linux.ENETUNREACH(), MacOs.ENETUNREACH()),
    ENETDOWN(Linux.ENETDOWN(), MacOs.ENETDOWN()),
    EADDRINUSE(Linux.EADDRINUSE(), MacOs.EADDRINUSE()),
    EADDRNOTAVAIL(Linux.EADDRNOTAVAIL(), MacOs.EADDRNOTAVAIL()),
    EAFNOSUPPORT(Linux.EAFNOSUPPORT(), MacOs.EAFNOSUPPORT()),
    ENOTCONN(Linux.ENOTCONN(), MacOs.ENOTCONN()),
    EISCONN(Linux.EISCONN(), MacOs.EISCONN()),
    EAI_NONAME(Linux.EAI_NONAME(), MacOs.EAI_NONAME()),
    EAI_AGAIN(Linux.EAI_AGAIN(), MacOs.EAI_AGAIN()),
    /** Seconds on both, as Java's SO_LINGER: macOS's SO_LINGER counts ticks, SO_LINGER_SEC seconds. */
    SO_LINGER(Linux.SO_LINGER(), MacOs.SO_LINGER_SEC()),
    /** Linux only: macOS has no MSG_NOSIGNAL (0 there) and is told per socket with SO_NOSIGPIPE. */
    MSG_NOSIGNAL(Linux.MSG_NOSIGNAL(), 0),
    /** macOS only (-1 on Linux). */
    SO_NOSIGPIPE(-1, MacOs.SO_NOSIGPIPE());

    private final int linux;
    private final int macos;

    Constant(int linux, int macos) {
        this.linux = linux;
        this.macos = macos;
    }

    /** The value on {@code os}; -1 on an OS cfnet has no constants for. */
    public int on(Os os) {
        return switch (os) {
            case LINUX -> linux;
            case MACOS -> macos;
            case OTHER -> -1;
        };
    }

    /** The value on this JVM's OS. */
    public int value() {
        return on(Os.current());
    }
}
