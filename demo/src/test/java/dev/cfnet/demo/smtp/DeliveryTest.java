package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import dev.cfnet.Backend;
import dev.cfnet.demo.TestResolverProvider;
import dev.cfnet.demo.tls.StartTlsFront;
import dev.cfnet.demo.tls.TlsServers;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tool delivers messages to an embedded GreenMail: in plaintext, over SMTPS (implicit TLS) and over STARTTLS
 * (through {@link StartTlsFront}, since GreenMail's SMTP has no STARTTLS), with AUTH PLAIN over TLS, on every
 * backend that loads; and it refuses what it must: STARTTLS not offered, untrusted or misnamed certificates.
 */
@Timeout(120)
class DeliveryTest {
    static GreenMail mail;
    static StartTlsFront front;
    static final String BODY = "Hello Bob,\n.a line that starts with a dot\n\n..and one with two\nbye\n";

    static Thread.UncaughtExceptionHandler previous;
    /** What GreenMail's connection threads threw (a handshake we refused): recorded, not printed. */
    static final List<Throwable> serverSide = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (t.getName().startsWith("smtp")) {
                serverSide.add(e);
            } else if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                t.getThreadGroup().uncaughtException(t, e);
            }
        });
        mail = TlsServers.greenMail();
        mail.setUser("bob@example.org", "bob", "s3cret");
        front = new StartTlsFront(TlsServers.SERVER_CONTEXT, mail.getSmtp().getPort());
        TestResolverProvider.map("mail.cfnet.test", List.of(InetAddress.getByName("127.0.0.1")));
    }

    @AfterAll
    static void stop() {
        Thread.setDefaultUncaughtExceptionHandler(previous);
        if (front != null) front.close();
        if (mail != null) mail.stop();
    }

    @BeforeEach
    void purge() throws Exception {
        mail.purgeEmailFromAllMailboxes();
    }

    static Cli.Result run(String stdin, Map<String, String> env, String... args) {
        return Cli.run(stdin, env, args);
    }

    static String[] args(Backend backend, int port, String... more) {
        List<String> a = new ArrayList<>(List.of("smtp", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--backend", backend.name().toLowerCase(Locale.ROOT), "--timeout", "10s", "--helo", "client.test",
                "--from", "alice@example.org", "--to", "bob@example.org", "--to", "carol@example.org", "--subject",
                "Grüße from cfnet"));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    static void eventually(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 500 && !c.getAsBoolean(); i++) Thread.sleep(10);
        assertTrue(c.getAsBoolean(), "never happened");
    }

    static void assumeAvailable(Backend backend) {
        assumeTrue(backend.isAvailable(), () -> backend + " backend skipped: " + backend.unavailableReason().orElse(""));
    }

    /** Both recipients got the message, intact: dots unstuffed, a Date, a Message-ID, the subject decoded. */
    static void assertDelivered() throws Exception {
        MimeMessage[] got = mail.getReceivedMessages();
        assertEquals(2, got.length, "one copy per recipient");
        for (MimeMessage m : got) {
            assertEquals("Grüße from cfnet", m.getSubject());
            assertEquals("alice@example.org", m.getFrom()[0].toString());
            assertNotNull(m.getHeader("Date"), "a Date header was added");
            assertTrue(m.getMessageID().endsWith("@client.test>"), m.getMessageID());
            String body = GreenMailUtil.getBody(m).replace("\r\n", "\n");
            assertEquals(BODY.strip(), body.strip(), "the body, dots unstuffed");
        }
        List<String> to = Arrays.stream(got).map(m -> {
            try {
                return Arrays.toString(m.getAllRecipients());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).distinct().toList();
        assertEquals(List.of("[bob@example.org, carol@example.org]"), to);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMessageFromStandardInputIsDelivered(Backend backend) throws Exception {
        assumeAvailable(backend);
        Cli.Result r = run(BODY, Map.of(), args(backend, mail.getSmtp().getPort()));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Writing RCPT TO:<carol@example.org>"), r.out());
        assertTrue(r.out().contains("lines (") && r.out().contains("without replies"), r.out());
        assertTrue(r.out().contains("message accepted"), r.out());
        assertDelivered();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void implicitTlsDeliversToSmtps(Backend backend) throws Exception {
        assumeAvailable(backend);
        Cli.Result r = run(BODY, Map.of(), args(backend, mail.getSmtps().getPort(), "--tls", "--cafile",
                TlsServers.CA_FILE.toString()));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("TLS established: TLSv1.3"), r.out());
        assertTrue(r.out().contains("is trusted and names 127.0.0.1"), r.out());
        assertTrue(r.out().strip().endsWith(", TLS]"), r.out());
        assertDelivered();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void starttlsDeliversThroughTheFront(Backend backend) throws Exception {
        assumeAvailable(backend);
        int before = front.handshakes.get();
        Cli.Result r = run(BODY, Map.of(), args(backend, front.port(), "--starttls", "--cafile",
                TlsServers.CA_FILE.toString()));
        assertEquals(0, r.exit(), r.all());
        String out = r.out();
        assertTrue(out.indexOf("S: 250-STARTTLS") < out.indexOf("Writing STARTTLS")
                && out.indexOf("Writing STARTTLS") < out.indexOf("TLS established")
                && out.indexOf("TLS established") < out.indexOf("Writing MAIL FROM"), out);
        assertTrue(out.indexOf("S: 250-AUTH PLAIN") > out.indexOf("TLS established"),
                "the EHLO after STARTTLS reached GreenMail (the front offers no AUTH):\n" + out);
        assertEquals(before + 1, front.handshakes.get());
        assertDelivered();
    }

    @Test
    void authPlainOverTlsWithThePasswordFromTheEnvironmentOrStandardInput(@TempDir Path dir) throws Exception {
        Path body = Files.writeString(dir.resolve("body.txt"), BODY);
        String[] a = args(Backend.NIO, mail.getSmtps().getPort(), "--tls", "--cafile", TlsServers.CA_FILE.toString(),
                "--user", "bob", "--body-file", body.toString());
        Cli.Result ok = run("", Map.of("CFNET_SMTP_PASSWORD", "s3cret"), a);
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.out().contains("Writing AUTH PLAIN (the credentials of bob)") && ok.out().contains("S: 235"),
                ok.out());
        assertFalse(ok.all().contains("s3cret") || ok.all().contains("AGJvYgBzM2NyZXQ"), "no secret in the output");
        assertDelivered();

        mail.purgeEmailFromAllMailboxes();
        Cli.Result stdin = run("s3cret\n", Map.of(), a);
        assertEquals(0, stdin.exit(), stdin.all());

        Cli.Result wrong = run("", Map.of("CFNET_SMTP_PASSWORD", "guess"), a);
        assertEquals(1, wrong.exit(), wrong.all());
        assertTrue(wrong.out().contains("expected 235 to AUTH, the server replied 535"), wrong.out());
    }

    @Test
    void starttlsThatIsNotOfferedFailsClearly() {
        Cli.Result r = run(BODY, Map.of(), args(Backend.NIO, mail.getSmtp().getPort(), "--starttls", "--cafile",
                TlsServers.CA_FILE.toString()));
        assertEquals(4, r.exit(), r.all());
        assertTrue(r.out().contains("FAILED (TLS): the server does not offer STARTTLS"), r.out());
        assertFalse(r.out().contains("Writing MAIL"), "nothing is sent in plaintext:\n" + r.out());
        assertTrue(r.out().contains("Writing QUIT"), r.out());
    }

    @Test
    void certificatesThatAreNotTrustedOrNameAnotherHostAreRefused() throws Exception {
        Cli.Result untrusted = run(BODY, Map.of(), args(Backend.NIO, mail.getSmtps().getPort(), "--tls"));
        assertEquals(4, untrusted.exit(), untrusted.all());
        assertTrue(untrusted.out().contains("certificate is not trusted (try --cafile FILE)"), untrusted.out());
        eventually(() -> !serverSide.isEmpty());
        assertTrue(String.valueOf(serverSide.getFirst().getCause()).contains("certificate_unknown"),
                () -> "GreenMail got our alert: " + serverSide.getFirst().getCause());

        List<String> a = new ArrayList<>(Arrays.asList(args(Backend.NIO, mail.getSmtps().getPort(), "--tls",
                "--cafile", TlsServers.CA_FILE.toString())));
        a.set(a.indexOf("127.0.0.1"), "mail.cfnet.test");
        Cli.Result misnamed = run(BODY, Map.of(), a.toArray(String[]::new));
        assertEquals(4, misnamed.exit(), misnamed.all());
        assertTrue(misnamed.out().contains("certificate is for another name"), misnamed.out());

        Cli.Result insecure = run(BODY, Map.of(), args(Backend.NIO, mail.getSmtps().getPort(), "--tls", "--insecure"));
        assertEquals(0, insecure.exit(), insecure.all());
        assertTrue(insecure.err().contains("WARNING: --insecure"), insecure.err());
        assertTrue(insecure.out().contains("is NOT checked (--insecure)"), insecure.out());
        assertEquals(0, mail.getReceivedMessages().length % 2);
    }

    @Test
    void aMessageWithItsOwnHeaderKeepsIt(@TempDir Path dir) throws Exception {
        Path msg = Files.writeString(dir.resolve("m.eml"), "From: Alice <alice@example.org>\nSubject: own\n"
                + "Message-ID: <fixed@example.org>\n\nbody\n");
        Cli.Result r = run("", Map.of(), "smtp", "--host", "127.0.0.1", "--port", String.valueOf(mail.getSmtp().getPort()),
                "--from", "alice@example.org", "--to", "bob@example.org", "--body-file", msg.toString());
        assertEquals(0, r.exit(), r.all());
        MimeMessage m = mail.getReceivedMessages()[0];
        assertEquals("own", m.getSubject());
        assertEquals("<fixed@example.org>", m.getMessageID());
        assertArrayEquals(new String[] {"Alice <alice@example.org>"}, m.getHeader("From"));
        assertNotNull(m.getHeader("Date"));
    }
}
