package dev.cfnet.testpki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests, made in memory (EC P-256, BouncyCastle's certificate builder, the JDK's
 * crypto): server certificates for loopback names, expired ones, and the SSLContexts that use or trust them.
 */
public final class TestPki {
    /** The names a loopback server's certificate carries. */
    public static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCert;

    private TestPki(String name, KeyPair caKeys, X509Certificate caCert) {
        this.name = name;
        this.caKeys = caKeys;
        this.caCert = caCert;
    }

    /** A key and its certificate chain (leaf first). */
    public record Issued(PrivateKey key, X509Certificate[] chain) {
        /** A server context that presents this certificate. */
        public SSLContext serverContext() {
            return context(keyStore("changeit".toCharArray()), "changeit".toCharArray(), null);
        }

        /** The key and chain in a PKCS#12 key store under the alias "server". */
        public KeyStore keyStore(char[] password) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("server", key, password, chain);
                return ks;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes the key store to {@code file} (PKCS#12). */
        public Path writeKeyStore(Path file, char[] password) {
            try (var out = Files.newOutputStream(file)) {
                keyStore(password).store(out, password);
                return file;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes the chain (PEM certificates) and the key (PEM PKCS#8) for OpenSSL-style servers. */
        public void writePem(Path certFile, Path keyFile) {
            StringBuilder certs = new StringBuilder();
            for (X509Certificate c : chain) certs.append(pem(c));
            try {
                Files.writeString(certFile, certs);
                Files.writeString(keyFile, pkcs8(key));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A new certificate authority named {@code name}. */
    public static TestPki create(String name) {
        try {
            KeyPair keys = keyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + name + ", O=cfnet tests");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                    keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = sign(b, keys.getPrivate());
            return new TestPki(name, keys, cert);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The authority's own certificate. */
    public X509Certificate caCertificate() {
        return caCert;
    }

    /** Writes the authority's certificate as PEM (a "CA file"). */
    public Path writeCaPem(Path file) {
        try {
            Files.writeString(file, pem(caCert));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server certificate for {@code names} (DNS names or address literals), valid from yesterday for 30 days. */
    public Issued server(List<String> names) {
        Instant now = Instant.now();
        return issue(names, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    }

    /** A server certificate for the loopback names. */
    public Issued loopbackServer() {
        return server(LOOPBACK_NAMES);
    }

    /** A server certificate for {@code names} that expired yesterday. */
    public Issued expiredServer(List<String> names) {
        Instant now = Instant.now();
        return issue(names, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    /** A certificate for {@code names} valid from {@code notBefore} to {@code notAfter}, signed by this authority. */
    public Issued issue(List<String> names, Instant notBefore, Instant notAfter) {
        try {
            KeyPair keys = keyPair();
            X500Name subject = new X500Name("CN=" + names.getFirst() + ", O=cfnet tests");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, keys.getPublic());
            List<GeneralName> alt = new ArrayList<>();
            for (String n : names) {
                boolean literal = n.indexOf(':') >= 0 || n.chars().allMatch(c -> c == '.' || Character.isDigit(c));
                alt.add(literal ? new GeneralName(GeneralName.iPAddress, InetAddress.ofLiteral(n).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, n));
            }
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            return new Issued(keys.getPrivate(), new X509Certificate[] {sign(b, caKeys.getPrivate()), caCert});
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts this authority only. */
    public SSLContext clientContext() {
        return context(null, null, trustStore());
    }

    /** A key store holding this authority's certificate as a trusted entry. */
    public KeyStore trustStore() {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry(name, caCert);
            return ts;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A context with the keys of {@code keys} (may be null) that trusts {@code trust} (null: the JDK's default). */
    public static SSLContext context(KeyStore keys, char[] password, KeyStore trust) {
        try {
            KeyManagerFactory kmf = null;
            if (keys != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            TrustManagerFactory tmf = null;
            if (trust != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** PEM PKCS#8 ("PRIVATE KEY", with the curve), which OpenSSL reads; not BouncyCastle's bare "EC PRIVATE KEY". */
    static String pkcs8(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
