package dev.cfnet;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.tls.StartTls;
import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsError;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STARTTLS: a plaintext exchange, then TLS on the same socket; with the JDK on the other side, between cfnet
 * peers (a client that does not wait for the go-ahead, whose ClientHello arrives in the server's plaintext read),
 * over a READ socket, and refusing plaintext that pretends to be TLS.
 */
class StartTlsContractTest extends BackendTestBase {

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The JDK side of an SMTP-like STARTTLS: greeting, STARTTLS, go-ahead, then a command and reply over TLS. */
    static String jdkStartTlsServer(java.net.Socket raw) throws Exception {
        OutputStream out = raw.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII));
        out.write(ascii("220 plain greeting\r\n"));
        String cmd = in.readLine();
        if (!"STARTTLS".equals(cmd)) return "expected STARTTLS, got " + cmd;
        out.write(ascii("220 go ahead\r\n"));
        SSLSocket tls = TlsPeers.serverOver(raw, TlsPeers.SERVER_CONTEXT, false);
        BufferedReader tin = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
        String secret = tin.readLine();
        tls.getOutputStream().write(ascii("250 got " + secret + "\r\n"));
        tls.getOutputStream().flush();
        tls.close();
        return tls.getSession().getProtocol() + " " + secret;
    }

    @ParameterizedTest
    @ValueSource(strings = {"DATA", "READ"})
    void aClientUpgradesAfterThePlaintextGoAhead(String readType) throws Exception {
        try (var server = new TlsPeers.PlainServer<>(StartTlsContractTest::jdkStartTlsServer)) {
            TlsRecorder tlsEvents = new TlsRecorder((t, e) -> {
                if (e instanceof TlsEvent.Handshake h && h.succeeded()) t.write(ByteBuffer.wrap(ascii("EHLO secret\r\n")));
            });
            List<String> plain = new CopyOnWriteArrayList<>();
            AtomicReference<TlsSocket> tls = new AtomicReference<>();
            StringBuilder line = new StringBuilder();
            StartTls[] handler = new StartTls[1];
            handler[0] = new StartTls((s, e) -> {
                ByteBuffer bytes = switch (e) {
                    case SocketEvent.Data d -> d.bytes();
                    case SocketEvent.Readable r -> {
                        ByteBuffer b = ByteBuffer.allocate(64);   // small reads: the reply stays in the kernel
                        s.receive(b);
                        yield b.flip();
                    }
                    default -> ByteBuffer.allocate(0);
                };
                while (bytes.hasRemaining()) {
                    char c = (char) bytes.get();
                    if (c != '\n') {
                        if (c != '\r') line.append(c);
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    plain.add(l);
                    if (l.startsWith("220 plain")) {
                        s.write(ByteBuffer.wrap(ascii("STARTTLS\r\n")));
                    } else if (l.startsWith("220 go ahead")) {
                        tls.set(handler[0].upgrade(s, TlsConfig.client(TlsPeers.CLIENT, "localhost"), tlsEvents,
                                bytes));
                        return;
                    }
                }
            });
            Set<CallBackType> types = EnumSet.of(CONNECT, CallBackType.valueOf(readType), WRITE);
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, types,
                    handler[0]));
            s.connect(server.address(), Duration.ZERO);
            tlsEvents.handshake();
            assertArrayEquals(ascii("250 got EHLO secret\r\n"), tlsEvents.read(21));
            assertTrue(tlsEvents.end().error().isEmpty(), "the server's close_notify");
            assertEquals(List.of("220 plain greeting", "220 go ahead"), plain);
            assertTrue(server.result.get(10, TimeUnit.SECONDS).endsWith(" EHLO secret"));
            assertTrue(handler[0].tls().isPresent());
            eventually(() -> !s.isValid(), "the socket goes with the TLS socket");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aServerUpgradesWithTheClientHelloThatCameInItsPlaintextRead(String protocol) throws Exception {
        AtomicInteger alreadyReceived = new AtomicInteger(-1);
        TlsRecorder serverTls = new TlsRecorder((t, e) -> {
            if (e instanceof TlsEvent.Data d && !d.isEmpty()) t.write(d.bytes());   // echo
        });
        CompletableFuture<Socket> serverSocket = new CompletableFuture<>();
        Socket listener = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(ACCEPT), (l, e) -> {
                    if (!(e instanceof SocketEvent.Accepted a)) return;
                    StartTls[] h = new StartTls[1];
                    h[0] = new StartTls((s, ev) -> {
                        if (ev instanceof SocketEvent.Data d && !d.isEmpty()) {
                            ByteBuffer b = d.bytes();
                            byte[] cmd = new byte[10];
                            b.get(cmd);   // "STARTTLS\r\n"
                            assertArrayEquals(ascii("STARTTLS\r\n"), cmd);
                            s.write(ByteBuffer.wrap(ascii("220 go ahead\r\n")));
                            alreadyReceived.set(b.remaining());
                            h[0].upgrade(s, TlsConfig.server(TlsPeers.SERVER_CONTEXT), serverTls, b);
                        }
                    });
                    // DATA starts off: the client's command and ClientHello are both in the first read.
                    Socket s = Socket.wrap(loop, a.handle(), EnumSet.of(DATA, WRITE), h[0]);
                    s.disableCallBacks(DATA);
                    loop.schedule(Duration.ofMillis(150), () -> s.enableCallBacks(DATA));
                    serverSocket.complete(s);
                }));
        listener.setAddress(new InetSocketAddress(Peers.v4(), 0));

        // The client does not wait for the go-ahead: STARTTLS and its ClientHello leave in one write, so the server
        // reads both at once on every backend (a client should wait; this one tests the server).
        InetSocketAddress at = listener.localAddress().orElseThrow();
        try (java.net.Socket raw = new java.net.Socket(at.getAddress(), at.getPort())) {
            raw.setSoTimeout(10_000);
            javax.net.ssl.SSLEngine e = TlsPeers.CLIENT.createSSLEngine("localhost", at.getPort());
            e.setUseClientMode(true);
            e.setEnabledProtocols(new String[] {protocol});
            ByteBuffer hello = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
            e.beginHandshake();
            e.wrap(ByteBuffer.allocate(0), hello);
            ByteBuffer first = ByteBuffer.allocate(10 + hello.flip().remaining()).put(ascii("STARTTLS\r\n")).put(hello);
            raw.getOutputStream().write(first.array());
            assertArrayEquals(ascii("220 go ahead\r\n"), raw.getInputStream().readNBytes(14));
            BlockingTls client = new BlockingTls(raw, e);
            client.handshake();
            serverTls.handshake();
            assertTrue(alreadyReceived.get() > 0, "the ClientHello came in the plaintext read: " + alreadyReceived.get());
            assertEquals(protocol, e.getSession().getProtocol());
            byte[] msg = Peers.pattern(100_000, 7);
            client.write(msg);
            assertArrayEquals(msg, client.read(msg.length));
        }
        // The client closed its socket without close_notify.
        assertEquals(TlsError.Kind.TRUNCATED, serverTls.end().error().orElseThrow().kind());
        eventually(() -> !serverSocket.join().isValid(), "the server's socket goes too");
    }

    /** An SSLEngine driven by hand over a blocking java.net socket: the test's pipelining client. */
    static final class BlockingTls {
        private final java.io.InputStream in;
        private final OutputStream out;
        private final javax.net.ssl.SSLEngine engine;
        private final ByteBuffer netIn = ByteBuffer.allocate(1 << 17);
        private final ByteBuffer netOut = ByteBuffer.allocate(1 << 17);
        private final ByteBuffer app = ByteBuffer.allocate(1 << 17);

        BlockingTls(java.net.Socket s, javax.net.ssl.SSLEngine engine) throws java.io.IOException {
            this.in = s.getInputStream();
            this.out = s.getOutputStream();
            this.engine = engine;
        }

        void handshake() throws Exception {
            for (;;) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> {
                        Runnable t;
                        while ((t = engine.getDelegatedTask()) != null) t.run();
                    }
                    case NEED_WRAP -> {
                        netOut.clear();
                        var r = engine.wrap(ByteBuffer.allocate(0), netOut);
                        out.write(netOut.array(), 0, netOut.position());
                        if (r.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.FINISHED) return;
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        netIn.flip();
                        var r = engine.unwrap(netIn, app);
                        netIn.compact();
                        if (r.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW) fill();
                        if (r.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.FINISHED) return;
                    }
                    default -> {
                        return;
                    }
                }
            }
        }

        private void fill() throws java.io.IOException {
            int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
            if (n < 0) throw new java.io.EOFException("the server closed the connection");
            netIn.position(netIn.position() + n);
        }

        void write(byte[] b) throws Exception {
            ByteBuffer src = ByteBuffer.wrap(b);
            while (src.hasRemaining()) {
                netOut.clear();
                engine.wrap(src, netOut);
                out.write(netOut.array(), 0, netOut.position());
            }
        }

        byte[] read(int n) throws Exception {
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            while (got.size() < n) {
                netIn.flip();
                app.clear();
                var r = engine.unwrap(netIn, app);
                netIn.compact();
                got.write(app.array(), 0, app.position());
                if (r.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW) fill();
            }
            return got.toByteArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void plaintextAfterTheGoAheadIsNeverTakenForTls(String protocol) throws Exception {
        // A man in the middle appends a command to the go-ahead; the client hands the rest to TLS, which refuses it.
        try (var server = new TlsPeers.PlainServer<>(raw -> {
            raw.getOutputStream().write(ascii("220 go ahead\r\n250 injected\r\n"));
            return raw.getInputStream().read(new byte[4096]);
        })) {
            TlsRecorder tlsEvents = new TlsRecorder();
            StartTls[] h = new StartTls[1];
            h[0] = new StartTls((s, e) -> {
                if (e instanceof SocketEvent.Data d && !d.isEmpty()) {
                    ByteBuffer b = d.bytes();
                    while (b.get() != '\n') {
                        // skip the go-ahead line
                    }
                    h[0].upgrade(s, TlsConfig.client(TlsPeers.CLIENT, "localhost").withProtocols(protocol),
                            tlsEvents, b);
                }
            });
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, DATA, WRITE), h[0]));
            s.connect(server.address(), Duration.ZERO);
            TlsEvent.Handshake hs = tlsEvents.next(TlsEvent.Handshake.class);
            assertTrue(hs.failed(), () -> "the injected line must fail the handshake: " + hs);
            TlsError.Kind k = hs.error().orElseThrow().kind();
            assertTrue(k == TlsError.Kind.PROTOCOL_ERROR || k == TlsError.Kind.HANDSHAKE_FAILED, k::toString);
            eventually(() -> !s.isValid(), "the socket is closed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"off the loop", "twice", "no WRITE"})
    void upgradeRefusesWhatCannotWork(String what) throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Set<CallBackType> types = what.equals("no WRITE") ? EnumSet.of(CONNECT, DATA) : EnumSet.of(CONNECT, DATA, WRITE);
            StartTls h = new StartTls((s, e) -> { });
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, types, h));
            s.connect(server.address(), Duration.ofSeconds(5));
            TlsConfig c = TlsConfig.client(TlsPeers.CLIENT, "localhost");
            switch (what) {
                case "off the loop" -> {
                    var e = assertThrows(IllegalStateException.class, () -> h.upgrade(s, c, new TlsRecorder(), null));
                    assertTrue(e.getMessage().contains("loop thread"), e::getMessage);
                }
                case "twice" -> {
                    Object second = loop.submit(() -> {
                        h.upgrade(s, c, new TlsRecorder(), null);
                        try {
                            h.upgrade(s, c, new TlsRecorder(), null);
                            return "upgraded twice";
                        } catch (IllegalStateException e) {
                            return e.getMessage();
                        }
                    }).get(10, TimeUnit.SECONDS);
                    assertEquals("this socket is upgraded already", second);
                }
                default -> {
                    Object r = loop.submit(() -> {
                        try {
                            h.upgrade(s, c, new TlsRecorder(), null);
                            return "upgraded";
                        } catch (IllegalArgumentException e) {
                            return e.getMessage();
                        }
                    }).get(10, TimeUnit.SECONDS);
                    assertTrue(String.valueOf(r).contains("WRITE"), String.valueOf(r));
                    assertFalse(h.tls().isPresent());
                }
            }
        }
    }
}
