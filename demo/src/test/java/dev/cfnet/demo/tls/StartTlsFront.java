package dev.cfnet.demo.tls;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import dev.cfnet.tls.StartTls;
import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsSocket;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * STARTTLS in front of GreenMail, whose SMTP has none (greenmail-mail-test/greenmail#135): a cfnet server that
 * greets, answers EHLO (offering STARTTLS), and on STARTTLS goes TLS with {@link StartTls}; then it connects to
 * GreenMail's plain SMTP port, drops GreenMail's greeting, and relays both ways, so that everything after the
 * handshake (EHLO again, MAIL, RCPT, DATA, QUIT) is GreenMail's. Before STARTTLS only EHLO, HELO, NOOP and QUIT are
 * served (530 otherwise), as a server with STARTTLS required does.
 */
public final class StartTlsFront implements AutoCloseable {
    private final RunLoop loop;
    private final Socket listener;
    private final InetSocketAddress backend;
    private final TlsConfig config;
    /** TLS sessions that completed their handshake. */
    public final AtomicInteger handshakes = new AtomicInteger();

    public StartTlsFront(SSLContext serverContext, int greenMailPort) throws Exception {
        this.backend = new InetSocketAddress(InetAddress.getLoopbackAddress(), greenMailPort);
        this.config = TlsConfig.server(serverContext);
        this.loop = RunLoop.start("starttls-front", Backend.NIO);
        try {
            listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.ACCEPT), (l, e) -> {
                        if (e instanceof SocketEvent.Accepted a) new Session(a);
                    });
            listener.setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (Exception e) {
            loop.close();
            throw e;
        }
    }

    public int port() {
        return listener.localAddress().orElseThrow().getPort();
    }

    @Override
    public void close() {
        loop.close();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** One client: plaintext lines until STARTTLS, then a relay between its TLS session and GreenMail. */
    private final class Session {
        private final StartTls handler = new StartTls(this::plain);
        private final Socket client;
        private final StringBuilder line = new StringBuilder();
        private TlsSocket tls;
        private Socket upstream;
        private boolean greetingDropped;
        private final ByteArrayOutputStream early = new ByteArrayOutputStream();   // client bytes before upstream is ready

        Session(SocketEvent.Accepted a) throws Exception {
            client = Socket.wrap(loop, a.handle(), EnumSet.of(CallBackType.DATA, CallBackType.WRITE), handler);
            client.write(ascii("220 front.test ESMTP cfnet STARTTLS front\r\n"));
        }

        private void plain(Socket s, SocketEvent e) throws Exception {
            if (!(e instanceof SocketEvent.Data d)) return;
            if (d.isEmpty()) return;   // the client went away; the socket goes with it
            ByteBuffer b = d.bytes();
            while (b.hasRemaining()) {
                char c = (char) b.get();
                if (c == '\r') continue;
                if (c != '\n') {
                    line.append(c);
                    continue;
                }
                String cmd = line.toString();
                line.setLength(0);
                String verb = (cmd.indexOf(' ') < 0 ? cmd : cmd.substring(0, cmd.indexOf(' '))).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> s.write(ascii("250-front.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"));
                    case "HELO", "NOOP" -> s.write(ascii("250 front.test\r\n"));
                    case "QUIT" -> {
                        s.write(ascii("221 front.test bye\r\n"));
                        s.shutdownOutput();
                    }
                    case "STARTTLS" -> {
                        s.write(ascii("220 ready to start TLS\r\n"));
                        tls = handler.upgrade(s, config, this::secure, b);   // b: the rest is TLS's
                        return;
                    }
                    default -> s.write(ascii("530 5.7.0 Must issue a STARTTLS command first\r\n"));
                }
            }
        }

        private void secure(TlsSocket t, TlsEvent e) throws Exception {
            switch (e) {
                case TlsEvent.Handshake h when h.succeeded() -> {
                    handshakes.incrementAndGet();
                    upstream = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                            EnumSet.of(CallBackType.CONNECT, CallBackType.DATA), this::fromGreenMail);
                    upstream.connect(backend, Duration.ZERO);
                }
                case TlsEvent.Data d when d.isEmpty() -> {
                    if (upstream != null) upstream.invalidate();
                }
                case TlsEvent.Data d -> {
                    if (greetingDropped) {
                        send(upstream, d.bytes());
                    } else {
                        early.writeBytes(d.toByteArray());
                    }
                }
                default -> { }
            }
        }

        private void fromGreenMail(Socket s, SocketEvent e) throws Exception {
            if (!(e instanceof SocketEvent.Data d)) return;
            if (d.isEmpty()) {
                tls.shutdownOutput();
                return;
            }
            ByteBuffer b = d.bytes();
            if (!greetingDropped) {
                while (b.hasRemaining() && b.get() != '\n') {
                    // GreenMail's own 220 line: the client had the front's
                }
                if (b.position() == 0 || b.get(b.position() - 1) != '\n') return;
                greetingDropped = true;
                if (early.size() > 0) send(s, ByteBuffer.wrap(early.toByteArray()));
            }
            if (b.hasRemaining()) {
                int n = tls.write(b);
                if (b.hasRemaining()) throw new IllegalStateException("the relay's queue is full after " + n + " bytes");
            }
        }

        private void send(Socket s, ByteBuffer b) throws Exception {
            s.write(b);
            if (b.hasRemaining()) throw new IllegalStateException("the relay's queue is full");
        }
    }
}
