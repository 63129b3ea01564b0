package dev.cfnet.bench;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import dev.cfnet.testpki.TestPki;
import dev.cfnet.tls.TlsConfig;
import dev.cfnet.tls.TlsEvent;
import dev.cfnet.tls.TlsHandler;
import dev.cfnet.tls.TlsSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

/**
 * The TLS scenarios (64-byte ping-pong and 64 MiB one way, TLS 1.3, the JDK's SSLEngine everywhere, the same
 * certificate and the same negotiated cipher suite): cfnet's {@link TlsSocket} on its backends, Netty with
 * {@link SslHandler} over a JDK engine, and a hand-written loop of SSLEngine over NIO channels with one
 * {@link Selector} per side. Clients verify the server's name (SNI and endpoint identification) in every row.
 */
final class TlsImpls {
    private TlsImpls() {
    }

    /** A test CA and a server certificate for 127.0.0.1, made once per JVM (EC P-256). */
    static final class Certs {
        static final TestPki CA = TestPki.create("cfnet bench CA");
        static final SSLContext SERVER = CA.loopbackServer().serverContext();
        static final SSLContext CLIENT = CA.clientContext();
        static final String NAME = "localhost";

        private Certs() {
        }

        static SSLEngine serverEngine() {
            SSLEngine e = SERVER.createSSLEngine();
            e.setUseClientMode(false);
            e.setEnabledProtocols(new String[] {"TLSv1.3"});
            return e;
        }

        static SSLEngine clientEngine(int port) {
            SSLEngine e = CLIENT.createSSLEngine(NAME, port);
            e.setUseClientMode(true);
            SSLParameters p = e.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setServerNames(List.of(new SNIHostName(NAME)));
            p.setProtocols(new String[] {"TLSv1.3"});
            e.setSSLParameters(p);
            return e;
        }
    }

    static BenchOp create(Scenario scenario, String impl) throws Exception {
        boolean bulk = scenario == Scenario.TLS_BULK;
        if (impl.startsWith("cfnet-")) {
            Impls.CfnetSpec spec = Impls.cfnetSpec(impl);
            return bulk ? new CfnetBulk(spec) : new CfnetPingPong(spec);
        }
        return switch (impl) {
            case Impls.NETTY_NIO -> bulk ? new NettyBulk(NettyImpls.Transport.NIO)
                    : new NettyPingPong(NettyImpls.Transport.NIO);
            case Impls.NIO_SELECT -> bulk ? new NioBulk() : new NioPingPong();
            default -> throw new IllegalArgumentException("no TLS row for " + impl);
        };
    }

    // ---- cfnet ---------------------------------------------------------------------------------------------------

    static TlsConfig clientConfig() {
        return TlsConfig.client(Certs.CLIENT, Certs.NAME).withProtocols("TLSv1.3");
    }

    /** A cfnet listener whose connections become TLS servers with {@code handler}, on its own loop. */
    static final class CfnetServer implements AutoCloseable {
        final RunLoop loop;
        final InetSocketAddress address;

