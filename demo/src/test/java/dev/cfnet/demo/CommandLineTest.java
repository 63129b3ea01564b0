package dev.cfnet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.demo.smtp.Cli;
import dev.cfnet.demo.smtp.Cli.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tool as a user meets it: exit codes, one-line errors, never a stack trace. */
@Timeout(60)
class CommandLineTest {

    static Result run(String... args) {
        return Cli.run(args);
    }

    static void usageError(String expected, String... args) {
        Result r = run(args);
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in:\n" + r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "one line (and a hint), got:\n" + r.err());
    }

    @Test
    void helpAndVersion() {
        Result help = run("smtp", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--host") && help.out().contains("Exit codes"), help.out());
        Result version = run("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("cfnet-demo "), version.out());
        Result none = run();
        assertEquals(2, none.exit(), "no command is a usage error");
        assertTrue(none.err().contains("which command?") && none.err().contains("Usage: cfnet-demo"), none.err());
    }

    @Test
    void theDefaultRunTalksToAnEmbeddedServer() {
        Result r = run("smtp", "--helo", "client.test", "--timeout", "10s");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("embedded SMTP server"), r.out());
        assertTrue(r.out().contains("S: 220 ") && r.out().contains("Writing HELO client.test")
                && r.out().contains("S: 221 "), r.out());
        assertTrue(r.out().strip().endsWith("backend]") && r.out().contains("OK: 3/3 steps"), r.out());
    }

    @Test
    void ehloGetsAMultiLineReply() {
        Result r = run("smtp", "--ehlo");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Writing EHLO localhost") && r.out().contains("S: 250-"), r.out());
    }

    @Test
    void badOptionsAreOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        usageError("--port must be 1 to 65535", "smtp", "--port", "70000");
        usageError("--port must be 1 to 65535", "smtp", "--port", "0");
        usageError("Invalid value for option '--port'", "smtp", "--port", "twenty-five");
        usageError("--host: host name 'not a host' contains ' '", "smtp", "--host", "not a host");
        usageError("--host: host name is empty", "smtp", "--host", "");
        usageError("has a label of 64 characters", "smtp", "--host", "a".repeat(64) + ".example");
        usageError("--timeout: 'soon' is not a duration", "smtp", "--timeout", "soon");
        usageError("--timeout must be more than 0", "smtp", "--timeout", "0s");
        usageError("--helo must be a domain name", "smtp", "--helo", "two words");
        usageError("--backend must be 'nio' or 'cf'", "smtp", "--backend", "carrier-pigeon");
        usageError("Unknown options: '--hots'", "smtp", "--hots", "x");
        usageError("--script: " + dir.resolve("nope.txt") + ": no such file", "smtp", "--script",
                dir.resolve("nope.txt").toString());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "expect 220\nsned HELO x\n");
        usageError(bad + ":2: unknown directive 'sned'", "smtp", "--script", bad.toString());
        usageError("--ehlo and --script do not go together", "smtp", "--ehlo", "--script", bad.toString());
        usageError("--port must be 0 to 65535", "echo", "--port", "-1");
        usageError("--bind takes an address literal", "echo", "--bind", "localhost");
    }

    @Test
    void anUnavailableCfBackendSaysHowToPointAtACoreFoundation() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.cfnet.Backend.CF.isAvailable(),
                "the CF backend loads here (CF_LIBRARY set, or macOS)");
        Result r = run("smtp", "--backend", "cf");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("the CF backend is not available here"), r.err());
        if (r.err().contains("-Dcfnet.cf.library")) {
            assertTrue(r.err().contains("CF_LIBRARY="), "make's variable named too:\n" + r.err());
        }
    }

    @Test
    void aScriptDrivesTheConversation(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("s.txt"), "expect 220\nsend NOOP\nexpect 250\nsend QUIT\nexpect 221\n");
        Result r = run("smtp", "--script", script.toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Writing NOOP"), r.out());
        Path wrong = Files.writeString(dir.resolve("w.txt"), "expect 220\nsend NOOP\nexpect 354\n");
        Result w = run("smtp", "--script", wrong.toString());
        assertEquals(1, w.exit(), "a reply with the wrong code exits 1:\n" + w.all());
        assertTrue(w.out().contains("FAILED (server): expected 354 to NOOP, the server replied 250"), w.out());
    }

    @Test
    void theNewOptionsRefuseWhatCannotWork(@TempDir Path dir) throws Exception {
        usageError("--user sends a password: only over TLS", "smtp", "--host", "127.0.0.1", "--from", "a@b.c", "--to",
                "d@e.f", "--user", "me");
        usageError("--tls and --starttls do not go together", "smtp", "--host", "h", "--tls", "--starttls");
        usageError("--insecure and --cafile do not go together", "smtp", "--host", "h", "--tls", "--insecure",
                "--cafile", "x.pem");
        usageError("--subject needs --from and --to", "smtp", "--subject", "hi");
        usageError("--to must be an address like user@example.org, not 'bob'", "smtp", "--from", "a@b.c", "--to",
                "bob");
        usageError("TLS needs --host", "smtp", "--starttls");
        usageError("--cafile matters only with --tls", "smtp", "--host", "h", "--cafile", "x.pem");
        usageError("--cafile: " + dir.resolve("none.pem") + ": no such file", "smtp", "--host", "h", "--tls",
                "--cafile", dir.resolve("none.pem").toString());
        Path notPem = Files.writeString(dir.resolve("bad.pem"), "not a certificate\n");
        usageError("not PEM or DER certificates", "smtp", "--host", "h", "--tls", "--cafile", notPem.toString());
        Path script = Files.writeString(dir.resolve("s.txt"), "expect 220\n");
        usageError("--starttls and --script do not go together", "smtp", "--host", "h", "--starttls", "--script",
                script.toString());
        Path longLine = Files.writeString(dir.resolve("long.txt"), "x".repeat(1200) + "\n");
        usageError("line 1 of the message is longer than 998 octets", "smtp", "--from", "a@b.c", "--to", "d@e.f",
                "--body-file", longLine.toString());
    }

    @Test
    void aScriptWritesLinesWithoutRepliesAndKeepsHashesInsideWords(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("mail.txt"), """
                expect 220
                send HELO client#1.example   # a comment; the '#' in the name is not one
                expect 250
                send MAIL FROM:<a@example.org>
                expect 250
                send RCPT TO:<b@example.org>
                expect 250
                send DATA
                expect 354
                write Subject: scripted
                write
                write hello \\# not a comment
                send .
                expect 250
                send QUIT
                expect 221
                """);
        Result r = run("smtp", "--script", script.toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Writing HELO client#1.example\n"), r.out());
        assertTrue(r.out().contains("Writing 3 lines (44 bytes) without replies"), r.out());
    }

    @Test
    void aTemporaryFailureExitsThree() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try (java.net.Socket c = s.accept()) {
                    c.getOutputStream().write("421 4.3.2 busy, try later\r\n".getBytes(StandardCharsets.US_ASCII));
                    c.getInputStream().readAllBytes();
                } catch (java.io.IOException ignored) {
                    // the client went
                }
            });
            Result r = run("smtp", "--host", "127.0.0.1", "--port", String.valueOf(s.getLocalPort()), "--timeout", "5s");
            assertEquals(3, r.exit(), r.all());
            assertTrue(r.out().contains("FAILED (temporary, try again later): expected 220 to greeting, the server "
                    + "replied 421 4.3.2 busy, try later"), r.out());
        }
    }

    @Test
    void ipv6PeersPrintInBrackets() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        java.net.ServerSocket s;
        try {
            s = new java.net.ServerSocket(0, 1, v6);
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (s) {
            Thread.ofPlatform().daemon().start(() -> {
                try (java.net.Socket c = s.accept()) {
                    c.getOutputStream().write("220 hi\r\n".getBytes(StandardCharsets.US_ASCII));
                    dev.cfnet.demo.smtp.FakeServerAccess.wellBehaved(c);
                } catch (java.io.IOException ignored) {
                    // the client went
                }
            });
            Result r = run("smtp", "--host", "::1", "--port", String.valueOf(s.getLocalPort()));
            assertEquals(0, r.exit(), r.all());
            String at = "[::1]:" + s.getLocalPort();
            assertTrue(r.out().contains("Connected to " + at + " from [::1]:")
                    && r.out().strip().endsWith("[" + at + ", " + dev.cfnet.Backend.preferred() + " backend]"), r.out());
            assertFalse(r.out().contains("0:0:0:0"), r.out());
        }
    }

    @Test
    void theTimeoutBoundsEachWaitTheQuitAfterAFailureIncluded() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try (java.net.Socket c = s.accept()) {
                    c.getInputStream().readAllBytes();   // never greets, never answers QUIT
                } catch (java.io.IOException ignored) {
                    // the client went
                }
            });
            long t0 = System.nanoTime();
            Result r = run("smtp", "--host", "127.0.0.1", "--port", String.valueOf(s.getLocalPort()), "--timeout", "2s");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(2, r.exit(), r.all());
            assertTrue(r.out().contains("no reply to greeting within 2 s"), r.out());
            // One 2 s wait, then QUIT unanswered at once: well under the two waits (4 s and more) it took before.
            assertTrue(ms >= 1900 && ms < 3500, "took " + ms + " ms for a 2 s timeout:\n" + r.out());
        }
    }

    @Test
    void nobodyListeningExitsTwo() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Result r = run("smtp", "--host", "127.0.0.1", "--port", String.valueOf(port), "--timeout", "5s");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.out().contains("FAILED (network): could not connect to 127.0.0.1 port " + port), r.out());
    }

    @Test
    void anUnknownNameExitsTwoWithoutAskingDns() {
        Result r = run("smtp", "--host", "mail.nonexistent.test", "--timeout", "5s");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.out().contains("FAILED (network): cannot resolve mail.nonexistent.test: Name or service not "
                + "known (NOT_FOUND"), "the host named once, then the resolver's reason:\n" + r.out());
    }
}
