package dev.cfnet;

import static dev.cfnet.CallBackType.ACCEPT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.tls.TlsAlert;
import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsError;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsException;
import dev.cfnet.tls.TlsSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS over cfnet sockets against the JDK's own SSLServerSocket and against a cfnet TLS server: the handshake in
 * TLS 1.2 and 1.3, exchanges, the typed failures (wrong name, expired and untrusted certificates, a peer's alert,
 * truncation, a handshake that never ends), invalidation, and the API's rules.
 */
class TlsContractTest extends BackendTestBase {

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    TlsConfig client(String protocol) {
        return TlsConfig.client(TlsPeers.CLIENT, "localhost").withProtocols(protocol);
    }

    TlsSocket connect(InetSocketAddress to, TlsConfig config, TlsRecorder r) throws Exception {
        return closeLater(TlsSocket.connect(loop, to, config, r));
    }

    /** A cfnet listener whose connections become TLS servers with {@code handler}. */
    InetSocketAddress cfnetServer(TlsConfig config, dev.cfnet.tls.TlsHandler handler,
                                  CompletableFuture<TlsSocket> accepted) throws Exception {
        Socket listener = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(ACCEPT), (l, e) -> {
                    if (e instanceof SocketEvent.Accepted a) {
                        accepted.complete(TlsSocket.wrap(loop, a.handle(), config, handler));
                    }
                }));
        listener.setAddress(new InetSocketAddress(Peers.v4(), 0));
        return listener.localAddress().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientHandshakesWithTheJdksServerAndTheyTalk(String protocol) throws Exception {
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            byte[] hello = s.getInputStream().readNBytes(5);
            s.getOutputStream().write(ascii("world"));
            s.getOutputStream().flush();
            int eof = s.getInputStream().read();   // our close_notify
            return new String(hello, StandardCharsets.US_ASCII) + "/" + eof + "/" + s.getSession().getProtocol();
        })) {
            TlsRecorder r = new TlsRecorder();
            TlsSocket tls = connect(server.address(), client(protocol), r);
            assertEquals(0, tls.write(ByteBuffer.wrap(ascii("early"))), "nothing is taken before the handshake");
            TlsEvent.Handshake h = r.handshake();
            assertEquals(protocol, h.protocol());
            assertEquals(protocol, tls.session().orElseThrow().getProtocol());
            assertTrue(tls.isValid());
            ByteBuffer hello = ByteBuffer.wrap(ascii("hello"));
            assertEquals(5, tls.write(hello));
            assertFalse(hello.hasRemaining());
            assertArrayEquals(ascii("world"), r.read(5));
            tls.shutdownOutput();
            assertEquals("hello/-1/" + protocol, server.result.get(20, TimeUnit.SECONDS));
            TlsEvent.Data end = r.end();
            assertTrue(end.error().isEmpty(), () -> "a clean close_notify, not " + end);
            eventually(() -> !tls.isValid() && !tls.socket().isValid(),
                    "the TLS socket and its socket are invalid after the last event");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aCfnetServerAndClientHandshakeAndEcho(String protocol) throws Exception {
        TlsRecorder serverEvents = new TlsRecorder((t, e) -> {
            if (e instanceof TlsEvent.Data d && !d.isEmpty()) t.write(d.bytes());   // small: always fits
        });
        CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
        InetSocketAddress at = cfnetServer(TlsConfig.server(TlsPeers.SERVER_CONTEXT), serverEvents, accepted);
        TlsRecorder r = new TlsRecorder();
        TlsSocket tls = connect(at, client(protocol), r);
        assertEquals(protocol, r.handshake().protocol());
        assertEquals(protocol, serverEvents.handshake().protocol());
        TlsSocket server = accepted.get(10, TimeUnit.SECONDS);
        assertEquals(TlsConfig.Role.SERVER, server.config().role());
        for (int i = 0; i < 20; i++) {
            byte[] msg = Peers.pattern(1 + i * 997, i);
            assertEquals(msg.length, tls.write(ByteBuffer.wrap(msg)));
            assertArrayEquals(msg, r.read(msg.length));
        }
        tls.invalidate();
        assertFalse(tls.isValid());
        TlsEvent.Data end = serverEvents.end();
        assertTrue(end.error().isEmpty(), () -> "the client's invalidate sent close_notify: " + end);
        eventually(() -> !server.isValid(), "the server side ends too");
        r.assertQuiet(Duration.ofMillis(200));
    }

    @Test
    void aWrongHostNameIsRefused() throws Exception {
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            s.startHandshake();
            return "handshake done";
        })) {
            TlsRecorder r = new TlsRecorder();
            TlsSocket tls = connect(server.address(), TlsConfig.client(TlsPeers.CLIENT, "mail.example.org"), r);
            TlsError e = failedHandshake(r);
            assertEquals(TlsError.Kind.HOSTNAME_MISMATCH, e.kind(), e::toString);
            assertTrue(e.isCertificateProblem());
            assertEquals(TlsAlert.CERTIFICATE_UNKNOWN, e.alert().orElseThrow(), "the alert the client sent");
            assertTrue(e.message().contains("mail.example.org"), e::toString);
            eventually(() -> !tls.isValid(), "invalid after a failed handshake");
            // The JDK server fails too: with our alert, or a broken pipe when it was still writing its flight.
            assertThrows(java.util.concurrent.ExecutionException.class, () -> server.result.get(10, TimeUnit.SECONDS));
        }
        // The same certificate with verification off is accepted: the name was the only problem.
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            s.startHandshake();
            return s.getSession().getProtocol();
        })) {
            TlsRecorder r = new TlsRecorder();
            connect(server.address(), TlsConfig.client(TlsPeers.CLIENT, "mail.example.org")
                    .withoutHostnameVerification(), r);
            r.handshake();
        }
    }

    @Test
    void anAddressLiteralIsVerifiedAgainstTheCertificatesAddresses() throws Exception {
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            s.startHandshake();
            return s.getSession().getProtocol();
        })) {
            TlsRecorder r = new TlsRecorder();
            connect(server.address(), TlsConfig.client(TlsPeers.CLIENT, "127.0.0.1"), r);
            r.handshake();
        }
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, null, s -> {
            s.startHandshake();
            return s.getSession().getProtocol();
        })) {
            TlsRecorder r = new TlsRecorder();
            connect(server.address(), TlsConfig.client(TlsPeers.CLIENT, "127.0.0.2"), r);
            assertEquals(TlsError.Kind.HOSTNAME_MISMATCH, failedHandshake(r).kind());
        }
    }

    @Test
    void expiredAndUntrustedCertificatesAreRefused() throws Exception {
        record Case(dev.cfnet.testpki.TestPki.Issued cert, TlsError.Kind kind, TlsAlert alert) {
        }
        for (Case c : new Case[] {
                new Case(TlsPeers.EXPIRED, TlsError.Kind.CERTIFICATE_EXPIRED, TlsAlert.CERTIFICATE_EXPIRED),
                new Case(TlsPeers.UNTRUSTED, TlsError.Kind.UNTRUSTED_CERTIFICATE, TlsAlert.CERTIFICATE_UNKNOWN)}) {
            try (var server = new TlsPeers.JdkServer<>(c.cert().serverContext(), null, s -> {
                s.startHandshake();
                return "accepted";
            })) {
                TlsRecorder r = new TlsRecorder();
                TlsSocket tls = connect(server.address(), client("TLSv1.3"), r);
                TlsError e = failedHandshake(r);
                assertEquals(c.kind(), e.kind(), e::toString);
                assertEquals(c.alert(), e.alert().orElseThrow(), e::toString);
                assertTrue(e.isCertificateProblem());
                eventually(() -> !tls.isValid(), "invalid after a failed handshake");
                r.assertQuiet(Duration.ofMillis(100));
            }
        }
    }

    @Test
    void aPeersAlertIsTypedWithTheAlert() throws Exception {
        try (var server = new TlsPeers.JdkServer<>(TlsPeers.SERVER_CONTEXT, new String[] {"TLSv1.3"}, s -> {
            s.startHandshake();
            return "accepted";
        })) {
            TlsRecorder r = new TlsRecorder();
            connect(server.address(), client("TLSv1.2"), r);
            TlsError e = failedHandshake(r);
            assertEquals(TlsError.Kind.PEER_ALERT, e.kind(), e::toString);
            assertEquals(TlsAlert.PROTOCOL_VERSION, e.alert().orElseThrow());
            assertFalse(e.isCertificateProblem());
        }
    }

    @Test
    void aServerRefusesAClientThatTrustsNothingOfItsOwn() throws Exception {
        // The cfnet server side of a refused handshake: the client's alert arrives as PEER_ALERT.
        TlsRecorder serverEvents = new TlsRecorder();
        CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
        InetSocketAddress at = cfnetServer(TlsConfig.server(TlsPeers.UNTRUSTED.serverContext()), serverEvents,
                accepted);
        TlsRecorder r = new TlsRecorder();
        connect(at, client("TLSv1.2"), r);
        assertEquals(TlsError.Kind.UNTRUSTED_CERTIFICATE, failedHandshake(r).kind());
        TlsError seen = failedHandshake(serverEvents);
        assertEquals(TlsError.Kind.PEER_ALERT, seen.kind(), seen::toString);
        assertEquals(TlsAlert.CERTIFICATE_UNKNOWN, seen.alert().orElseThrow());
    }

    @Test
    void aPeerThatClosesWithoutCloseNotifyIsATruncation() throws Exception {
        try (var server = new TlsPeers.PlainServer<>(raw -> {
            SSLSocket s = TlsPeers.serverOver(raw, TlsPeers.SERVER_CONTEXT, false);
            s.getOutputStream().write(ascii("partial"));
            s.getOutputStream().flush();
            raw.close();   // the TCP connection ends; the TLS session never says close_notify
            return "closed";
        })) {
            TlsRecorder r = new TlsRecorder();
            TlsSocket tls = connect(server.address(), client("TLSv1.3"), r);
            r.handshake();
            assertArrayEquals(ascii("partial"), r.read(7));
            TlsEvent.Data end = r.end();
            TlsError e = end.error().orElseThrow(() -> new AssertionError("a truncation, not a clean end"));
            assertEquals(TlsError.Kind.TRUNCATED, e.kind(), e::toString);
            eventually(() -> !tls.isValid(), "invalid after the end");
            TlsException thrown = assertThrows(TlsException.class, () -> tls.write(ByteBuffer.wrap(ascii("x"))));
            assertEquals(TlsError.Kind.CLOSED, thrown.kind());
        }
    }

    @Test
    void bytesThatAreNotTlsFailTheHandshake() throws Exception {
        try (var server = new TlsPeers.PlainServer<>(raw -> {
            raw.getOutputStream().write(ascii("220 this is SMTP, not TLS\r\n"));
            raw.getInputStream().readNBytes(1);
            return raw.getInputStream().read(new byte[4096]);
        })) {
            TlsRecorder r = new TlsRecorder();
            connect(server.address(), client("TLSv1.3"), r);
            TlsError e = failedHandshake(r);
            assertTrue(e.kind() == TlsError.Kind.HANDSHAKE_FAILED || e.kind() == TlsError.Kind.PROTOCOL_ERROR,
                    e::toString);
        }
    }

    @Test
    void aHandshakeThatNeverEndsTimesOut() throws Exception {
        try (var server = new TlsPeers.PlainServer<>(raw -> raw.getInputStream().readAllBytes().length)) {
            TlsRecorder r = new TlsRecorder();
            long t0 = System.nanoTime();
            TlsSocket tls = connect(server.address(), client("TLSv1.3").withHandshakeTimeout(Duration.ofMillis(300)),
                    r);
            TlsError e = failedHandshake(r);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(TlsError.Kind.TIMED_OUT, e.kind(), e::toString);
            assertTrue(ms >= 250, "not before the timeout: " + ms + " ms");
            eventually(() -> !tls.isValid(), "invalid after the timeout");
            assertTrue(server.result.get(10, TimeUnit.SECONDS) > 0, "the server got the ClientHello, then the end");
        }
    }

    @Test
    void aFailedConnectIsAFailedHandshakeOfKindNetwork() throws Exception {
        TlsRecorder r = new TlsRecorder();
        connect(Peers.deadPort(), client("TLSv1.3"), r);
        TlsError e = failedHandshake(r);
        assertEquals(TlsError.Kind.NETWORK, e.kind());
        assertEquals(SocketError.Kind.CONNECTION_REFUSED, e.socketError().orElseThrow().kind());
    }

    @Test
    void writableFiresOnceTheSessionIsUpAndWhatWasWrittenIsOut() throws Exception {
        CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
        TlsRecorder serverEvents = new TlsRecorder();
        InetSocketAddress at = cfnetServer(TlsConfig.server(TlsPeers.SERVER_CONTEXT), serverEvents, accepted);
        TlsRecorder r = new TlsRecorder();
        TlsSocket tls = connect(at, client("TLSv1.3"), r);
        tls.enableCallBacks(CallBackType.WRITE);
        r.handshake();
        assertSame(TlsEvent.Writable.INSTANCE, r.next(TlsEvent.Writable.class));
        r.assertQuiet(Duration.ofMillis(200));   // once per enable
        assertEquals(3, tls.write(ByteBuffer.wrap(ascii("abc"))));
        tls.enableCallBacks(CallBackType.WRITE);
        r.next(TlsEvent.Writable.class);
        assertEquals(0, tls.queuedBytes());
        serverEvents.handshake();
        assertArrayEquals(ascii("abc"), serverEvents.read(3));
        loop.submit(() -> {   // on the loop, so that WRITE cannot fire between the two
            tls.enableCallBacks(CallBackType.WRITE);
            tls.disableCallBacks(CallBackType.WRITE);
            return null;
        }).get(10, TimeUnit.SECONDS);
        r.assertQuiet(Duration.ofMillis(200));
    }

    @Test
    void whatACallbackThrowsGoesToTheLoopsHandlerWithTheTlsSocket() throws Exception {
        CompletableFuture<Object[]> seen = new CompletableFuture<>();
        loop.setErrorHandler((l, source, error) -> {
            seen.complete(new Object[] {source, error});
            source.invalidate();
        });
        CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
        InetSocketAddress at = cfnetServer(TlsConfig.server(TlsPeers.SERVER_CONTEXT), new TlsRecorder(), accepted);
        TlsRecorder r = new TlsRecorder((t, e) -> {
            if (e instanceof TlsEvent.Handshake) throw new IllegalStateException("on purpose");
        });
        TlsSocket tls = connect(at, client("TLSv1.3"), r);
        Object[] got = seen.get(10, TimeUnit.SECONDS);
        assertSame(tls, got[0]);
        assertEquals("on purpose", assertInstanceOf(IllegalStateException.class, got[1]).getMessage());
        eventually(() -> !tls.isValid(), "the handler invalidated it");
    }

    @Test
    void invalidatingDuringTheHandshakeLeaksNoDescriptorAndStopsEvents() throws Exception {
        int rounds = 40;
        // A server that takes connections and never answers: the handshake stays under way.
        java.net.ServerSocket silent = new java.net.ServerSocket(0, 200, Peers.v4());
        try {
            java.util.List<java.net.Socket> peers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) peers.add(silent.accept());
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            InetSocketAddress at = new InetSocketAddress(Peers.v4(), silent.getLocalPort());
            round(at, new TlsRecorder(), peers);   // warm up: classes, the loop's buffers
            long before = dev.cfnet.reliability.Resources.stableFds();
            java.util.List<TlsRecorder> recorders = new java.util.ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                TlsRecorder r = new TlsRecorder();
                recorders.add(r);
                round(at, r, peers);
            }
            // The cfnet server side too: a client that sends half a ClientHello and waits.
            CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
            TlsRecorder serverEvents = new TlsRecorder();
            InetSocketAddress cfnet = cfnetServer(TlsConfig.server(TlsPeers.SERVER_CONTEXT), serverEvents, accepted);
            try (java.net.Socket half = new java.net.Socket(cfnet.getAddress(), cfnet.getPort())) {
                half.getOutputStream().write(new byte[] {22, 3, 1, 0, 100, 1, 0});
                TlsSocket server = accepted.get(10, TimeUnit.SECONDS);
                server.invalidate();
                assertFalse(server.isValid());
                half.setSoTimeout(10_000);
                try {
                    byte[] alert = half.getInputStream().readAllBytes();   // an alert (close_notify), then the end
                    assertTrue(alert.length == 0 || alert[0] == 21, () -> "an alert record, not " + alert[0]);
                } catch (java.net.SocketException reset) {
                    // closed before it read our bytes: the kernel answers with a reset, also an end
                }
            }
            serverEvents.assertQuiet(Duration.ofMillis(100));
            for (java.net.Socket p : peers) p.close();
            long after = dev.cfnet.reliability.Resources.stableFds();
            silent.close();
            acceptor.join(5_000);
            assertTrue(after <= before + 1, "descriptors before " + before + ", after " + rounds
                    + " TLS sockets invalidated mid-handshake: " + after);
            for (TlsRecorder r : recorders) assertTrue(r.all.isEmpty(), () -> "no event after invalidate: " + r.all);
        } finally {
            silent.close();
        }
    }

    private void round(InetSocketAddress at, TlsRecorder r, java.util.List<java.net.Socket> peers) throws Exception {
        int had = peers.size();
        TlsSocket tls = TlsSocket.connect(loop, at, client("TLSv1.3"), r);
        eventually(() -> peers.size() > had, "the silent server accepted");
        java.net.Socket peer = peers.get(had);
        peer.setSoTimeout(10_000);
        assertEquals(22, peer.getInputStream().read(), "a ClientHello record (handshake, 22) arrived");
        tls.invalidate();
        assertFalse(tls.isValid());
        assertFalse(tls.socket().isValid());
    }

    @Test
    void theApiRefusesWhatItCannotDo() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TlsConfig.client(TlsPeers.CLIENT, " "));
        assertThrows(IllegalArgumentException.class, () -> TlsConfig.client(TlsPeers.CLIENT, "two words"));
        assertEquals("::1", TlsConfig.client(TlsPeers.CLIENT, "[::1]").serverName().orElseThrow());
        assertEquals("example.org", TlsConfig.client(TlsPeers.CLIENT, "example.org.").serverName().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> client("TLSv1.3").withHandshakeTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> client("TLSv1.3").withProtocols());
        assertThrows(IllegalStateException.class,
                () -> TlsConfig.server(TlsPeers.SERVER_CONTEXT).withoutHostnameVerification());
        assertThrows(IllegalArgumentException.class, () -> TlsSocket.connect(loop,
                InetSocketAddress.createUnresolved("mail.example.org", 465), client("TLSv1.3"), new TlsRecorder()));

        CompletableFuture<TlsSocket> accepted = new CompletableFuture<>();
        InetSocketAddress at = cfnetServer(TlsConfig.server(TlsPeers.SERVER_CONTEXT), new TlsRecorder(), accepted);
        TlsRecorder r = new TlsRecorder();
        TlsSocket tls = connect(at, client("TLSv1.3"), r);
        r.handshake();
        var wrongType = assertThrows(IllegalArgumentException.class, () -> tls.enableCallBacks(CallBackType.READ));
        assertTrue(wrongType.getMessage().contains("DATA and WRITE"), wrongType::getMessage);
        assertThrows(IllegalArgumentException.class, () -> tls.disableCallBacks(CallBackType.CONNECT));
        tls.invalidate();
        tls.invalidate();   // idempotent
        TlsException closed = assertThrows(TlsException.class, () -> tls.write(ByteBuffer.wrap(ascii("x"))));
        assertEquals(TlsError.Kind.CLOSED, closed.kind());
    }

    static TlsError failedHandshake(TlsRecorder r) {
        TlsEvent.Handshake h = r.next(TlsEvent.Handshake.class);
        assertTrue(h.failed(), () -> "expected a failed handshake, got " + h);
        return h.error().orElseThrow();
    }
}
