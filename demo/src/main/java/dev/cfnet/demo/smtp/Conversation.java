package dev.cfnet.demo.smtp;

import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;

import dev.cfnet.ConnectAttempt;
import dev.cfnet.ConnectOptions;
import dev.cfnet.ConnectResult;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.Timer;
import dev.cfnet.demo.smtp.Outcome.Status;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
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
 * The seed's SMTP step machine on cfnet, with the error control it admits it lacks. It connects by name (RFC 8305,
 * {@link Socket#connect(RunLoop, String, int, java.util.Set, dev.cfnet.SocketHandler, ConnectOptions,
 * java.util.function.Consumer)}); the socket, with DATA and WRITE callbacks, walks the steps: on WRITE it sends the
 * step's command, disables WRITE and enables DATA; on DATA it checks the reply's code, advances, disables DATA and
 * enables WRITE; after the last step it invalidates the socket.
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

    private enum Phase { CONNECTING, WRITING, READING, QUITTING, DONE }

    private final RunLoop loop;
    private final List<Step> steps;
    private final Options options;
    private final Transcript out;
    private final CompletableFuture<Outcome> result = new CompletableFuture<>();

    private String host;
    private int port;
    private Socket.Connecting connecting;
    private Socket socket;
    private Timer timer;
    private Phase phase = Phase.CONNECTING;
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

    /**
     * Connects to {@code host} by name (RFC 8305: both families, attempts 250 ms apart, the first to connect wins)
     * and runs the steps.
     */
    public CompletableFuture<Outcome> start(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        loop.execute(this::connect);
        return result;
    }

    // ---- connect by name ----------------------------------------------------------------------------------------

    private void connect() {
        out.line("Connecting to " + host + " port " + port + " ...");
        try {
            connecting = Socket.connect(loop, host, port, EnumSet.of(DATA, WRITE), this::onEvent,
                    ConnectOptions.defaults().withTimeout(options.stepTimeout()), this::onConnectResult);
        } catch (IllegalArgumentException | IllegalStateException e) {
            finish(Status.NETWORK, "could not connect to " + host + " port " + port + ": " + e.getMessage());
        }
    }

    /** The outcome of RFC 8305's race between the name's addresses; under --verbose, each attempt. */
    private void onConnectResult(ConnectResult r) {
        connecting = null;
        if (phase != Phase.CONNECTING) {
            if (r instanceof ConnectResult.Connected c) c.socket().invalidate();
            return;
        }
        if (!r.addresses().isEmpty()) {
            out.detail("Addresses of " + host + " in the order to try: " + r.addresses().stream()
                    .map(Conversation::display).collect(Collectors.joining(", ")));
        }
        for (ConnectAttempt a : r.attempts()) {
            out.detail("  attempt " + display(a.address()) + ": started at " + ms(a.started()) + ", " + switch (
                    a.outcome()) {
                case CONNECTED -> "connected";
                case ABANDONED -> "abandoned (another address connected first)";
                case FAILED -> "failed: " + a.error().orElseThrow().message();
            } + " after " + ms(a.ended().minus(a.started())));
        }
        switch (r) {
            case ConnectResult.Failed f -> finish(Status.NETWORK, describe(f));
            case ConnectResult.Connected c -> {
                socket = c.socket();
                out.line("Connected to " + display(socket.peerAddress().orElse(null)) + " from "
                        + display(socket.localAddress().orElse(null)));
                phase = Phase.WRITING;   // WRITE follows, as in CF
                armWrite();
            }
        }
    }

    private String describe(ConnectResult.Failed f) {
        String what = "could not connect to " + host + " port " + port;
        return switch (f.reason()) {
            case NOT_RESOLVED -> "cannot resolve " + host + ": " + f.resolveError().orElseThrow();
            case ALL_ATTEMPTS_FAILED -> what + ": " + (f.attempts().size() == 1
                    ? f.attempts().getFirst().error().orElseThrow().message()
                    : f.attempts().stream().map(a -> display(a.address()) + " " + a.error().orElseThrow().message())
                            .collect(Collectors.joining("; ")) + " (tried " + f.attempts().size() + " addresses)");
            case TIMED_OUT -> (f.attempts().isEmpty() ? "no address for " + host : what) + " within "
                    + human(options.stepTimeout());
        };
    }

    // ---- the callbacks -----------------------------------------------------------------------------------------

    private void onEvent(Socket s, SocketEvent event) {
        if (s != socket || phase == Phase.DONE) return;   // a finished conversation
        switch (event) {
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
        if (connecting != null) connecting.cancel();
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

    static String ms(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) return d.toMillis() + " ms";
        return d.toSeconds() + " s";
    }
}
