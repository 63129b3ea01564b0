package dev.cfnet;

/** The socket types cfnet drives: TCP streams and UDP datagrams. */
public enum SocketType {
    /** SOCK_STREAM: a TCP connection or listener. */
    STREAM,
    /** SOCK_DGRAM: UDP. */
    DATAGRAM
}
