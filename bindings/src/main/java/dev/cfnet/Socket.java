package dev.cfnet;

import dev.cfnet.spi.SocketDriver;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
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
 * <h2>Callback semantics (as CFSocket)</h2>
 * <ul>
 *   <li>A socket asks for at most one of READ, ACCEPT and DATA, plus any of CONNECT and WRITE.</li>
 *   <li>The read-type callback re-arms itself after each call (flag AUTO_REENABLE_*); WRITE fires once per
 *       {@link #enableCallBacks} unless {@link SocketFlag#AUTO_REENABLE_WRITE} is set. A successful connect also
 *       fires WRITE once if the socket asked for it.</li>
 *   <li>CONNECT fires at most once, with the error on failure; no WRITE follows a failed connect.</li>
 *   <li>Within one dispatch: CONNECT, then READ/DATA/ACCEPT, then WRITE; once a callback invalidated the socket, the
 *       later ones are skipped.</li>
 *   <li>Empty DATA on a stream socket means end of stream or a read error; the socket is invalidated after that
 *       callback.</li>
 *   <li>Callbacks run on the loop thread one at a time; none starts after {@link #invalidate()} returned.</li>
 *   <li>A {@link SocketEvent.Data} event's bytes are only valid during its callback: the loop reuses the buffer
 *       for the next event. Copy what you keep ({@link SocketEvent.Data#toByteArray()}).</li>
 * </ul>
 *
 * <h2>Connecting and writing</h2>
 * <ul>
 *   <li>{@link #write} works before the connection is up: the bytes are queued and go out, in order, once the
 *       connect succeeds. If the connect fails they are never sent.</li>
 *   <li>A failed asynchronous connect ({@link #connect} with a zero timeout) reports {@link SocketEvent.Connected}
 *       with the error, and then, as CF does: a socket with DATA gets an empty {@link SocketEvent.Data} carrying the
 *       same error and is invalidated after that callback; a socket with READ gets {@link SocketEvent.Readable},
 *       and {@link #receive} throws the error; any other socket gets nothing more. Those last two <em>stay
 *       valid</em> ({@link #isValid()} is true) until you {@link #invalidate()} them: {@link #write} and
 *       {@link #send} throw {@link SocketError.Kind#NOT_CONNECTED}, and {@link #connect} cannot be called again.
 *       Invalidate the socket in the CONNECT callback when it failed, and make a new one to retry.</li>
 *   <li>A waiting connect (positive timeout) that fails throws and invalidates the socket.</li>
 * </ul>
 *
 * <p>All methods are safe from any thread. {@link #enableCallBacks}/{@link #disableCallBacks} called inside a
 * callback hold from the next dispatch.
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

    @FunctionalInterface
    private interface Creator {
        SocketDriver create(Socket owner) throws SocketErrorException;
    }

    /**
     * Creates a socket on {@code loop}, as CFSocketCreate + CFSocketCreateRunLoopSource + CFRunLoopAddSource (the
     * library schedules it in the default mode when it is connected or bound, as the CF idiom does).
     *
     * <p>The socket is a source of {@code loop} from this call until it is invalidated, connected or not, on both
     * backends: a socket created and never connected keeps {@link RunLoop#run()} from returning
     * {@link RunLoop.Result#FINISHED} (and counts in {@link RunLoop#sourceCount()}) until it is invalidated.
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
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("cfnet sockets are INET or INET6, not " + family);
        }
        int bits = checkCallBacks(callBacks, type);
        checkOpen(loop);
        return new Socket(loop, family, type, bits,
                owner -> loop.driver().createSocket(owner, family, type, bits, handler)).started();
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
        int bits = checkCallBacks(callBacks, handle.type());
        checkOpen(loop);
        return new Socket(loop, handle.family(), handle.type(), bits,
                owner -> loop.driver().wrapSocket(owner, handle, bits, handler)).started();
    }

    /**
     * An attempt of a connect by name: the backend is asked for CONNECT whatever the caller asked for (the attempt
     * needs its outcome), while {@link #callBackTypes()} stays the caller's, as the winner is handed over.
     */
    static Socket createAttempt(RunLoop loop, ProtocolFamily family, int callBackBits, SocketHandler handler)
            throws SocketErrorException {
        checkOpen(loop);
        int backendBits = callBackBits | CallBackType.CONNECT.cfValue();
        return new Socket(loop, family, SocketType.STREAM, callBackBits,
                owner -> loop.driver().createSocket(owner, family, SocketType.STREAM, backendBits, handler)).started();
    }

    /**
     * Connects to a name, the way Apple's stack does (CFStreamCreatePairWithSocketToHost, Network.framework): RFC
     * 8305, Happy Eyeballs version 2, on {@code loop}. It resolves both families with {@link Host#resolve} (CFHost
     * on macOS' CF backend, the loop's resolver elsewhere; an address literal is used as it is, without resolving),
     * orders the addresses as RFC 8305 section 4 asks (the families interleaved, {@link
     * ConnectOptions#preferredFamily()} first), and starts an attempt on the first. The next address is tried
     * beside it after {@link ConnectOptions#attemptDelay()}, or at once when an attempt fails. The first attempt to
     * connect wins; every other is invalidated; {@link ConnectOptions#timeout()} bounds the whole.
     *
     * <p>{@code done} runs once on the loop thread (never inside this call) with {@link ConnectResult.Connected}
     * (the winner, an ordinary socket created with {@code callBacks} and {@code handler}, now the caller's) or
     * {@link ConnectResult.Failed} (each address tried, with its own error). After {@code done} returns, the winner's
     * CONNECT fires, once, if {@code callBacks} has it, and then its other events as for any socket; no event of a
     * losing attempt ever reaches {@code handler}.
     *
     * <p>The returned source counts on the loop (through its resolution, timers and attempt sockets, in the default
     * mode) until the result is delivered; {@link Connecting#cancel()} ends it from any thread and leaves no socket,
     * timer or descriptor behind. Closing the loop cancels it too: {@code done} does not run then.
     *
     * <pre>{@code
     * Socket.connect(loop, "mail.example.org", 25, EnumSet.of(CallBackType.DATA, CallBackType.WRITE), handler,
     *         ConnectOptions.defaults(), result -> {
     *             switch (result) {
     *                 case ConnectResult.Connected c -> System.out.println("connected to " + c.winner().address());
     *                 case ConnectResult.Failed f -> System.err.println(f.message());
     *             }
     *         });
     * }</pre>
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
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(done, "done");
        String name = Host.checkName(host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
        }
        int bits = checkCallBacks(callBacks, SocketType.STREAM);
        if (callBacks.contains(CallBackType.ACCEPT)) {
            throw new IllegalArgumentException("a socket that connects cannot ACCEPT; leave ACCEPT out");
        }
        checkOpen(loop);
        Connecting c = new Connecting(loop, name, port, bits, handler, options, done);
        c.engine.start();
        return c;
    }

    /**
     * {@link #connect(RunLoop, String, int, Set, SocketHandler, ConnectOptions, Consumer)} as a future: completed on
     * the loop thread with the winner, or exceptionally with a {@link ConnectFailedException} whose
     * {@link ConnectFailedException#failure()} lists each address tried with its error. Cancelling the future
     * cancels the connect (a socket that connected meanwhile is invalidated). Closing the loop before the result
     * leaves the future incomplete, as it cancels the connect: wait on the future with a timeout.
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
        CompletableFuture<Socket> future = new CompletableFuture<>();
        Connecting c = connect(loop, host, port, callBacks, handler, options, result -> {
            switch (result) {
                case ConnectResult.Connected ok -> {
                    if (!future.complete(ok.socket())) ok.socket().invalidate();   // cancelled meanwhile
                }
                case ConnectResult.Failed failed -> future.completeExceptionally(failed.toException());
            }
        });
        future.whenComplete((s, t) -> {
            if (future.isCancelled()) c.cancel();
        });
        return future;
    }

    /**
     * A connect by name under way ({@link #connect(RunLoop, String, int, Set, SocketHandler, ConnectOptions,
     * Consumer)}): a source of its loop until its result is delivered or it is cancelled.
     */
    public static final class Connecting implements RunLoopSource {
        private final RunLoop loop;
        private final String host;
        private final int port;
        private final HappyEyeballs engine;

        private Connecting(RunLoop loop, String host, int port, int callBackBits, SocketHandler handler,
                           ConnectOptions options, Consumer<ConnectResult> done) {
            this.loop = loop;
            this.host = host;
            this.port = port;
            this.engine = new HappyEyeballs(loop, host, port, callBackBits, handler, options, done, this);
        }

        /**
         * The name connected to (an IDN in its ASCII form, an IPv6 literal without brackets).
         *
         * @return the host
         */
        public String host() {
            return host;
        }

        /**
         * The port connected to.
         *
         * @return the port
         */
        public int port() {
            return port;
        }

        /**
         * True until the result was decided or the connect cancelled.
         *
         * @return whether it is under way
         */
        public boolean isPending() {
            return engine.isPending();
        }

        /**
         * Cancels, from any thread: the resolution, the timers and every attempt are invalidated, and the result
         * is never delivered. Once the result is decided (it is being or was delivered) this does nothing: a
         * connected socket is then the caller's.
         *
         * @return true when this cancelled the connect; false when its result was decided already
         */
        public boolean cancel() {
            return engine.cancel();
        }

        @Override
        public RunLoop loop() {
            return loop;
        }

        /** {@inheritDoc} Here: true while {@link #isPending()}. */
        @Override
        public boolean isValid() {
            return engine.isPending();
        }

        /** {@inheritDoc} Here: {@link #cancel()}. */
        @Override
        public void invalidate() {
            engine.cancel();
        }

        @Override
        public String toString() {
            return "Connecting[" + host + " port " + port + (isPending() ? ", pending" : "") + "]";
        }
    }

    private static void checkOpen(RunLoop loop) {
        if (loop.isClosed()) {
            throw new IllegalStateException("run loop '" + loop.name() + "' is closed");
        }
    }

    private static int checkCallBacks(Set<CallBackType> callBacks, SocketType type) {
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

    /**
     * Connects, as CFSocketConnectToAddress. With a zero or negative timeout the call returns at once and the
     * outcome arrives as a {@link SocketEvent.Connected} event (also for errors found at once). With a positive
     * timeout it waits: it returns once connected (and CONNECT, if asked for, still fires on the loop), or throws,
     * and then the socket is invalidated, since a connect whose outcome is unknown leaves it unusable.
     *
     * <p>A failed asynchronous connect leaves a socket without DATA valid until you invalidate it: see "Connecting
     * and writing" above.
     *
     * <p>An IPv6 address given to an {@link StandardProtocolFamily#INET} socket fails with
     * {@link SocketError.Kind#ADDRESS_FAMILY_NOT_SUPPORTED}, thrown whatever the timeout, and invalidates the socket
     * (as CF's {@code kCFSocketError} leaves it unusable). To connect to a name whatever its addresses' families,
     * use {@link #connect(RunLoop, String, int, Set, SocketHandler, ConnectOptions, Consumer)}.
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
        checkResolved(remote, "connect");
        if (remote.getPort() == 0) {
            throw new IllegalArgumentException("cannot connect to port 0: " + remote);
        }
        checkValid("connect");
        if (remote.getAddress() instanceof Inet6Address && isInet4Only()) {
            if (connectCalled || readType() == CallBackType.ACCEPT) {
                throw new IllegalStateException("connect: the socket is listening, or connected or connecting "
                        + "already");
            }
            invalidate();
            throw new SocketErrorException("connect to " + remote, new SocketError(
                    SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED,
                    SocketError.of(SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED).code(),
                    "the address is IPv6 and this is an INET (IPv4) socket; create an INET6 socket for it, or "
                            + "connect by name with Socket.connect(loop, host, port, ...)"));
        }
        connectCalled = true;
        driver.connect(remote, RunLoop.toNanos(timeout));
    }

    /**
     * Binds to a local address, as CFSocketSetAddress: a STREAM socket also listens (backlog 256). Port 0 picks a
     * free port; {@link #localAddress()} tells which.
     *
     * @param local the address to bind to (resolved; a wildcard address binds every interface)
     * @throws SocketErrorException  when the OS refuses, e.g. {@link SocketError.Kind#ADDRESS_IN_USE}
     * @throws IllegalStateException the socket is invalid
     */
    public void setAddress(InetSocketAddress local) throws SocketErrorException {
        Objects.requireNonNull(local, "local");
        checkAddress(local, "setAddress");
        checkValid("setAddress");
        driver.setAddress(local);
    }

    private void checkAddress(InetSocketAddress address, String op) {
        checkResolved(address, op);
        if (address.getAddress() instanceof Inet6Address && isInet4Only()) {
            throw new IllegalArgumentException(op + ": " + address + " is IPv6; this is an INET (IPv4) socket");
        }
    }

    private static void checkResolved(InetSocketAddress address, String op) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(op + ": '" + address.getHostString()
                    + "' is not resolved; resolve it with Host.resolve first");
        }
    }

    private boolean isInet4Only() {
        return family == StandardProtocolFamily.INET;
    }

    /**
     * Sends all of {@code data} (from its position to its limit), as CFSocketSendData but never silently partial:
     * it returns the byte count once every byte is out, or throws saying how many went out before the failure.
     * With a positive timeout it waits that long for buffer space; with zero it does not wait.
     *
     * <p>This may block the calling thread up to the timeout, and the loop with it if called from a callback: for
     * a loop that must never block, use {@link #write}.
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
        if (to != null) {
            if (type == SocketType.STREAM) {
                throw new IllegalArgumentException("a STREAM socket sends to its peer; pass null as the address");
            }
            checkAddress(to, "send");
            if (to.getPort() == 0) {
                throw new IllegalArgumentException("cannot send to port 0: " + to);
            }
        }
        return driver.send(data, to, RunLoop.toNanos(timeout));
    }

    /**
     * Sends all of {@code data} as a datagram to {@code to} (null: to the connected peer), as CFSocketSendData; see
     * {@link #send(ByteBuffer, InetSocketAddress, Duration)}.
     *
     * @param data    the bytes
     * @param to      a datagram's destination; null to send to the connected peer (always null for STREAM)
     * @param timeout zero: never wait for buffer space (CF's 0 waits forever); positive: the longest wait
     * @return the number of bytes sent, all of them
     * @throws SocketErrorException as {@link #send(ByteBuffer, InetSocketAddress, Duration)}
     */
    public int send(byte[] data, InetSocketAddress to, Duration timeout) throws SocketErrorException {
        Objects.requireNonNull(data, "data");
        return send(ByteBuffer.wrap(data), to, timeout);
    }

    /**
     * Sends all of {@code data} to the connected peer; see {@link #send(ByteBuffer, InetSocketAddress, Duration)}.
     *
     * @param data    the bytes
     * @param timeout the longest wait for buffer space; zero or negative never waits
     * @return the number of bytes sent: {@code data.length}
     * @throws SocketErrorException  as {@link #send(ByteBuffer, InetSocketAddress, Duration)}
     * @throws IllegalStateException bytes are still queued by {@link #write}
     */
    public int send(byte[] data, Duration timeout) throws SocketErrorException {
        Objects.requireNonNull(data, "data");
        return send(ByteBuffer.wrap(data), null, timeout);
    }

    /**
     * Queues bytes to be written without blocking: it copies as many of {@code data}'s remaining bytes as the
     * write queue has room for (see {@link #setWriteQueueLimit}), advances {@code data}'s position past them and
     * returns their count. The loop writes the queue out as the socket becomes writable; WRITE fires (when
     * enabled) once the queue is empty. Bytes are never dropped: what did not fit stays in {@code data}.
     * STREAM sockets only.
     *
     * <p>Before the socket is connected (before {@link #connect}, or while an asynchronous connect is under way)
     * the bytes are queued and go out once the connection is up; if the connect fails they are never sent.
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

    /**
     * Bytes queued by {@link #write} and not yet handed to the OS.
     *
     * @return the queue's size in bytes
     */
    public long queuedBytes() {
        return driver.queuedBytes();
    }

    /**
     * The most bytes the write queue holds ({@link #DEFAULT_WRITE_QUEUE_LIMIT} at first).
     *
     * @return the limit in bytes
     */
    public int writeQueueLimit() {
        return driver.writeQueueLimit();
    }

    /**
     * Sets the most bytes the write queue holds. Bytes queued already stay.
     *
     * @param bytes the new limit; at least 1
     */
    public void setWriteQueueLimit(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("the write queue limit must be at least 1 byte, got " + bytes);
        }
        driver.setWriteQueueLimit(bytes);
    }

    /**
     * Reads what is available into {@code dst}, without blocking, for READ-type sockets (a DATA socket's bytes come
     * in its events). STREAM only; datagrams use {@link #receiveFrom}.
     *
     * @param dst where the bytes go, from its position; the position advances past them
     * @return bytes read, 0 when none are available, -1 at end of stream
     * @throws SocketErrorException {@link SocketError.Kind#CLOSED} once invalidated, the error of a failed
     *                              connect, or a read error
     */
    public int receive(ByteBuffer dst) throws SocketErrorException {
        Objects.requireNonNull(dst, "dst");
        if (type != SocketType.STREAM) {
            throw new UnsupportedOperationException("use receiveFrom(dst) on a DATAGRAM socket");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
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
        Objects.requireNonNull(dst, "dst");
        if (type != SocketType.DATAGRAM) {
            throw new UnsupportedOperationException("use receive(dst) on a STREAM socket");
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        return driver.receiveFrom(dst);
    }

    /**
     * Arms callbacks, as CFSocketEnableCallBacks. Each must be one the socket was created with. A no-op on an
     * invalid socket.
     *
     * @param first a callback type
     * @param more  more callback types
     * @throws IllegalArgumentException for a type the socket was not created with
     */
    public void enableCallBacks(CallBackType first, CallBackType... more) {
        driver.enableCallBacks(checkOwned(first, more));
    }

    /**
     * Arms callbacks, as CFSocketEnableCallBacks. Each must be one the socket was created with. A no-op on an
     * invalid socket.
     *
     * @param types callback types
     * @throws IllegalArgumentException for a type the socket was not created with
     */
    public void enableCallBacks(Collection<CallBackType> types) {
        driver.enableCallBacks(checkOwned(types));
    }

    /**
     * Disarms callbacks until enabled again, as CFSocketDisableCallBacks. With DATA or ACCEPT disabled, what
     * arrives meanwhile waits and is delivered, in order, once enabled.
     *
     * @param first a callback type
     * @param more  more callback types
     * @throws IllegalArgumentException for a type the socket was not created with
     */
    public void disableCallBacks(CallBackType first, CallBackType... more) {
        driver.disableCallBacks(checkOwned(first, more));
    }

    /**
     * Disarms callbacks until enabled again, as CFSocketDisableCallBacks.
     *
     * @param types callback types
     * @throws IllegalArgumentException for a type the socket was not created with
     */
    public void disableCallBacks(Collection<CallBackType> types) {
        driver.disableCallBacks(checkOwned(types));
    }

    private int checkOwned(CallBackType first, CallBackType... more) {
        Objects.requireNonNull(first, "type");
        EnumSet<CallBackType> set = EnumSet.of(first);
        for (CallBackType t : more) {
            set.add(Objects.requireNonNull(t, "type"));
        }
        return checkOwned(set);
    }

    private int checkOwned(Collection<CallBackType> types) {
        Objects.requireNonNull(types, "types");
        int bits = 0;
        for (CallBackType t : types) {
            Objects.requireNonNull(t, "types contains null");
            if ((callBackTypes & t.cfValue()) != t.cfValue()) {
                throw new IllegalArgumentException(t + " was not among the callbacks this socket was created with "
                        + callBackTypes());
            }
            bits |= t.cfValue();
        }
        return bits;
    }

    /**
     * The callbacks the socket was created with.
     *
     * @return a new set of them
     */
    public Set<CallBackType> callBackTypes() {
        return CallBackType.fromBits(callBackTypes);
    }

    /**
     * The socket's flags, as CFSocketGetSocketFlags.
     *
     * @return a new set of them
     */
    public Set<SocketFlag> flags() {
        return SocketFlag.fromBits(driver.flags(), readType());
    }

    /**
     * The flags as CF's bit mask (0x83 for a new DATA socket).
     *
     * @return the {@code CFOptionFlags} value
     */
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
        Objects.requireNonNull(flags, "flags");
        CallBackType rt = readType();
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
                throw new IllegalArgumentException(f + " does not apply to a socket with callbacks " + callBackTypes());
            }
        }
        driver.setFlags(SocketFlag.toBits(flags));
    }

    private CallBackType readType() {
        return switch (callBackTypes & 3) {
            case 1 -> CallBackType.READ;
            case 2 -> CallBackType.ACCEPT;
            case 3 -> CallBackType.DATA;
            default -> null;
        };
    }

    /**
     * The local address, as CFSocketCopyAddress.
     *
     * @return the address, or empty before the socket is bound or connected
     */
    public Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(driver.localAddress());
    }

    /**
     * The peer's address, as CFSocketCopyPeerAddress.
     *
     * @return the address, or empty until connected
     */
    public Optional<InetSocketAddress> peerAddress() {
        return Optional.ofNullable(driver.peerAddress());
    }

    /**
     * Half-closes: the peer reads end of stream, and this socket can still receive. STREAM only.
     *
     * @throws SocketErrorException  when the OS refuses, e.g. {@link SocketError.Kind#NOT_CONNECTED}
     * @throws IllegalStateException the socket is invalid
     */
    public void shutdownOutput() throws SocketErrorException {
        if (type != SocketType.STREAM) {
            throw new UnsupportedOperationException("shutdownOutput needs a STREAM socket");
        }
        checkValid("shutdownOutput");
        driver.shutdownOutput();
    }

    /**
     * Sets a socket option (e.g. {@code StandardSocketOptions.TCP_NODELAY}).
     *
     * @param <T>    the option's value type
     * @param option the option
     * @param value  its new value
     * @throws IOException           when the OS refuses the option or the value
     * @throws IllegalStateException the socket is invalid
     */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        checkValid("setOption");
        driver.setOption(option, value);
    }

    /**
     * Reads a socket option.
     *
     * @param <T>    the option's value type
     * @param option the option
     * @return its value
     * @throws IOException           when the OS refuses the option
     * @throws IllegalStateException the socket is invalid
     */
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        checkValid("getOption");
        return driver.getOption(option);
    }

    /**
     * Also schedule the socket in {@code mode}, as CFRunLoopAddSource with another mode.
     *
     * @param mode a run loop mode
     */
    public void addMode(RunLoop.Mode mode) {
        driver.addMode(Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Unschedule the socket from {@code mode}, as CFRunLoopRemoveSource.
     *
     * @param mode a run loop mode
     */
    public void removeMode(RunLoop.Mode mode) {
        driver.removeMode(Objects.requireNonNull(mode, "mode"));
    }

    /**
     * The native socket. After {@link #invalidate()} on a socket without {@link SocketFlag#CLOSE_ON_INVALIDATE} it
     * stays open: wrap it again, or close it.
     *
     * @return the native socket's handle
     */
    public SocketHandle handle() {
        return driver.handle();
    }

    /**
     * The socket type.
     *
     * @return STREAM or DATAGRAM
     */
    public SocketType type() {
        return type;
    }

    /**
     * The address family.
     *
     * @return INET or INET6
     */
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
        if (!driver.isValid()) {
            throw new IllegalStateException(op + ": the socket is invalidated");
        }
    }

    @Override
    public String toString() {
        return "Socket[" + type + " " + callBackTypes() + ", local " + driver.localAddress() + ", peer "
                + driver.peerAddress() + (isValid() ? "" : ", invalid") + "]";
    }
}
