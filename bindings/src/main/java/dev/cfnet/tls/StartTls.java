package dev.cfnet.tls;

import dev.cfnet.CallBackType;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A socket handler for a conversation that starts in plaintext and goes on in TLS on the same connection
 * (STARTTLS in SMTP, IMAP, POP3, LDAP, XMPP...). Give it as the socket's handler; it hands every event to the
 * plaintext handler until {@link #upgrade}, and to the {@link TlsSocket} from then on.
 *
 * <pre>{@code
 * final class Client {
 *     final StartTls handler = new StartTls(this::plaintext);    // the socket's handler
 *     TlsSocket tls;
 *
 *     void plaintext(Socket socket, SocketEvent event) throws Exception {
 *         // ... read the greeting, send EHLO, then STARTTLS; on its 220:
 *         tls = handler.upgrade(socket, TlsConfig.client(context, "mail.example.org"), this::secure, null);
 *     }
 *
 *     void secure(TlsSocket tls, TlsEvent event) throws Exception { ... }   // from then on
 * }
 * Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
 *         EnumSet.of(CallBackType.CONNECT, CallBackType.DATA, CallBackType.WRITE), client.handler);
 * }</pre>
 *
 * <p>One {@code StartTls} serves one socket.
 */
public final class StartTls implements SocketHandler {
    private final SocketHandler plaintext;
    private volatile TlsSocket tls;

    /**
     * Makes the handler.
     *
     * @param plaintext the handler of the socket's events before the upgrade
     */
    public StartTls(SocketHandler plaintext) {
        this.plaintext = Objects.requireNonNull(plaintext, "plaintext");
    }

    /**
     * Hands the event to the plaintext handler, or after {@link #upgrade} to the TLS socket.
     *
     * @param socket the socket
     * @param event  its event
     * @throws Exception what the plaintext handler throws
     */
    @Override
    public void handle(Socket socket, SocketEvent event) throws Exception {
        TlsSocket t = tls;
        if (t != null) {
            t.onStartTlsEvent(socket, event);
        } else {
            plaintext.handle(socket, event);
        }
    }

    /**
     * Starts TLS on {@code socket}: from now on its events go to the returned TLS socket, which owns it (see
     * {@link TlsSocket}), and the plaintext handler hears nothing more. A client sends its ClientHello at once.
     *
     * <p>Call it on the loop thread, typically in the plaintext callback that read the peer's go-ahead (a client:
     * the reply to STARTTLS) or the STARTTLS command (a server, after writing its reply). Bytes of that read after
     * the go-ahead belong to the TLS session: pass them as {@code alreadyReceived} and they are the first TLS bytes
     * (a server receives the ClientHello of a client that did not wait for the reply this way). Never treat them
     * as plaintext: a client should refuse a server that sent anything after its go-ahead (RFC 3207 section 5).
     *
     * @param socket          the connected STREAM socket this handler serves, created with DATA (or READ) and WRITE
     * @param config          client or server
     * @param handler         the TLS socket's callback
     * @param alreadyReceived bytes received after the go-ahead (copied), or null
     * @return the TLS socket
     * @throws IllegalStateException off the loop thread, when upgraded already, or when the socket is invalid or
     *                               not connected
     */
    public TlsSocket upgrade(Socket socket, TlsConfig config, TlsHandler handler, ByteBuffer alreadyReceived) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        if (!socket.loop().inLoopThread()) {
            throw new IllegalStateException("upgrade on the socket's loop thread, in its callback, so that no "
                    + "plaintext event runs meanwhile");
        }
        if (tls != null) throw new IllegalStateException("this socket is upgraded already");
        if (socket.type() != SocketType.STREAM) throw new IllegalArgumentException("TLS needs a STREAM socket");
        if (!socket.isValid()) throw new IllegalStateException("the socket is invalidated");
        if (!socket.callBackTypes().contains(CallBackType.WRITE)) {
            throw new IllegalArgumentException("TLS needs a socket created with WRITE (and DATA or READ)");
        }
        TlsSocket t = TlsSocket.upgrade(socket, config, handler, alreadyReceived);
        tls = t;
        return t;
    }

    /**
     * The TLS socket, once upgraded.
     *
     * @return the TLS socket, or empty before {@link #upgrade}
     */
    public Optional<TlsSocket> tls() {
        return Optional.ofNullable(tls);
    }
}
