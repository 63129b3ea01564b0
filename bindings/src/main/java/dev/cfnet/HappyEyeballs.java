package dev.cfnet;

import dev.cfnet.spi.Callbacks;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * RFC 8305 (Happy Eyeballs v2) on a run loop: resolve, order the addresses, start an attempt, start the next after
 * the attempt delay or as soon as one fails, keep the first that connects, invalidate the rest; all bounded by the
 * total timeout.
 *
 * <p>Every step runs on the loop thread, in callbacks of the parts it owns (the resolution, the timers, the attempt
 * sockets); only {@link #cancel()} comes from anywhere. State is guarded by {@code this}. Parts are invalidated under
 * the lock only on the loop thread (where invalidate never waits); {@link #cancel()} invalidates them after letting
 * go of it, since off the loop an invalidate waits for a callback under way, which may be waiting for the lock.
 * User code ({@code done}, the handler) is never called under the lock.
 */
final class HappyEyeballs {
    private enum Phase { RESOLVING, CONNECTING, DONE }

    private final RunLoop loop;
    private final String host;
    private final int port;
    private final int callBackBits;
    private final SocketHandler handler;
    private final ConnectOptions options;
    private final Consumer<ConnectResult> done;
    private final RunLoopSource owner;
    private final long startNanos = System.nanoTime();

    private Phase phase = Phase.RESOLVING;
    private Host.Resolution resolution;
    private Timer deadline;
    private Timer nextAttempt;
    private List<InetSocketAddress> addresses = List.of();
    private int next;
    private final List<Attempt> attempts = new ArrayList<>();

    HappyEyeballs(RunLoop loop, String host, int port, int callBackBits, SocketHandler handler, ConnectOptions options,
                  Consumer<ConnectResult> done, RunLoopSource owner) {
        this.loop = loop;
        this.host = host;
        this.port = port;
        this.callBackBits = callBackBits;
        this.handler = handler;
        this.options = options;
        this.done = done;
        this.owner = owner;
    }

    /** Any thread: schedules the deadline, then resolves, or for a literal starts on the loop without resolving. */
    synchronized void start() {
        deadline = loop.schedule(options.timeout(), this::onTimeout);
        InetAddress literal = literal(host);
        try {
            if (literal != null) {
                loop.execute(() -> startLiteral(literal));
            } else {
                resolution = Host.resolve(loop, host, this::onResolved);
            }
        } catch (RuntimeException closedMeanwhile) {
            phase = Phase.DONE;
            deadline.invalidate();
            throw closedMeanwhile;
        }
    }

    private static InetAddress literal(String host) {
        if (!Host.isIpv4Literal(host) && !Host.isIpv6Literal(host)) return null;
        try {
            return InetAddress.getByName(host);   // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    synchronized boolean isPending() {
        return phase != Phase.DONE;
    }

    /** Any thread: false when the outcome was decided already. */
    boolean cancel() {
        List<RunLoopSource> drop;
        synchronized (this) {
            if (phase == Phase.DONE) return false;
            phase = Phase.DONE;
            drop = new ArrayList<>();
            for (Attempt a : attempts) {
                if (a.outcome == null) drop.add(a.socket);
            }
            drop.add(resolution);
            drop.add(nextAttempt);
            drop.add(deadline);
        }
        for (RunLoopSource s : drop) {
            if (s != null) s.invalidate();
        }
        return true;
    }

    // ---- steps (loop thread) ---------------------------------------------------------------------------------------

    private void onResolved(ResolveResult r) {
        ConnectResult result = null;
        synchronized (this) {
            if (phase != Phase.RESOLVING) return;
            resolution = null;
            switch (r) {
                case ResolveResult.Failed f -> result = fail(ConnectResult.Failed.Reason.NOT_RESOLVED,
                        Optional.of(f.error()));
                case ResolveResult.Resolved ok -> result = begin(order(ok.addresses(), port,
                        options.preferredFamily(), options.firstFamilyCount()));
            }
        }
        deliver(result);
    }

    private void startLiteral(InetAddress literal) {
        ConnectResult result;
        synchronized (this) {
            if (phase != Phase.RESOLVING) return;
            result = begin(List.of(new InetSocketAddress(literal, port)));
        }
        deliver(result);
    }

    /** Under the lock: the addresses are known; the first attempt starts. */
    private ConnectResult begin(List<InetSocketAddress> ordered) {
        addresses = ordered;
        phase = Phase.CONNECTING;
        return startNext();
    }

    /** Under the lock: starts the next address's attempt; a failure if none is left and none is under way. */
    private ConnectResult startNext() {
        if (nextAttempt != null) {
            nextAttempt.invalidate();
            nextAttempt = null;
        }
        while (next < addresses.size()) {
            Attempt a = new Attempt(addresses.get(next++));
            attempts.add(a);
            try {
                a.socket = Socket.open(loop, familyOf(a.address), SocketType.STREAM, callBackBits,
                        callBackBits | CallBackType.CONNECT.cfValue(), a);   // the attempt needs its outcome
                a.socket.connect(a.address, Duration.ZERO);
            } catch (SocketErrorException e) {
                a.failNow(e.error());
                continue;
            } catch (RuntimeException e) {
                // e.g. the loop closed meanwhile: this address cannot be tried, the next may be
                a.failNow(new SocketError(SocketError.Kind.OTHER, 0, String.valueOf(e.getMessage())));
                continue;
            }
            if (next < addresses.size()) {
                nextAttempt = loop.schedule(options.attemptDelay(), this::onAttemptDelay);
            }
            return null;
        }
        for (Attempt a : attempts) {
            if (a.outcome == null) return null;   // the last ones are still under way
        }
        return fail(ConnectResult.Failed.Reason.ALL_ATTEMPTS_FAILED, Optional.empty());
    }

    private void onAttemptDelay() {
        ConnectResult result;
        synchronized (this) {
            if (phase != Phase.CONNECTING) return;
            result = startNext();   // invalidates this timer now rather than after it fired: nothing is left over
        }
        deliver(result);
    }

    /** An attempt's CONNECT: the first success wins; a failure starts the next attempt at once. */
    private void onConnected(Attempt a, SocketEvent.Connected c) throws Exception {
        ConnectResult result;
        synchronized (this) {
            if (phase != Phase.CONNECTING || a.outcome != null) {
                a.socket.invalidate();
                return;
            }
            if (c.failed()) {
                a.end(ConnectAttempt.Outcome.FAILED, c.error().orElseThrow());
                a.socket.invalidate();
                result = startNext();
            } else {
                a.end(ConnectAttempt.Outcome.CONNECTED, null);
                a.won = true;
                phase = Phase.DONE;
                for (Attempt other : attempts) {
                    if (other.outcome == null) {
                        other.end(ConnectAttempt.Outcome.ABANDONED, null);
                        other.socket.invalidate();
                    }
                }
                invalidateTimers();
                result = new ConnectResult.Connected(a.socket, addresses, snapshot(), elapsed());
            }
        }
        deliver(result);
        if (c.succeeded() && (callBackBits & CallBackType.CONNECT.cfValue()) != 0 && a.socket.isValid()) {
            handler.handle(a.socket, c);   // CONNECT, once, on the winner; what it throws goes to the loop's handler
        }
    }

    private void onTimeout() {
        ConnectResult result;
        synchronized (this) {
            if (phase == Phase.DONE) return;
            phase = Phase.DONE;
            if (resolution != null) {
                resolution.cancel();
                resolution = null;
            }
            for (Attempt a : attempts) {
                if (a.outcome == null) {
                    a.end(ConnectAttempt.Outcome.FAILED, SocketError.of(SocketError.Kind.TIMED_OUT));
                    a.socket.invalidate();
                }
            }
            invalidateTimers();
            result = new ConnectResult.Failed(host, port, ConnectResult.Failed.Reason.TIMED_OUT, Optional.empty(),
                    addresses, snapshot(), elapsed());
        }
        deliver(result);
    }

    /** Under the lock: the end, as a failure; invalidates what is left. */
    private ConnectResult fail(ConnectResult.Failed.Reason reason, Optional<ResolveError> resolveError) {
        phase = Phase.DONE;
        invalidateTimers();
        return new ConnectResult.Failed(host, port, reason, resolveError, addresses, snapshot(), elapsed());
    }

    private void invalidateTimers() {
        if (nextAttempt != null) nextAttempt.invalidate();
        if (deadline != null) deadline.invalidate();
        nextAttempt = null;
        deadline = null;
    }

    private void deliver(ConnectResult result) {
        if (result == null) return;
        try {
            done.accept(result);
        } catch (Throwable t) {
            Callbacks.failed(loop, owner, t);
        }
    }

    private List<ConnectAttempt> snapshot() {
        List<ConnectAttempt> out = new ArrayList<>(attempts.size());
        for (Attempt a : attempts) out.add(a.record());
        return out;
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static ProtocolFamily familyOf(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /**
     * RFC 8305 section 4: the resolver's order kept within each family, duplicates dropped, then
     * {@code firstFamilyCount} addresses of the preferred family, then the families alternating, the other first;
     * when one runs out the rest of the other follows.
     */
    static List<InetSocketAddress> order(List<InetAddress> resolved, int port, ProtocolFamily preferred,
                                         int firstFamilyCount) {
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> second = new ArrayList<>();
        for (InetAddress a : new LinkedHashSet<>(resolved)) {
            boolean v6 = a instanceof Inet6Address;
            (v6 == (preferred == StandardProtocolFamily.INET6) ? first : second).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>(first.size() + second.size());
        int i = 0;
        int j = 0;
        while (i < first.size() && i < firstFamilyCount) out.add(new InetSocketAddress(first.get(i++), port));
        while (i < first.size() || j < second.size()) {
            if (j < second.size()) out.add(new InetSocketAddress(second.get(j++), port));
            if (i < first.size()) out.add(new InetSocketAddress(first.get(i++), port));
        }
        return out;
    }

    /** One attempt: its socket's handler until it wins, then a pass-through to the caller's handler. */
    private final class Attempt implements SocketHandler {
        final InetSocketAddress address;
        final long started = System.nanoTime();
        Socket socket;
        long ended;
        ConnectAttempt.Outcome outcome;        // null while under way
        SocketError error;
        volatile boolean won;

        Attempt(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public void handle(Socket s, SocketEvent event) throws Exception {
            if (won) {
                handler.handle(s, event);
            } else if (event instanceof SocketEvent.Connected c) {
                onConnected(this, c);
            }
            // Nothing else comes before CONNECT; what a losing attempt reports never reaches the caller.
        }

        void end(ConnectAttempt.Outcome how, SocketError why) {
            outcome = how;
            error = why;
            ended = System.nanoTime();
        }

        void failNow(SocketError why) {
            end(ConnectAttempt.Outcome.FAILED, why);
            if (socket != null) socket.invalidate();
        }

        ConnectAttempt record() {
            return new ConnectAttempt(address, Duration.ofNanos(started - startNanos),
                    Duration.ofNanos(ended - startNanos), outcome, Optional.ofNullable(error));
        }
    }
}
