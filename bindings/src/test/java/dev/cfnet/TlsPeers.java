package dev.cfnet;

import dev.cfnet.testpki.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** The TLS tests' certificates (made once per JVM) and the JDK's own TLS server as a peer. */
final class TlsPeers {
    private TlsPeers() {
    }

    static final TestPki CA = TestPki.create("cfnet test CA");
    static final TestPki.Issued SERVER = CA.loopbackServer();
    static final TestPki.Issued EXPIRED = CA.expiredServer(TestPki.LOOPBACK_NAMES);
    static final TestPki.Issued UNTRUSTED = TestPki.create("someone else's CA").loopbackServer();
    /** Trusts {@link #CA} only. */
    static final SSLContext CLIENT = CA.clientContext();
    static final SSLContext SERVER_CONTEXT = SERVER.serverContext();

    /** What a JDK peer does with its connection; what it returns completes {@link OneShotServer#result}. */
    @FunctionalInterface
    interface Session<T> {
        T run(SSLSocket s) throws Exception;
    }

    /**
     * A listener on 127.0.0.1 that accepts one connection and runs a session on it in a thread of its own; the
     * session's result (or exception) completes {@link #result}.
     */
    static class OneShotServer<S extends java.net.Socket, T> implements AutoCloseable {
        final ServerSocket server;
        final CompletableFuture<T> result = new CompletableFuture<>();
        private volatile java.net.Socket accepted;

        interface Run<S, T> {
            T run(S s) throws Exception;
        }

        OneShotServer(ServerSocket server, String thread, Class<S> type, Run<S, T> session) {
            this.server = server;
            Thread.ofPlatform().daemon().name(thread).start(() -> {
                try (java.net.Socket s = server.accept()) {
                    accepted = s;
                    s.setSoTimeout(30_000);
                    result.complete(session.run(type.cast(s)));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            java.net.Socket s = accepted;
            if (s != null) s.close();
        }
    }

    /** The JDK's TLS server: an {@link SSLServerSocket}, optionally limited to {@code protocols}. */
    static final class JdkServer<T> extends OneShotServer<SSLSocket, T> {
        JdkServer(SSLContext context, String[] protocols, Session<T> session) throws IOException {
            super(listener(context, protocols), "jdk-tls-server", SSLSocket.class, session::run);
        }

        private static SSLServerSocket listener(SSLContext context, String[] protocols) throws IOException {
            SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            if (protocols != null) server.setEnabledProtocols(protocols);
            return server;
        }
    }

    /** A plain listener whose connection is taken over by {@code session} (STARTTLS, truncation). */
    static final class PlainServer<T> extends OneShotServer<java.net.Socket, T> {
        PlainServer(Run<java.net.Socket, T> session) throws IOException {
            super(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), "plain-server", java.net.Socket.class,
                    session);
        }
    }

    /** Layers a server-side SSLSocket over a connected plain socket (STARTTLS on the JDK side). */
    static SSLSocket serverOver(java.net.Socket plain, SSLContext context, boolean autoClose) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), autoClose);
        s.setUseClientMode(false);
        s.startHandshake();
        return s;
    }

    static List<String[]> protocols() {
        return List.of(new String[] {"TLSv1.3"}, new String[] {"TLSv1.2"});
    }
}
