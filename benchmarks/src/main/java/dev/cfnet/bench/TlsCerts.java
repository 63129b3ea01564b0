package dev.cfnet.bench;

import dev.cfnet.testpki.TestPki;
import dev.cfnet.tls.TlsConfig;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * What the TLS rows share: TLS 1.3 and the JDK's SSLEngine everywhere, one test CA and one server certificate for
 * 127.0.0.1, made once per JVM (EC P-256), hence one negotiated cipher suite. Clients verify the server's name (SNI
 * and endpoint identification) in every row: cfnet's {@code TlsSocket} ({@link CfnetWire#TLS}), Netty's
 * {@code SslHandler} ({@link NettyImpls.Layer#TLS}) and the hand-written loop ({@link NioTlsImpls}).
 */
final class TlsCerts {
    static final TestPki CA = TestPki.create("cfnet bench CA");
    static final SSLContext SERVER = CA.loopbackServer().serverContext();
    static final SSLContext CLIENT = CA.clientContext();
    static final String NAME = "localhost";
    static final TlsConfig CFNET_SERVER = TlsConfig.server(SERVER).withProtocols("TLSv1.3");
    static final TlsConfig CFNET_CLIENT = TlsConfig.client(CLIENT, NAME).withProtocols("TLSv1.3");

    private TlsCerts() {
    }

    static SSLEngine serverEngine() {
        SSLEngine e = SERVER.createSSLEngine();
        e.setUseClientMode(false);
        e.setEnabledProtocols(new String[] {"TLSv1.3"});
        return e;
    }

    static SSLEngine clientEngine(int port) {
        SSLEngine e = CLIENT.createSSLEngine(NAME, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setServerNames(List.of(new SNIHostName(NAME)));
        p.setProtocols(new String[] {"TLSv1.3"});
        e.setSSLParameters(p);
        return e;
    }
}
