package dev.cfnet;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A connect by name under way ({@link Socket#connect(RunLoop, String, int, Set, SocketHandler, ConnectOptions,
 * Consumer)}): a source of its loop until its result is delivered or it is cancelled.
 *
 * <p>Connects to a name, the way Apple's stack does (CFStreamCreatePairWithSocketToHost, Network.framework): RFC
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
 * mode) until the result is delivered; {@link #cancel()} ends it from any thread and leaves no socket,
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
 */
public final class Connecting implements RunLoopSource {
    private final RunLoop loop;
    private final String host;
    private final int port;
    final HappyEyeballs engine;

    Connecting(RunLoop loop, String host, int port, int callBackBits, SocketHandler handler,
                       ConnectOptions options, Consumer<ConnectResult> done) {
        this.loop = loop;
        this.host = host;
        this.port = port;
        this.engine = new HappyEyeballs(loop, host, port, callBackBits, handler, options, done, this);
    }

    /** Checks the arguments and starts ({@link Socket#connect(RunLoop, String, int, Set, SocketHandler,
     * ConnectOptions, Consumer)}). */
    static Connecting start(RunLoop loop, String host, int port, Set<CallBackType> callBacks,
                                     SocketHandler handler, ConnectOptions options, Consumer<ConnectResult> done) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(done, "done");
        String name = Host.checkName(host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
        }
        int bits = SocketChecks.callBacks(callBacks, SocketType.STREAM);
        if (callBacks.contains(CallBackType.ACCEPT)) {
            throw new IllegalArgumentException("a socket that connects cannot ACCEPT; leave ACCEPT out");
        }
        SocketChecks.checkOpen(loop);
        Connecting c = new Connecting(loop, name, port, bits, handler, options, done);
        c.engine.start();
        return c;
    }

    /** A connect as a future (see {@link Socket#connectAsync}). */
    static CompletableFuture<Socket> future(RunLoop loop, String host, int port,
                                                         Set<CallBackType> callBacks, SocketHandler handler,
                                                         ConnectOptions options) {
        CompletableFuture<Socket> future = new CompletableFuture<>();
        Connecting c = start(loop, host, port, callBacks, handler, options, result -> {
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
