package dev.cfnet;

import dev.cfnet.spi.SocketDriver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A socket whose events arrive as callbacks on a run loop: CFSocket's counterpart.
 *
 * <pre>{@code
 * Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
 *         EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE), handler);
 * s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 25), Duration.ZERO);  // async
 * }</pre>
 *
 * <p>The callback rules (CF's), and what connecting and writing do, are on the {@linkplain dev.cfnet package} page.
 * All methods are safe from any thread; an enable or disable inside a callback holds from the next dispatch.
 */
public final class Socket implements RunLoopSource {
    /** Write queue limit of a new socket, in bytes. */
    public static final int DEFAULT_WRITE_QUEUE_LIMIT = 4 << 20;

    private final RunLoop loop;
    private final ProtocolFamily family;
    private final SocketType type;
    private final int callBackTypes;
    private final SocketDriver driver;
    private volatile boolean connectCalled;

    private Socket(RunLoop loop, ProtocolFamily family, SocketType type, int callBackTypes, Creator creator)
            throws SocketErrorException {
        this.loop = loop;
        this.family = family;
        this.type = type;
        this.callBackTypes = callBackTypes;
        this.driver = creator.create(this);
    }

    private Socket started() {
        driver.start();
        return this;
    }

    private interface Creator {
        SocketDriver create(Socket owner) throws SocketErrorException;
    }

    /**
     * Creates a socket on {@code loop}, as CFSocketCreate + CFSocketCreateRunLoopSource + CFRunLoopAddSource (CF
     * watches it in the default mode once it is connected or bound). It is a source of {@code loop} from now until
     * invalidated, connected or not: a socket never connected keeps {@link RunLoop#run()} from finishing.
     *
     * @param loop      the loop of the socket's callbacks
     * @param family    {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6}
     * @param type      STREAM (TCP) or DATAGRAM (UDP)
     * @param callBacks the callbacks the handler wants: at most one of READ, ACCEPT, DATA, plus CONNECT and WRITE
     * @param handler   receives the events, on the loop thread
     * @return the socket, a source of {@code loop} until invalidated
     * @throws SocketErrorException     when the OS refuses a socket (e.g. out of file descriptors)
     * @throws IllegalArgumentException for a combination of callbacks or a family cfnet does not drive
     * @throws IllegalStateException    when the loop is closed
     */
    public static Socket create(RunLoop loop, ProtocolFamily family, SocketType type, Set<CallBackType> callBacks,
                                SocketHandler handler) throws SocketErrorException {
        int bits = SocketChecks.create(loop, family, type, callBacks, handler);
        return open(loop, family, type, bits, bits, handler);
    }

    /**
     * Adopts a native socket, as CFSocketCreateWithNative: typically the connection of an
     * {@link SocketEvent.Accepted} event. The handle must come from the loop's backend; the socket owns it from
     * now on.
     *
     * @param loop      the loop whose thread runs the callbacks
     * @param handle    the native socket, open and not wrapped yet
     * @param callBacks the callbacks the handler wants: at most one of READ, ACCEPT, DATA, plus CONNECT and WRITE
     * @param handler   gets the events, on the loop thread
     * @return the socket, scheduled on {@code loop}
     * @throws SocketErrorException     when the OS refuses the native socket
     * @throws IllegalArgumentException when the handle is of another backend than the loop
     * @throws IllegalStateException    when the handle is closed or wrapped already, or the loop is closed
     */
    public static Socket wrap(RunLoop loop, SocketHandle handle, Set<CallBackType> callBacks, SocketHandler handler)
            throws SocketErrorException {
        int bits = SocketChecks.wrap(loop, handle, callBacks, handler);
        return new Socket(loop, handle.family(), handle.type(), bits,
                owner -> loop.driver().wrapSocket(owner, handle, bits, handler)).started();
    }

    /** A new socket: {@code backendBits} are asked of the backend, {@link #callBackTypes()} is {@code bits}. */
    static Socket open(RunLoop loop, ProtocolFamily family, SocketType type, int bits, int backendBits,
                       SocketHandler handler) throws SocketErrorException {
        SocketChecks.checkOpen(loop);
        return new Socket(loop, family, type, bits,
                owner -> loop.driver().createSocket(owner, family, type, backendBits, handler)).started();
    }

    /**
     * Connects to a name the way Apple's stack does (CFStreamCreatePairWithSocketToHost, Network.framework): RFC 8305,
     * Happy Eyeballs version 2, on {@code loop}; see {@link Connecting} for the algorithm, the result and cancelling.
     *
     * @param loop      the loop of the attempts, the callbacks and the winner
     * @param host      a host name or an address literal ({@code 192.0.2.1}, {@code 2001:db8::1}, {@code [::1]})
     * @param port      1 to 65535
     * @param callBacks the winner's callbacks: at most one of READ and DATA, plus CONNECT and WRITE
     * @param handler   the winner's handler
     * @param options   attempt delay, total timeout, preferred family; {@link ConnectOptions#defaults()}
     * @param done      receives the result on the loop thread
     * @return the connect under way, a source of {@code loop} until {@code done} runs or it is cancelled
     * @throws IllegalArgumentException the host is not a valid name or literal, the port is out of range, or the
     *                                  callbacks are not a connecting stream socket's
     * @throws IllegalStateException    the loop is closed
     */
    public static Connecting connect(RunLoop loop, String host, int port, Set<CallBackType> callBacks,
                                     SocketHandler handler, ConnectOptions options, Consumer<ConnectResult> done) {
        return Connecting.start(loop, host, port, callBacks, handler, options, done);
    }

    /**
     * {@link #connect(RunLoop, String, int, Set, SocketHandler, ConnectOptions, Consumer)} as a future: the winner,
     * or a {@link ConnectFailedException} listing each address with its error. Cancelling the future cancels the
     * connect; closing the loop first leaves the future incomplete (wait with a timeout).
     *
     * @param loop      the loop of the attempts, the callbacks and the winner
     * @param host      a host name or an address literal
     * @param port      1 to 65535
     * @param callBacks the winner's callbacks: at most one of READ and DATA, plus CONNECT and WRITE
     * @param handler   the winner's handler
     * @param options   attempt delay, total timeout, preferred family
     * @return the future socket
     * @throws IllegalArgumentException the host is not a valid name or literal, the port is out of range, or the
     *                                  callbacks are not a connecting stream socket's
     * @throws IllegalStateException    the loop is closed
     */
    public static CompletableFuture<Socket> connectAsync(RunLoop loop, String host, int port,
                                                         Set<CallBackType> callBacks, SocketHandler handler,
                                                         ConnectOptions options) {
        return Connecting.future(loop, host, port, callBacks, handler, options);
    }

    /**
     * Connects, as CFSocketConnectToAddress. A zero or negative timeout returns at once; the outcome comes as a
     * {@link SocketEvent.Connected} event (also for errors found at once), and a failed connect leaves a socket
     * without DATA valid until invalidated. A positive timeout waits: it returns once connected (CONNECT, if asked
     * for, still fires on the loop), or throws and invalidates the socket. An IPv6 address on an
     * {@link StandardProtocolFamily#INET} socket throws {@link SocketError.Kind#ADDRESS_FAMILY_NOT_SUPPORTED} and
     * invalidates it (CF's {@code kCFSocketError}); to connect to a name whatever its families, use
     * {@link #connect(RunLoop, String, int, Set, SocketHandler, ConnectOptions, Consumer)}.
     *
     * @param remote  the address to connect to (resolved, port not 0)
     * @param timeout zero or negative: asynchronous; positive: the longest wait
     * @throws SocketErrorException a waiting connect failed or timed out ({@link SocketError.Kind#TIMED_OUT}), or
     *                              the address's family does not fit the socket; the socket is invalidated
     * @throws IllegalStateException the socket is invalid, listening, or connected or connecting already
     */
    public void connect(InetSocketAddress remote, Duration timeout) throws SocketErrorException {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(timeout, "timeout");
        SocketChecks.checkResolved(remote, "connect");
        if (remote.getPort() == 0) throw new IllegalArgumentException("cannot connect to port 0: " + remote);
        checkValid("connect");
        if (SocketChecks.wrongFamily(family, remote)) {
            if (connectCalled || SocketChecks.readType(callBackTypes) == CallBackType.ACCEPT) {
                throw new IllegalStateException("connect: the socket is listening, or connected or connecting "
                        + "already");
            }
            invalidate();
            throw SocketChecks.wrongFamilyError(remote);
        }
        connectCalled = true;
        driver.connect(remote, RunLoop.toNanos(timeout));
    }

    /**
     * Binds to a local address, as CFSocketSetAddress: a socket with the ACCEPT callback also listens (backlog 256);
     * others only bind (for a later connect, or to receive datagrams). Port 0 picks a free port;
     * {@link #localAddress()} tells which.
     *
     * @param local the address to bind to (resolved; a wildcard address binds every interface)
     * @throws SocketErrorException  when the OS refuses, e.g. {@link SocketError.Kind#ADDRESS_IN_USE}
     * @throws IllegalStateException the socket is invalid
     */
    public void setAddress(InetSocketAddress local) throws SocketErrorException {
        Objects.requireNonNull(local, "local");
        SocketChecks.checkAddress(family, local, "setAddress");
        checkValid("setAddress");
        driver.setAddress(local);
    }

    /**
     * Sends all of {@code data}, as CFSocketSendData but never silently partial: it returns once every byte is out,
     * or throws saying how many went out first. A positive timeout waits that long for buffer space (blocking the
     * loop too when called from a callback: {@link #write} never blocks); zero does not wait.
     *
     * @param data    the bytes, from position to limit; the position advances past what went out
     * @param to      a datagram's destination; null to send to the connected peer (always null for STREAM)
     * @param timeout the longest wait for buffer space; zero or negative never waits
     * @return the number of bytes sent: all of them
     * @throws SocketErrorException {@link SocketError.Kind#TIMED_OUT} or {@link SocketError.Kind#WOULD_BLOCK} when
     *                              the buffer stayed full, {@link SocketError.Kind#CLOSED} once invalidated, or the
     *                              OS error; {@link SocketErrorException#bytesTransferred()} counts what went out
     * @throws IllegalStateException bytes are still queued by {@link #write}: they would be overtaken
     */
    public int send(ByteBuffer data, InetSocketAddress to, Duration timeout) throws SocketErrorException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(timeout, "timeout");
        SocketChecks.checkDestination(type, family, to);
        return driver.send(data, to, RunLoop.toNanos(timeout));
    }

    /**
     * {@link #send(ByteBuffer, InetSocketAddress, Duration)} of an array (CFSocketSendData's shape).
     *
     * @param data    the bytes
     * @param to      a datagram's destination; null: the connected peer (always null for STREAM)
     * @param timeout zero never waits for buffer space (CF's 0 waits forever); positive: the longest wait
     * @return the number of bytes sent, all of them
     * @throws SocketErrorException as the ByteBuffer form
     */
    public int send(byte[] data, InetSocketAddress to, Duration timeout) throws SocketErrorException {
        Objects.requireNonNull(data, "data");
        return send(ByteBuffer.wrap(data), to, timeout);
    }

    /**
     * {@link #send(ByteBuffer, InetSocketAddress, Duration)} of an array to the connected peer.
     *
     * @param data    the bytes
     * @param timeout the longest wait for buffer space; zero never waits
     * @return the number of bytes sent: {@code data.length}
     * @throws SocketErrorException as the ByteBuffer form
     */
    public int send(byte[] data, Duration timeout) throws SocketErrorException {
        Objects.requireNonNull(data, "data");
        return send(ByteBuffer.wrap(data), null, timeout);
    }

    /**
     * Queues bytes to be written without blocking: it copies as many of {@code data}'s remaining bytes as the
     * write queue has room for (see {@link #setWriteQueueLimit}), advances {@code data}'s position past them and
     * returns their count. The loop writes the queue out as the socket becomes writable; WRITE fires (when
     * enabled) once the queue is empty. Bytes are never dropped: what did not fit stays in {@code data}. Before
     * the connection is up they wait in the queue; if the connect fails they are never sent. STREAM only.
     *
     * @param data the bytes, from position to limit; the position advances past what was taken
     * @return how many bytes were taken: 0 when the queue is full
     * @throws SocketErrorException {@link SocketError.Kind#CLOSED} once invalidated,
     *                              {@link SocketError.Kind#NOT_CONNECTED} after a failed connect, or a write error
     */
    public int write(ByteBuffer data) throws SocketErrorException {
        Objects.requireNonNull(data, "data");
        if (type != SocketType.STREAM) {
            throw new UnsupportedOperationException("the write queue is for STREAM sockets; send a datagram with "
                    + "send(data, to, timeout)");
        }
        return driver.write(data);
    }

    /** {@return the bytes queued by {@link #write} and not yet handed to the OS} */
    public long queuedBytes() {
        return driver.queuedBytes();
    }

    /** {@return the most bytes the write queue holds} ({@link #DEFAULT_WRITE_QUEUE_LIMIT} at first) */
    public int writeQueueLimit() {
        return driver.writeQueueLimit();
    }

    /**
     * Sets the most bytes the write queue holds; bytes queued already stay.
     *
     * @param bytes the new limit; at least 1
     */
    public void setWriteQueueLimit(int bytes) {
        if (bytes < 1) throw new IllegalArgumentException("the write queue limit must be 1 byte or more, not " + bytes);
        driver.setWriteQueueLimit(bytes);
    }

    /**
     * Reads what is available into {@code dst} without blocking, on a READ stream socket (as recv; a DATA socket's
     * bytes come in its events, datagrams through {@link #receiveFrom}).
     *
     * @param dst where the bytes go, from its position; the position advances past them
     * @return bytes read, 0 when none are available, -1 at end of stream
     * @throws SocketErrorException {@link SocketError.Kind#CLOSED} once invalidated, the error of a failed
     *                              connect, or a read error
     */
    public int receive(ByteBuffer dst) throws SocketErrorException {
        SocketChecks.checkReceive(dst, type, SocketType.STREAM);
        return driver.receive(dst);
    }

    /**
     * Reads one datagram into {@code dst} without blocking (what does not fit is lost, as with recvfrom).
     *
     * @param dst where the datagram goes, from its position; the position advances past it
     * @return its source, or null when none is waiting
     * @throws SocketErrorException {@link SocketError.Kind#CLOSED} once invalidated, or a read error
     */
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws SocketErrorException {
        SocketChecks.checkReceive(dst, type, SocketType.DATAGRAM);
        return driver.receiveFrom(dst);
    }

    /**
     * Arms callbacks the socket was created with, as CFSocketEnableCallBacks; nothing on an invalid socket.
     *
     * @param first a callback type
     * @param more  more callback types
     * @throws IllegalArgumentException for a type the socket was not created with
     */
    public void enableCallBacks(CallBackType first, CallBackType... more) {
        driver.enableCallBacks(SocketChecks.owned(callBackTypes, first, more));
    }

    /**
     * Arms callbacks, as {@link #enableCallBacks(CallBackType, CallBackType...)}.
     *
     * @param types callback types, each one the socket was created with
     */
    public void enableCallBacks(Collection<CallBackType> types) {
        driver.enableCallBacks(SocketChecks.owned(callBackTypes, types));
    }

    /**
     * Disarms callbacks until enabled again, as CFSocketDisableCallBacks; what DATA or ACCEPT get meanwhile waits
     * and is delivered, in order, once enabled.
     *
     * @param first a callback type
     * @param more  more callback types
     * @throws IllegalArgumentException for a type the socket was not created with
     */
    public void disableCallBacks(CallBackType first, CallBackType... more) {
        driver.disableCallBacks(SocketChecks.owned(callBackTypes, first, more));
    }

    /**
     * Disarms callbacks, as {@link #disableCallBacks(CallBackType, CallBackType...)}.
     *
     * @param types callback types, each one the socket was created with
     */
    public void disableCallBacks(Collection<CallBackType> types) {
        driver.disableCallBacks(SocketChecks.owned(callBackTypes, types));
    }

    /** {@return a new set of the callbacks the socket was created with} */
    public Set<CallBackType> callBackTypes() {
        return CallBackType.fromBits(callBackTypes);
    }

    /** {@return a new set of the socket's flags, as CFSocketGetSocketFlags} */
    public Set<SocketFlag> flags() {
        return SocketFlag.fromBits(driver.flags(), SocketChecks.readType(callBackTypes));
    }

    /** {@return the flags as CF's {@code CFOptionFlags} bit mask (0x83 for a new DATA socket)} */
    public int flagBits() {
        return driver.flags();
    }

    /**
     * Replaces the socket's flags, as CFSocketSetSocketFlags.
     *
     * @param flags the new flags; each must apply to the socket's callbacks
     * @throws IllegalArgumentException for a flag that does not apply (e.g. AUTO_REENABLE_READ on a DATA socket)
     */
    public void setFlags(Set<SocketFlag> flags) {
        driver.setFlags(SocketChecks.flags(flags, callBackTypes));
    }

    /** {@return the local address (CFSocketCopyAddress), or empty before the socket is bound or connected} */
    public Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(driver.localAddress());
    }

    /** {@return the peer's address, as CFSocketCopyPeerAddress; empty until connected} */
    public Optional<InetSocketAddress> peerAddress() {
        return Optional.ofNullable(driver.peerAddress());
    }

    /**
     * Half-closes a STREAM socket: the peer reads end of stream, and this socket can still receive.
     *
     * @throws SocketErrorException  when the OS refuses, e.g. {@link SocketError.Kind#NOT_CONNECTED}
     * @throws IllegalStateException the socket is invalid
     */
    public void shutdownOutput() throws SocketErrorException {
        if (type != SocketType.STREAM) throw new UnsupportedOperationException("shutdownOutput needs a STREAM socket");
        checkValid("shutdownOutput");
        driver.shutdownOutput();
    }

    /**
     * Sets a socket option (e.g. {@code StandardSocketOptions.TCP_NODELAY}).
     *
     * @param <T>    the option's value type
     * @param option the option
     * @param value  its new value
     * @throws IOException when the OS refuses the option or the value
     */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        checkValid("setOption");
        driver.setOption(option, value);
    }

    /**
     * {@return the value of a socket option}
     *
     * @param <T>    the option's value type
     * @param option the option
     * @throws IOException when the OS refuses the option
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        checkValid("getOption");
        return driver.getOption(option);
    }

    /**
     * Also schedules the socket in a mode, as CFRunLoopAddSource with another mode.
     *
     * @param mode the mode
     */
    public void addMode(RunLoop.Mode mode) {
        driver.addMode(Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Unschedules the socket from a mode, as CFRunLoopRemoveSource.
     *
     * @param mode the mode
     */
    public void removeMode(RunLoop.Mode mode) {
        driver.removeMode(Objects.requireNonNull(mode, "mode"));
    }

    /**
     * {@return the native socket's handle} After {@link #invalidate()} without {@link SocketFlag#CLOSE_ON_INVALIDATE}
     * it stays open: wrap it again, or close it.
     */
    public SocketHandle handle() {
        return driver.handle();
    }

    /** {@return the socket type: STREAM or DATAGRAM} */
    public SocketType type() {
        return type;
    }

    /** {@return the address family: INET or INET6} */
    public ProtocolFamily family() {
        return family;
    }

    @Override
    public RunLoop loop() {
        return loop;
    }

    @Override
    public boolean isValid() {
        return driver.isValid();
    }

    /**
     * Invalidates the socket, as CFSocketInvalidate: unschedules it, closes the native socket (with
     * {@link SocketFlag#CLOSE_ON_INVALIDATE}) and drops queued bytes. Idempotent; any thread; once it returns no
     * callback starts (a callback under way on the loop thread is waited for, unless this is that callback).
     */
    @Override
    public void invalidate() {
        driver.invalidate();
    }

    private void checkValid(String op) {
        if (!driver.isValid()) throw new IllegalStateException(op + ": the socket is invalidated");
    }

    @Override
    public String toString() {
        return "Socket[" + type + " " + callBackTypes() + ", local " + driver.localAddress() + ", peer "
                + driver.peerAddress() + (isValid() ? "" : ", invalid") + "]";
    }
}
