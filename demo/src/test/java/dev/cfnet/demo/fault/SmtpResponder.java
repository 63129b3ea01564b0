package dev.cfnet.demo.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;

/**
 * A small SMTP responder for the fault tests, run inside the namespace: greets with 220, answers HELO/EHLO and
 * anything else with 250 and QUIT with 221, on every address of the namespace, IPv4 and IPv6.
 *
 * <p>{@code SmtpResponder PORT GATED_PORT}: connections to GATED_PORT are announced with a line
 * {@code ACCEPTED <peer>} and get their greeting only after a line {@code GO} on stdin, so that a test can change the
 * network between the handshake and the greeting. Prints {@code READY} once listening; end of input stops it.
 */
public final class SmtpResponder {
    private static final Semaphore GO = new Semaphore(0);

    private SmtpResponder() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocket plain = listen(Integer.parseInt(args[0]));
        ServerSocket gated = listen(Integer.parseInt(args[1]));
        Thread.ofPlatform().name("accept-plain").start(() -> accept(plain, false));
        Thread.ofPlatform().name("accept-gated").start(() -> accept(gated, true));
        System.out.println("READY " + plain.getLocalPort() + " " + gated.getLocalPort());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.strip().equals("GO")) GO.release();
            }
        }
        System.exit(0);
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(port), 50);   // the wildcard: IPv4 and, where the namespace has it, IPv6
        return s;
    }

    private static void accept(ServerSocket server, boolean gated) {
        while (true) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofPlatform().daemon().start(() -> serve(c, gated));
        }
    }

    private static void serve(Socket c, boolean gated) {
        try (c) {
            c.setSoTimeout(20_000);
            c.setTcpNoDelay(true);
            if (gated) {
                synchronized (System.out) {
                    System.out.println("ACCEPTED " + c.getRemoteSocketAddress());
                    System.out.flush();
                }
                GO.acquire();
            }
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            say(out, "220 responder.test ESMTP cfnet fault responder");
            String line;
            while ((line = readLine(in)) != null) {
                String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
                switch (verb) {
                    case "QUIT" -> {
                        say(out, "221 responder.test closing");
                        return;
                    }
                    case "HELO", "EHLO" -> say(out, "250 responder.test");
                    default -> say(out, "250 ok");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, was reset, or timed out: nothing to do
        }
    }

    private static void say(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') return b.toString().replace("\r", "");
            if (b.length() < 1000) b.append((char) ch);
        }
        return null;
    }
}
