package dev.cfnet.bench;

import dev.cfnet.Backend;
import dev.cfnet.CallBackType;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
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
     * How long one runInMode may wait. NIO: finite (a deadline costs nothing there). CF: "forever", because on a
     * non-Apple CoreFoundation cfnet arms an alarm task per finite-timeout run (see the report's findings).
     */
    private static Duration waitFor(Backend b) {
        return b == Backend.CF ? Duration.ofSeconds(Long.MAX_VALUE) : Duration.ofSeconds(10);
    }

    private CfnetImpls() {
    }

    static BenchOp create(Scenario scenario, Impls.CfnetSpec spec, int idle) throws Exception {
        return switch (scenario) {
            case TCP_PINGPONG -> spec.crossThread() ? new CrossThreadPingPong(spec) : new PingPong(spec, 0);
            case SCALING -> new PingPong(spec, idle);
            case UDP_PINGPONG -> new UdpPingPong(spec);
            case BULK -> new Bulk(spec);
            case TLS_PINGPONG, TLS_BULK -> throw new IllegalArgumentException("the TLS rows are TlsImpls'");
            case CONNECT -> new Connect(spec);
            case EXECUTE -> new Execute(spec);
        };
    }

    static void noDelay(Socket s) throws IOException {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    /** A TCP listener on its own loop; every accepted connection is wrapped on that loop with {@code perConn}. */
    static final class Server implements AutoCloseable {
        final RunLoop loop;
        final Socket listener;
        final InetSocketAddress address;
        final AtomicInteger accepted = new AtomicInteger();
        private final ConcurrentLinkedQueue<Socket> conns = new ConcurrentLinkedQueue<>();

        /** {@code onAccept} runs on the loop right after a connection is wrapped (may be null). */
        Server(Impls.CfnetSpec spec, SocketHandler perConn, java.util.function.Consumer<Socket> onAccept)
                throws Exception {
            loop = RunLoop.start("cfnet-server", spec.backend(), spec.idle());
            try {
                listener = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.ACCEPT), (s, e) -> {
                            if (e instanceof SocketEvent.Accepted a) {
                                Socket c = Socket.wrap(loop, a.handle(), EnumSet.of(CallBackType.DATA), perConn);
                                noDelay(c);
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

        /** Forgets invalidated connections (the connect scenario makes many). */
        void prune() {
            conns.removeIf(s -> !s.isValid());
        }

        @Override
        public void close() {
            loop.close();   // invalidates the listener and every connection
        }
    }

    /** The echo handler: sends back what arrives (DATA bytes are a view valid during the callback). */
    static final SocketHandler ECHO = (s, e) -> {
        if (e instanceof SocketEvent.Data d && !d.isEmpty()) {
            s.send(d.bytes(), null, Net.SEND_TIMEOUT);
        }
    };

    /** TCP ping-pong, client on the benchmark thread's loop; with {@code idle} > 0 also the scaling scenario. */
    static final class PingPong implements BenchOp {
        private final Server server;
        private final RunLoop loop;
        private final Socket client;
        private final Duration wait;
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private final IdlePeers idlePeers;
        private int received;

        PingPong(Impls.CfnetSpec spec, int idle) throws Exception {
            wait = waitFor(spec.backend());
            server = new Server(spec, ECHO, null);
            RunLoop l = null;
            try {
                l = RunLoop.current(spec.backend(), spec.idle());
                client = Socket.create(l, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.CONNECT, CallBackType.DATA), (s, e) -> {
                            if (e instanceof SocketEvent.Data d) {
                                if (d.isEmpty()) throw new IOException("server closed the connection");
                                received += d.bytes().remaining();
                            }
                        });
                noDelay(client);
                client.connect(server.address, Duration.ofSeconds(5));
                loop = l;
                idlePeers = idle > 0 ? IdlePeers.open(server.address, idle, server.accepted::get, 1) : null;
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
            client.send(message, null, Net.SEND_TIMEOUT);
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
        private final Socket client;
        private final Signal signal = new Signal();
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private int received;   // client loop thread only

        CrossThreadPingPong(Impls.CfnetSpec spec) throws Exception {
            server = new Server(spec, ECHO, null);
            loop = RunLoop.start("cfnet-client", spec.backend(), spec.idle());
            try {
                client = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.CONNECT, CallBackType.DATA), (s, e) -> {
                            if (e instanceof SocketEvent.Data d && !d.isEmpty()) {
                                received += d.bytes().remaining();
                                if (received >= Net.MESSAGE) {
                                    received = 0;
                                    signal.fire();
                                }
                            }
                        });
                noDelay(client);
                client.connect(server.address, Duration.ofSeconds(5));
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
            client.send(message, null, Net.SEND_TIMEOUT);
            signal.await();
        }

        @Override
        public void close() {
            loop.close();
            server.close();
        }
    }

    /** UDP ping-pong: a server socket that echoes to each datagram's source; a connected client socket. */
    static final class UdpPingPong implements BenchOp {
        private final RunLoop serverLoop;
        private final RunLoop loop;
        private final Socket client;
        private final Duration wait;
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private int received;

        UdpPingPong(Impls.CfnetSpec spec) throws Exception {
            wait = waitFor(spec.backend());
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
        public void op() throws Exception {
            received = 0;
            message.clear();
            client.send(message, null, Net.SEND_TIMEOUT);
            while (received < Net.MESSAGE) {
                if (loop.runInMode(RunLoop.Mode.DEFAULT, wait, true) == RunLoop.Result.TIMED_OUT) {
                    throw new TimeoutException("no echo (datagram lost?)");
                }
            }
        }

        @Override
        public void close() {
            loop.close();
            serverLoop.close();
        }
    }

    /**
     * 64 MiB one way. The sender lives on its own loop and feeds {@link Socket#write} (the write queue, 4 MiB by
     * default) 64 KiB at a time until the queue is full, then enables WRITE and goes on when it fires. The receiver
     * counts DATA bytes on the server loop and wakes the benchmark thread at 64 MiB.
     */
    static final class Bulk implements BenchOp {
        private final Server server;
        private final RunLoop senderLoop;
        private final Socket sender;
        private final Signal signal = new Signal();
        private final ByteBuffer chunk = Net.pattern(Net.CHUNK);
        private final Runnable start = this::start;
        private long remaining;   // sender loop only
        private long received;    // server loop only

        Bulk(Impls.CfnetSpec spec) throws Exception {
            server = new Server(spec, (s, e) -> {
                if (e instanceof SocketEvent.Data d && !d.isEmpty()) {
                    received += d.bytes().remaining();
                    if (received >= Net.BULK) {
                        received -= Net.BULK;
                        signal.fire();
                    }
                }
            }, null);
            senderLoop = RunLoop.start("cfnet-sender", spec.backend(), spec.idle());
            try {
                sender = Socket.create(senderLoop, StandardProtocolFamily.INET, SocketType.STREAM,
                        EnumSet.of(CallBackType.CONNECT, CallBackType.WRITE), (s, e) -> {
                            if (e instanceof SocketEvent.Writable) pump();
                        });
                noDelay(sender);
                sender.connect(server.address, Duration.ofSeconds(5));
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
                    int n = sender.write(chunk);
                    remaining -= n;
                    if (chunk.hasRemaining()) {
                        sender.enableCallBacks(CallBackType.WRITE);
                        return;
                    }
                }
            } catch (Exception e) {
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
            server = new Server(spec, (s, e) -> { }, c -> {
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
            noDelay(s);
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

    /** Another thread hands a task to a loop ({@link RunLoop#execute}) and waits until it has run. */
    static final class Execute implements BenchOp {
        private final RunLoop loop;
        private final Signal signal = new Signal();
        private final Runnable task = signal::fire;

        Execute(Impls.CfnetSpec spec) {
            loop = RunLoop.start("cfnet-exec", spec.backend(), spec.idle());
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            loop.execute(task);
            signal.await();
        }

        @Override
        public void close() {
            loop.close();
        }
    }
}
