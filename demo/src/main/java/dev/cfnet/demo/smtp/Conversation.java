package dev.cfnet.demo.smtp;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;

import dev.cfnet.Host;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import dev.cfnet.demo.smtp.Outcome.Status;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The seed's SMTP step machine on cfnet, with the error control it admits it lacks. A socket with CONNECT, DATA and
 * WRITE callbacks walks the steps: on WRITE it sends the step's command, disables WRITE and enables DATA; on DATA it
 * checks the reply's code, advances, disables DATA and enables WRITE; after the last step it invalidates the socket.
 *
 * <p>Everything after {@link #start} runs on the loop thread. The returned future always completes, the socket is
 * always invalidated, and a failure while the connection is up sends QUIT and waits briefly for its reply first.
 */
public final class Conversation {
    /**
     * @param stepTimeout longest wait for a resolution, a connection or a reply
     * @param quitTimeout longest wait for the reply to the QUIT sent after a failure
     */
    public record Options(Duration stepTimeout, Duration quitTimeout) {
        public Options {
            Objects.requireNonNull(stepTimeout, "stepTimeout");
            Objects.requireNonNull(quitTimeout, "quitTimeout");
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(30), Duration.ofSeconds(2));
        }
    }

    private enum Phase { RESOLVING, CONNECTING, WRITING, READING, QUITTING, DONE }

    private final RunLoop loop;
    private final List<Step> steps;
    private final Options options;
    private final Transcript out;
    private final CompletableFuture<Outcome> result = new CompletableFuture<>();

    private String host;
    private int port;
    private List<InetAddress> addresses = List.of();
    private int next;
    private SocketError lastConnectError;
    private Socket socket;
    private InetSocketAddress target;
    private Timer timer;
    private Phase phase = Phase.RESOLVING;
    private int step;
    private ByteBuffer pending;
    private Outcome failure;          // set while QUIT is on its way after a failure
    private boolean quitWritten;      // that QUIT is out; only its reply is awaited
    private String unparsable;        // why the server's bytes stopped being SMTP, once they did
    private final ReplyParser parser = new ReplyParser();
    private final ArrayDeque<Reply> replies = new ArrayDeque<>();

    public Conversation(RunLoop loop, List<Step> steps, Options options, Transcript out) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.steps = List.copyOf(steps);
        this.options = Objects.requireNonNull(options, "options");
        this.out = Objects.requireNonNull(out, "out");
        if (this.steps.isEmpty()) throw new IllegalArgumentException("a conversation needs at least one step");
    }

    /** Resolves {@code host}, connects to {@code port} and runs the steps. */
    public CompletableFuture<Outcome> start(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        loop.execute(this::resolve);
        return result;
    }

    // ---- resolve and connect -----------------------------------------------------------------------------------

    private void resolve() {
        out.line("Resolving " + host + " ...");
        arm(options.stepTimeout(), () -> finish(Status.NETWORK, "no address for " + host + " within "
                + human(options.stepTimeout())));
        Host.resolve(loop, host, r -> {
            if (phase != Phase.RESOLVING) return;
            switch (r) {
                case ResolveResult.Failed f -> finish(Status.NETWORK, "cannot resolve " + host + ": " + f.error());
                case ResolveResult.Resolved ok -> {
                    addresses = ok.addresses();
                    out.line("Resolved " + host + " to " + addresses.stream().map(InetAddress::getHostAddress)
                            .collect(Collectors.joining(", ")));
                    phase = Phase.CONNECTING;
                    connectNext();
                }
            }
        });
    }

    private void connectNext() {
        dropSocket();
        if (next >= addresses.size()) {
            finish(Status.NETWORK, "could not connect to " + host + " port " + port + ": "
                    + (lastConnectError == null ? "no address" : lastConnectError.message())
                    + (addresses.size() > 1 ? " (tried " + addresses.size() + " addresses)" : ""));
            return;
        }
        InetAddress a = addresses.get(next++);
        InetSocketAddress to = new InetSocketAddress(a, port);
        target = to;
        out.line("Connecting to " + display(to) + " ...");
        try {
            socket = Socket.create(loop, a instanceof Inet6Address ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(CONNECT, DATA, WRITE), this::onEvent);
            socket.connect(to, Duration.ZERO);
        } catch (SocketErrorException e) {
            lastConnectError = e.error();
            out.line("Cannot connect to " + display(to) + ": " + e.error().message());
            connectNext();
            return;
        }
        arm(options.stepTimeout(), () -> {
            lastConnectError = SocketError.of(SocketError.Kind.TIMED_OUT);
            out.line("No answer from " + display(to) + " within " + human(options.stepTimeout()));
            connectNext();
        });
    }

    // ---- the callbacks -----------------------------------------------------------------------------------------

    private void onEvent(Socket s, SocketEvent event) {
        if (s != socket || phase == Phase.DONE) return;   // a socket given up on, or a finished conversation
        switch (event) {
            case SocketEvent.Connected c when c.failed() -> {
                lastConnectError = c.error().orElseThrow();
                out.line("Connect to " + display(target) + " failed: " + lastConnectError.message());
                connectNext();
            }
            case SocketEvent.Connected c -> {
                disarm();
                out.line("Connected to " + display(target) + " from " + display(s.localAddress().orElse(null)));
                phase = Phase.WRITING;   // WRITE follows, as in CF
                armWrite();
            }
            case SocketEvent.Writable w -> onWritable();
            case SocketEvent.Data d -> onData(d);
            default -> { }
        }
    }

    private void onWritable() {
        if (phase != Phase.WRITING && phase != Phase.QUITTING) return;
        if (pending == null) {
            String command = phase == Phase.QUITTING ? "QUIT" : steps.get(step).command();
            if (command != null) {
                out.line("Writing " + command);
                pending = ByteBuffer.wrap((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        if (pending != null) {
            try {
                socket.write(pending);
            } catch (SocketErrorException e) {
                connectionLost("cannot send " + currentLabel() + ": " + e.error().message());
                return;
            }
            if (pending.hasRemaining()) {
                socket.enableCallBacks(WRITE);   // the write queue is full: go on once it drained
                return;
            }
            pending = null;
        }
        socket.disableCallBacks(WRITE);
        socket.enableCallBacks(DATA);
        if (phase == Phase.WRITING) {
            phase = Phase.READING;
            arm(options.stepTimeout(), () -> fail(Status.NETWORK, "no reply to " + currentLabel() + " within "
                    + human(options.stepTimeout())));
        } else {
            quitWritten = true;
            arm(options.quitTimeout(), () -> done(failure));
        }
        takeReplies();
    }

    private void onData(SocketEvent.Data d) {
        if (d.isEmpty()) {
            String why = d.error().map(e -> e.kind() == SocketError.Kind.CONNECTION_RESET
                    ? "the server reset the connection" : "the connection failed: " + e.message())
                    .orElse("the server closed the connection");
            connectionLost(why + (phase == Phase.QUITTING ? "" : " while waiting for the reply to "
                    + currentLabel()));
            return;
        }
        out.detail("(" + d.bytes().remaining() + " bytes)");
        try {
            replies.addAll(parser.feed(d.bytes()));
        } catch (ReplyException e) {
            // The good replies before the bad bytes count as if they had come in a read of their own; the bad bytes
            // are the reply after them, and fail the step that waits for it (see takeReplies). So how TCP cut the
            // stream into reads, and whether DATA came before WRITE, does not change the outcome.
            replies.addAll(e.replies());
            unparsable = e.getMessage();
        }
        takeReplies();
    }

    private void takeReplies() {
        while (!replies.isEmpty() && (phase == Phase.READING || phase == Phase.QUITTING)) {
            Reply r = replies.poll();
            for (String l : r.wire()) out.line("S: " + l);
            if (phase == Phase.QUITTING) {
                done(failure);
                return;
            }
            disarm();
            Step s = steps.get(step);
            if (!s.accepts(r.code())) {
                fail(Status.SERVER, "expected " + codes(s) + " to " + s.label() + ", the server replied " + r.code()
                        + (r.lines().isEmpty() || r.lines().getFirst().isEmpty() ? "" : " " + r.lines().getFirst()));
                return;
            }
            step++;
            if (step == steps.size()) {
                done(new Outcome(Status.OK, "every reply as expected", step));
                return;
            }
            socket.disableCallBacks(DATA);
            socket.enableCallBacks(WRITE);
            phase = Phase.WRITING;
            armWrite();
        }
        if (unparsable == null || !replies.isEmpty()) return;
        // The good replies are used up and what follows them is not SMTP: it is the reply waited for now.
        if (phase == Phase.READING) {
            fail(Status.SERVER, "the server's reply to " + currentLabel() + " is not SMTP: " + unparsable);
        } else if (phase == Phase.QUITTING && quitWritten) {
            done(failure);   // no reply to QUIT can be read any more
        }
    }

    /**
     * Bounds the wait for WRITE. It normally fires at once, but a connection that dies while DATA is off may never
     * become writable on some backends (on OpenCFLite, CF reads the reset ahead and then drops the socket's
     * callbacks), and without a timer the conversation would wait forever.
     */
    private void armWrite() {
        arm(options.stepTimeout(), () -> fail(Status.NETWORK, (steps.get(step).command() == null
                ? "the connection never became ready for the " + currentLabel()
                : "could not send " + currentLabel()) + " within " + human(options.stepTimeout())
                + " (the socket never became writable)"));
    }

    // ---- endings -----------------------------------------------------------------------------------------------

    /** A failure while the connection is up: say QUIT (unless that is what failed) and wait briefly for a reply. */
    private void fail(Status status, String reason) {
        Outcome outcome = new Outcome(status, reason, step);
        boolean quitting = step < steps.size() && "QUIT".equalsIgnoreCase(steps.get(step).label());
        if (socket == null || !socket.isValid() || quitting) {
            done(outcome);
            return;
        }
        out.line("Failed: " + reason + "; saying QUIT");
        failure = outcome;
        phase = Phase.QUITTING;
        pending = null;
        replies.clear();
        socket.disableCallBacks(DATA);
        socket.enableCallBacks(WRITE);
        arm(options.quitTimeout(), () -> done(failure));
    }

    private void connectionLost(String why) {
        if (phase == Phase.QUITTING) {
            done(failure);
        } else {
            done(new Outcome(Status.NETWORK, why, step));
        }
    }

    private void finish(Status status, String reason) {
        done(new Outcome(status, reason, step));
    }

    private void done(Outcome outcome) {
        if (phase == Phase.DONE) return;
        phase = Phase.DONE;
        disarm();
        dropSocket();
        result.complete(outcome);
    }

    private void dropSocket() {
        if (socket != null) {
            socket.invalidate();
            socket = null;
        }
    }

    private void arm(Duration after, Runnable onTimeout) {
        disarm();
        timer = loop.schedule(after, onTimeout);
    }

    private void disarm() {
        if (timer != null) {
            timer.invalidate();
            timer = null;
        }
    }

    private String currentLabel() {
        return phase == Phase.QUITTING ? "QUIT" : step < steps.size() ? steps.get(step).label() : "QUIT";
    }

    private static String codes(Step s) {
        return s.expect().stream().map(String::valueOf).collect(Collectors.joining(" or "));
    }

    static String display(InetSocketAddress a) {
        if (a == null) return "?";
        String h = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof Inet6Address ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) return d.toMillis() + " ms";
        return d.toSeconds() + " s";
    }
}
