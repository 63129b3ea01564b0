package dev.cfnet.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 on both ends, one event loop thread per side. A Netty client cannot run on the benchmark thread: the
 * benchmark thread writes with {@code writeAndFlush} (Netty hands the write to the client's event loop) and parks
 * until the client handler has the reply; the same shape as the cfnet "-xthread" row.
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
            case TCP_PINGPONG -> new PingPong(t);
            case UDP_PINGPONG -> new UdpPingPong(t);
            case BULK -> new Bulk(t);
            case TLS_PINGPONG, TLS_BULK -> throw new IllegalArgumentException("the TLS rows are TlsImpls'");
            case CONNECT -> new Connect(t);
            case EXECUTE -> new Execute(t);
            case SCALING -> throw new IllegalArgumentException("the scaling scenario has no Netty rows");
        };
    }

    static void shutdown(EventLoopGroup... groups) {
        for (EventLoopGroup g : groups) {
            if (g != null) g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
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

    static final class PingPong implements BenchOp {
        private final Server server;
        private final EventLoopGroup clientGroup;
        private final Channel client;
        private final Signal signal = new Signal();
        private final byte[] message = Net.patternArray(Net.MESSAGE);

        PingPong(Transport t) throws Exception {
            server = new Server(t, new Echo());
            clientGroup = t.group();
            try {
                client = new Bootstrap().group(clientGroup).channel(t.socketChannel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInboundHandlerAdapter() {
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
                        })
                        .connect(server.address).sync().channel();
            } catch (Exception e) {
                shutdown(clientGroup);
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
            shutdown(clientGroup);
            server.close();
        }
    }

    static final class UdpPingPong implements BenchOp {
        private final EventLoopGroup serverGroup;
        private final EventLoopGroup clientGroup;
        private final Channel server;
        private final Channel client;
        private final Signal signal = new Signal();
        private final byte[] message = Net.patternArray(Net.MESSAGE);

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
        public void op() throws Exception {
            signal.reset();
            ByteBuf b = client.alloc().directBuffer(Net.MESSAGE).writeBytes(message);
            client.writeAndFlush(b, client.voidPromise());
            signal.await();
        }

        @Override
        public void close() {
            client.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
            shutdown(clientGroup, serverGroup);
        }
    }

    /**
     * 64 MiB: the client handler, on its event loop, writes 64 KiB slices of one direct buffer while the channel
     * is writable (Netty's default water marks, 32/64 KiB), flushes, and continues on channelWritabilityChanged.
     */
    static final class Bulk implements BenchOp {
        private final Signal signal = new Signal();
        private final Server server;
        private final EventLoopGroup clientGroup;
        private final Channel client;
        private final ByteBuf chunk = Unpooled.directBuffer(Net.CHUNK).writeBytes(Net.patternArray(Net.CHUNK));
        private final Runnable start;
        private long remaining;   // client event loop only

        Bulk(Transport t) throws Exception {
            server = new Server(t, new ChannelInboundHandlerAdapter() {
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
                client = new Bootstrap().group(clientGroup).channel(t.socketChannel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                if (ctx.channel().isWritable()) pump();
                            }
                        })
                        .connect(server.address).sync().channel();
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

    static final class Execute implements BenchOp {
        private final EventLoopGroup group;
        private final EventLoop loop;
        private final Signal signal = new Signal();
        private final Runnable task = signal::fire;

        Execute(Transport t) throws ReflectiveOperationException {
            group = t.group();
            loop = group.next();
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            loop.execute(task);
            signal.await();
        }

        @Override
        public void close() {
            shutdown(group);
        }
    }
}
