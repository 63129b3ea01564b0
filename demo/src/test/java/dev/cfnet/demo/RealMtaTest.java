package dev.cfnet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.demo.smtp.Conversation;
import dev.cfnet.demo.smtp.Outcome;
import dev.cfnet.demo.smtp.Step;
import dev.cfnet.demo.smtp.Transcript;
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
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The conversation against a real MTA: OpenSMTPD from Debian's packages (.ci/run installs it), started here on a
 * free loopback port with a configuration of its own and stopped afterwards. Skipped, saying why, where smtpd is
 * not installed or cannot start (it needs root to drop privileges).
 */
@Timeout(120)
class RealMtaTest {
    static final Path SMTPD = Path.of("/usr/sbin/smtpd");
    static Process smtpd;
    static int port;
    static String skip;
    static Path dir;

    @BeforeAll
    static void startSmtpd() throws Exception {
        if (!Files.isExecutable(SMTPD)) {
            skip = "OpenSMTPD is not installed (apt-get install opensmtpd; .ci/run does)";
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            skip = "OpenSMTPD starts as root and drops privileges; this test runs as " + System.getProperty("user.name");
            return;
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory("cfnet-smtpd");
        Path conf = dir.resolve("smtpd.conf");
        Files.writeString(conf, "listen on 127.0.0.1 port " + port + "\naction \"local\" mbox\n"
                + "match from local for local action \"local\"\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        smtpd = new ProcessBuilder(SMTPD.toString(), "-d", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("smtpd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!smtpd.isAlive()) {
                skip = "smtpd exited at start: " + Files.readString(dir.resolve("smtpd.log")).strip();
                return;
            }
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        skip = "smtpd did not listen on port " + port + " within 15 s";
    }

    @AfterAll
    static void stopSmtpd() throws Exception {
        if (smtpd != null) {
            smtpd.destroy();
            if (!smtpd.waitFor(10, TimeUnit.SECONDS)) smtpd.destroyForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void openSmtpdAnswersHeloAndEhlo(Backend backend) throws Exception {
        assumeTrue(skip == null, () -> "real MTA test skipped: " + skip);
        assumeTrue(backend.isAvailable(), () -> backend + " backend skipped: " + backend.unavailableReason().orElse(""));
        for (boolean ehlo : new boolean[] {false, true}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (RunLoop loop = RunLoop.start("mta", backend)) {
                Conversation c = new Conversation(loop, Step.seed("client.test", ehlo),
                        new Conversation.Options(Duration.ofSeconds(10), Duration.ofSeconds(2)),
                        new Transcript(new PrintStream(buf, true, StandardCharsets.UTF_8), false));
                Outcome o = c.start("localhost", port).get(60, TimeUnit.SECONDS);
                String transcript = buf.toString(StandardCharsets.UTF_8);
                assertEquals(Outcome.Status.OK, o.status(), o + "\n" + transcript);
                assertTrue(transcript.contains("OpenSMTPD"), transcript);
            }
        }
    }
}
