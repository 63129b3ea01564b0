package dev.cfnet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Plain blocking java.net sockets: a server thread, and the client on the benchmark thread. The execute scenario's
 * counterpart is a single-thread {@link ThreadPoolExecutor}.
 */
final class BlockingImpls {
    private BlockingImpls() {
    }

    static BenchOp create(Scenario scenario) throws Exception {
        return switch (scenario) {
            case TCP_PINGPONG -> new PingPong();
            case UDP_PINGPONG -> new UdpPingPong();
            case BULK -> new Bulk();
            case TLS_PINGPONG, TLS_BULK -> throw new IllegalArgumentException("java.net has no TLS row");
            case CONNECT -> new Connect();
            case EXECUTE -> {
                ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(1024),
                        r -> Thread.ofPlatform().name("executor").daemon(true).unstarted(r));
                yield new Handoff(executor, executor::shutdownNow);
            }
            case SCALING -> throw new IllegalArgumentException("blocking sockets have no loop to register idle "
                    + "connections on");
        };
    }

    /** A one-connection-at-a-time server thread running {@code serve} for each accepted socket. */
    abstract static class Server implements AutoCloseable {
        final ServerSocket listener;
        final InetSocketAddress address;
        private final Thread thread;
        private volatile boolean stop;
        private volatile Socket current;

        Server() throws IOException {
            listener = new ServerSocket();
            listener.bind(Net.anyPort(), 256);
            address = (InetSocketAddress) listener.getLocalSocketAddress();
            thread = Thread.ofPlatform().name("blocking-server").daemon(true).start(this::run);
        }

        private void run() {
            while (!stop) {
                try (Socket s = listener.accept()) {
                    current = s;
                    s.setTcpNoDelay(true);
                    serve(s, s.getInputStream(), s.getOutputStream());
                } catch (IOException e) {
                    if (!stop) e.printStackTrace();
                }
            }
        }

        abstract void serve(Socket s, InputStream in, OutputStream out) throws IOException;

        @Override
        public void close() throws IOException {
            stop = true;
            listener.close();
            Net.closeQuietly(current);
            Net.join(thread);
        }
    }

    static Socket connect(InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(to);
        return s;
    }

    static final class PingPong implements BenchOp {
        private final Server server;
        private final Socket client;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] message = Net.patternArray(Net.MESSAGE);
        private final byte[] reply = new byte[Net.MESSAGE];

        PingPong() throws IOException {
            server = new Server() {
                @Override
                void serve(Socket s, InputStream in, OutputStream out) throws IOException {
                    byte[] buf = new byte[Net.MESSAGE];
                    while (in.readNBytes(buf, 0, Net.MESSAGE) == Net.MESSAGE) out.write(buf);
                }
            };
            client = connect(server.address);
            in = client.getInputStream();
            out = client.getOutputStream();
        }

        @Override
        public void op() throws Exception {
            out.write(message);
            if (in.readNBytes(reply, 0, Net.MESSAGE) != Net.MESSAGE) throw new IOException("server closed");
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
        }
    }

    static final class UdpPingPong implements BenchOp {
        private final DatagramSocket server;
        private final Thread serverThread;
        private final DatagramSocket client;
        private final DatagramPacket out;
        private final DatagramPacket in;

        UdpPingPong() throws IOException {
            server = new DatagramSocket(Net.anyPort());
            serverThread = Thread.ofPlatform().name("blocking-udp-server").daemon(true).start(() -> {
                DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
                try {
                    for (;;) {
                        p.setLength(65536);
                        server.receive(p);
                        server.send(p);   // back to p's source address
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            client = new DatagramSocket(Net.anyPort());
            client.connect(server.getLocalSocketAddress());
            out = new DatagramPacket(Net.patternArray(Net.MESSAGE), Net.MESSAGE);
            in = new DatagramPacket(new byte[65536], 65536);
        }

        @Override
        public void op() throws Exception {
            client.send(out);
            in.setLength(65536);
            client.receive(in);
            if (in.getLength() != Net.MESSAGE) throw new IOException("short datagram");
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            Net.join(serverThread);
        }
    }

    static final class Bulk implements BenchOp {
        private final Signal signal = new Signal();
        private final Server server;
        private final Socket client;
        private final OutputStream out;
        private final byte[] chunk = Net.patternArray(Net.CHUNK);

        Bulk() throws IOException {
            server = new Server() {
                @Override
                void serve(Socket s, InputStream in, OutputStream out) throws IOException {
                    byte[] buf = new byte[64 * 1024];
                    long received = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        received += n;
                        if (received >= Net.BULK) {
                            received -= Net.BULK;
                            signal.fire();
                        }
                    }
                }
            };
            client = connect(server.address);
            out = client.getOutputStream();
        }

        @Override
        public void op() throws Exception {
            signal.reset();
            for (long sent = 0; sent < Net.BULK; sent += Net.CHUNK) out.write(chunk);
            signal.await();
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
        }
    }

    static final class Connect implements BenchOp {
        private final Server server;

        Connect() throws IOException {
            server = new Server() {
                @Override
                void serve(Socket s, InputStream in, OutputStream out) throws IOException {
                    out.write(1);
                    while (in.read() >= 0) { }
                }
            };
        }

        @Override
        public void op() throws Exception {
            try (Socket s = connect(server.address)) {
                if (s.getInputStream().read() < 0) throw new IOException("no greeting");
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }
}
