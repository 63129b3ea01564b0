package dev.cfnet.demo.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.ConnectAttempt;
import dev.cfnet.ConnectOptions;
import dev.cfnet.ConnectResult;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.demo.TestResolverProvider;
import dev.cfnet.demo.fault.Shaping.Impairment;
import dev.cfnet.demo.smtp.Conversation;
import dev.cfnet.demo.smtp.Outcome;
import dev.cfnet.demo.smtp.Step;
import dev.cfnet.demo.smtp.Transcript;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on a real network path: a namespace behind a veth pair ({@link NetLab}), peers running inside it (cfnet's
 * own echo server, {@link SmtpResponder}), and the path made slow, lossy, reordering ({@link Shaping}: netem, or its
 * NFQUEUE stand-in) or hostile (iptables DROP and REJECT inside the namespace), on every backend that loads.
 *
 * <p>Addresses inside the namespace: .2 the peers; .3 drops SYNs (a black hole); .4 answers with a TCP reset; .5 with
 * ICMP host unreachable; .6 with ICMP port unreachable. The SMTP responder listens on all of them, so that without the
 * rules every connect would succeed (.2 shows it does). Where IPv6 works, fd00:cf:N::2 reaches the responder too and
 * fd00:cf:N::3 drops SYNs (ip6tables): a name with both families whose IPv6 path is a black hole.
 *
 * <p>What Linux gives (kernel 6.x, both backends): a SYN dropped leaves a waiting connect to cfnet's own timeout
 * (TIMED_OUT) and an asynchronous one silent; REJECT with a TCP reset and with ICMP port unreachable both give
 * ECONNREFUSED (CONNECTION_REFUSED), with ICMP host unreachable EHOSTUNREACH (HOST_UNREACHABLE), at once. A reset
 * after the greeting is "Connection reset by peer" on NIO; on the CF backend (OpenCFLite) the socket never becomes
 * writable again, and the conversation ends by its step timeout, without the word "reset".
 *
 * <p>Skipped, saying why, without root, without {@code ip netns}, and (for the tests that need them) without iptables
 * or a way to shape traffic. Each test prints one {@code [faults]} line; the class prints them all at the end.
 */
@Timeout(60)
class NetworkFaultTest {
    static final int ECHO_PORT = 7007;
    static final int SMTP_PORT = 2525;
    static final int GATED_PORT = 2526;
    static final int BULK = 4 << 20;
    static final int LOSSY_BULK = 8 << 20;
    static final List<String> SUMMARY = new CopyOnWriteArrayList<>();

    static NetLab lab;
    static String skip;
    static Shaping shaping;
    static String shapingSkip;
    static Child echo;
    static Child responder;
    static InetAddress peer;
    static InetAddress blackhole;

    /** How a REJECT rule answers, the address it guards, and the error kind Linux turns that into. */
    enum Rejection {
        TCP_RESET(4, "tcp-reset", SocketError.Kind.CONNECTION_REFUSED),
        ICMP_HOST_UNREACHABLE(5, "icmp-host-unreachable", SocketError.Kind.HOST_UNREACHABLE),
        ICMP_PORT_UNREACHABLE(6, "icmp-port-unreachable", SocketError.Kind.CONNECTION_REFUSED);

        final int host;
        final String with;
        final SocketError.Kind kind;

        Rejection(int host, String with, SocketError.Kind kind) {
            this.host = host;
            this.with = with;
            this.kind = kind;
        }
    }

