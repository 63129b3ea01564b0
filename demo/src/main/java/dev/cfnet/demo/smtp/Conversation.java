package dev.cfnet.demo.smtp;

import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static dev.cfnet.demo.smtp.Display.display;
import static dev.cfnet.demo.smtp.Display.human;
import static dev.cfnet.demo.smtp.Display.ms;

import dev.cfnet.ConnectAttempt;
import dev.cfnet.ConnectOptions;
import dev.cfnet.Connecting;
import dev.cfnet.ConnectResult;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketEvent;
import dev.cfnet.Timer;
import dev.cfnet.demo.smtp.Outcome.Status;
import dev.cfnet.tls.StartTls;
import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsError;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The seed's SMTP step machine on cfnet, with the error control it admits it lacks. It connects by name (RFC 8305,
 * {@link Socket#connect(RunLoop, String, int, java.util.Set, dev.cfnet.SocketHandler, ConnectOptions,
 * java.util.function.Consumer)}); the socket, with DATA and WRITE callbacks, walks the steps: on WRITE it sends the
 * step's command, disables WRITE and enables DATA; on DATA it checks the reply's code, advances, disables DATA and
 * enables WRITE; after the last step it invalidates the socket.
 *
 * <p>Steps of kind {@link Step.Kind#LINE} are written one after another without waiting (a message after DATA);
 * a {@link Step.Kind#STARTTLS} step makes the connection TLS after its 220 ({@link StartTls}), and
 * {@link Options#implicitTls()} does so right after the connect. From then on the same steps run over the
 * {@link TlsSocket}.
 *
 * <p>Everything after {@link #start} runs on the loop thread. The returned future always completes, the socket is
 * always invalidated, and a failure while the connection is up sends QUIT and waits for its reply within what is
 * left of the step's timeout (a step that timed out sends QUIT and waits no more).
 */
public final class Conversation {
    /**
     * @param stepTimeout longest wait for a resolution, a connection, a TLS handshake or a reply
     * @param quitTimeout longest wait for the reply to the QUIT sent after a failure (and never past the failed
     *                    step's own timeout)
     * @param tls         how to speak TLS for STARTTLS steps and implicit TLS; null when the conversation has none
     * @param implicitTls TLS from the connect on (port 465), before the greeting
     */
    public record Options(Duration stepTimeout, Duration quitTimeout, TlsConfig tls, boolean implicitTls) {
        public Options {
            Objects.requireNonNull(stepTimeout, "stepTimeout");
            Objects.requireNonNull(quitTimeout, "quitTimeout");
            if (implicitTls && tls == null) throw new IllegalArgumentException("implicit TLS needs a TLS config");
        }

        public Options(Duration stepTimeout, Duration quitTimeout) {
            this(stepTimeout, quitTimeout, null, false);
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(30), Duration.ofSeconds(2));
        }
    }

    private enum Phase { CONNECTING, HANDSHAKING, WRITING, READING, QUITTING, DONE }

    private final RunLoop loop;
    private final List<Step> steps;
    private final Options options;
    private final Transcript out;
    private final CompletableFuture<Outcome> result = new CompletableFuture<>();

    private String host;
    private int port;
    private Connecting connecting;
    private final Link link = new Link();
    private final StartTls router = new StartTls(this::onEvent);   // the socket's handler: plaintext, then TLS
    private Timer timer;
    private long deadline;            // System.nanoTime() at which the armed wait ends
    private Phase phase = Phase.CONNECTING;
    private int step;
    private ByteBuffer pending;
    private Outcome failure;          // set while QUIT is on its way after a failure
    private boolean quitWritten;      // that QUIT is out; only its reply is awaited
    private String unparsable;        // why the server's bytes stopped being SMTP, once they did
    private int linesEnd = -1;        // while LINE steps are being written: the step after them
    private Reply lastReply;          // the reply to the step before (EHLO's, for STARTTLS)
    private ReplyParser parser = new ReplyParser();
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
            connecting = Socket.connect(loop, host, port, EnumSet.of(DATA, WRITE), router,
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
                    .map(Display::display).collect(Collectors.joining(", ")));
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
                link.socket = c.socket();
                out.line("Connected to " + display(link.socket.peerAddress().orElse(null)) + " from "
                        + display(link.socket.localAddress().orElse(null)));
                if (options.implicitTls()) {
                    startTls();
                    return;
                }
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
        if (s != link.socket || phase == Phase.DONE) return;   // a finished conversation
        switch (event) {
            case SocketEvent.Writable w -> onWritable();
            case SocketEvent.Data d -> onData(d);
            default -> { }
        }
    }

    private void onWritable() {
        if (phase != Phase.WRITING && phase != Phase.QUITTING) return;
        for (;;) {
            if (pending == null) {
                if (phase == Phase.QUITTING) {
                    out.line("Writing QUIT");
                    pending = ByteBuffer.wrap("QUIT\r\n".getBytes(StandardCharsets.UTF_8));
                } else if (steps.get(step).kind() == Step.Kind.LINE) {
                    pending = lines();
                } else {
                    Step s = steps.get(step);
                    boolean offered = lastReply != null && lastReply.offersExtension("STARTTLS");
                    if (s.kind() == Step.Kind.STARTTLS && !offered) {
                        fail(Status.TLS, "the server does not offer STARTTLS (it is not among the keywords of its "
                                + "EHLO reply)");
                        return;
                    }
                    if (s.command() != null) {
                        out.line("Writing " + s.display());
                        pending = ByteBuffer.wrap((s.command() + "\r\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            if (pending != null) {
                try {
                    link.write(pending);
                } catch (IOException e) {
                    connectionLost("cannot send " + currentLabel() + ": " + e.getMessage());
                    return;
                }
                if (pending.hasRemaining()) {
                    link.enable(WRITE);   // the write queue is full: go on once it drained
                    return;
                }
                pending = null;
            }
            if (linesEnd < 0) break;
            // A run of lines is out: no reply to wait for; on to the next step.
            step = linesEnd;
            linesEnd = -1;
            if (step == steps.size()) {
                done(new Outcome(Status.OK, "every reply as expected", step));
                return;
            }
            armWrite();
        }
        link.disable(WRITE);
        link.enable(DATA);
        if (phase == Phase.WRITING) {
            phase = Phase.READING;
            arm(options.stepTimeout(), () -> fail(Status.NETWORK, "no reply to " + currentLabel() + " within "
                    + human(options.stepTimeout())));
        } else {
            quitWritten = true;
        }
        takeReplies();
    }

    /** The LINE steps from {@code step} on, as one buffer (up to 64 KiB of them); sets {@link #linesEnd}. */
    private ByteBuffer lines() {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int i = step;
        while (i < steps.size() && steps.get(i).kind() == Step.Kind.LINE && b.size() < 64 * 1024) {
            b.writeBytes((steps.get(i).command() + "\r\n").getBytes(StandardCharsets.UTF_8));
            i++;
        }
        if (step == 0 || steps.get(step - 1).kind() != Step.Kind.LINE) {
            int n = 0;
            long bytes = 0;
            for (int k = step; k < steps.size() && steps.get(k).kind() == Step.Kind.LINE; k++) {
                n++;
                bytes += steps.get(k).command().getBytes(StandardCharsets.UTF_8).length + 2;
            }
            out.line("Writing " + n + (n == 1 ? " line" : " lines") + " (" + bytes + " bytes) without replies");
        }
        linesEnd = i;
        return ByteBuffer.wrap(b.toByteArray());
    }

    private void onData(SocketEvent.Data d) {
        if (d.isEmpty()) {
            connectionLost(d.error().map(Conversation::why).orElse("the server closed the connection") + waitingFor());
            return;
        }
        feed(d.bytes());
    }

    private String waitingFor() {
        return phase == Phase.QUITTING ? "" : " while waiting for the reply to " + currentLabel();
    }

    private static String why(SocketError e) {
        return e.kind() == SocketError.Kind.CONNECTION_RESET ? "the server reset the connection"
                : "the connection failed: " + e.message();
    }

    private void feed(ByteBuffer bytes) {
        out.detail("(" + bytes.remaining() + " bytes)");
        try {
            replies.addAll(parser.feed(bytes));
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
                fail(r.code() >= 400 && r.code() < 500 ? Status.TEMPORARY : Status.SERVER, "expected " + codes(s)
                        + " to " + s.label() + ", the server replied " + r.code()
                        + (r.lines().isEmpty() || r.lines().getFirst().isEmpty() ? "" : " " + r.lines().getFirst()));
                return;
            }
            lastReply = r;
            if (s.kind() == Step.Kind.STARTTLS) {
                if (!replies.isEmpty() || parser.buffered() > 0 || unparsable != null) {
                    // RFC 3207 5: what came after the go-ahead in plaintext may be an attacker's; never use it.
                    fail(Status.TLS, "the server sent more after its 220 reply to STARTTLS; refusing to go on");
                    return;
                }
                startTls();
                return;
            }
            step++;
            if (step == steps.size()) {
                done(new Outcome(Status.OK, "every reply as expected", step));
                return;
            }
            link.disable(DATA);
            link.enable(WRITE);
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

    // ---- TLS ---------------------------------------------------------------------------------------------------

    /** Hands the socket to a TLS session (after STARTTLS's 220, or at once for implicit TLS). */
    private void startTls() {
        disarm();
        out.line("Starting TLS with " + options.tls().serverName().orElse(host) + " ...");
        try {
            TlsConfig config = options.tls().withHandshakeTimeout(options.stepTimeout());
            link.tls = router.upgrade(link.socket, config, this::onTls, null);
        } catch (RuntimeException e) {
            done(new Outcome(Status.TLS, "cannot start TLS: " + e.getMessage(), step));
            return;
        }
        phase = Phase.HANDSHAKING;
    }

    private void onTls(TlsSocket t, TlsEvent event) {
        if (t != link.tls || phase == Phase.DONE) return;
        switch (event) {
            case TlsEvent.Handshake h when h.failed() -> {
                TlsError e = h.error().orElseThrow();
                done(new Outcome(e.kind() == TlsError.Kind.NETWORK ? Status.NETWORK : Status.TLS,
                        "TLS handshake with " + options.tls().serverName().orElse(host) + " failed: "
                                + Display.describe(e),
                        step));
            }
            case TlsEvent.Handshake h -> {
                out.line("TLS established: " + h.protocol() + ", " + h.session().orElseThrow().getCipherSuite()
                        + "; " + Display.certificate(h, options.tls(), host));
                if (phase == Phase.HANDSHAKING && step < steps.size()
                        && steps.get(step).kind() == Step.Kind.STARTTLS) {
                    step++;
                }
                parser = new ReplyParser();
                replies.clear();
                lastReply = null;
                if (step == steps.size()) {
                    done(new Outcome(Status.OK, "every reply as expected", step));
                    return;
                }
                phase = Phase.WRITING;
                link.enable(WRITE);
                armWrite();
            }
            case TlsEvent.Data d when d.isEmpty() -> {
                Optional<TlsError> e = d.error();
                if (e.isPresent() && e.get().kind() != TlsError.Kind.NETWORK
                        && e.get().kind() != TlsError.Kind.TRUNCATED && phase != Phase.QUITTING) {
                    done(new Outcome(Status.TLS, "the TLS session failed: " + Display.describe(e.get()), step));
                    return;
                }
                connectionLost(e.map(x -> x.socketError().map(Conversation::why)
                        .orElse("the server closed the connection without TLS close_notify"))
                        .orElse("the server closed the connection") + waitingFor());
            }
            case TlsEvent.Data d -> feed(d.bytes());
            case TlsEvent.Writable w -> onWritable();
        }
    }

    /**
     * Bounds the wait for WRITE. It normally fires at once, but a connection that dies while DATA is off may never
     * become writable on some backends (on OpenCFLite, CF reads the reset ahead and then drops the socket's
     * callbacks), and without a timer the conversation would wait forever.
     */
    private void armWrite() {
        arm(options.stepTimeout(), () -> fail(Status.NETWORK, (step < steps.size() && steps.get(step).command() == null
                ? "the connection never became ready for the " + currentLabel()
                : "could not send " + currentLabel()) + " within " + human(options.stepTimeout())
                + " (the socket never became writable)"));
    }

    // ---- endings -----------------------------------------------------------------------------------------------

    /** A failure while the connection is up: say QUIT (unless that is what failed) and wait briefly for a reply. */
    private void fail(Status status, String reason) {
        Outcome outcome = new Outcome(status, reason, step);
        boolean quitting = step < steps.size() && "QUIT".equalsIgnoreCase(steps.get(step).label());
        if (!link.isUp() || quitting || phase == Phase.HANDSHAKING) {
            done(outcome);
            return;
        }
        out.line("Failed: " + reason + "; saying QUIT");
        failure = outcome;
        phase = Phase.QUITTING;
        replies.clear();
        long left = Math.min(options.quitTimeout().toNanos(), deadline - System.nanoTime());
        if (left < 1_000_000 || pending != null) {
            // The step's time is spent (or a command is half-written): QUIT goes out if it can at once, unanswered.
            if (pending == null) {
                try {
                    link.write(ByteBuffer.wrap("QUIT\r\n".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException ignored) {
                    // the connection goes anyway
                }
            }
            done(outcome);
            return;
        }
        link.disable(DATA);
        link.enable(WRITE);
        arm(Duration.ofNanos(left), () -> done(failure));
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
        link.drop();
        result.complete(outcome);
    }

    private void arm(Duration after, Runnable onTimeout) {
        disarm();
        deadline = System.nanoTime() + after.toNanos();
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
}
