package dev.cfnet.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The hand-written baseline: one {@link Selector} loop per side, the way one writes NIO without a framework. The
 * server loop runs on its own thread; the client side runs on the benchmark thread with its own selector. "spin"
 * polls with {@code selectNow()} instead of blocking in {@code select()}. Selected keys are consumed with
 * {@code select(Consumer)}, which allocates nothing per event.
 */
final class NioImpls {
    private NioImpls() {
    }

    static BenchOp create(Scenario scenario, boolean spin, int idle) throws Exception {
        return switch (scenario) {
            case TCP_PINGPONG -> new PingPong(spin, 0);
            case SCALING -> new PingPong(spin, idle);
            case UDP_PINGPONG -> new UdpPingPong(spin);
            case BULK -> new Bulk(spin);
            case TLS_PINGPONG, TLS_BULK -> {
                if (spin) throw new IllegalArgumentException("the TLS rows have no spinning NIO loop");
                yield NioTlsImpls.create(scenario);
            }
            case CONNECT -> new Connect(spin);
            case EXECUTE -> {
                TaskLoop loop = new TaskLoop(spin);
                yield new Handoff(loop, loop);
            }
        };
    }

    /** One pass of a loop: {@code selectNow} when it spins, else a blocking {@code select}. */
    static void select(Selector selector, boolean spin, Consumer<SelectionKey> onKey) throws IOException {
        if (spin) {
            selector.selectNow(onKey);
        } else {
            selector.select(onKey);
        }
    }

    /** A server thread that runs {@code selector} until {@code stopped}. */
    static Thread serve(String name, Selector selector, boolean spin, Consumer<SelectionKey> onKey,
                        BooleanSupplier stopped) {
        return Thread.ofPlatform().name(name).daemon(true).start(() -> {
            try {
                while (!stopped.getAsBoolean()) select(selector, spin, onKey);
            } catch (IOException e) {
                if (!stopped.getAsBoolean()) e.printStackTrace();
            }
        });
    }

    /** What the server does with a connection. */
    enum Role { ECHO, SINK, GREET }

    /** A TCP server loop on its own thread. */
    static final class Server implements AutoCloseable {
        final InetSocketAddress address;
        final AtomicInteger accepted = new AtomicInteger();
        private final Selector selector;
        private final ServerSocketChannel listener;
        private final Role role;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        private final ByteBuffer one = ByteBuffer.allocateDirect(1);
        private final Consumer<SelectionKey> onKey = this::onKey;
        private final Thread thread;
        private volatile boolean stop;
        final Signal sinkSignal;
        private long received;

        Server(boolean spin, Role role, Signal sinkSignal) throws IOException {
            this.role = role;
            this.sinkSignal = sinkSignal;
            selector = Selector.open();
            listener = ServerSocketChannel.open();
            listener.bind(Net.anyPort(), 256);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            address = (InetSocketAddress) listener.getLocalAddress();
            thread = serve("nio-server", selector, spin, onKey, () -> stop);
        }

        private void onKey(SelectionKey key) {
            try {
                if (key.isAcceptable()) {
                    SocketChannel c;
                    while ((c = listener.accept()) != null) {
                        c.configureBlocking(false);
                        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        c.register(selector, SelectionKey.OP_READ);
                        accepted.incrementAndGet();
                        if (role == Role.GREET) {
                            one.clear();
                            while (one.hasRemaining()) c.write(one);
                        }
                    }
                    return;
                }
                if (!key.isReadable()) return;
                SocketChannel c = (SocketChannel) key.channel();
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    key.cancel();
                    c.close();
                    return;
                }
                switch (role) {
                    case ECHO -> {
                        buf.flip();
                        while (buf.hasRemaining()) c.write(buf);   // 64 bytes: the socket buffer takes them
                    }
                    case SINK -> {
                        received += n;
                        if (received >= Net.BULK) {
                            received -= Net.BULK;
                            sinkSignal.fire();
                        }
                    }
                    case GREET -> { }
                }
            } catch (IOException e) {
                key.cancel();
                Net.closeQuietly(key.channel());
            }
        }