    @BeforeAll
    static void startLab() throws Exception {
        try {
            lab = NetLab.create();
        } catch (NetLab.Unavailable e) {
            skip = e.getMessage();
            System.out.println("[faults] all network fault tests skip: " + skip);
            return;
        }
        peer = lab.address(2);
        blackhole = lab.address(3);
        echo = lab.java("echo", false, "dev.cfnet.demo.Main", "echo", "--bind", peer.getHostAddress(), "--port",
                String.valueOf(ECHO_PORT), "--no-udp", "--backend", "nio");
        responder = lab.java("smtp-responder", true, SmtpResponder.class.getName(), String.valueOf(SMTP_PORT),
                String.valueOf(GATED_PORT));
        if (lab.hasIptables()) {
            lab.iptables("-A", "INPUT", "-d", blackhole.getHostAddress(), "-p", "tcp", "--syn", "-j", "DROP");
            for (Rejection r : Rejection.values()) {
                lab.iptables("-A", "INPUT", "-d", lab.address(r.host).getHostAddress(), "-p", "tcp", "-j", "REJECT",
                        "--reject-with", r.with);
            }
        } else {
            System.out.println("[faults] tests that need iptables skip: " + lab.iptablesMissing());
        }
        if (lab.hasIpv6()) {
            lab.ip6tables("-A", "INPUT", "-d", lab.text6(3), "-p", "tcp", "--syn", "-j", "DROP");
        } else {
            System.out.println("[faults] tests that need IPv6 skip: " + lab.ipv6Missing());
        }
        try {
            shaping = Shaping.open(lab);
        } catch (NetLab.Unavailable e) {
            shapingSkip = e.getMessage();
            System.out.println("[faults] delay/loss/reorder tests skip: " + shapingSkip);
        }
        echo.awaitPrefix("Echoing on", Duration.ofSeconds(30));
        responder.awaitPrefix("READY", Duration.ofSeconds(30));
        System.out.println("[faults] lab: namespace " + lab.ns + ", " + lab.hostIf + " " + lab.address(1).getHostAddress() + " <-> "
                + lab.peerIf + " " + peer.getHostAddress() + "-.6" + (shaping == null ? "" : ", shaping by " + shaping.kind));
    }

    @AfterAll
    static void stopLab() {
        if (shaping != null) shaping.close();
        if (lab != null) lab.close();
        if (!SUMMARY.isEmpty()) {
            System.out.println("[faults] summary (" + SUMMARY.size() + " scenario runs):");
            SUMMARY.forEach(l -> System.out.println("  " + l));
        }
    }

