package dev.cfnet;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.READ;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * What Socket's Javadoc ("Connecting and writing") promises about writing before a connection is up and about a
 * failed asynchronous connect, for the sockets other suites do not cover (DATA after a refused connect is in
 * StreamContractTest).
 */
class ConnectingContractTest extends BackendTestBase {

    Socket tcp(Recorder r, CallBackType first, CallBackType... more) throws Exception {
        return closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(first, more),
                r));
    }

    @Test
    void bytesWrittenBeforeAnAsynchronousConnectGoOutOnceItIsUp() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = tcp(r, CONNECT, WRITE);
            byte[] hello = "written before connect".getBytes(StandardCharsets.US_ASCII);
            assertEquals(hello.length, s.write(ByteBuffer.wrap(hello)), "queued whole");
            s.connect(server.address(), Duration.ZERO);
            assertTrue(r.next(SocketEvent.Connected.class).succeeded());
            assertArrayEquals(hello, server.peer().getInputStream().readNBytes(hello.length));
            r.next(SocketEvent.Writable.class);
            assertEquals(0, s.queuedBytes(), "WRITE fires once the queue is empty");
        }
    }

    @Test
    void anAsynchronousConnectRightAfterCreateDispatchesWithoutAnError() throws Exception {
        // The loop registers a new socket while its creator may be connecting it already; nothing in between may
        // go wrong (the NIO loop saw an unconnected channel as connectable and logged a failed dispatch).
        try (LogCapture log = LogCapture.cfnet();
             java.net.ServerSocket server = new java.net.ServerSocket(0, 1000, Peers.v4())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) server.accept().close();
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            java.net.InetSocketAddress to = (java.net.InetSocketAddress) server.getLocalSocketAddress();
            for (int i = 0; i < 1000; i++) {
                Recorder r = new Recorder();
                Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(CONNECT), r);
                s.connect(to, Duration.ZERO);
                assertTrue(r.next(SocketEvent.Connected.class).succeeded(), "connect " + i);
                s.invalidate();
            }
            server.close();
            acceptor.join(5000);
            assertEquals(java.util.List.of(), log.records().stream().map(x -> x.getLevel() + " " + x.getMessage()
                    + " " + x.getThrown()).toList(), "nothing logged");
        }
    }

    @Test
    void aFailedAsynchronousConnectLeavesASocketWithoutDataValidUntilInvalidated() throws Exception {
        Recorder r = new Recorder();
        Socket s = tcp(r, CONNECT, WRITE);
        s.connect(Peers.deadPort(), Duration.ZERO);
        SocketEvent.Connected c = r.next(SocketEvent.Connected.class);
        assertEquals(SocketError.Kind.CONNECTION_REFUSED, c.error().orElseThrow().kind());
        r.assertQuiet();   // no WRITE after a failed connect, and nothing else
        assertTrue(s.isValid(), "valid until invalidated");
        assertEquals(SocketError.Kind.NOT_CONNECTED, assertThrows(SocketErrorException.class,
                () -> s.write(ByteBuffer.wrap(new byte[1]))).kind());
        assertEquals(SocketError.Kind.NOT_CONNECTED, assertThrows(SocketErrorException.class,
                () -> s.send(new byte[1], Duration.ZERO)).kind());
        assertThrows(IllegalStateException.class, () -> s.connect(Peers.deadPort(), Duration.ZERO),
                "a socket connects once; a retry needs a new socket");
        assertEquals(1, loop.sourceCount(), "still scheduled");
        s.invalidate();
        assertFalse(s.isValid());
        assertEquals(0, loop.sourceCount());
    }

    @Test
    void aFailedAsynchronousConnectMakesAReadSocketReadableAndReceiveThrowsTheError() throws Exception {
        Recorder r = new Recorder();
        Socket s = tcp(r, CONNECT, READ);
        s.connect(Peers.deadPort(), Duration.ZERO);
        assertTrue(r.next(SocketEvent.Connected.class).failed());
        r.next(SocketEvent.Readable.class);
        assertEquals(SocketError.Kind.CONNECTION_REFUSED, assertThrows(SocketErrorException.class,
                () -> s.receive(ByteBuffer.allocate(16))).kind());
        assertTrue(s.isValid(), "valid until invalidated");
    }
}