        CfnetServer(Impls.CfnetSpec spec, TlsHandler handler) throws Exception {
            loop = RunLoop.start("cfnet-tls-server", spec.backend(), spec.idle());
            try {
                TlsConfig config = TlsConfig.server(Certs.SERVER).withProtocols("TLSv1.3");
                Socket listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                            if (e instanceof SocketEvent.Accepted a) {
                                TlsSocket t = TlsSocket.wrap(loop, a.handle(), config, handler);
                                CfnetImpls.noDelay(t.socket());
                            }
                        });
                listener.setAddress(Net.anyPort());
                address = listener.localAddress().orElseThrow();
            } catch (Exception e) {
                loop.close();
                throw e;
            }
        }

        @Override
        public void close() {
            loop.close();
        }
    }

    /** Echoes plaintext back (64 bytes always fit the write queue). */
    static final TlsHandler ECHO = (t, e) -> {
        if (e instanceof TlsEvent.Data d && !d.isEmpty()) t.write(d.bytes());
    };

    /** The client on the benchmark thread's own loop, run until the echo is back, as the TCP cfnet rows do. */
    static final class CfnetPingPong implements BenchOp {
        private final CfnetServer server;
        private final RunLoop loop;
        private final TlsSocket client;
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private final Duration wait;
        private int received;
        private boolean up;

        CfnetPingPong(Impls.CfnetSpec spec) throws Exception {
            wait = spec.backend() == Backend.CF ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofSeconds(10);
            server = new CfnetServer(spec, ECHO);
            RunLoop l = null;
            try {
                l = RunLoop.current(spec.backend(), spec.idle());
                client = TlsSocket.connect(l, server.address, clientConfig(), (t, e) -> {
                    switch (e) {
                        case TlsEvent.Handshake h when h.failed() -> throw new IOException(h.error().get().toString());
                        case TlsEvent.Handshake h -> {
                            CfnetImpls.noDelay(t.socket());
                            up = true;
                        }
                        case TlsEvent.Data d when d.isEmpty() -> throw new IOException("the server went: " + d);
                        case TlsEvent.Data d -> received += d.bytes().remaining();
                        default -> { }
                    }
                });
                loop = l;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!up) {
                    if (System.nanoTime() > deadline) throw new TimeoutException("no TLS handshake");
                    l.runInMode(RunLoop.Mode.DEFAULT, Duration.ofMillis(100), true);
                }
            } catch (Exception e) {
                if (l != null) l.close();
                server.close();
                throw e;
            }
        }

        @Override
        public void op() throws Exception {
            received = 0;
            message.clear();
            client.write(message);
            while (received < Net.MESSAGE) {
                if (loop.runInMode(RunLoop.Mode.DEFAULT, wait, true) == RunLoop.Result.TIMED_OUT) {
                    throw new TimeoutException("no echo");
                }
            }
        }

        @Override
        public void close() {
            loop.close();
            server.close();
        }
    }

    /** 64 MiB from a sender loop through {@link TlsSocket#write} (WRITE when the queue is full) to a counting server. */
    static final class CfnetBulk implements BenchOp {
        private final CfnetServer server;
        private final RunLoop senderLoop;
        private final TlsSocket sender;
        private final Signal signal = new Signal();
        private final ByteBuffer chunk = Net.pattern(Net.CHUNK);
        private final Runnable start = this::start;
        private long remaining;   // sender loop only
        private long received;    // server loop only

        CfnetBulk(Impls.CfnetSpec spec) throws Exception {
            server = new CfnetServer(spec, (t, e) -> {
                if (e instanceof TlsEvent.Data d && !d.isEmpty()) {
                    received += d.bytes().remaining();
                    if (received >= Net.BULK) {
                        received -= Net.BULK;
                        signal.fire();
                    }
                }
            });
            senderLoop = RunLoop.start("cfnet-tls-sender", spec.backend(), spec.idle());
            CompletableFuture<Void> up = new CompletableFuture<>();
            try {
                sender = TlsSocket.connect(senderLoop, server.address, clientConfig(), (t, e) -> {
                    switch (e) {
                        case TlsEvent.Handshake h when h.failed() -> up.completeExceptionally(
                                new IOException(h.error().get().toString()));
                        case TlsEvent.Handshake h -> {
                            CfnetImpls.noDelay(t.socket());
                            up.complete(null);
                        }
                        case TlsEvent.Writable w -> pump();
                        default -> { }
                    }
                });
                up.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                senderLoop.close();
                server.close();
                throw e;
            }
        }

        private void start() {
            remaining = Net.BULK;
            chunk.clear();
            pump();
        }

        /** Sender loop: write until the queue refuses bytes, then wait for WRITE. */
        private void pump() {
            try {
                while (remaining > 0) {
                    if (!chunk.hasRemaining()) chunk.clear().limit((int) Math.min(Net.CHUNK, remaining));
                    remaining -= sender.write(chunk);
                    if (chunk.hasRemaining()) {
                        sender.enableCallBacks(CallBackType.WRITE);
                        return;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            senderLoop.execute(start);
            signal.await();
        }

        @Override
        public void close() {
            senderLoop.close();
            server.close();
        }
    }

    // ---- Netty ---------------------------------------------------------------------------------------------------

    /** Netty's server: an {@link SslHandler} over a JDK server engine, then {@code handler}. */
    static NettyImpls.Server nettyServer(NettyImpls.Transport t, ChannelHandler handler) throws Exception {
        return new NettyImpls.Server(t, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new SslHandler(Certs.serverEngine()), handler);
            }
        });
    }

    /** A Netty client with an {@link SslHandler} over a JDK client engine; returns once the handshake is done. */
    static Channel nettyClient(NettyImpls.Transport t, EventLoopGroup group, InetSocketAddress to,
                               ChannelHandler handler) throws Exception {
        SslHandler[] ssl = new SslHandler[1];
        Channel ch = new Bootstrap().group(group).channel(t.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        ssl[0] = new SslHandler(Certs.clientEngine(to.getPort()));
                        c.pipeline().addLast(ssl[0], handler);
                    }
                })
                .connect(to).sync().channel();
        ssl[0].handshakeFuture().get(10, TimeUnit.SECONDS);
        return ch;
    }

    static final class NettyPingPong implements BenchOp {
        private final NettyImpls.Server server;
        private final EventLoopGroup clientGroup;
        private final Channel client;
        private final Signal signal = new Signal();
        private final byte[] message = Net.patternArray(Net.MESSAGE);

        NettyPingPong(NettyImpls.Transport t) throws Exception {
            server = nettyServer(t, new NettyImpls.Echo());
            clientGroup = t.group();
            try {
                client = nettyClient(t, clientGroup, server.address, new ChannelInboundHandlerAdapter() {
                    private int received;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        received += b.readableBytes();
                        b.release();
                        if (received >= Net.MESSAGE) {
                            received = 0;
                            signal.fire();
                        }
                    }
                });
            } catch (Exception e) {
                NettyImpls.shutdown(clientGroup);
                server.close();
                throw e;
            }
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            ByteBuf b = client.alloc().directBuffer(Net.MESSAGE).writeBytes(message);
            client.writeAndFlush(b, client.voidPromise());
            signal.await();
        }

        @Override
        public void close() {
            client.close().syncUninterruptibly();
            NettyImpls.shutdown(clientGroup);
            server.close();
        }
    }

    /** As {@link NettyImpls.Bulk}, with an {@link SslHandler} at each end. */
    static final class NettyBulk implements BenchOp {
        private final Signal signal = new Signal();
        private final NettyImpls.Server server;
        private final EventLoopGroup clientGroup;
        private final Channel client;
        private final ByteBuf chunk = Unpooled.directBuffer(Net.CHUNK).writeBytes(Net.patternArray(Net.CHUNK));
        private final Runnable start;
        private long remaining;   // client event loop only

        NettyBulk(NettyImpls.Transport t) throws Exception {
            server = nettyServer(t, new ChannelInboundHandlerAdapter() {
                private long received;

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    received += b.readableBytes();
                    b.release();
                    if (received >= Net.BULK) {
                        received -= Net.BULK;
                        signal.fire();
                    }
                }

                @Override
                public boolean isSharable() {
                    return true;
                }
            });
            clientGroup = t.group();
            try {
                client = nettyClient(t, clientGroup, server.address, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        if (ctx.channel().isWritable()) pump();
                    }
                });
            } catch (Exception e) {
                NettyImpls.shutdown(clientGroup);
                server.close();
                throw e;
            }
            start = () -> {
                remaining = Net.BULK;
                pump();
            };
        }

        private void pump() {
            boolean wrote = false;
            while (remaining > 0 && client.isWritable()) {
                int len = (int) Math.min(Net.CHUNK, remaining);
                client.write(chunk.retainedSlice(0, len), client.voidPromise());
                remaining -= len;
                wrote = true;
            }
            if (wrote) client.flush();
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            client.eventLoop().execute(start);
            signal.await();
        }

        @Override
        public void close() {
            client.close().syncUninterruptibly();
            NettyImpls.shutdown(clientGroup);
            server.close();
            chunk.release();
        }
    }

    // ---- hand-written SSLEngine + NIO ------------------------------------------------------------------------------

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
    static final class NioServer implements AutoCloseable {
        final ServerSocketChannel listener;
        final InetSocketAddress address;
        private final Thread thread;
        private volatile boolean stop;
        private volatile Selector selector;

        /** {@code onPlaintext} runs on the server thread with the connection and each unwrapped batch. */
        NioServer(java.util.function.BiConsumer<Conn, ByteBuffer> onPlaintext) throws IOException {
            listener = ServerSocketChannel.open();
            listener.bind(Net.anyPort());
            address = (InetSocketAddress) listener.getLocalAddress();
            thread = Thread.ofPlatform().daemon().name("nio-tls-server").start(() -> {
                try (Selector sel = Selector.open()) {
                    selector = sel;
                    SocketChannel ch = listener.accept();
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Conn c = new Conn(ch, Certs.serverEngine());
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
                    if (!stop) throw new java.io.UncheckedIOException(e);
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
    static final class NioPingPong implements BenchOp {
        private final NioServer server;
        private final Conn client;
        private final Selector selector;
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private final Consumer<SelectionKey> onKey;
        private long received;
        private final Consumer<ByteBuffer> count = b -> received += b.remaining();

        NioPingPong() throws Exception {
            server = new NioServer((c, b) -> {
                try {
                    c.wrapAndWrite(b);   // echo
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                SocketChannel ch = SocketChannel.open(server.address);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client = new Conn(ch, Certs.clientEngine(server.address.getPort()));
                client.handshake();
                selector = Selector.open();
                ch.register(selector, SelectionKey.OP_READ);
                onKey = k -> {
                    try {
                        if (client.readAndUnwrap(count) < 0) throw new IOException("the server went");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
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
                if (selector.select(onKey, 10_000) == 0 && received < Net.MESSAGE) throw new TimeoutException("no echo");
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
    static final class NioBulk implements BenchOp {
        private final NioServer server;
        private final Conn client;
        private final Signal signal = new Signal();
        private final ByteBuffer chunk = Net.pattern(Net.CHUNK);
        private long received;   // server thread only

        NioBulk() throws Exception {
            server = new NioServer((c, b) -> {
                received += b.remaining();
                if (received >= Net.BULK) {
                    received -= Net.BULK;
                    signal.fire();
                }
            });
            try {
                SocketChannel ch = SocketChannel.open(server.address);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client = new Conn(ch, Certs.clientEngine(server.address.getPort()));
                client.handshake();
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
