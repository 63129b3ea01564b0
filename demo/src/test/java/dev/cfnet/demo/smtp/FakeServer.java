package dev.cfnet.demo.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** A loopback server that runs one scripted behaviour against the first client, in its own thread. */
final class FakeServer implements AutoCloseable {
    interface Behaviour {
        void serve(Socket client, InputStream in, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    FakeServer(Behaviour behaviour) throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fake-smtp").start(() -> {
            try (Socket c = server.accept()) {
                c.setSoTimeout(20_000);
                behaviour.serve(c, c.getInputStream(), c.getOutputStream());
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    static void say(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one CRLF- or LF-terminated line (without it), or null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') return b.toString().replace("\r", "");
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }

    /** Serves the seed's conversation correctly after {@code greeting}. */
    static void wellBehaved(InputStream in, OutputStream out) throws IOException {
        String line;
        while ((line = readLine(in)) != null) {
            if (line.startsWith("QUIT")) {
                say(out, "221 bye\r\n");
                return;
            }
            say(out, "250 ok\r\n");
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
