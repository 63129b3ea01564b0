package dev.cfnet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.demo.smtp.Cli;
import dev.cfnet.demo.smtp.Conversation;
import dev.cfnet.demo.smtp.Outcome;
import dev.cfnet.demo.smtp.Step;
import dev.cfnet.demo.smtp.Transcript;
import dev.cfnet.demo.tls.TlsServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tool against a real MTA: Postfix from Debian's packages (.ci/run installs it), started here as an instance
 * of its own (a configuration directory, queue and maildir under a temporary directory) on a free loopback port,
 * with the tests' certificate and STARTTLS required, and stopped afterwards. It delivers to a maildir that the test
 * reads back. Skipped, saying why, where Postfix is not installed or cannot start (it starts as root).
 *
 * <p>Not OpenSMTPD: Debian 12's 6.8.0p2 fails every TLS handshake with OpenSSL 3 ("EVP lib",
 * OpenSMTPD/OpenSMTPD#1171), and the two packages conflict.
 */
@Timeout(120)
class RealMtaTest {
    static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    static int port;
    static String skip;
    static Path dir;
    static boolean started;

    @BeforeAll
    static void startPostfix() throws Exception {
        if (!Files.isExecutable(POSTFIX)) {
            skip = "Postfix is not installed (apt-get install postfix; .ci/run does)";
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            skip = "Postfix starts as root; this test runs as " + System.getProperty("user.name");
            return;
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory(Path.of("/tmp"), "cfnet-postfix");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));   // postfix's users go in
        TlsServers.SERVER.writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        Files.setPosixFilePermissions(dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.createDirectories(dir.resolve("queue"));
        Files.setOwner(Files.createDirectories(dir.resolve("data")), users.lookupPrincipalByName("postfix"));
        Files.setOwner(Files.createDirectories(dir.resolve("mail")), users.lookupPrincipalByName("nobody"));
        Files.writeString(dir.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = DIR/queue
                data_directory = DIR/data
                maillog_file = DIR/maillog
                maillog_file_prefixes = DIR
                myhostname = mta.cfnet.test
                mydestination =
                mynetworks = 127.0.0.0/8
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                alias_maps =
                alias_database =
                smtputf8_enable = no
                virtual_mailbox_domains = cfnet.test
                virtual_mailbox_base = DIR/mail
                virtual_mailbox_maps = static:cfnet.test/
                virtual_uid_maps = static:65534
                virtual_gid_maps = static:65534
                smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
                smtpd_tls_cert_file = DIR/cert.pem
                smtpd_tls_key_file = DIR/key.pem
                smtpd_tls_security_level = encrypt
                """.replace("DIR", dir.toString()));
        StringBuilder master = new StringBuilder("127.0.0.1:" + port + " inet n - n - - smtpd\n");
        for (String svc : List.of("pickup unix n - n 60 1 pickup", "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 1 qmgr", "tlsmgr unix - - n 1000? 1 tlsmgr", "rewrite unix - - n - - trivial-rewrite",
                "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce", "trace unix - - n - 0 bounce",
                "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush", "proxymap unix - - n - - proxymap",
                "smtp unix - - n - - smtp", "relay unix - - n - - smtp", "showq unix n - n - - showq",
                "error unix - - n - - error", "retry unix - - n - - error", "discard unix - - n - - discard",
                "local unix - n n - - local", "virtual unix - n n - - virtual", "lmtp unix - - n - - lmtp",
                "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache", "postlog unix-dgram n - n - 1 postlogd")) {
            master.append(svc).append('\n');
        }
        Files.writeString(dir.resolve("master.cf"), master);
        Process p = new ProcessBuilder(POSTFIX.toString(), "-c", dir.toString(), "start").redirectErrorStream(true)
                .redirectOutput(dir.resolve("start.log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            skip = "postfix did not start: " + log("start.log") + " " + log("maillog");
            return;
        }
        started = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        skip = "postfix did not listen on port " + port + " within 15 s: " + log("maillog");
    }

    static String log(String name) {
        try {
            return Files.readString(dir.resolve(name)).strip();
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }

    @AfterAll
    static void stopPostfix() throws Exception {
        if (started) {
            Process p = new ProcessBuilder(POSTFIX.toString(), "-c", dir.toString(), "stop").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            } catch (IOException e) {
                // a file Postfix still held: the temporary directory stays
            }
        }
    }

    static void assumeRunning(Backend backend) {
        assumeTrue(skip == null, () -> "real MTA test skipped: " + skip);
        assumeTrue(backend.isAvailable(), () -> backend + " backend skipped: " + backend.unavailableReason().orElse(""));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void postfixAnswersHeloAndEhlo(Backend backend) throws Exception {
        assumeRunning(backend);
        for (boolean ehlo : new boolean[] {false, true}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (RunLoop loop = RunLoop.start("mta", backend)) {
                Conversation c = new Conversation(loop, Step.seed("client.test", ehlo),
                        new Conversation.Options(Duration.ofSeconds(10), Duration.ofSeconds(2)),
                        new Transcript(new PrintStream(buf, true, StandardCharsets.UTF_8), false));
                Outcome o = c.start("localhost", port).get(60, TimeUnit.SECONDS);
                String transcript = buf.toString(StandardCharsets.UTF_8);
                assertEquals(Outcome.Status.OK, o.status(), o + "\n" + transcript);
                assertTrue(transcript.contains("ESMTP Postfix"), transcript);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMessageGoesThroughStarttlsIntoTheMaildir(Backend backend) throws Exception {
        assumeRunning(backend);
        String tag = UUID.randomUUID().toString();
        Path body = Files.writeString(dir.resolve("body-" + tag + ".txt"),
                "Delivered by cfnet over STARTTLS.\n.this line starts with a dot\n" + tag + "\n");
        Cli.Result r = Cli.run("smtp", "--host", "localhost", "--port", String.valueOf(port),
                "--backend", backend.name().toLowerCase(Locale.ROOT), "--helo", "client.test", "--timeout", "20s",
                "--starttls", "--cafile", TlsServers.CA_FILE.toString(), "--from", "alice@example.org",
                "--to", "bob@cfnet.test", "--to", "carol@cfnet.test", "--subject", "STARTTLS " + tag,
                "--body-file", body.toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("TLS established") && r.out().contains("is trusted and names localhost"), r.out());
        String mail = delivered(tag);
        assertTrue(mail.contains("with ESMTPS"), "Postfix received it over TLS:\n" + mail);
        assertTrue(mail.contains("Subject: STARTTLS " + tag), mail);
        assertTrue(mail.contains("\n.this line starts with a dot\n"), "unstuffed:\n" + mail);
        assertTrue(mail.contains("Message-ID: <") && mail.contains("Date: "), mail);
    }

    @Test
    void withoutStarttlsPostfixRefusesTheMessage() throws Exception {
        assumeRunning(Backend.NIO);
        Path body = Files.writeString(dir.resolve("plain.txt"), "never delivered\n");
        Cli.Result r = Cli.run("smtp", "--host", "localhost", "--port", String.valueOf(port),
                "--backend", "nio", "--from", "alice@example.org", "--to", "bob@cfnet.test", "--body-file",
                body.toString());
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("expected 250 to MAIL FROM:<alice@example.org>, the server replied 530"), r.out());
    }

    /** The maildir message with {@code tag}, once Postfix has delivered it (each recipient gets a copy). */
    static String delivered(String tag) throws Exception {
        Path maildir = dir.resolve("mail").resolve("cfnet.test").resolve("new");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(maildir)) {
                try (Stream<Path> files = Files.list(maildir)) {
                    List<String> found = files.map(RealMtaTest::read).filter(m -> m.contains(tag)).toList();
                    if (found.size() == 2) {
                        assertTrue(found.stream().anyMatch(m -> m.contains("Delivered-To: bob@cfnet.test"))
                                && found.stream().anyMatch(m -> m.contains("Delivered-To: carol@cfnet.test")), found::toString);
                        return found.getFirst();
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no delivery of " + tag + " in " + maildir + "; maillog:\n" + log("maillog"));
    }

    static String read(Path p) {
        try {
            return Files.readString(p).replace("\r\n", "\n");
        } catch (IOException e) {
            return "";
        }
    }
}