        @Override
        public void close() throws IOException {
            stop = true;
            selector.wakeup();
            Net.join(thread);
            for (SelectionKey k : selector.keys()) Net.closeQuietly(k.channel());
            selector.close();
        }
    }

    /** A client channel on the benchmark thread's own selector. */
    static SocketChannel connect(InetSocketAddress to) throws IOException {
        SocketChannel c = SocketChannel.open();
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.connect(to);
        c.configureBlocking(false);
        return c;
    }

    /** A client on the benchmark thread's own selector: writes the message, selects until the reply is all in. */
    abstract static class SelectorClient implements BenchOp {
        final boolean spin;
        final Selector selector;
        private final ByteBuffer message = Net.pattern(Net.MESSAGE);
        private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        private final Consumer<SelectionKey> onKey = this::onKey;
        ByteChannel client;   // set and registered for OP_READ by the subclass
        private int received;

        SelectorClient(boolean spin) throws IOException {
            this.spin = spin;
            selector = Selector.open();
        }

        private void onKey(SelectionKey k) {
            try {
                in.clear();
                int n = client.read(in);
                if (n < 0) throw new IOException("server closed the connection");
                received += n;
            } catch (IOException e) {
                throw Net.unchecked(e);
            }
        }

        @Override
        public void op() throws Exception {
            received = 0;
            message.clear();
            while (message.hasRemaining()) client.write(message);
            while (received < Net.MESSAGE) select(selector, spin, onKey);
        }
    }

    static final class PingPong extends SelectorClient {
        private final Server server;
        private final IdlePeers idlePeers;

        PingPong(boolean spin, int idle) throws Exception {
            super(spin);
            server = new Server(spin, Role.ECHO, null);
            SocketChannel c = connect(server.address);
            c.register(selector, SelectionKey.OP_READ);
            client = c;
            idlePeers = idle > 0 ? IdlePeers.open(server.address, idle, server.accepted::get, 1) : null;
        }

        @Override
        public void close() throws Exception {
            client.close();
            selector.close();
            Net.closeQuietly(idlePeers);
            server.close();
        }
    }

    static final class UdpPingPong extends SelectorClient {
        private final Selector serverSelector;
        private final DatagramChannel server;
        private final Thread serverThread;
        private volatile boolean stop;
        private final ByteBuffer serverBuf = ByteBuffer.allocateDirect(65536);
        private final Consumer<SelectionKey> onServerKey = this::onServerKey;

        UdpPingPong(boolean spin) throws IOException {
            super(spin);
            serverSelector = Selector.open();
            server = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
            server.bind(Net.anyPort());
            server.configureBlocking(false);
            server.register(serverSelector, SelectionKey.OP_READ);
            serverThread = serve("nio-udp-server", serverSelector, spin, onServerKey, () -> stop);
            DatagramChannel c = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
            c.bind(Net.anyPort());
            c.connect(server.getLocalAddress());
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ);
            client = c;
        }

        private void onServerKey(SelectionKey k) {
            try {
                serverBuf.clear();
                SocketAddress from = server.receive(serverBuf);
                if (from == null) return;
                serverBuf.flip();
                server.send(serverBuf, from);
            } catch (IOException e) {
                if (!stop) e.printStackTrace();
            }
        }

        @Override
        public void close() throws Exception {
            stop = true;
            serverSelector.wakeup();
            Net.join(serverThread);
            client.close();
            selector.close();
            server.close();
            serverSelector.close();
        }
    }

    /**
     * 64 MiB from the benchmark thread: non-blocking writes of 64 KiB from one buffer; when the socket buffer is
     * full, wait for OP_WRITE on the client selector. Ends when the server loop has counted every byte.
     */
    static final class Bulk implements BenchOp {
        private final Signal signal = new Signal();
        private final Server server;
        private final Selector selector;
        private final SocketChannel client;
        private final SelectionKey key;
        private final boolean spin;
        private final ByteBuffer chunk = Net.pattern(Net.CHUNK);
        private final Consumer<SelectionKey> noop = k -> { };

        Bulk(boolean spin) throws IOException {
            this.spin = spin;
            server = new Server(spin, Role.SINK, signal);
            selector = Selector.open();
            client = connect(server.address);
            key = client.register(selector, 0);
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            long remaining = Net.BULK;
            chunk.clear();
            while (remaining > 0) {
                if (!chunk.hasRemaining()) chunk.clear().limit((int) Math.min(Net.CHUNK, remaining));
                int n = client.write(chunk);
                remaining -= n;
                if (n == 0) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    if (spin) {
                        while (selector.selectNow(noop) == 0) Thread.onSpinWait();
                    } else {
                        selector.select(noop);
                    }
                    key.interestOps(0);
                }
            }
            signal.await();
        }

        @Override
        public void close() throws Exception {
            client.close();
            selector.close();
            server.close();
        }
    }

    /** Connect (non-blocking, OP_CONNECT), read the server's greeting byte (OP_READ), close. */
    static final class Connect implements BenchOp {
        private final Server server;
        private final Selector selector;
        private final boolean spin;
        private final ByteBuffer in = ByteBuffer.allocateDirect(16);
        private final Consumer<SelectionKey> noop = k -> { };

        Connect(boolean spin) throws IOException {
            this.spin = spin;
            server = new Server(spin, Role.GREET, null);
            selector = Selector.open();
        }

        private void await() throws IOException {
            if (spin) {
                while (selector.selectNow(noop) == 0) Thread.onSpinWait();
            } else {
                while (selector.select(noop) == 0) { }
            }
        }

        @Override
        public void op() throws Exception {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey k;
            if (c.connect(server.address)) {
                k = c.register(selector, SelectionKey.OP_READ);
            } else {
                k = c.register(selector, SelectionKey.OP_CONNECT);
                do {
                    await();
                } while (!c.finishConnect());
                k.interestOps(SelectionKey.OP_READ);
            }
            in.clear();
            while (c.read(in) == 0) await();
            if (in.position() != 1) throw new IOException("no greeting");
            k.cancel();
            c.close();
        }

        @Override
        public void close() throws Exception {
            selector.close();
            server.close();
        }
    }

    /** A selector thread with a task queue: execute = queue + Selector.wakeup() (spin: queue only). */
    static final class TaskLoop implements Executor, AutoCloseable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final Thread thread;
        private final boolean spin;
        private volatile boolean stop;

        TaskLoop(boolean spin) throws IOException {
            this.spin = spin;
            selector = Selector.open();
            thread = Thread.ofPlatform().name("nio-exec").daemon(true).start(this::run);
        }

        private void run() {
            try {
                while (!stop) {
                    if (spin) {
                        selector.selectNow();
                    } else {
                        selector.select();
                    }
                    Runnable r;
                    while ((r = tasks.poll()) != null) r.run();
                }
            } catch (IOException e) {
                if (!stop) e.printStackTrace();
            }
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
            if (!spin) selector.wakeup();
        }

        @Override
        public void close() throws Exception {
            stop = true;
            selector.wakeup();
            Net.join(thread);
            selector.close();
        }
    }
}
