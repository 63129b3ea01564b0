package dev.cfnet.demo.smtp;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/** A GreenMail SMTP server on a free loopback port, for running the demo with nothing else around. */
public final class EmbeddedServer implements AutoCloseable {
    private final GreenMail mail;
    private final int port;

    private EmbeddedServer(GreenMail mail, int port) {
        this.mail = mail;
        this.port = port;
    }

    public static EmbeddedServer start() {
        GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        mail.start();
        return new EmbeddedServer(mail, mail.getSmtp().getPort());
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        mail.stop();
    }
}
