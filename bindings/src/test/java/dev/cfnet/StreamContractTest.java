package dev.cfnet;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.posix.Errno;
import dev.cfnet.posix.Os;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** TCP: connect outcomes, data, end of stream, reset, half-close, the callback order of one dispatch. */
class StreamContractTest extends BackendTestBase {
    static final Set<CallBackType> CDW = EnumSet.of(CONNECT, DATA, WRITE);

    Socket tcp(Recorder r) throws Exception {
        return tcp(r, CDW);
    }

    Socket tcp(Recorder r, Set<CallBackType> types) throws Exception {
        return closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, types, r));
    }

    @Test
    void asyncConnectFiresConnectedThenWritableOnTheLoopThread() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r);
            s.connect(server.address(), Duration.ZERO);
            SocketEvent.Connected c = r.next(SocketEvent.Connected.class);
            assertTrue(c.succeeded());
            assertEquals(CallBackType.CONNECT, c.type());
            r.next(SocketEvent.Writable.class);
            r.assertQuiet();
            assertEquals(server.address(), s.peerAddress().orElseThrow());
            assertEquals(Peers.v4(), s.localAddress().orElseThrow().getAddress());
            assertSame(SocketEvent.Connected.SUCCESS, c);
        }
    }

    @Test
    void newSocketsHaveCfsDefaultFlags() throws Exception {
        Socket data = tcp(new Recorder());
        assertEquals(0x83, data.flagBits());
        assertEquals(EnumSet.of(SocketFlag.AUTO_REENABLE_DATA, SocketFlag.CLOSE_ON_INVALIDATE), data.flags());
        Socket read = tcp(new Recorder(), EnumSet.of(CallBackType.READ, WRITE));
        assertEquals(0x81, read.flagBits());
        Socket accept = tcp(new Recorder(), EnumSet.of(CallBackType.ACCEPT));
        assertEquals(0x82, accept.flagBits());
        assertEquals(EnumSet.of(SocketFlag.AUTO_REENABLE_ACCEPT, SocketFlag.CLOSE_ON_INVALIDATE), accept.flags());
        Socket writeOnly = tcp(new Recorder(), EnumSet.of(WRITE));
        assertEquals(0x80, writeOnly.flagBits());
        assertEquals(CDW, data.callBackTypes());
    }

    @Test
    void refusedAsyncConnectReportsTheErrnoThenEndOfDataAndNoWrite() throws Exception {
        Recorder r = new Recorder();
        Socket s = tcp(r);
        s.connect(Peers.deadPort(), Duration.ZERO);
        SocketEvent.Connected c = r.next(SocketEvent.Connected.class);
        assertTrue(c.failed());
        SocketError e = c.error().orElseThrow();
        assertEquals(SocketError.Kind.CONNECTION_REFUSED, e.kind());
        if (Os.current() != Os.OTHER) {
            assertEquals(Errno.code(Os.current(), SocketError.Kind.CONNECTION_REFUSED), e.code());
        }
        Recorder.Ev end = r.nextOf(DATA);
        assertEquals(0, end.bytes().length, "after a failed connect the read side reports the end");
        r.assertQuiet();
        assertFalse(s.isValid(), "empty DATA invalidates a stream socket");
    }

    @Test
    void refusedWaitingConnectThrowsAndInvalidates() throws Exception {
        Recorder r = new Recorder();
        Socket s = tcp(r);
        SocketErrorException e = assertThrows(SocketErrorException.class,
                () -> s.connect(Peers.deadPort(), Duration.ofSeconds(5)));
        assertEquals(SocketError.Kind.CONNECTION_REFUSED, e.kind());
        assertFalse(s.isValid());
        r.assertQuiet();
    }

    @Test
    void waitingConnectTimesOutAgainstAFullBacklog() throws Exception {
        try (FullBacklog full = new FullBacklog()) {
            Recorder r = new Recorder();
            Socket s = tcp(r);
            long t0 = System.nanoTime();
            SocketErrorException e = assertThrows(SocketErrorException.class,
                    () -> s.connect(full.address(), Duration.ofMillis(300)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(SocketError.Kind.TIMED_OUT, e.kind());
            assertTrue(ms >= 250 && ms < 5000, "timed out after " + ms + " ms");
            assertFalse(s.isValid());
            r.assertQuiet();
        }
    }

    @Test
    void asyncConnectToAFullBacklogStaysPendingAndInvalidateSilencesIt() throws Exception {
        try (FullBacklog full = new FullBacklog()) {
            Recorder r = new Recorder();
            Socket s = tcp(r);
            s.connect(full.address(), Duration.ZERO);
            r.assertQuiet(Duration.ofMillis(400));
            s.invalidate();
            r.assertQuiet(Duration.ofMillis(200));
        }
    }

    @Test
    void waitingConnectSucceedsAndConnectStillFiresOnTheLoop() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r);
            s.connect(server.address(), Duration.ofSeconds(5));
            assertTrue(s.peerAddress().isPresent());
            assertTrue(r.next(SocketEvent.Connected.class).succeeded());
            r.next(SocketEvent.Writable.class);
        }
    }

    @Test
    void connectMisuseIsRefusedClearly() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r);
            s.connect(server.address(), Duration.ofSeconds(5));
            assertThrows(IllegalStateException.class, () -> s.connect(server.address(), Duration.ZERO));
            assertThrows(IllegalArgumentException.class,
                    () -> s.connect(InetSocketAddress.createUnresolved("example.invalid", 25), Duration.ZERO));
            // The state comes first: a connected socket is not invalidated by a wrong address (see SeedShapeContractTest)
            assertThrows(IllegalStateException.class,
                    () -> s.connect(new InetSocketAddress(Peers.v6(), 25), Duration.ZERO));
            assertTrue(s.isValid());
            assertThrows(NullPointerException.class, () -> s.connect(null, Duration.ZERO));
            s.invalidate();
            assertThrows(IllegalStateException.class, () -> s.connect(server.address(), Duration.ZERO));
        }
    }

    @Test
    void dataArrivesWithThePeerAddressAndExactBytes() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r);
            s.connect(server.address(), Duration.ZERO);
            r.next(SocketEvent.Connected.class);
            r.next(SocketEvent.Writable.class);
            Peers.write(server.peer(), "220 hello\r\n".getBytes(StandardCharsets.US_ASCII));
            Recorder.Ev ev = r.nextOf(DATA);
            assertEquals("220 hello\r\n", new String(ev.bytes(), StandardCharsets.US_ASCII));
            assertEquals(server.address(), ev.address());
            SocketEvent.Data d = (SocketEvent.Data) ev.event();
            assertTrue(d.error().isEmpty());
        }
    }

    @Test
    void streamDataComesInChunksOfAtMost32KiB() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r, EnumSet.of(DATA));
            s.connect(server.address(), Duration.ofSeconds(5));
            byte[] sent = Peers.pattern(200_000, 7);
            Peers.write(server.peer(), sent);
            List<Integer> sizes = new ArrayList<>();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            while (got.size() < sent.length) {
                Recorder.Ev ev = r.nextOf(DATA);
                assertTrue(ev.bytes().length > 0);
                sizes.add(ev.bytes().length);
                got.writeBytes(ev.bytes());
            }
            assertArrayEquals(sent, got.toByteArray());
            assertTrue(sizes.stream().allMatch(n -> n <= 32768), "chunk sizes " + sizes);
            assertTrue(sizes.stream().anyMatch(n -> n == 32768), "a full chunk is 32768 bytes: " + sizes);
        }
    }

    @Test
    void endOfStreamIsEmptyDataThenTheSocketIsInvalid() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r, EnumSet.of(DATA));
            s.connect(server.address(), Duration.ofSeconds(5));
            java.net.Socket peer = server.peer();
            Peers.write(peer, "bye".getBytes(StandardCharsets.US_ASCII));
            peer.close();
            assertArrayEquals("bye".getBytes(StandardCharsets.US_ASCII), r.readData(3));
            Recorder.Ev end = r.nextOf(DATA);
            assertEquals(0, end.bytes().length);
            SocketEvent.Data d = (SocketEvent.Data) end.event();
            assertTrue(d.isEmpty());
            assertTrue(d.error().isEmpty(), "a clean end carries no error");
            r.assertQuiet();
            assertFalse(s.isValid());
        }
    }

    @Test
    void resetIsEmptyDataWithTheResetError() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r, EnumSet.of(DATA));
            s.connect(server.address(), Duration.ofSeconds(5));
            java.net.Socket peer = server.peer();
            peer.setSoLinger(true, 0);
            peer.close();
            Recorder.Ev end = r.nextOf(DATA);
            assertEquals(0, end.bytes().length);
            SocketEvent.Data d = (SocketEvent.Data) end.event();
            if (backend == Backend.NIO) {
                assertEquals(SocketError.Kind.CONNECTION_RESET, d.error().orElseThrow().kind());
            }
            r.assertQuiet();
            assertFalse(s.isValid());
        }
    }

    @Test
    void halfCloseOurSideThePeerSeesEndAndCanStillSend() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r, EnumSet.of(DATA));
            s.connect(server.address(), Duration.ofSeconds(5));
            java.net.Socket peer = server.peer();
            s.send("last".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
            s.shutdownOutput();
            InputStream in = peer.getInputStream();
            assertArrayEquals("last".getBytes(StandardCharsets.US_ASCII), in.readNBytes(4));
            assertEquals(-1, in.read(), "peer reads end of stream");
            Peers.write(peer, "still here".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still here", new String(r.readData(10), StandardCharsets.US_ASCII));
            assertTrue(s.isValid());
        }
    }

    @Test
    void halfCloseThePeerSideEndsTheDataSocket() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r, EnumSet.of(DATA));
            s.connect(server.address(), Duration.ofSeconds(5));
            java.net.Socket peer = server.peer();
            peer.shutdownOutput();
            assertEquals(0, r.nextOf(DATA).bytes().length);
            eventually(() -> !s.isValid(), "CF invalidates a stream socket on its first empty DATA");
            assertEquals(-1, peer.getInputStream().read(), "invalidate closed our side");
        }
    }

    @Test
    void oneDispatchOrdersConnectThenDataThenWrite() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            java.util.concurrent.CompletableFuture<List<CallBackType>> order = new java.util.concurrent.CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                RunLoop own = RunLoop.current(backend);
                try {
                    List<CallBackType> seen = new ArrayList<>();
                    Socket s = Socket.create(own, StandardProtocolFamily.INET, SocketType.STREAM, CDW,
                            (sock, e) -> seen.add(e.type()));
                    s.connect(server.address(), Duration.ofSeconds(5));   // the loop is not running yet
                    Peers.write(server.peer(), "220 ready\r\n".getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(200);                                     // the greeting is there before the first pass
                    own.runInMode(RunLoop.Mode.DEFAULT, Duration.ofSeconds(5), true);
                    order.complete(seen);
                    s.invalidate();
                } catch (Throwable t) {
                    order.completeExceptionally(t);
                } finally {
                    own.close();
                }
            });
            assertEquals(List.of(CONNECT, DATA, WRITE), order.get(20, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void socketOptionsAndAddresses() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Socket s = tcp(new Recorder());
            assertTrue(s.localAddress().isEmpty() || s.localAddress().get().getPort() == 0);
            assertTrue(s.peerAddress().isEmpty());
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
            assertEquals(0, s.getOption(StandardSocketOptions.SO_LINGER));
            s.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));
            s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(s.getOption(StandardSocketOptions.SO_KEEPALIVE));
            s.connect(server.address(), Duration.ofSeconds(5));
            assertEquals(server.address(), s.peerAddress().orElseThrow());
            assertTrue(s.localAddress().orElseThrow().getPort() > 0);
            assertEquals(StandardProtocolFamily.INET, s.family());
            assertEquals(SocketType.STREAM, s.type());
            assertTrue(s.toString().contains("STREAM"));
        }
    }

    @Test
    void ipv6LoopbackStream() throws Exception {
        assumeTrue(Peers.ipv6Loopback(), "no IPv6 loopback on this machine");
        try (Peers.Server server = new Peers.Server(Peers.v6(), 50).acceptOne()) {
            Recorder r = new Recorder();
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET6, SocketType.STREAM, CDW, r));
            s.connect(server.address(), Duration.ZERO);
            assertTrue(r.next(SocketEvent.Connected.class).succeeded());
            r.next(SocketEvent.Writable.class);
            Peers.write(server.peer(), "v6".getBytes(StandardCharsets.US_ASCII));
            Recorder.Ev ev = r.nextOf(DATA);
            assertEquals("v6", new String(ev.bytes(), StandardCharsets.US_ASCII));
            assertEquals(Peers.v6(), ev.address().getAddress());
        }
    }

    @Test
    void ipv4AddressOnAnInet6SocketConnectsMapped() throws Exception {
        assumeTrue(Peers.ipv6Loopback(), "no IPv6 on this machine");
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET6, SocketType.STREAM, CDW, r));
            s.connect(server.address(), Duration.ZERO);
            assertTrue(r.next(SocketEvent.Connected.class).succeeded());
        }
    }

    @Test
    void sendDeliversEveryByteToAReadingPeer() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Socket s = tcp(new Recorder(), EnumSet.of(DATA));
            s.connect(server.address(), Duration.ofSeconds(5));
            java.net.Socket peer = server.peer();
            byte[] big = Peers.pattern(1 << 20, 3);
            java.util.concurrent.CompletableFuture<byte[]> read = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return peer.getInputStream().readNBytes(big.length);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
            assertEquals(big.length, s.send(ByteBuffer.wrap(big), null, Duration.ofSeconds(10)));
            assertArrayEquals(big, read.get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void sendOnAFullBufferTimesOutSayingHowMuchWentOut() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Socket s = tcp(new Recorder(), EnumSet.of(DATA));
            s.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            s.connect(server.address(), Duration.ofSeconds(5));
            server.peer().setReceiveBufferSize(16 * 1024);   // the peer never reads
            byte[] chunk = new byte[64 * 1024];
            SocketErrorException e = null;
            long sent = 0;
            for (int i = 0; i < 200 && e == null; i++) {
                try {
                    sent += s.send(ByteBuffer.wrap(chunk), null, Duration.ofMillis(200));
                } catch (SocketErrorException x) {
                    e = x;
                }
            }
            assertTrue(e != null, "the buffers never filled after " + sent + " bytes");
            assertEquals(SocketError.Kind.TIMED_OUT, e.kind());
            assertTrue(e.bytesTransferred() >= 0 && e.bytesTransferred() < chunk.length);
            SocketErrorException now = assertThrows(SocketErrorException.class,
                    () -> s.send(ByteBuffer.wrap(chunk), null, Duration.ZERO));
            assertEquals(SocketError.Kind.WOULD_BLOCK, now.kind(), "a zero timeout does not wait");
        }
    }

    @Test
    void sendOnAnInvalidatedOrUnconnectedSocketFailsClearly() throws Exception {
        Socket s = tcp(new Recorder());
        SocketErrorException notConnected = assertThrows(SocketErrorException.class,
                () -> s.send(new byte[] {1}, Duration.ZERO));
        assertEquals(SocketError.Kind.NOT_CONNECTED, notConnected.kind());
        s.invalidate();
        SocketErrorException closed = assertThrows(SocketErrorException.class,
                () -> s.send(new byte[] {1}, Duration.ZERO));
        assertEquals(SocketError.Kind.CLOSED, closed.kind());
        assertThrows(IllegalArgumentException.class,
                () -> s.send(ByteBuffer.allocate(1), new InetSocketAddress(Peers.v4(), 9), Duration.ZERO));
    }

    /** A listener whose accept queue is full: the kernel drops further SYNs, so connects hang. */
    static final class FullBacklog implements AutoCloseable {
        final ServerSocket server;
        final List<java.net.Socket> fillers = new ArrayList<>();

        FullBacklog() throws Exception {
            server = new ServerSocket(0, 1, Peers.v4());
            for (int i = 0; i < 16; i++) {
                java.net.Socket c = new java.net.Socket();
                try {
                    c.connect(server.getLocalSocketAddress(), 200);
                    fillers.add(c);
                } catch (java.net.SocketTimeoutException full) {
                    c.close();
                    return;
                }
            }
            throw new IllegalStateException("could not fill the backlog of " + server);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws Exception {
            for (java.net.Socket c : fillers) c.close();
            server.close();
        }
    }
}
