package dev.cfnet;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Listening sockets with ACCEPT, wrapping accepted connections, and UDP. */
class ListenerDatagramContractTest extends BackendTestBase {

    Socket listener(Recorder r) throws Exception {
        Socket l = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(ACCEPT), r));
        l.setAddress(new InetSocketAddress(Peers.v4(), 0));
        return l;
    }

    Socket udp(Recorder r) throws Exception {
        Socket u = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                EnumSet.of(DATA), r));
        u.setAddress(new InetSocketAddress(Peers.v4(), 0));
        return u;
    }

    @Test
    void listenerAcceptsAndTheWrappedConnectionTalksBothWays() throws Exception {
        Recorder conn = new Recorder();
        CompletableFuture<Socket> wrapped = new CompletableFuture<>();
        Recorder acc = new Recorder((s, e) -> {
            if (e instanceof SocketEvent.Accepted a) {
                wrapped.complete(Socket.wrap(s.loop(), a.handle(), EnumSet.of(DATA, WRITE), conn));
            }
        });
        Socket l = listener(acc);
        InetSocketAddress at = l.localAddress().orElseThrow();
        assertTrue(at.getPort() > 0);
        try (java.net.Socket client = new java.net.Socket(at.getAddress(), at.getPort())) {
            Recorder.Ev ev = acc.nextOf(ACCEPT);
            assertEquals(client.getLocalPort(), ev.address().getPort(), "the event carries the peer address");
            Socket s = closeLater(wrapped.get(5, TimeUnit.SECONDS));
            conn.next(SocketEvent.Writable.class);
            s.send("from server".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
            InputStream in = client.getInputStream();
            assertEquals("from server", new String(in.readNBytes(11), StandardCharsets.US_ASCII));
            Peers.write(client, "from client".getBytes(StandardCharsets.US_ASCII));
            assertEquals("from client", new String(conn.readData(11), StandardCharsets.US_ASCII));
            assertEquals(client.getLocalPort(), s.peerAddress().orElseThrow().getPort());
        }
    }

    @Test
    void anAcceptedConnectionNobodyWrapsIsClosed() throws Exception {
        Recorder acc = new Recorder();
        Socket l = listener(acc);
        InetSocketAddress at = l.localAddress().orElseThrow();
        try (java.net.Socket client = new java.net.Socket(at.getAddress(), at.getPort())) {
            client.setSoTimeout(5000);
            SocketEvent.Accepted a = (SocketEvent.Accepted) acc.nextOf(ACCEPT).event();
            assertEquals(-1, client.getInputStream().read(), "unwrapped connection is closed after the callback");
            assertTrue(!a.handle().isOpen());
        }
    }

    @Test
    void listenerKeepsAcceptingUntilDisabled() throws Exception {
        Recorder acc = new Recorder();
        Socket l = listener(acc);
        assertEquals(0x82, l.flagBits());
        InetSocketAddress at = l.localAddress().orElseThrow();
        java.net.Socket[] clients = new java.net.Socket[5];
        for (int i = 0; i < clients.length; i++) clients[i] = new java.net.Socket(at.getAddress(), at.getPort());
        for (int i = 0; i < clients.length; i++) acc.nextOf(ACCEPT);
        l.disableCallBacks(ACCEPT);
        loop.submit(() -> null).get(5, TimeUnit.SECONDS);
        try (java.net.Socket late = new java.net.Socket(at.getAddress(), at.getPort())) {
            acc.assertQuiet();
            l.enableCallBacks(ACCEPT);
            acc.nextOf(ACCEPT);
        }
        for (java.net.Socket c : clients) c.close();
    }

    @Test
    void bindingATakenAddressFailsWithAddressInUse() throws Exception {
        Socket first = listener(new Recorder());
        Socket second = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(ACCEPT), new Recorder()));
        SocketErrorException e = assertThrows(SocketErrorException.class,
                () -> second.setAddress(first.localAddress().orElseThrow()));
        assertEquals(SocketError.Kind.ADDRESS_IN_USE, e.kind());
        assertTrue(second.isValid(), "a failed bind leaves the socket usable");
    }

    @Test
    void datagramsGoBothWaysWithTheirSourceAddresses() throws Exception {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        Socket a = udp(ra);
        Socket b = udp(rb);
        InetSocketAddress aAt = a.localAddress().orElseThrow();
        InetSocketAddress bAt = b.localAddress().orElseThrow();
        assertEquals(5, a.send(ByteBuffer.wrap("ping!".getBytes(StandardCharsets.US_ASCII)), bAt,
                Duration.ofSeconds(1)));
        Recorder.Ev got = rb.nextOf(DATA);
        assertEquals("ping!", new String(got.bytes(), StandardCharsets.US_ASCII));
        assertEquals(aAt, got.address());
        b.send(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)), got.address(), Duration.ofSeconds(1));
        Recorder.Ev back = ra.nextOf(DATA);
        assertEquals("pong", new String(back.bytes(), StandardCharsets.US_ASCII));
        assertEquals(bAt, back.address());
        // CFSocketSendData's shape: bytes, destination, timeout
        assertEquals(3, a.send("abc".getBytes(StandardCharsets.US_ASCII), bAt, Duration.ZERO));
        assertEquals("abc", new String(rb.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
        assertTrue(a.isValid() && b.isValid());
    }

    @Test
    void aLargeDatagramArrivesWholeInOneEvent() throws Exception {
        Recorder rb = new Recorder();
        Socket a = udp(new Recorder());
        Socket b = udp(rb);
        b.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 256 * 1024);
        byte[] big = Peers.pattern(60_000, 11);
        a.send(ByteBuffer.wrap(big), b.localAddress().orElseThrow(), Duration.ofSeconds(1));
        assertArrayEquals(big, rb.nextOf(DATA).bytes());
    }

    @Test
    void anEmptyDatagramIsEmptyDataAndTheSocketStaysValid() throws Exception {
        Recorder rb = new Recorder();
        Socket b = udp(rb);
        try (DatagramSocket peer = new DatagramSocket(0, Peers.v4())) {
            peer.send(new DatagramPacket(new byte[0], 0, b.localAddress().orElseThrow()));
            assertEquals(0, rb.nextOf(DATA).bytes().length);
            peer.send(new DatagramPacket(new byte[] {1}, 1, b.localAddress().orElseThrow()));
            assertEquals(1, rb.nextOf(DATA).bytes().length);
            assertTrue(b.isValid(), "datagram sockets have no end of stream");
        }
    }

    @Test
    void connectedDatagramSocketSendsWithoutAnAddress() throws Exception {
        Recorder r = new Recorder();
        try (DatagramSocket peer = new DatagramSocket(0, Peers.v4())) {
            peer.setSoTimeout(5000);
            Socket u = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                    EnumSet.of(DATA), r));
            u.connect((InetSocketAddress) peer.getLocalSocketAddress(), Duration.ZERO);
            u.send("hi".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(1));
            DatagramPacket p = new DatagramPacket(new byte[16], 16);
            peer.receive(p);
            assertEquals("hi", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            peer.send(new DatagramPacket("yo".getBytes(StandardCharsets.US_ASCII), 2, p.getSocketAddress()));
            assertEquals("yo", new String(r.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anUnboundDatagramSocketBindsOnFirstSendAndHearsTheReply() throws Exception {
        Recorder r = new Recorder();
        try (DatagramSocket peer = new DatagramSocket(0, Peers.v4())) {
            peer.setSoTimeout(5000);
            Socket u = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                    EnumSet.of(DATA), r));
            u.send(ByteBuffer.wrap(new byte[] {42}), (InetSocketAddress) peer.getLocalSocketAddress(),
                    Duration.ofSeconds(1));
            DatagramPacket p = new DatagramPacket(new byte[4], 4);
            peer.receive(p);
            peer.send(new DatagramPacket(new byte[] {43}, 1, p.getSocketAddress()));
            assertEquals(43, r.nextOf(DATA).bytes()[0]);
        }
    }

    @Test
    void datagramMisuseIsRefused() throws Exception {
        Socket u = udp(new Recorder());
        SocketErrorException e = assertThrows(SocketErrorException.class,
                () -> u.send(new byte[] {1}, Duration.ZERO));
        assertEquals(SocketError.Kind.NOT_CONNECTED, e.kind());
        assertThrows(UnsupportedOperationException.class, () -> u.write(ByteBuffer.allocate(1)));
        assertThrows(UnsupportedOperationException.class, () -> u.receive(ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class, () -> u.send(ByteBuffer.allocate(1),
                new InetSocketAddress(Peers.v4(), 0), Duration.ZERO));
    }

    @Test
    void readTypeDatagramSocketsReceiveWithTheirSource() throws Exception {
        Recorder r = new Recorder();
        Socket u = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.DATAGRAM,
                EnumSet.of(CallBackType.READ), r));
        u.setAddress(new InetSocketAddress(Peers.v4(), 0));
        try (DatagramSocket peer = new DatagramSocket(0, Peers.v4())) {
            peer.send(new DatagramPacket(new byte[] {5, 6}, 2, u.localAddress().orElseThrow()));
            r.next(SocketEvent.Readable.class);
            ByteBuffer dst = ByteBuffer.allocate(8);
            InetSocketAddress from = loop.submit(() -> u.receiveFrom(dst)).get(5, TimeUnit.SECONDS);
            assertNotNull(from);
            assertEquals(peer.getLocalPort(), from.getPort());
            assertEquals(2, dst.position());
            assertNull(loop.submit(() -> u.receiveFrom(ByteBuffer.allocate(8))).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void ipv6Datagrams() throws Exception {
        assumeTrue(Peers.ipv6Loopback(), "no IPv6 loopback on this machine");
        Recorder rb = new Recorder();
        Socket a = closeLater(Socket.create(loop, StandardProtocolFamily.INET6, SocketType.DATAGRAM,
                EnumSet.of(DATA), new Recorder()));
        Socket b = closeLater(Socket.create(loop, StandardProtocolFamily.INET6, SocketType.DATAGRAM,
                EnumSet.of(DATA), rb));
        a.setAddress(new InetSocketAddress(Peers.v6(), 0));
        b.setAddress(new InetSocketAddress(Peers.v6(), 0));
        a.send(ByteBuffer.wrap(new byte[] {6}), b.localAddress().orElseThrow(), Duration.ofSeconds(1));
        Recorder.Ev ev = rb.nextOf(DATA);
        assertEquals(6, ev.bytes()[0]);
        assertEquals(a.localAddress().orElseThrow(), ev.address());
    }
}
