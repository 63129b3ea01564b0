package dev.cfnet.spi;

import dev.cfnet.RunLoop;
import dev.cfnet.SocketErrorException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;

/**
 * A backend's half of a socket: readiness and I/O. The contract (arming, flags, dispatch order, connect once,
 * held events, the write queue, preconditions, error delivery) is {@link SocketCore}'s; an implementation watches
 * the native socket, moves bytes, and reports what happened to the core on the loop thread, in CF's order within
 * one readiness: {@link SocketCore#connected}, then the read type ({@link SocketCore#readable},
 * {@link SocketCore#data}, {@link SocketCore#end}, {@link SocketCore#accepted}), then {@link SocketCore#writable}.
 *
 * <p>Any thread unless stated. Arguments arrive checked.
 */
public interface SocketIo {

    /** How a connect call left the socket. */
    enum ConnectStart {
        /** Connected at once (loopback can). */
        CONNECTED,
        /** In progress; the outcome comes later. */
        PENDING
    }

    /** The socket is counted on its loop: watch it where it can be watched yet. */
    void start();

    /** The core armed these callbacks (a user enable, a write queue to flush): watch for them. */
    void arm(int bits);

    /** The core disarmed these callbacks (a user disable, an event held back): stop watching. */
    void disarm(int bits);

    /** Loop thread, after the core handled events: bring what is watched in line with the core's state. */
    void refresh();

    /** The socket's flags changed. */
    void flagsChanged(int flags);

    /** The core holds an end of stream its callback cannot take yet: keep the native socket usable until then. */
    void endHeld();

    /** Starts connecting a stream socket; an immediate failure throws. */
    ConnectStart startConnect(InetSocketAddress remote) throws SocketErrorException;

    /** Waits for a pending connect until {@code deadline} (System.nanoTime); null once connected, else why not. */
    dev.cfnet.SocketError awaitConnect(long deadline);

    /** A connect was started or finished on a caller's thread: watch for its outcome (or its report). */
    void connectStarted();

    /** Connects a datagram socket (sets its default destination). */
    void connectDatagram(InetSocketAddress remote) throws SocketErrorException;

    /** Binds, and with {@code listen} listens (ACCEPT sockets); the socket is then watched for connections. */
    void bind(InetSocketAddress local, boolean listen) throws SocketErrorException;

    /**
     * Sends without waiting: a stream's bytes from {@code data}'s position, as many as the socket takes, or one
     * datagram. Advances {@code data}'s position.
     *
     * @return bytes taken; 0 when the socket cannot take any now
     */
    int trySend(ByteBuffer data, InetSocketAddress to) throws SocketErrorException;

    /** Waits until the socket can take bytes or {@code deadline} passes; false at the deadline. */
    boolean awaitWritable(long deadline) throws SocketErrorException;

    /** Where the write queue flushes to (non-blocking writes). */
    WriteQueue.Sink sink();

    /** Reads what is there without waiting: bytes read, 0 when none, -1 at end of stream. */
    int receive(ByteBuffer dst) throws SocketErrorException;

    /** Reads one datagram without waiting; its source, or null when none waits. */
    InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException;

    void shutdownOutput() throws SocketErrorException;

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    /** The bound address; null before the socket is bound or connected. */
    InetSocketAddress localAddress();

    /** The native socket, as an ownable handle. */
    OwnedHandle handle();

    /** The socket also runs in {@code mode} now. */
    void modeAdded(RunLoop.Mode mode);

    /** The socket no longer runs in {@code mode}. */
    void modeRemoved(RunLoop.Mode mode);

    /**
     * The core invalidated the socket (no callback of it runs any more): stop watching, and close the native socket
     * or hand it back to its handle.
     */
    void close(boolean closeNativeSocket);
}
