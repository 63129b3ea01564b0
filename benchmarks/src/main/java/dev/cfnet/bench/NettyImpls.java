package dev.cfnet.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * Netty 4.2 on both ends, one event loop thread per side. A Netty client cannot run on the benchmark thread: the
 * benchmark thread writes with {@code writeAndFlush} (Netty hands the write to the client's event loop) and parks
 * until the client handler has the reply; the same shape as the cfnet "-xthread" row. The TLS rows are the TCP
 * ping-pong and bulk rows with an {@link SslHandler} first in each pipeline ({@link Layer#TLS}).
 */
final class NettyImpls {
    private NettyImpls() {
    }

    /** A Netty transport: NIO everywhere, epoll on Linux, kqueue on macOS (loaded reflectively). */
    enum Transport {
        NIO, EPOLL, KQUEUE;

        Optional<String> unavailableReason() {
            try {
                return switch (this) {
                    case NIO -> Optional.empty();
                    case EPOLL -> io.netty.channel.epoll.Epoll.isAvailable() ? Optional.empty()
                            : Optional.of(String.valueOf(io.netty.channel.epoll.Epoll.unavailabilityCause()));
                    case KQUEUE -> {
                        Class<?> k = Class.forName("io.netty.channel.kqueue.KQueue");
                        if ((Boolean) k.getMethod("isAvailable").invoke(null)) yield Optional.empty();
                        yield Optional.of(String.valueOf(k.getMethod("unavailabilityCause").invoke(null)));
                    }
                };
            } catch (ReflectiveOperationException | LinkageError e) {
                return Optional.of("netty-transport-native-" + name().toLowerCase() + " is not on the class path ("
                        + e + ")");
            }
        }

        IoHandlerFactory factory() throws ReflectiveOperationException {
            return switch (this) {
                case NIO -> NioIoHandler.newFactory();
                case EPOLL -> io.netty.channel.epoll.EpollIoHandler.newFactory();
                case KQUEUE -> (IoHandlerFactory) Class.forName("io.netty.channel.kqueue.KQueueIoHandler")
                        .getMethod("newFactory").invoke(null);
            };
        }

        @SuppressWarnings("unchecked")
        private <T> Class<? extends T> load(String kqueueName) throws ClassNotFoundException {
            return (Class<? extends T>) Class.forName("io.netty.channel.kqueue." + kqueueName);
        }

        Class<? extends ServerChannel> serverChannel() throws ClassNotFoundException {
            return switch (this) {
                case NIO -> NioServerSocketChannel.class;
                case EPOLL -> io.netty.channel.epoll.EpollServerSocketChannel.class;
                case KQUEUE -> load("KQueueServerSocketChannel");
            };
        }

        Class<? extends Channel> socketChannel() throws ClassNotFoundException {
            return switch (this) {
                case NIO -> NioSocketChannel.class;
                case EPOLL -> io.netty.channel.epoll.EpollSocketChannel.class;
                case KQUEUE -> load("KQueueSocketChannel");
            };
        }

        Class<? extends Channel> datagramChannel() throws ClassNotFoundException {
            return switch (this) {
                case NIO -> NioDatagramChannel.class;
                case EPOLL -> io.netty.channel.epoll.EpollDatagramChannel.class;
                case KQUEUE -> load("KQueueDatagramChannel");
            };
        }

        EventLoopGroup group() throws ReflectiveOperationException {
            return new MultiThreadIoEventLoopGroup(1, factory());
        }
    }

    static BenchOp create(Scenario scenario, Transport t) throws Exception {
        return switch (scenario) {
            case TCP_PINGPONG -> new PingPong(t, Layer.PLAIN);
            case TLS_PINGPONG -> new PingPong(t, Layer.TLS);
            case UDP_PINGPONG -> new UdpPingPong(t);
            case BULK -> new Bulk(t, Layer.PLAIN);
            case TLS_BULK -> new Bulk(t, Layer.TLS);
            case CONNECT -> new Connect(t);
            case EXECUTE -> {
                EventLoopGroup group = t.group();
                yield new Handoff(group.next(), () -> shutdown(group));
            }
            case SCALING -> throw new IllegalArgumentException("the scaling scenario has no Netty rows");
        };
    }

    static void shutdown(EventLoopGroup... groups) {
        for (EventLoopGroup g : groups) {
            if (g != null) g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** What each pipeline starts with: nothing for the TCP rows, an {@link SslHandler} for the TLS rows. */
    enum Layer {
        PLAIN, TLS;

        /** The server's child handler: {@code h}, behind an SslHandler over a JDK server engine for TLS. */
        ChannelHandler server(ChannelHandler h) {
            return this == PLAIN ? h : behindSsl(TlsCerts::serverEngine, h);
        }

        /** A client with {@code h} connected to {@code to}, returned once it carries data (TLS: handshake done). */
        Channel connect(Transport t, EventLoopGroup group, InetSocketAddress to, ChannelHandler h) throws Exception {
            Channel ch = new Bootstrap().group(group).channel(t.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(this == PLAIN ? h : behindSsl(() -> TlsCerts.clientEngine(to.getPort()), h))
                    .connect(to).sync().channel();
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl != null) ssl.handshakeFuture().get(10, TimeUnit.SECONDS);
            return ch;
        }

        private static ChannelHandler behindSsl(Supplier<SSLEngine> engine, ChannelHandler h) {
            return new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new SslHandler(engine.get()), h);
                }
            };
        }
    }

    /** A ping-pong: the benchmark thread writes the message and parks until the client's handler has the reply. */
    abstract static class Pinger implements BenchOp {
        final Signal signal = new Signal();
        private final byte[] message = Net.patternArray(Net.MESSAGE);
        Channel client;   // set by the subclass

        @Override
        public void op() throws Exception {
            signal.reset();
            ByteBuf b = client.alloc().directBuffer(Net.MESSAGE).writeBytes(message);
            client.writeAndFlush(b, client.voidPromise());
            signal.await();
        }
    }

    /** A server on its own one-thread group. */
    static final class Server implements AutoCloseable {
        final EventLoopGroup group;
        final Channel channel;
        final InetSocketAddress address;

        Server(Transport t, ChannelHandler childHandler) throws Exception {
            group = t.group();
            try {
                channel = new ServerBootstrap().group(group).channel(t.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 256)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(childHandler)
                        .bind(Net.anyPort()).sync().channel();
                address = (InetSocketAddress) channel.localAddress();
            } catch (Exception e) {
                shutdown(group);
                throw e;
            }
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            shutdown(group);
        }
    }

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }
    }

    /** Counts what arrives and fires {@code signal} at every {@code every} bytes. */
    static final class Counter extends ChannelInboundHandlerAdapter {
        private final long every;
        private final Signal signal;
        private long received;

        Counter(long every, Signal signal) {
            this.every = every;
            this.signal = signal;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            received += b.readableBytes();
            b.release();
            if (received >= every) {
                received -= every;
                signal.fire();
            }
        }

        @Override
        public boolean isSharable() {
            return true;   // as Bulk's server child handler: that server has one connection
        }
    }

    static final class PingPong extends Pinger {
        private final Server server;
        private final EventLoopGroup clientGroup;

        PingPong(Transport t, Layer layer) throws Exception {
            server = new Server(t, layer.server(new Echo()));
            clientGroup = t.group();
            try {
                client = layer.connect(t, clientGroup, server.address, new Counter(Net.MESSAGE, signal));
            } catch (Exception e) {
                shutdown(clientGroup);
                server.close();
                throw e;
            }
        }

        @Override
        public void close() {
            client.close().syncUninterruptibly();
            shutdown(clientGroup);
            server.close();
        }
    }

    static final class UdpPingPong extends Pinger {
        private final EventLoopGroup serverGroup;
        private final EventLoopGroup clientGroup;
        private final Channel server;

        UdpPingPong(Transport t) throws Exception {
            serverGroup = t.group();
            clientGroup = t.group();
            try {
                server = new Bootstrap().group(serverGroup).channel(t.datagramChannel())
                        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                                ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()),
                                        ctx.voidPromise());
                            }
                        })
                        .bind(Net.anyPort()).sync().channel();
                client = new Bootstrap().group(clientGroup).channel(t.datagramChannel())
                        .handler(new SimpleChannelInboundHandler<Object>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
                                if (b.readableBytes() >= Net.MESSAGE) signal.fire();
                            }
                        })
                        .localAddress(Net.anyPort())
                        .connect(server.localAddress()).sync().channel();
            } catch (Exception e) {
                shutdown(clientGroup, serverGroup);
                throw e;
            }
        }

        @Override
        public void close() {
            client.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
            shutdown(clientGroup, serverGroup);
        }
    }

    /**
     * 64 MiB over TCP or TLS: the client handler, on its event loop, writes 64 KiB slices of one direct buffer while
     * the channel is writable (Netty's default water marks, 32/64 KiB), flushes, and continues on
     * channelWritabilityChanged.
     */
    static final class Bulk implements BenchOp {
        private final Signal signal = new Signal();
        private final Server server;
        private final EventLoopGroup clientGroup;
        private final Channel client;
        private final ByteBuf chunk = Unpooled.directBuffer(Net.CHUNK).writeBytes(Net.patternArray(Net.CHUNK));
        private final Runnable start;
        private long remaining;   // client event loop only

        Bulk(Transport t, Layer layer) throws Exception {
            server = new Server(t, layer.server(new Counter(Net.BULK, signal)));
            clientGroup = t.group();
            try {
                client = layer.connect(t, clientGroup, server.address, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        if (ctx.channel().isWritable()) pump();
                    }
                });
            } catch (Exception e) {
                shutdown(clientGroup);
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
            shutdown(clientGroup);
            server.close();
            chunk.release();
        }
    }

    /**
     * Connect with a Bootstrap on the client group, read the server's greeting byte, close; the benchmark thread
     * waits for the close to complete.
     */
    static final class Connect implements BenchOp {
        private final Server server;
        private final EventLoopGroup clientGroup;
        private final Bootstrap bootstrap;
        private final Signal signal = new Signal();

        Connect(Transport t) throws Exception {
            server = new Server(t, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.writeAndFlush(ctx.alloc().directBuffer(1).writeByte(1), ctx.voidPromise());
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                }

                @Override
                public boolean isSharable() {
                    return true;
                }
            });
            clientGroup = t.group();
            ChannelFutureListener closed = f -> signal.fire();
            bootstrap = new Bootstrap().group(clientGroup).channel(t.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ((ByteBuf) msg).release();
                            ctx.close().addListener(closed);
                        }

                        @Override
                        public boolean isSharable() {
                            return true;
                        }
                    });
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            bootstrap.connect(server.address);
            signal.await();
        }

        @Override
        public void close() {
            shutdown(clientGroup);
            server.close();
        }
    }
}
