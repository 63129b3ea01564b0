package dev.cfnet;

import static dev.cfnet.CallBackType.CONNECT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.READ;
import static dev.cfnet.CallBackType.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Enable/disable, one-shot and auto-re-enabled callbacks, READ sockets, throwing and invalidating callbacks. */
class CallbackContractTest extends BackendTestBase {

    Socket connected(Peers.Server server, Set<CallBackType> types, Recorder r) throws Exception {
        Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, types, r));
        s.connect(server.address(), Duration.ofSeconds(5));
        return s;
    }

    @Test
    void theSeedsToggleStepsThroughAConversation() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            String[] commands = {null, "HELO me\r\n", "QUIT\r\n"};
            String[] replies = {"220 hi\r\n", "250 ok\r\n", "221 bye\r\n"};
            List<String> log = new ArrayList<>();
            AtomicInteger step = new AtomicInteger();
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<Void> firstWrite = new CompletableFuture<>();
            Recorder r = new Recorder((s, e) -> {
                switch (e) {
                    case SocketEvent.Writable w -> {
                        String cmd = commands[step.get()];
                        if (cmd != null) s.send(cmd.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
                        log.add("W" + step.get());
                        s.disableCallBacks(WRITE);
                        s.enableCallBacks(DATA);
                        firstWrite.complete(null);
                    }
                    case SocketEvent.Data d -> {
                        log.add("D" + step.get() + ":" + new String(d.toByteArray(), StandardCharsets.US_ASCII).trim());
                        s.disableCallBacks(DATA);
                        if (step.incrementAndGet() == commands.length) {
                            s.invalidate();
                            done.complete(null);
                        } else {
                            s.enableCallBacks(WRITE);
                        }
                    }
                    default -> { }
                }
            });
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, DATA, WRITE), r));
            s.connect(server.address(), Duration.ZERO);
            java.net.Socket peer = server.peer();
            InputStream in = peer.getInputStream();
            firstWrite.get(10, TimeUnit.SECONDS);   // the server greets once the client is listening
            Peers.write(peer, replies[0].getBytes(StandardCharsets.US_ASCII));
            for (int i = 1; i < commands.length; i++) {
                byte[] got = in.readNBytes(commands[i].length());
                assertEquals(commands[i], new String(got, StandardCharsets.US_ASCII));
                Peers.write(peer, replies[i].getBytes(StandardCharsets.US_ASCII));
            }
            done.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("W0", "D0:220 hi", "W1", "D1:250 ok", "W2", "D2:221 bye"),
                    loop.submit(() -> List.copyOf(log)).get(5, TimeUnit.SECONDS));
            assertFalse(s.isValid());
        }
    }

    /**
     * The seed's toggle over many steps, with other threads keeping the cores busy. CF can deliver a WRITE it had
     * flagged before the WRITE handler disabled it again (the seed then sends a command twice); cfnet delivers
     * exactly one WRITE per enable, so every command goes out once.
     */
    @Test
    void theSeedsToggleSendsEachCommandOnceEvenUnderLoad() throws Exception {
        int steps = 400;
        AtomicBoolean busy = new AtomicBoolean(true);
        List<Thread> hogs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            hogs.add(Thread.ofPlatform().daemon().start(() -> {
                while (busy.get()) Thread.onSpinWait();
            }));
        }
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            AtomicInteger step = new AtomicInteger();
            AtomicInteger writes = new AtomicInteger();
            StringBuilder pending = new StringBuilder();
            CompletableFuture<Void> done = new CompletableFuture<>();
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, DATA, WRITE), (sock, e) -> {
                        switch (e) {
                            case SocketEvent.Writable w -> {
                                writes.incrementAndGet();
                                sock.send(("CMD " + step.get() + "\r\n").getBytes(StandardCharsets.US_ASCII),
                                        Duration.ofSeconds(5));
                                sock.disableCallBacks(WRITE);
                                sock.enableCallBacks(DATA);
                            }
                            case SocketEvent.Data d when !d.isEmpty() -> {
                                pending.append(new String(d.toByteArray(), StandardCharsets.US_ASCII));
                                if (pending.indexOf("\n") < 0) return;
                                pending.setLength(0);
                                sock.disableCallBacks(DATA);
                                if (step.incrementAndGet() == steps) {
                                    done.complete(null);
                                } else {
                                    sock.enableCallBacks(WRITE);
                                }
                            }
                            default -> { }
                        }
                    }));
            s.connect(server.address(), Duration.ZERO);
            java.net.Socket peer = server.peer();
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(peer.getInputStream(), StandardCharsets.US_ASCII));
            for (int i = 0; i < steps; i++) {
                assertEquals("CMD " + i, in.readLine(), "command " + i + " once, in order");
                Peers.write(peer, ("250 " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            done.get(30, TimeUnit.SECONDS);
            peer.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, in::readLine, "no command after the last reply");
            assertEquals(steps, writes.get(), "one WRITE per enable");
        } finally {
            busy.set(false);
            for (Thread t : hogs) t.join();
        }
    }

    @Test
    void disabledDataWaitsUntilEnabled() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = connected(server, EnumSet.of(DATA), r);
            s.disableCallBacks(DATA);
            loop.submit(() -> null).get(5, TimeUnit.SECONDS);
            Peers.write(server.peer(), "held".getBytes(StandardCharsets.US_ASCII));
            r.assertQuiet();
            s.enableCallBacks(DATA);
            assertEquals("held", new String(r.readData(4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void dataDisabledInsideItsCallbackHoldsTheRestInOrderUntilEnabled() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder((s, e) -> {
                if (e instanceof SocketEvent.Data) s.disableCallBacks(DATA);
            });
            Socket s = connected(server, EnumSet.of(DATA), r);
            java.net.Socket peer = server.peer();
            peer.setTcpNoDelay(true);
            for (String part : new String[] {"one|", "two|", "three|"}) {
                Peers.write(peer, part.getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(30);   // separate reads: CF reads ahead of the callbacks
            }
            StringBuilder got = new StringBuilder(new String(r.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
            r.assertQuiet();
            while (got.length() < "one|two|three|".length()) {
                s.enableCallBacks(DATA);
                got.append(new String(r.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
            }
            assertEquals("one|two|three|", got.toString());
        }
    }

    /** A CONNECT/DATA/WRITE socket past its first WRITE, with DATA disabled on the loop (the seed while writing). */
    private Socket connectedWithDataDisabled(Peers.Server server, Recorder r) throws Exception {
        Socket s = connected(server, EnumSet.of(CONNECT, DATA, WRITE), r);
        r.next(SocketEvent.Connected.class);
        r.next(SocketEvent.Writable.class);
        s.disableCallBacks(DATA);
        loop.submit(() -> null).get(5, TimeUnit.SECONDS);
        return s;
    }

    @Test
    void aResetWhileDataIsDisabledIsReportedOnceDataIsEnabled() throws Exception {
        // The seed's toggle: DATA off while writing. The reset must reach the handler once DATA is back on.
        // WRITE differs: NIO reports the dead socket writable (the send then fails). CF never fires WRITE on a
        // socket with a pending error (as after a failed connect) and reports the reset through DATA only; but
        // once its manager has read the reset it drops its CFSocket, and cfnet serves WRITE itself until the held
        // end is delivered: then WRITE fires and the send fails, as on NIO.
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = connectedWithDataDisabled(server, r);
            java.net.Socket peer = server.peer();
            peer.setSoLinger(true, 0);
            peer.close();   // RST
            Thread.sleep(200);
            s.enableCallBacks(WRITE);
            if (backend == Backend.NIO) {
                r.next(SocketEvent.Writable.class);
                SocketErrorException e = assertThrows(SocketErrorException.class, () -> {
                    for (int i = 0; i < 100; i++) {   // the reset surfaces at the first or a later send
                        s.send(new byte[1024], Duration.ofSeconds(1));
                        Thread.sleep(5);
                    }
                });
                assertTrue(e.kind() == SocketError.Kind.CONNECTION_RESET || e.kind() == SocketError.Kind.BROKEN_PIPE,
                        e.toString());
            } else {
                Recorder.Ev w = r.events.poll(Recorder.QUIET.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                if (w != null) {
                    assertEquals(WRITE, w.type(), () -> "events: " + r.all);
                    SocketErrorException e = assertThrows(SocketErrorException.class, () -> {
                        for (int i = 0; i < 100; i++) {
                            s.send(new byte[1024], Duration.ofSeconds(1));
                            Thread.sleep(5);
                        }
                    });
                    assertTrue(e.kind() == SocketError.Kind.CONNECTION_RESET || e.kind() == SocketError.Kind.BROKEN_PIPE,
                            e.toString());
                }
            }
            s.enableCallBacks(DATA);
            Recorder.Ev end = r.nextOf(DATA);
            assertEquals(0, end.bytes().length, "the end comes once DATA is enabled again");
            eventually(() -> !s.isValid(), "the socket is invalidated after its end");
        }
    }

    @Test
    void aPeerCloseWhileDataIsDisabledStillLetsWritesThroughAndEndsOnEnable() throws Exception {
        // A half-closed peer can still receive: WRITE keeps working while the end waits behind disabled DATA.
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = connectedWithDataDisabled(server, r);
            java.net.Socket peer = server.peer();
            peer.shutdownOutput();   // FIN, the peer still reads
            Thread.sleep(200);
            s.enableCallBacks(WRITE);
            r.next(SocketEvent.Writable.class);
            s.send("QUIT\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Duration.ofSeconds(1));
            peer.setSoTimeout(5_000);
            byte[] got = peer.getInputStream().readNBytes(6);
            assertEquals("QUIT\r\n", new String(got, java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(s.isValid(), "the socket stays valid while its end is held");
            s.enableCallBacks(DATA);
            Recorder.Ev end = r.nextOf(DATA);
            assertEquals(0, end.bytes().length, "the end comes once DATA is enabled again");
            eventually(() -> !s.isValid(), "the socket is invalidated after its end");
        }
    }

    @Test
    void acceptDisabledInsideItsCallbackHoldsUntilEnabled() throws Exception {
        Recorder r = new Recorder((s, e) -> {
            if (e instanceof SocketEvent.Accepted) s.disableCallBacks(CallBackType.ACCEPT);
        });
        Socket l = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(CallBackType.ACCEPT), r));
        l.setAddress(new java.net.InetSocketAddress(Peers.v4(), 0));
        var at = l.localAddress().orElseThrow();
        java.util.List<java.net.Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(new java.net.Socket(at.getAddress(), at.getPort()));
                Thread.sleep(30);
            }
            r.nextOf(CallBackType.ACCEPT);
            r.assertQuiet();
            l.enableCallBacks(CallBackType.ACCEPT);
            r.nextOf(CallBackType.ACCEPT);
            r.assertQuiet();
            l.enableCallBacks(CallBackType.ACCEPT);
            r.nextOf(CallBackType.ACCEPT);
        } finally {
            for (java.net.Socket c : clients) c.close();
        }
    }

    @Test
    void writeFiresOncePerEnable() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = connected(server, EnumSet.of(CONNECT, WRITE), r);
            r.next(SocketEvent.Connected.class);
            r.next(SocketEvent.Writable.class);
            r.assertQuiet();
            s.enableCallBacks(WRITE);
            r.next(SocketEvent.Writable.class);
            r.assertQuiet();
        }
    }

    @Test
    void autoReenableWriteKeepsWriteFiring() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            AtomicInteger writes = new AtomicInteger();
            CompletableFuture<Void> five = new CompletableFuture<>();
            Recorder r = new Recorder((s, e) -> {
                if (e instanceof SocketEvent.Writable && writes.incrementAndGet() == 5) {
                    s.setFlags(EnumSet.of(SocketFlag.CLOSE_ON_INVALIDATE));
                    five.complete(null);
                }
            });
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(WRITE), r));
            s.setFlags(EnumSet.of(SocketFlag.AUTO_REENABLE_WRITE, SocketFlag.CLOSE_ON_INVALIDATE));
            assertEquals(0x88, s.flagBits());
            s.connect(server.address(), Duration.ofSeconds(5));
            five.get(5, TimeUnit.SECONDS);
            Thread.sleep(100);
            assertEquals(5, writes.get(), "write stopped once the flag was cleared");
        }
    }

    @Test
    void withoutAutoReenableDataFiresOnceUntilEnabled() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder();
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(DATA), r));
            s.setFlags(EnumSet.of(SocketFlag.CLOSE_ON_INVALIDATE));
            s.connect(server.address(), Duration.ofSeconds(5));
            java.net.Socket peer = server.peer();
            Peers.write(peer, "one".getBytes(StandardCharsets.US_ASCII));
            assertEquals("one", new String(r.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
            Peers.write(peer, "two".getBytes(StandardCharsets.US_ASCII));
            r.assertQuiet();
            s.enableCallBacks(DATA);
            assertEquals("two", new String(r.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void readSocketsReadForThemselvesAndReadableRepeatsWhileBytesWait() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            AtomicBoolean consume = new AtomicBoolean(false);
            ByteBuffer buf = ByteBuffer.allocate(64);
            List<String> got = new ArrayList<>();
            AtomicInteger eof = new AtomicInteger();
            Recorder r = new Recorder((s, e) -> {
                if (e instanceof SocketEvent.Readable && consume.get()) {
                    buf.clear();
                    int n = s.receive(buf);
                    if (n < 0) {
                        s.invalidate();
                        eof.incrementAndGet();
                    } else if (n > 0) {
                        got.add(new String(buf.array(), 0, n, StandardCharsets.US_ASCII));
                    }
                }
            });
            Socket s = connected(server, EnumSet.of(READ), r);
            assertEquals(EnumSet.of(SocketFlag.AUTO_REENABLE_READ, SocketFlag.CLOSE_ON_INVALIDATE), s.flags());
            java.net.Socket peer = server.peer();
            Peers.write(peer, "abc".getBytes(StandardCharsets.US_ASCII));
            r.next(SocketEvent.Readable.class);
            r.next(SocketEvent.Readable.class);   // still unread: level-triggered, re-armed
            consume.set(true);
            peer.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (eof.get() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(1, eof.get());
            assertEquals("abc", loop.submit(() -> String.join("", got)).get(5, TimeUnit.SECONDS));
            assertFalse(s.isValid());
        }
    }

    @Test
    void aThrowingCallbackInvalidatesOnlyItsSocketByDefault() throws Exception {
        IllegalStateException bug = new IllegalStateException("handler bug");
        try (LogCapture log = LogCapture.cfnet();
             Peers.Server a = new Peers.Server().acceptOne(); Peers.Server b = new Peers.Server().acceptOne()) {
            Recorder bad = new Recorder((s, e) -> {
                if (e instanceof SocketEvent.Data) throw bug;
            });
            Recorder good = new Recorder();
            Socket sa = connected(a, EnumSet.of(DATA), bad);
            Socket sb = connected(b, EnumSet.of(DATA), good);
            Peers.write(a.peer(), "x".getBytes(StandardCharsets.US_ASCII));
            bad.nextOf(DATA);
            eventually(() -> !sa.isValid(), "the socket whose handler threw is invalidated");
            assertTrue(log.awaitThrown(bug).getMessage().contains("Socket[STREAM [DATA]"),
                    "the default handler logs what threw, naming the socket");
            Peers.write(b.peer(), "y".getBytes(StandardCharsets.US_ASCII));
            assertEquals("y", new String(good.nextOf(DATA).bytes(), StandardCharsets.US_ASCII));
            assertTrue(sb.isValid());
        }
    }

    @Test
    void customErrorHandlerSeesTheSocketAndTheError() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            CompletableFuture<Object[]> seen = new CompletableFuture<>();
            loop.setErrorHandler((l, source, error) -> seen.complete(new Object[] {source, error}));
            Recorder r = new Recorder((s, e) -> {
                if (e instanceof SocketEvent.Writable) throw new OutOfMemoryError("pretend");
            });
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(WRITE), r));
            s.connect(server.address(), Duration.ofSeconds(5));
            Object[] got = seen.get(5, TimeUnit.SECONDS);
            assertSame(s, got[0]);
            assertTrue(got[1] instanceof OutOfMemoryError);
            assertTrue(s.isValid(), "a custom handler decides; this one left the socket alone");
        }
    }

    @Test
    void invalidateInsideConnectSkipsTheRestOfTheDispatch() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder r = new Recorder((s, e) -> {
                if (e instanceof SocketEvent.Connected) s.invalidate();
            });
            Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CONNECT, DATA, WRITE), r));
            s.connect(server.address(), Duration.ZERO);
            r.next(SocketEvent.Connected.class);
            r.assertQuiet();
            assertFalse(s.isValid());
            assertEquals(-1, server.peer().getInputStream().read(), "invalidate closed the connection");
        }
    }

    @Test
    void noCallbackStartsAfterInvalidateReturnsOnAnotherThread() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            AtomicBoolean invalidated = new AtomicBoolean();
            AtomicInteger late = new AtomicInteger();
            Recorder r = new Recorder((s, e) -> {
                if (invalidated.get()) late.incrementAndGet();
                Thread.sleep(1);
            });
            Socket s = connected(server, EnumSet.of(DATA), r);
            java.net.Socket peer = server.peer();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    byte[] b = new byte[512];
                    for (int i = 0; i < 2000; i++) peer.getOutputStream().write(b);
                } catch (Exception expected) {
                    // the socket goes away under the writer
                }
            });
            r.nextOf(DATA);
            s.invalidate();
            invalidated.set(true);
            Thread.sleep(200);
            assertEquals(0, late.get(), "callbacks after invalidate() returned");
            peer.close();
            writer.join(5000);
        }
    }

    @Test
    void invalidateIsIdempotentAndCloseIsInvalidate() throws Exception {
        Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(DATA),
                new Recorder());
        assertTrue(s.isValid());
        s.close();
        assertFalse(s.isValid());
        s.invalidate();
        s.close();
        assertFalse(s.isValid());
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        Recorder r = new Recorder();
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM, EnumSet.of(READ, DATA), r));
        assertTrue(two.getMessage().contains("mutually exclusive"), two.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Socket.create(loop, StandardProtocolFamily.INET,
                SocketType.DATAGRAM, EnumSet.of(CallBackType.ACCEPT), r));
        assertThrows(IllegalArgumentException.class, () -> Socket.create(loop, StandardProtocolFamily.INET,
                SocketType.DATAGRAM, EnumSet.of(CONNECT), r));
        assertThrows(IllegalArgumentException.class, () -> Socket.create(loop, StandardProtocolFamily.UNIX,
                SocketType.STREAM, EnumSet.of(DATA), r));
        assertThrows(NullPointerException.class, () -> Socket.create(null, StandardProtocolFamily.INET,
                SocketType.STREAM, EnumSet.of(DATA), r));
        assertThrows(NullPointerException.class, () -> Socket.create(loop, StandardProtocolFamily.INET,
                SocketType.STREAM, EnumSet.of(DATA), null));
        Socket s = closeLater(Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                EnumSet.of(DATA), r));
        IllegalArgumentException notAsked = assertThrows(IllegalArgumentException.class,
                () -> s.enableCallBacks(WRITE));
        assertTrue(notAsked.getMessage().contains("WRITE"), notAsked.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.setFlags(EnumSet.of(SocketFlag.AUTO_REENABLE_READ)));
        assertThrows(UnsupportedOperationException.class, () -> s.receiveFrom(ByteBuffer.allocate(1)));
        assertThrows(IllegalArgumentException.class,
                () -> s.receive(ByteBuffer.allocate(1).asReadOnlyBuffer()));
    }

    @Test
    void invalidatedWithoutCloseOnInvalidateTheHandleSurvivesAndCanBeWrappedAgain() throws Exception {
        try (Peers.Server server = new Peers.Server().acceptOne()) {
            Recorder first = new Recorder();
            Socket s = connected(server, EnumSet.of(DATA), first);
            s.setFlags(EnumSet.of(SocketFlag.AUTO_REENABLE_DATA));
            SocketHandle h = s.handle();
            assertFalse(h.isOpen(), "a socket's handle is its own while it is valid");
            s.invalidate();
            assertTrue(h.isOpen(), "invalidate without CLOSE_ON_INVALIDATE leaves the native socket open");
            loop.submit(() -> null).get(5, TimeUnit.SECONDS);
            Recorder second = new Recorder();
            Socket again = closeLater(Socket.wrap(loop, h, EnumSet.of(DATA), second));
            Peers.write(server.peer(), "still".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("still".getBytes(StandardCharsets.US_ASCII), second.readData(5));
            first.assertQuiet(Duration.ofMillis(50));
            assertTrue(again.isValid());
            assertThrows(IllegalStateException.class, () -> Socket.wrap(loop, h, EnumSet.of(DATA), second));
        }
    }
}
