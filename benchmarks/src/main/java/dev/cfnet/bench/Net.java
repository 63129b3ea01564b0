package dev.cfnet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** What every scenario shares: the loopback address, the message and transfer sizes, timeouts. */
public final class Net {
    /** 127.0.0.1, never ::1: every implementation uses IPv4 loopback. */
    public static final InetAddress LOOPBACK;
    /** Ping-pong message size (TCP and UDP). */
    public static final int MESSAGE = 64;
    /** Bytes per bulk transfer: 64 MiB. */
    public static final long BULK = 64L << 20;
    /** Bytes each sender hands to its library per write call in the bulk scenario. */
    public static final int CHUNK = 64 * 1024;
    /** Timeout of blocking sends: long enough never to fire in a healthy run. */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    /** How long a waiting benchmark thread waits for a reply before it declares the run broken. */
    public static final long REPLY_TIMEOUT_NANOS = Duration.ofSeconds(30).toNanos();

    static {
        try {
            LOOPBACK = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Net() {
    }

    /** 127.0.0.1 with an ephemeral port. */
    public static InetSocketAddress anyPort() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    /** A direct buffer of {@code size} bytes with a recognisable pattern. */
    public static ByteBuffer pattern(int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) b.put((byte) ('a' + i % 26));
        return b.flip();
    }

    /** The same pattern as a heap array. */
    public static byte[] patternArray(int size) {
        byte[] a = new byte[size];
        pattern(size).get(a);
        return a;
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }

    /** Joins a helper thread, giving up after five seconds. */
    static void join(Thread t) {
        if (t == null) return;
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes quietly (teardown paths). */
    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // teardown
        }
    }
}
