package dev.cfnet.bench;

import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsHandler;
import dev.cfnet.tls.TlsSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Plain TCP ({@link Socket}) or TLS 1.3 ({@link TlsSocket}) under the cfnet ping-pong and bulk rows: how a server
 * wraps a connection, how a client connects, how bytes go out. The rows themselves are the same over both.
 */
sealed interface CfnetWire {
    /** Plain TCP. */
    CfnetWire TCP = new Tcp();
    /** TLS 1.3 with {@link TlsCerts}' certificate. */
    CfnetWire TLS = new Tls();

    /** One end of a connection. */
    sealed interface Link {
        /** Sends all of a ping-pong message: TCP {@code send} with a timeout, TLS {@code write} (64 bytes fit). */
        void send(ByteBuffer b) throws IOException;

        /** Takes what the write queue has room for; returns how much. */
        int write(ByteBuffer b) throws IOException;

        /** Asks for WRITE once the queue has room again. */
        void enableWrite();
    }

    /** Plaintext that arrived on {@code link}; never the end (servers ignore it, clients fail). */
    @FunctionalInterface
    interface Inbound {
        void data(Link link, ByteBuffer bytes) throws IOException;
    }

    /** Wraps a connection accepted on {@code loop}; returns its TCP socket. */
    Socket accept(RunLoop loop, SocketHandle handle, Inbound in) throws IOException;

    /**
     * A client connected to {@code to} on {@code loop}, returned once it can carry data; {@code in} gets its data
     * and {@code writable} its WRITE events (null: none wanted).
     */
    Link connect(RunLoop loop, InetSocketAddress to, Inbound in, Runnable writable) throws Exception;

    /** Sets TCP_NODELAY. */
    static void noDelay(Socket s) throws IOException {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    /** What both kinds of link do with their events. */
    abstract sealed class End {
        final Inbound in;
        final Runnable writable;
        final boolean client;

        End(Inbound in, Runnable writable, boolean client) {
            this.in = in;
            this.writable = writable;
            this.client = client;
        }

        void data(Link self, boolean end, ByteBuffer bytes, Object event) throws IOException {
            if (in == null) return;   // a bulk sender: nothing comes back
            if (!end) {
                in.data(self, bytes);
            } else if (client) {
                throw new IOException("the server went: " + event);
            }
        }
    }

    final class Tcp implements CfnetWire {
        @Override
        public Socket accept(RunLoop loop, SocketHandle handle, Inbound in) throws IOException {
            TcpLink link = new TcpLink(in, null, false);
            link.socket = Socket.wrap(loop, handle, EnumSet.of(CallBackType.DATA), link);
            return link.socket;
        }

        @Override
        public Link connect(RunLoop loop, InetSocketAddress to, Inbound in, Runnable writable) throws Exception {
            EnumSet<CallBackType> types = EnumSet.of(CallBackType.CONNECT);
            if (in != null) types.add(CallBackType.DATA);
            if (writable != null) types.add(CallBackType.WRITE);
            TcpLink link = new TcpLink(in, writable, true);
            link.socket = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, types, link);
            noDelay(link.socket);
            link.socket.connect(to, Duration.ofSeconds(5));
            return link;
        }
    }

    final class TcpLink extends End implements Link, SocketHandler {
        private Socket socket;

        TcpLink(Inbound in, Runnable writable, boolean client) {
            super(in, writable, client);
        }

        @Override
        public void handle(Socket s, SocketEvent e) throws IOException {
            if (e instanceof SocketEvent.Data d) {
                data(this, d.isEmpty(), d.bytes(), d);
            } else if (e instanceof SocketEvent.Writable) {
                writable.run();
            }
        }

        @Override
        public void send(ByteBuffer b) throws IOException {
            socket.send(b, null, Net.SEND_TIMEOUT);
        }

        @Override
        public int write(ByteBuffer b) throws IOException {
            return socket.write(b);
        }

        @Override
        public void enableWrite() {
            socket.enableCallBacks(CallBackType.WRITE);
        }
    }

    final class Tls implements CfnetWire {
        @Override
        public Socket accept(RunLoop loop, SocketHandle handle, Inbound in) throws IOException {
            TlsLink link = new TlsLink(in, null, false);
            link.tls = TlsSocket.wrap(loop, handle, TlsCerts.CFNET_SERVER, link);
            return link.tls.socket();
        }

        /** Waits up to 10 s for the handshake, running {@code loop} meanwhile when it is this thread's. */
        @Override
        public Link connect(RunLoop loop, InetSocketAddress to, Inbound in, Runnable writable) throws Exception {
            TlsLink link = new TlsLink(in, writable, true);
            link.tls = TlsSocket.connect(loop, to, TlsCerts.CFNET_CLIENT, link);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.inLoopThread() && !link.up.isDone()) {
                if (System.nanoTime() > deadline) throw new TimeoutException("no TLS handshake");
                loop.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(100), true);
            }
            link.up.get(10, TimeUnit.SECONDS);
            return link;
        }
    }

    final class TlsLink extends End implements Link, TlsHandler {
        private final CompletableFuture<Void> up = new CompletableFuture<>();
        private TlsSocket tls;

        TlsLink(Inbound in, Runnable writable, boolean client) {
            super(in, writable, client);
        }

        @Override
        public void handle(TlsSocket t, TlsEvent e) throws IOException {
            switch (e) {
                case TlsEvent.Handshake h when !client -> { }
                case TlsEvent.Handshake h when h.failed() -> up.completeExceptionally(
                        new IOException(h.error().get().toString()));
                case TlsEvent.Handshake h -> {
                    noDelay(t.socket());
                    up.complete(null);
                }
                case TlsEvent.Data d -> data(this, d.isEmpty(), d.bytes(), d);
                case TlsEvent.Writable w when writable != null -> writable.run();
                case TlsEvent.Writable w -> { }
            }
        }

        @Override
        public void send(ByteBuffer b) throws IOException {
            tls.write(b);
        }

        @Override
        public int write(ByteBuffer b) throws IOException {
            return tls.write(b);
        }

        @Override
        public void enableWrite() {
            tls.enableCallBacks(CallBackType.WRITE);
        }
    }
}
