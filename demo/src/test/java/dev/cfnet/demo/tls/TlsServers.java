package dev.cfnet.demo.tls;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.cfnet.testpki.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * The demo tests' certificates (a test CA and a server certificate for the loopback names, made once per JVM) and
 * an embedded GreenMail that speaks SMTPS (implicit TLS) with that certificate.
 */
public final class TlsServers {
    private TlsServers() {
    }

    public static final TestPki CA = TestPki.create("cfnet demo test CA");
    public static final TestPki.Issued SERVER = CA.loopbackServer();
    public static final SSLContext SERVER_CONTEXT = SERVER.serverContext();
    /** The CA's certificate as a PEM file, for --cafile. */
    public static final Path CA_FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("cfnet-demo-tls");
            dir.toFile().deleteOnExit();
            CA_FILE = CA.writeCaPem(dir.resolve("ca.pem"));
            CA_FILE.toFile().deleteOnExit();
            Path ks = SERVER.writeKeyStore(dir.resolve("server.p12"), "changeit".toCharArray());
            ks.toFile().deleteOnExit();
            // GreenMail reads its TLS key store once per JVM, when its first SMTPS server starts.
            System.setProperty("greenmail.tls.keystore.file", ks.toString());
            System.setProperty("greenmail.tls.keystore.password", "changeit");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GreenMail with plain SMTP and SMTPS on free loopback ports. */
    public static GreenMail greenMail() {
        GreenMail mail = new GreenMail(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort(),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort()});
        mail.start();
        return mail;
    }
}
