package dev.cfnet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * The TLS rows of "nio-select": a hand-written loop of SSLEngine over NIO channels with one {@link Selector} per
 * side, the server on its own thread, the client on the benchmark thread (certificates: {@link TlsCerts}).
 */
final class NioTlsImpls {
    private NioTlsImpls() {
    }

    static BenchOp create(Scenario scenario) throws Exception {
        return switch (scenario) {
            case TLS_PINGPONG -> new PingPong();
            case TLS_BULK -> new Bulk();
            default -> throw new IllegalArgumentException(scenario + " is not a TLS scenario");
        };
    }

    /** One end: an SSLEngine over a SocketChannel, with the buffers a careful hand-written loop keeps. */
    static final class Conn {
        static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
        final SocketChannel ch;
        final SSLEngine engine;
        final ByteBuffer netIn;
        final ByteBuffer netOut;
        ByteBuffer appIn;

        Conn(SocketChannel ch, SSLEngine engine) {
            this.ch = ch;
            this.engine = engine;
            int packet = engine.getSession().getPacketBufferSize();
            netIn = ByteBuffer.allocateDirect(packet + 64 * 1024);
            netOut = ByteBuffer.allocateDirect(4 * packet);
            appIn = ByteBuffer.allocate(2 * engine.getSession().getApplicationBufferSize());
        }

        /** A client end connected to {@code to}, after the handshake. */
        static Conn client(InetSocketAddress to) throws IOException {
            SocketChannel ch = SocketChannel.open(to);
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Conn c = new Conn(ch, TlsCerts.clientEngine(to.getPort()));
                c.handshake();
                return c;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        }

