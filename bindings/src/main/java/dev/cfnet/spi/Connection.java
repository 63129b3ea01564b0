package dev.cfnet.spi;

/** Where a socket is in its life: the same states on every backend. */
public enum Connection {
    /** Not connected or listening (an unconnected datagram socket receives from anyone). */
    IDLE,
    /** A connect call is under way on a caller's thread: nothing is watched for the socket until it returns. */
    STARTING,
    /** An asynchronous connect is in progress; its outcome comes to the loop. */
    CONNECTING,
    /** Connected, and CONNECT (and the first WRITE) are still to be reported on the loop. */
    CONNECTED_UNREPORTED,
    /** Connected, and reported. */
    CONNECTED,
    /** Bound and listening (ACCEPT sockets). */
    LISTENING,
    /** The connect failed; the socket can only be invalidated. */
    FAILED;

    /** True when bytes can be sent and received. */
    public boolean isConnected() {
        return this == CONNECTED || this == CONNECTED_UNREPORTED;
    }
}
