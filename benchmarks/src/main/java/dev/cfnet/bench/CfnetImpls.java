package dev.cfnet.bench;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * cfnet on both ends. Servers run on a library-owned loop ({@link RunLoop#start}) with the row's backend and idle
 * strategy. Clients run on the benchmark thread's own loop ({@link RunLoop#current(Backend, dev.cfnet.IdleStrategy)}),
 * which the benchmark thread runs with {@code runInMode(DEFAULT, t, returnAfterSourceHandled=true)} until the
 * reply has arrived, as CF code does with CFRunLoopRunInMode; except the "-xthread" row, whose client lives on a
 * second library-owned loop, so the benchmark thread sends from outside and parks until the DATA callback wakes it
 * (the shape of the Netty rows).
 */
final class CfnetImpls {
    /**
     * How long one runInMode may wait. NIO: finite (a deadline costs nothing there). CF: "forever", because on
     * OpenCFLite cfnet arms an alarm task per finite-timeout run (see the report's findings).
     */
    private static Duration waitFor(Backend b) {
        return b == Backend.CF ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofSeconds(10);
    }

    private CfnetImpls() {
    }

    static BenchOp create(Scenario scenario, Impls.CfnetSpec spec, int idle) throws Exception {
        return switch (scenario) {
            case TCP_PINGPONG -> spec.crossThread() ? new CrossThreadPingPong(spec)
                    : new PingPong(spec, CfnetWire.TCP, 0);
            case SCALING -> new PingPong(spec, CfnetWire.TCP, idle);
            case TLS_PINGPONG -> new PingPong(spec, CfnetWire.TLS, 0);
            case UDP_PINGPONG -> new UdpPingPong(spec);
            case BULK -> new Bulk(spec, CfnetWire.TCP);
            case TLS_BULK -> new Bulk(spec, CfnetWire.TLS);
            case CONNECT -> new Connect(spec);
            case EXECUTE -> {
                RunLoop loop = RunLoop.start("cfnet-exec", spec.backend(), spec.idle());
                yield new Handoff(loop, loop);
            }
        };
    }

    /** Wraps a connection accepted on the server loop; returns its TCP socket. */
    @FunctionalInterface
    interface Accept {
        Socket wrap(RunLoop loop, SocketHandle handle) throws IOException;
    }

    /** A TCP listener on its own loop; every accepted connection is wrapped on that loop with {@code wrap}. */
    static final class Server implements AutoCloseable {
        final RunLoop loop;
        final Socket listener;
        final InetSocketAddress address;
        final AtomicInteger accepted = new AtomicInteger();
        private final ConcurrentLinkedQueue<Socket> conns = new ConcurrentLinkedQueue<>();

        /** {@code onAccept} runs on the loop right after a connection is wrapped (may be null). */
        Server(Impls.CfnetSpec spec, Accept wrap, java.util.function.Consumer<Socket> onAccept) throws Exception {
            loop = RunLoop.start("cfnet-server", spec.backend(), spec.idle());
            try {
                listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                            if (e instanceof SocketEvent.Accepted a) {
                                Socket c = wrap.wrap(loop, a.handle());
                                CfnetWire.noDelay(c);
                                conns.add(c);
                                accepted.incrementAndGet();
                                if (onAccept != null) onAccept.accept(c);
                            }
                        });
                listener.setAddress(Net.anyPort());
                address = listener.localAddress().orElseThrow();
            } catch (Exception e) {
                loop.close();
                throw e;
            }
        }

        /** A server whose connections go over {@code wire} and hand their plaintext to {@code in}. */
        Server(Impls.CfnetSpec spec, CfnetWire wire, CfnetWire.Inbound in) throws Exception {
            this(spec, (loop, h) -> wire.accept(loop, h, in), null);
        }

        /** Forgets invalidated connections (the connect scenario makes many). */
        void prune() {
            conns.removeIf(s -> !s.isValid());
        }

        @Override
        public void close() {
            loop.close();   // invalidates the listener and every connection
        }
    }

    /** The echo: sends back what arrives (the bytes are a view valid during the callback). */
    static final CfnetWire.Inbound ECHO = (link, b) -> link.send(b);

    /** A client on the benchmark thread's own loop: sends the message, runs the loop until the reply is all in. */
    abstract static class LoopClient implements BenchOp {
        final Duration wait;
        final ByteBuffer message = Net.pattern(Net.MESSAGE);
        RunLoop loop;   // set once the subclass's client exists
        int received;   // counted by the subclass's client

        LoopClient(Impls.CfnetSpec spec) {
            wait = waitFor(spec.backend());
        }

        abstract void send(ByteBuffer b) throws IOException;

        @Override
        public void op() throws Exception {
            received = 0;
            message.clear();
            send(message);
            while (received < Net.MESSAGE) {
                if (loop.runInMode(RunLoop.Mode.DEFAULT, wait, true) == RunLoop.Result.TIMED_OUT) {
                    throw new TimeoutException("no echo");
                }
            }
        }
    }

    /** TCP or TLS ping-pong; with {@code idle} > 0 also the scaling scenario. */
    static final class PingPong extends LoopClient {
        private final Server server;
        private final CfnetWire.Link client;
        private final IdlePeers idlePeers;

        PingPong(Impls.CfnetSpec spec, CfnetWire wire, int idle) throws Exception {
            super(spec);
            server = new Server(spec, wire, ECHO);
            RunLoop l = null;
            try {
                l = RunLoop.current(spec.backend(), spec.idle());
                client = wire.connect(l, server.address, (link, b) -> received += b.remaining(), null);
                loop = l;
                idlePeers = idle > 0 ? IdlePeers.open(server.address, idle, server.accepted::get, 1) : null;
            } catch (Exception e) {
                if (l != null) l.close();
                server.close();
                throw e;
            }
        }

        @Override
        void send(ByteBuffer b) throws IOException {
            client.send(b);
        }

        @Override
        public void close() {
            loop.close();
            server.close();
            Net.closeQuietly(idlePeers);
        }
    }

    /**
     * TCP ping-pong with the client on a library-owned loop: the benchmark thread sends (send works from any
     * thread) and parks until the client's DATA callback has the whole echo.
     */
    static final class CrossThreadPingPong implements BenchOp {
        private final Server server;
        private final RunLoop loop;
        private final CfnetWire.Link client;
        private final Signal signal = new Signal();
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private int received;   // client loop thread only

        CrossThreadPingPong(Impls.CfnetSpec spec) throws Exception {
            server = new Server(spec, CfnetWire.TCP, ECHO);
            loop = RunLoop.start("cfnet-client", spec.backend(), spec.idle());
            try {
                client = CfnetWire.TCP.connect(loop, server.address, (link, b) -> {
                    received += b.remaining();
                    if (received >= Net.MESSAGE) {
                        received = 0;
                        signal.fire();
                    }
                }, null);
            } catch (Exception e) {
                loop.close();
                server.close();
                throw e;
            }
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            message.clear();
            client.send(message);
            signal.await();
        }

        @Override
        public void close() {
            loop.close();
            server.close();
        }
    }

    /** UDP ping-pong: a server socket that echoes to each datagram's source; a connected client socket. */
    static final class UdpPingPong extends LoopClient {
        private final RunLoop serverLoop;
        private final Socket client;

        UdpPingPong(Impls.CfnetSpec spec) throws Exception {
            super(spec);
            serverLoop = RunLoop.start("cfnet-udp-server", spec.backend(), spec.idle());
            RunLoop l = null;
            try {
                Socket server = Socket.create(serverLoop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                        EnumSet.of(CallBackType.DATA), (s, e) -> {
                            if (e instanceof SocketEvent.Data d && !d.isEmpty()) {
                                s.send(d.bytes(), d.address(), Net.SEND_TIMEOUT);
                            }
                        });
                server.setAddress(Net.anyPort());
                InetSocketAddress at = server.localAddress().orElseThrow();
                l = RunLoop.current(spec.backend(), spec.idle());
                client = Socket.create(l, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                        EnumSet.of(CallBackType.DATA), (s, e) -> {
                            if (e instanceof SocketEvent.Data d) received += d.bytes().remaining();
                        });
                client.setAddress(Net.anyPort());
                client.connect(at, Duration.ZERO);
                loop = l;
            } catch (Exception e) {
                if (l != null) l.close();
                serverLoop.close();
                throw e;
            }
        }

        @Override
        void send(ByteBuffer b) throws IOException {
            client.send(b, null, Net.SEND_TIMEOUT);
        }

        @Override
        public void close() {
            loop.close();
            serverLoop.close();
        }
    }

    /**
     * 64 MiB one way over TCP or TLS. The sender lives on its own loop and feeds the write queue (4 MiB by default)
     * 64 KiB at a time until it is full, then enables WRITE and goes on when it fires. The receiver counts bytes on
     * the server loop and wakes the benchmark thread at 64 MiB.
     */
    static final class Bulk implements BenchOp {
        private final Server server;
        private final RunLoop senderLoop;
        private final CfnetWire.Link sender;
        private final Signal signal = new Signal();
        private final ByteBuffer chunk = Net.pattern(Net.CHUNK);
        private final Runnable start = this::start;
        private long remaining;   // sender loop only
        private long received;    // server loop only

        Bulk(Impls.CfnetSpec spec, CfnetWire wire) throws Exception {
            server = new Server(spec, wire, (link, b) -> {
                received += b.remaining();
                if (received >= Net.BULK) {
                    received -= Net.BULK;
                    signal.fire();
                }
            });
            senderLoop = RunLoop.start("cfnet-sender", spec.backend(), spec.idle());
            try {
                sender = wire.connect(senderLoop, server.address, null, this::pump);
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
                        sender.enableWrite();
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

    /**
     * Connect, first byte, close: the client (benchmark thread's loop) creates a socket, connects asynchronously,
     * runs its loop until the server's one-byte greeting arrives, and invalidates (closes) the socket. The server
     * wraps each accepted connection, sends one byte, and closes on end of stream.
     */
    static final class Connect implements BenchOp {
        private final Server server;
        private final RunLoop loop;
        private final Duration wait;
        private final SocketHandler handler;
        private boolean got;
        private SocketEvent failure;   // what ended a connection early, for the error message
        private int ops;

        Connect(Impls.CfnetSpec spec) throws Exception {
            wait = waitFor(spec.backend());
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            Accept silent = (l, h) -> Socket.wrap(l, h, EnumSet.of(CallBackType.DATA), (s, e) -> { });
            server = new Server(spec, silent, c -> {
                try {
                    c.send(one.clear(), null, Net.SEND_TIMEOUT);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                loop = RunLoop.current(spec.backend(), spec.idle());
            } catch (Exception e) {
                server.close();
                throw e;
            }
            handler = (s, e) -> {
                switch (e) {
                    case SocketEvent.Connected c when c.failed() -> failure = c;
                    case SocketEvent.Data d when d.isEmpty() -> failure = d;
                    case SocketEvent.Data d -> got = true;
                    default -> { }
                }
            };
        }

        @Override
        public void op() throws Exception {
            got = false;
            failure = null;
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.DATA), handler);
            CfnetWire.noDelay(s);
            s.connect(server.address, Duration.ZERO);
            while (!got) {
                if (failure != null || !s.isValid()) {
                    s.invalidate();
                    throw new IOException("connection " + ops + " ended before the greeting: " + failure);
                }
                if (loop.runInMode(RunLoop.Mode.DEFAULT, wait, true) == RunLoop.Result.TIMED_OUT) {
                    throw new TimeoutException("no greeting");
                }
            }
            s.invalidate();
            if ((++ops & 1023) == 0) server.loop.execute(server::prune);
        }

        @Override
        public void close() {
            loop.close();
            server.close();
        }
    }
}
