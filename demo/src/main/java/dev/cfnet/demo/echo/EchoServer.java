package dev.cfnet.demo.echo;

import static dev.cfnet.CallBackType.ACCEPT;
import static dev.cfnet.CallBackType.DATA;
import static dev.cfnet.CallBackType.WRITE;

import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketEvent;
import dev.cfnet.SocketType;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Echoes TCP connections and UDP datagrams. Each connection echoes through its write queue; when the queue is full
 * the connection stops reading (DATA disabled) until WRITE says the queue drained, so a slow reader slows the
 * writer instead of growing memory or losing bytes.
 */
public final class EchoServer implements AutoCloseable {
    private final RunLoop loop;
    private final Socket listener;
    private final Socket udp;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong datagramsDropped = new AtomicLong();

    private EchoServer(RunLoop loop, InetSocketAddress at, boolean withUdp) throws SocketErrorException {
        this.loop = loop;
        StandardProtocolFamily family = at.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
        listener = Socket.create(loop, family, SocketType.STREAM, EnumSet.of(ACCEPT), (s, e) -> {
            if (e instanceof SocketEvent.Accepted a) {
                connections.incrementAndGet();
                new Connection().adopt(a);
            }
        });
        try {
            listener.setAddress(at);
            if (withUdp) {
                udp = Socket.create(loop, family, SocketType.DATAGRAM, EnumSet.of(DATA), this::onDatagram);
                udp.setAddress(new InetSocketAddress(at.getAddress(), listener.localAddress().orElseThrow().getPort()));
            } else {
                udp = null;
            }
        } catch (SocketErrorException | RuntimeException e) {
            listener.invalidate();
            throw e;
        }
    }

    /** Listens on {@code at} (port 0: any free port); UDP on the same port when {@code withUdp}. */
    public static EchoServer start(RunLoop loop, InetSocketAddress at, boolean withUdp) throws SocketErrorException {
        return new EchoServer(loop, at, withUdp);
    }

    public InetSocketAddress address() {
        return listener.localAddress().orElseThrow();
    }

    public long connections() {
        return connections.get();
    }

    public long bytesEchoed() {
        return bytes.get();
    }

    public long datagramsDropped() {
        return datagramsDropped.get();
    }

    private void onDatagram(Socket s, SocketEvent e) {
        if (e instanceof SocketEvent.Data d && d.address() != null) {
            try {
                bytes.addAndGet(s.send(d.bytes(), d.address(), Duration.ZERO));
            } catch (SocketErrorException full) {
                datagramsDropped.incrementAndGet();   // UDP: a full buffer drops the echo, as the network may
            }
        }
    }

    /** One echoed connection. Loop thread only. */
    private final class Connection {
        private ByteBuffer leftover;

        void adopt(SocketEvent.Accepted a) throws SocketErrorException {
            Socket.wrap(loop, a.handle(), EnumSet.of(DATA, WRITE), this::onEvent).disableCallBacks(WRITE);
        }

        private void onEvent(Socket s, SocketEvent e) throws SocketErrorException {
            switch (e) {
                case SocketEvent.Data d when d.isEmpty() -> { }   // peer gone; the socket is invalidated
                case SocketEvent.Data d -> {
                    ByteBuffer b = d.bytes();
                    int n = s.write(b);
                    bytes.addAndGet(n);
                    if (b.hasRemaining()) {
                        leftover = ByteBuffer.allocate(b.remaining()).put(b).flip();
                        s.disableCallBacks(DATA);
                        s.enableCallBacks(WRITE);
                    }
                }
                case SocketEvent.Writable w -> {
                    if (leftover != null) {
                        bytes.addAndGet(s.write(leftover));
                        if (leftover.hasRemaining()) {
                            s.enableCallBacks(WRITE);
                            return;
                        }
                        leftover = null;
                    }
                    s.enableCallBacks(DATA);
                }
                default -> { }
            }
        }
    }

    @Override
    public void close() {
        listener.invalidate();
        if (udp != null) udp.invalidate();
    }
}
