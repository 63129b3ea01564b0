package dev.cfnet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Plain java.net peers on loopback for the tests to talk to. */
final class Peers {
    private Peers() {
    }

    static InetAddress v4() {
        return InetAddress.getLoopbackAddress();
    }

    static InetAddress v6() {
        try {
            return InetAddress.getByName("::1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A listener on 127.0.0.1 whose first accepted connection completes the future. */
    static final class Server implements AutoCloseable {
        final ServerSocket server;
        final CompletableFuture<Socket> accepted = new CompletableFuture<>();

        Server() throws IOException {
            this(v4(), 50);
        }

        Server(InetAddress address, int backlog) throws IOException {
            server = new ServerSocket(0, backlog, address);
        }

        /** Starts accepting one connection in the background. */
        Server acceptOne() {
            Thread.ofPlatform().daemon().name("peer-accept").start(() -> {
                try {
                    accepted.complete(server.accept());
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            });
            return this;
        }

        Socket peer() throws Exception {
            Socket s = accepted.get(10, TimeUnit.SECONDS);
            s.setSoTimeout(10_000);
            return s;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            if (accepted.isDone() && !accepted.isCompletedExceptionally()) {
                accepted.join().close();
            }
        }
    }

    static byte[] readN(InputStream in, int n) throws IOException {
        return in.readNBytes(n);
    }

    static void write(Socket s, byte[] b) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(b);
        out.flush();
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        int x = seed * 2654435761L > 0 ? seed : 1;
        for (int i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }

    /** An address on loopback where nobody listens: bind a port, then free it. */
    static InetSocketAddress deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, v4())) {
            return new InetSocketAddress(v4(), s.getLocalPort());
        }
    }

    /**
     * Listeners on 127.0.0.1 and ::1 at the same port, in that order, or null when no port was free on both after 20
     * tries.
     */
    static ServerSocket[] dualStack(int v4Backlog, int v6Backlog) throws IOException {
        for (int i = 0; i < 20; i++) {
            ServerSocket v4 = new ServerSocket(0, v4Backlog, v4());
            try {
                return new ServerSocket[] {v4, new ServerSocket(v4.getLocalPort(), v6Backlog, v6())};
            } catch (IOException taken) {
                v4.close();
            }
        }
        return null;
    }

    /**
     * Makes {@code listener} (made with backlog 1, never accepting) drop the SYNs that come to it: connections fill
     * its accept queue, and then the kernel drops a SYN rather than answer it, as a firewall's DROP rule would. The
     * connections returned hold the queue full; close them to undo. Null when the queue never filled (a kernel that
     * answers a full queue otherwise).
     */
    static List<Socket> blackHole(ServerSocket listener) {
        List<Socket> fill = new ArrayList<>();
        InetSocketAddress at = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(at, 300);
                fill.add(s);
            } catch (IOException dropped) {
                closeAll(List.of(s));
                return fill;
            }
        }
        closeAll(fill);
        return null;
    }

    static void closeAll(List<? extends java.io.Closeable> all) {
        for (var c : all) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a test peer; nothing to do
            }
        }
    }

    static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, v6())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