        /** The handshake on a blocking channel (set-up only); then the channel becomes non-blocking. */
        void handshake() throws IOException {
            ch.configureBlocking(true);
            engine.beginHandshake();
            for (;;) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                switch (hs) {
                    case NEED_TASK -> {
                        Runnable r;
                        while ((r = engine.getDelegatedTask()) != null) r.run();
                    }
                    case NEED_WRAP -> {
                        netOut.clear();
                        SSLEngineResult r = engine.wrap(EMPTY, netOut);
                        flushBlocking();
                        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                            ch.configureBlocking(false);
                            return;
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        netIn.flip();
                        SSLEngineResult r = engine.unwrap(netIn, appIn);
                        netIn.compact();
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && ch.read(netIn) < 0) {
                            throw new IOException("closed during the handshake");
                        }
                        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                            ch.configureBlocking(false);
                            return;
                        }
                    }
                    default -> {
                        ch.configureBlocking(false);
                        return;
                    }
                }
            }
        }

        private void flushBlocking() throws IOException {
            netOut.flip();
            while (netOut.hasRemaining()) ch.write(netOut);
        }

        /** Reads what the channel has and unwraps every whole record; returns plaintext bytes (-1 at the end). */
        long readAndUnwrap(Consumer<ByteBuffer> plaintext) throws IOException {
            int n = ch.read(netIn);
            if (n < 0) return -1;
            netIn.flip();
            long produced = 0;
            for (;;) {
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    appIn = ByteBuffer.allocate(appIn.capacity() * 2);
                    continue;
                }
                if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    Runnable t;
                    while ((t = engine.getDelegatedTask()) != null) t.run();
                }
                if (r.bytesProduced() > 0) {
                    appIn.flip();
                    produced += appIn.remaining();
                    plaintext.accept(appIn);
                    appIn.clear();
                }
                if (r.getStatus() != SSLEngineResult.Status.OK || !netIn.hasRemaining()) break;
            }
            netIn.compact();
            return produced;
        }

        /** Wraps all of {@code src} into netOut and writes it, waiting for OP_WRITE when the socket is full. */
        void wrapAndWrite(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                netOut.clear();
                while (src.hasRemaining() && netOut.remaining() >= engine.getSession().getPacketBufferSize()) {
                    engine.wrap(src, netOut);
                }
                netOut.flip();
                while (netOut.hasRemaining()) {
                    if (ch.write(netOut) == 0) awaitWritable();
                }
            }
        }

        private Selector writeSelector;

        private void awaitWritable() throws IOException {
            if (writeSelector == null) {
                writeSelector = Selector.open();
                ch.register(writeSelector, SelectionKey.OP_WRITE);
            }
            writeSelector.select(1000);
            writeSelector.selectedKeys().clear();
        }
    }

    /** The hand-written server: accepts one connection, handshakes, then serves it from a selector loop. */
    static final class Server implements AutoCloseable {
        final ServerSocketChannel listener;
        final InetSocketAddress address;
        private final Thread thread;
        private volatile boolean stop;
        private volatile Selector selector;

        /** {@code onPlaintext} runs on the server thread with the connection and each unwrapped batch. */
        Server(BiConsumer<Conn, ByteBuffer> onPlaintext) throws IOException {
            listener = ServerSocketChannel.open();
            listener.bind(Net.anyPort());
            address = (InetSocketAddress) listener.getLocalAddress();
            thread = Thread.ofPlatform().daemon().name("nio-tls-server").start(() -> {
                try (Selector sel = Selector.open()) {
                    selector = sel;
                    SocketChannel ch = listener.accept();
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Conn c = new Conn(ch, TlsCerts.serverEngine());
                    c.handshake();
                    ch.register(sel, SelectionKey.OP_READ);
                    Consumer<ByteBuffer> plain = b -> onPlaintext.accept(c, b);
                    Consumer<SelectionKey> onKey = k -> {
                        try {
                            if (c.readAndUnwrap(plain) < 0) stop = true;
                        } catch (IOException e) {
                            stop = true;
                        }
                    };
                    while (!stop) sel.select(onKey);
                } catch (IOException e) {
                    if (!stop) throw new UncheckedIOException(e);
                }
            });
        }

        @Override
        public void close() {
            stop = true;
            Selector s = selector;
            if (s != null) s.wakeup();
            Net.closeQuietly(listener);
            Net.join(thread);
        }
    }

    /** The client on the benchmark thread with its own selector. */
    static final class PingPong implements BenchOp {
        private final Server server;
        private final Conn client;
        private final Selector selector;
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private final Consumer<SelectionKey> onKey;
        private long received;
        private final Consumer<ByteBuffer> count = b -> received += b.remaining();

        PingPong() throws Exception {
            server = new Server((c, b) -> {
                try {
                    c.wrapAndWrite(b);   // echo
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                client = Conn.client(server.address);
                selector = Selector.open();
                client.ch.register(selector, SelectionKey.OP_READ);
                onKey = k -> {
                    try {
                        if (client.readAndUnwrap(count) < 0) throw new IOException("the server went");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
            } catch (Exception e) {
                server.close();
                throw e;
            }
        }

        @Override
        public void op() throws Exception {
            received = 0;
            message.clear();
            client.wrapAndWrite(message);
            while (received < Net.MESSAGE) {
                if (selector.select(onKey, 10_000) == 0 && received < Net.MESSAGE) {
                    throw new TimeoutException("no echo");
                }
            }
        }

        @Override
        public void close() {
            Net.closeQuietly(selector);
            Net.closeQuietly(client.ch);
            server.close();
        }
    }

    /** The benchmark thread wraps and writes 64 MiB (waiting for OP_WRITE when the socket is full). */
    static final class Bulk implements BenchOp {
        private final Server server;
        private final Conn client;
        private final Signal signal = new Signal();
        private final ByteBuffer chunk = Net.pattern(Net.CHUNK);
        private long received;   // server thread only

        Bulk() throws Exception {
            server = new Server((c, b) -> {
                received += b.remaining();
                if (received >= Net.BULK) {
                    received -= Net.BULK;
                    signal.fire();
                }
            });
            try {
                client = Conn.client(server.address);
            } catch (Exception e) {
                server.close();
                throw e;
            }
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            for (long left = Net.BULK; left > 0; ) {
                chunk.clear().limit((int) Math.min(Net.CHUNK, left));
                left -= chunk.remaining();
                client.wrapAndWrite(chunk);
            }
            signal.await();
        }

        @Override
        public void close() {
            Net.closeQuietly(client.ch);
            server.close();
        }
    }
}