    // ---- 1. delay ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aDelayedPathStillCarriesTheConversation(Backend backend) throws Exception {
        requireShaping(backend);
        try (Shaping.Applied delay = shaping.apply(Impairment.delay(50), 1)) {
            Run run = converse(backend, peer.getHostAddress(), SMTP_PORT, Duration.ofSeconds(5));
            assertEquals(Outcome.Status.OK, run.outcome.status(), run::describe);
            double connect = run.at("Connected to") - run.at("Connecting to");
            double helo = run.at("S: 250") - run.at("Writing HELO");
            double quit = run.at("S: 221") - run.at("Writing QUIT");
            // Each of them waits for a packet that spent 50 ms on the path; the transcript rounds to 0.1 ms.
            for (double gap : new double[] {connect, helo, quit}) {
                assertTrue(gap >= 49.8, () -> "a round trip faster than the 50 ms delay:\n" + run.transcript);
                assertTrue(gap < 2_000, () -> "a round trip far slower than the 50 ms delay:\n" + run.transcript);
            }
            Map<String, Long> f = delay.faults();
            assertTrue(f.get("packets") >= 4, f::toString);
            summary(backend, delay.describe() + ": SMTP 220/250/221 OK; connect " + ms(connect) + ", HELO->250 "
                    + ms(helo) + ", QUIT->221 " + ms(quit) + " " + counts(f));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aDelayedPathEchoesABulkTransferByteExact(Backend backend) throws Exception {
        requireShaping(backend);
        try (Shaping.Applied delay = shaping.apply(Impairment.delay(50), 2)) {
            BulkEcho.Result r = BulkEcho.run(backend, new InetSocketAddress(peer, ECHO_PORT), BULK, 11,
                    Duration.ofSeconds(30));
            assertTrue(r.exact(), r::toString);
            assertTrue(r.millis() >= 100, () -> "4 MiB over a 50 ms path in " + r.millis() + " ms?");
            summary(backend, delay.describe() + ": " + bulk(r) + " " + counts(delay.faults()));
        }
    }

    // ---- 2. loss and reordering ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLossyPathEchoesABulkTransferByteExact(Backend backend) throws Exception {
        requireShaping(backend);
        long retransBefore = peerCounter("Tcp:", "RetransSegs");
        try (Shaping.Applied loss = shaping.apply(Impairment.loss(0.2), 3)) {
            BulkEcho.Result r = BulkEcho.run(backend, new InetSocketAddress(peer, ECHO_PORT), LOSSY_BULK, 12,
                    Duration.ofSeconds(40));
            assertTrue(r.exact(), r::toString);
            Map<String, Long> f = loss.faults();
            assertTrue(f.get("dropped") > 0, () -> "nothing was dropped: " + f);
            long retrans = peerCounter("Tcp:", "RetransSegs") - retransBefore;
            summary(backend, loss.describe() + ": " + bulk(r) + " " + counts(f) + ", the peer retransmitted "
                    + retrans + " segments");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReorderingPathEchoesABulkTransferByteExact(Backend backend) throws Exception {
        requireShaping(backend);
        long ofoBefore = peerCounter("TcpExt:", "TCPOFOQueue");
        try (Shaping.Applied reorder = shaping.apply(Impairment.reorder(10, 0.25), 4)) {
            BulkEcho.Result r = BulkEcho.run(backend, new InetSocketAddress(peer, ECHO_PORT), BULK, 13,
                    Duration.ofSeconds(40));
            assertTrue(r.exact(), r::toString);
            long ofo = peerCounter("TcpExt:", "TCPOFOQueue") - ofoBefore;
            assertTrue(ofo > 0, "the peer never queued a segment out of order: nothing was reordered");
            summary(backend, reorder.describe() + ": " + bulk(r) + " " + counts(reorder.faults()) + ", the peer "
                    + "queued " + ofo + " segments out of order");
        }
    }

    // ---- 3. SYNs dropped -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWaitingConnectToABlackHoleTimesOut(Backend backend) throws Exception {
        requireIptables(backend);
        long before = lab.packets("INPUT", "DROP", blackhole.getHostAddress());
        List<SocketEvent> events = new CopyOnWriteArrayList<>();
        try (RunLoop loop = RunLoop.start("fault-connect", backend)) {
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT), (so, e) -> events.add(e));
            long t0 = System.nanoTime();
            SocketErrorException e = assertThrows(SocketErrorException.class,
                    () -> s.connect(new InetSocketAddress(blackhole, SMTP_PORT), Duration.ofMillis(500)));
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(SocketError.Kind.TIMED_OUT, e.kind(), e::toString);
            assertTrue(took >= 450 && took < 1_500, "the 500 ms connect gave up after " + took + " ms");
            assertFalse(s.isValid(), "a connect that timed out invalidates its socket");
            Thread.sleep(100);
            assertEquals(List.of(), events, "no callback after the waiting connect threw");
            assertEquals(0, loop.sourceCount());
            assertEquals(0, synSent(blackhole), "the kernel socket is closed");
            long dropped = lab.packets("INPUT", "DROP", blackhole.getHostAddress()) - before;
            assertTrue(dropped >= 1, "no SYN was dropped");
            summary(backend, "iptables DROP of SYNs: connect(500 ms) threw " + e.kind() + " after " + took + " ms ("
                    + dropped + " SYN dropped)");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anAsyncConnectToABlackHoleNeverConnectsAndInvalidateCleansUp(Backend backend) throws Exception {
        requireIptables(backend);
        long before = lab.packets("INPUT", "DROP", blackhole.getHostAddress());
        List<SocketEvent> events = new CopyOnWriteArrayList<>();
        try (RunLoop loop = RunLoop.start("fault-connect", backend)) {
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE),
                    (so, e) -> events.add(e));
            s.connect(new InetSocketAddress(blackhole, SMTP_PORT), Duration.ZERO);
            Thread.sleep(1_300);   // the kernel sends the SYN again after 1 s
            assertEquals(List.of(), events, "a connect whose SYNs vanish reports nothing");
            assertTrue(s.isValid());
            assertEquals(1, synSent(blackhole), "one connection attempt under way");
            s.invalidate();
            assertFalse(s.isValid());
            assertEquals(0, loop.sourceCount(), "invalidate() took the socket off its loop");
            assertEquals(0, synSent(blackhole), "invalidate() closed the kernel socket: no attempt left");
            Thread.sleep(200);
            assertEquals(List.of(), events, "no callback after invalidate()");
            long dropped = lab.packets("INPUT", "DROP", blackhole.getHostAddress()) - before;
            assertTrue(dropped >= 2, "expected the SYN and its retransmission dropped, got " + dropped);
            summary(backend, "iptables DROP of SYNs: async connect, no event in 1.3 s; invalidate() left no socket "
                    + "(" + dropped + " SYNs dropped)");
        }
    }

    // ---- 4. rejected ---------------------------------------------------------------------------------------------

    static Stream<Arguments> rejections() {
        List<Arguments> all = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (Rejection r : Rejection.values()) all.add(Arguments.of(b, r));
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("rejections")
    void aRejectedConnectFailsAtOnceWithTheKindTheOsGives(Backend backend, Rejection rejection) throws Exception {
        requireIptables(backend);
        InetAddress target = lab.address(rejection.host);
        long before = lab.packets("INPUT", "REJECT", target.getHostAddress());
        try (RunLoop loop = RunLoop.start("fault-reject", backend)) {
            Socket waiting = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT), (so, e) -> { });
            long t0 = System.nanoTime();
            SocketErrorException e = assertThrows(SocketErrorException.class,
                    () -> waiting.connect(new InetSocketAddress(target, SMTP_PORT), Duration.ofSeconds(3)));
            double waitMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(rejection.kind, e.kind(), e::toString);
            assertTrue(waitMs < 1_000, "a rejection is immediate, this took " + waitMs + " ms");

            CompletableFuture<SocketEvent.Connected> connected = new CompletableFuture<>();
            Socket async = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.WRITE), (so, ev) -> {
                        if (ev instanceof SocketEvent.Connected c) connected.complete(c);
                    });
            long t1 = System.nanoTime();
            async.connect(new InetSocketAddress(target, SMTP_PORT), Duration.ZERO);
            SocketEvent.Connected c = connected.get(3, TimeUnit.SECONDS);
            double asyncMs = (System.nanoTime() - t1) / 1e6;
            assertTrue(c.failed(), "connected through a REJECT rule: " + c);
            SocketError err = c.error().orElseThrow();
            assertEquals(rejection.kind, err.kind(), err::toString);
            async.invalidate();
            assertEquals(0, loop.sourceCount());
            long rejected = lab.packets("INPUT", "REJECT", target.getHostAddress()) - before;
            assertTrue(rejected >= 2, "expected both SYNs rejected, got " + rejected);
            summary(backend, "iptables REJECT --reject-with " + rejection.with + ": waiting connect " + e.error()
                    + " in " + ms(waitMs) + "; async Connected(" + err + ") in " + ms(asyncMs) + " (" + rejected
                    + " SYNs rejected)");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void withoutARuleTheSameResponderAccepts(Backend backend) throws Exception {
        requireLab(backend);
        try (RunLoop loop = RunLoop.start("fault-control", backend)) {
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT), (so, e) -> { });
            s.connect(new InetSocketAddress(peer, SMTP_PORT), Duration.ofSeconds(3));
            assertTrue(s.isValid());
            s.invalidate();
        }
    }

    // ---- 5. falling through to the next address ------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theConversationFallsThroughABlackHoledAddressAfterTheAttemptDelay(Backend backend) throws Exception {
        requireIptables(backend);
        String name = "fallthrough-" + backend.name().toLowerCase(Locale.ROOT) + ".test";
        TestResolverProvider.map(name, List.of(blackhole, peer));
        long before = lab.packets("INPUT", "DROP", blackhole.getHostAddress());
        Run run = converse(backend, name, SMTP_PORT, Duration.ofSeconds(5));
        assertEquals(Outcome.Status.OK, run.outcome.status(), run::describe);
        assertEquals(3, run.outcome.completed(), run::describe);
        String bad = blackhole.getHostAddress() + ":" + SMTP_PORT;
        String good = peer.getHostAddress() + ":" + SMTP_PORT;
        for (String expected : List.of("Connecting to " + name + " port " + SMTP_PORT + " ...",
                "Addresses of " + name + " in the order to try: " + bad + ", " + good,
                "attempt " + bad + ": started at ", "abandoned (another address connected first)",
                "attempt " + good + ": started at ", "Connected to " + good, "S: 220 ", "S: 250 ", "S: 221 ")) {
            assertTrue(run.transcript.contains(expected), () -> "no '" + expected + "' in:\n" + run.transcript);
        }
        // RFC 8305: the second address is tried after the 250 ms attempt delay, not after the 5 s step timeout.
        double connected = run.at("Connected to " + good) - run.at("Connecting to " + name);
        assertTrue(connected >= 249 && connected < 2_000, () -> "connected after " + connected + " ms:\n"
                + run.transcript);
        long dropped = lab.packets("INPUT", "DROP", blackhole.getHostAddress()) - before;
        assertTrue(dropped >= 1, "no SYN was dropped");
        summary(backend, "fall-through " + name + " -> [" + blackhole.getHostAddress() + " (SYN dropped), "
                + peer.getHostAddress() + "]: connected to the second after " + ms(connected) + " (attempt delay "
                + "250 ms), 220/250/221 OK in " + run.millis + " ms (" + dropped + " SYN dropped)");
    }

    // ---- 6. a reset in the middle ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aResetInjectedAfterTheGreetingIsANetworkError(Backend backend) throws Exception {
        requireIptables(backend);
        // The client's packets after the handshake (neither SYN nor RST: the client's own RSTs, answering the
        // responder's retransmissions once its socket is gone, pass, so the responder learns of it too).
        String[] rule = {"INPUT", "-d", peer.getHostAddress(), "-p", "tcp", "--dport", String.valueOf(GATED_PORT),
                "--tcp-flags", "SYN,RST", "NONE", "-j", "REJECT", "--reject-with", "tcp-reset"};
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Outcome outcome;
        long rejected;
        try (RunLoop loop = RunLoop.start("fault-reset", backend)) {
            Conversation c = new Conversation(loop, Step.seed("client.test", false),
                    new Conversation.Options(Duration.ofSeconds(2), Duration.ofMillis(500)),
                    new Transcript(new PrintStream(buf, true, StandardCharsets.UTF_8), true));
            CompletableFuture<Outcome> f = c.start(peer.getHostAddress(), GATED_PORT);
            responder.awaitPrefix("ACCEPTED", Duration.ofSeconds(10));
            // The handshake is done and the greeting not sent: from now on the client's packets meet a reset.
            lab.iptables(prepend("-A", rule));
            try {
                responder.send("GO");
                try {
                    outcome = f.get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("the conversation did not end within 20 s (its step timeout is 2 s); "
                            + "transcript:\n" + buf.toString(StandardCharsets.UTF_8), e);
                }
                rejected = lab.packets("INPUT", "REJECT", "dpt:" + GATED_PORT);
            } finally {
                lab.iptables(prepend("-D", rule));
            }
            assertEquals(0, loop.sourceCount(), "the conversation left nothing on its loop");
        }
        String transcript = buf.toString(StandardCharsets.UTF_8);
        assertEquals(Outcome.Status.NETWORK, outcome.status(), () -> outcome + "\n" + transcript);
        assertTrue(transcript.contains("S: 220 responder.test"), transcript);
        assertEquals(1, outcome.completed(), () -> outcome + "\n" + transcript);
        assertTrue(rejected >= 1, "no packet met the REJECT rule");
        if (backend == Backend.NIO) {
            assertTrue(outcome.reason().contains("reset"), () -> outcome + "\n" + transcript);
        }
        summary(backend, "iptables REJECT tcp-reset after the greeting: " + outcome.status() + " '" + outcome.reason()
                + "' (" + rejected + " packets answered with a reset)");
    }

    // ---- 7. RFC 8305: IPv6 black-holed, IPv4 answers -------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void connectByNameWithIpv6BlackHoledConnectsOverIpv4AfterTheAttemptDelay(Backend backend) throws Exception {
        requireIpv6(backend);
        String b = backend.name().toLowerCase(Locale.ROOT);
        InetAddress v6hole = lab.address6(3);
        InetAddress v6peer = lab.address6(2);
        String name = "he-blackholed-" + b + ".test";
        String control = "he-control-" + b + ".test";
        TestResolverProvider.map(name, List.of(v6hole, peer));
        TestResolverProvider.map(control, List.of(v6peer, peer));
        long before = lab.packets6("INPUT", "DROP", lab.text6(3));
        try (RunLoop loop = RunLoop.start("fault-he", backend)) {
            // Control: with the same families and no rule in the way, IPv6 connects, first and alone.
            ConnectResult.Connected v6 = connectByName(loop, control, (s, e) -> { });
            assertEquals(new InetSocketAddress(v6peer, SMTP_PORT), v6.winner().address(), v6.attempts()::toString);
            assertEquals(1, v6.attempts().size(), v6.attempts()::toString);
            v6.socket().invalidate();

            CompletableFuture<String> greeting = new CompletableFuture<>();
            ConnectResult.Connected c = connectByName(loop, name, (s, e) -> {
                if (e instanceof SocketEvent.Data d) greeting.complete(new String(d.toByteArray(),
                        StandardCharsets.US_ASCII).strip());
            });
            double ms = c.elapsed().toNanos() / 1e6;
            List<ConnectAttempt> a = c.attempts();
            assertEquals(2, a.size(), a::toString);
            assertEquals(new InetSocketAddress(v6hole, SMTP_PORT), a.get(0).address());
            assertEquals(ConnectAttempt.Outcome.ABANDONED, a.get(0).outcome(), a::toString);
            assertEquals(new InetSocketAddress(peer, SMTP_PORT), a.get(1).address());
            assertEquals(ConnectAttempt.Outcome.CONNECTED, a.get(1).outcome(), a::toString);
            double started = a.get(1).started().toNanos() / 1e6;
            // After the 250 ms attempt delay, with slack for a loaded 2-core machine; a connect timeout (30 s here,
            // minutes for the OS) would be far later.
            assertTrue(started >= 249 && ms < 2_000, () -> "IPv4 started at " + started + " ms, connected at "
                    + ms + " ms: " + a);
            assertTrue(greeting.get(5, TimeUnit.SECONDS).startsWith("220 responder.test"), greeting::join);
            assertEquals(0, synSent(v6hole), "the IPv6 attempt was given up: no SYN-SENT socket left");
            c.socket().invalidate();
            long dropped = lab.packets6("INPUT", "DROP", lab.text6(3)) - before;
            assertTrue(dropped >= 1, "no IPv6 SYN was dropped");
            summary(backend, String.format(Locale.ROOT, "RFC 8305, IPv6 SYNs dropped (ip6tables), IPv4 answers: "
                    + "connected over IPv4 in %.1f ms (IPv4 attempt started at %.1f ms, attempt delay 250 ms); "
                    + "control without the rule: IPv6 in %.1f ms (%d IPv6 SYNs dropped)", ms, started,
                    v6.elapsed().toNanos() / 1e6, dropped));
        }
    }

    static ConnectResult.Connected connectByName(RunLoop loop, String name, SocketHandler handler)
            throws Exception {
        CompletableFuture<ConnectResult> f = new CompletableFuture<>();
        Socket.connect(loop, name, SMTP_PORT, EnumSet.of(CallBackType.DATA), handler, ConnectOptions.defaults(),
                f::complete);
        ConnectResult r = f.get(20, TimeUnit.SECONDS);
        if (r instanceof ConnectResult.Failed failed) fail(failed.message());
        return (ConnectResult.Connected) r;
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    record Run(Outcome outcome, String transcript, long millis) {
        /** Milliseconds of the first transcript line that contains {@code text}. */
        double at(String text) {
            for (String line : transcript.split("\n")) {
                if (line.contains(text)) return Double.parseDouble(line.strip().split("\\s+")[0]);
            }
            throw new AssertionError("no '" + text + "' in the transcript:\n" + transcript);
        }

        String describe() {
            return outcome + "\n" + transcript;
        }
    }

    static Run converse(Backend backend, String host, int port, Duration stepTimeout) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        try (RunLoop loop = RunLoop.start("fault-smtp", backend)) {
            Conversation c = new Conversation(loop, Step.seed("client.test", false),
                    new Conversation.Options(stepTimeout, Duration.ofMillis(500)),
                    new Transcript(new PrintStream(buf, true, StandardCharsets.UTF_8), true));
            Outcome o = c.start(host, port).get(30, TimeUnit.SECONDS);
            assertEquals(0, loop.sourceCount(), "the conversation left nothing on its loop");
            return new Run(o, buf.toString(StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    static void requireLab(Backend backend) {
        assumeTrue(skip == null, () -> "network fault test skipped: " + skip);
        assumeTrue(backend.isAvailable(), () -> backend + " backend skipped: " + backend.unavailableReason().orElse(""));
        assertTrue(echo.isAlive() && responder.isAlive(), () -> "a peer died:\n" + echo.log() + responder.log());
    }

    static void requireIptables(Backend backend) {
        requireLab(backend);
        assumeTrue(lab.hasIptables(), () -> "skipped: " + lab.iptablesMissing());
    }

    static void requireIpv6(Backend backend) {
        requireIptables(backend);
        assumeTrue(lab.hasIpv6(), () -> "skipped: " + lab.ipv6Missing());
    }

    static void requireShaping(Backend backend) {
        requireLab(backend);
        assumeTrue(shaping != null, () -> "skipped: " + shapingSkip);
    }

    /** Connections of this (root) namespace in SYN-SENT to {@code to}. */
    static int synSent(InetAddress to) throws IOException {
        String ss = NetLab.tool("ss");
        if (ss == null) return 0;
        String dst = to instanceof java.net.Inet6Address ? "[" + to.getHostAddress() + "]" : to.getHostAddress();
        String out = NetLab.exec(List.of(ss, "-tnH", "state", "syn-sent", "dst", dst), 10);
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    /** A counter of the namespace's /proc/net/snmp or /proc/net/netstat (the peer's side of every connection). */
    static long peerCounter(String section, String name) throws IOException {
        String text = lab.inside("cat", section.equals("Tcp:") ? "/proc/net/snmp" : "/proc/net/netstat");
        String[] header = null;
        for (String line : text.split("\n")) {
            if (!line.startsWith(section)) continue;
            String[] cols = line.split("\\s+");
            if (header == null) {
                header = cols;
                continue;
            }
            for (int i = 1; i < header.length; i++) {
                if (header[i].equals(name)) return Long.parseLong(cols[i]);
            }
            break;
        }
        fail("no counter " + section + name);
        return 0;
    }

    static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f ms", millis);
    }

    static String bulk(BulkEcho.Result r) {
        return String.format(Locale.ROOT, "%d MiB echoed byte-exact (crc32 %08x both ways) in %.2f s, write queue "
                + "full %d times", r.bytes() >> 20, r.receivedCrc(), r.millis() / 1000.0, r.writeStalls());
    }

    static String counts(Map<String, Long> f) {
        StringBuilder b = new StringBuilder("(");
        f.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (b.length() > 1) b.append(", ");
            b.append(e.getValue()).append(' ').append(e.getKey());
        });
        return b.append(')').toString();
    }

    /** One line for the summary the class prints when it ends (printed once, not also as it happens). */
    static void summary(Backend backend, String text) {
        SUMMARY.add(backend + " " + text);
    }
}
