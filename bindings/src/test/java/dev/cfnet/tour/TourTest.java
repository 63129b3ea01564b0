package dev.cfnet.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cfnet.*;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * README's five-minute tour, kept runnable: the program below is the one README shows, in a package of its own so
 * that it compiles as user code does (dev.cfnet.Socket beside java.net).
 */
class TourTest {

    public static void main(String[] args) throws Exception {
        try (RunLoop loop = RunLoop.start("net");                      // a library-owned loop thread
             ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().start(() -> {                          // a plain peer that greets and echoes
                try (var c = peer.accept()) {
                    c.getOutputStream().write("220 hello\r\n".getBytes());
                    c.getOutputStream().write(c.getInputStream().readNBytes(6));
                } catch (Exception e) { e.printStackTrace(); }
            });

            var done = new java.util.concurrent.CompletableFuture<String>();
            Socket s = Socket.create(loop, StandardProtocolFamily.INET, SocketType.STREAM,
                    EnumSet.of(CallBackType.CONNECT, CallBackType.DATA), (socket, event) -> {
                        switch (event) {
                            case SocketEvent.Connected c when c.failed() -> done.complete("failed: " + c.error());
                            case SocketEvent.Connected c -> System.out.println("connected");
                            case SocketEvent.Data d when d.isEmpty() -> done.complete("peer closed");
                            case SocketEvent.Data d -> {
                                String text = new String(d.toByteArray());
                                System.out.print("got: " + text);
                                if (text.startsWith("220")) socket.send("QUIT\r\n".getBytes(), Duration.ofSeconds(5));
                            }
                            default -> { }
                        }
                    });
            s.connect((InetSocketAddress) peer.getLocalSocketAddress(), Duration.ZERO);   // zero: asynchronous
            System.out.println(done.get());
        }                                                              // close() invalidates what is on the loop
    }

    @Test
    void theTourRunsAndPrintsTheConversation() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String text = out.toString().replace("\r", "");
        assertEquals("connected\ngot: 220 hello\ngot: QUIT\npeer closed\n", text);
    }
}
