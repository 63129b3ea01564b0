package dev.cfnet.demo.smtp;

import dev.cfnet.CallBackType;
import dev.cfnet.Socket;
import dev.cfnet.tls.TlsSocket;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A conversation's link to the server: the socket, or the TLS session over it once there is one. */
final class Link {
    Socket socket;
    TlsSocket tls;

    void drop() {
        if (tls != null) {
            tls.invalidate();   // close_notify, then the socket
            tls = null;
        }
        if (socket != null) {
            socket.invalidate();
            socket = null;
        }
    }

    void write(ByteBuffer b) throws IOException {
        if (tls != null) {
            tls.write(b);
        } else {
            socket.write(b);
        }
    }

    void enable(CallBackType t) {
        if (tls != null) {
            tls.enableCallBacks(t);
        } else {
            socket.enableCallBacks(t);
        }
    }

    void disable(CallBackType t) {
        if (tls != null) {
            tls.disableCallBacks(t);
        } else {
            socket.disableCallBacks(t);
        }
    }

    boolean isUp() {
        return tls != null ? tls.isValid() : socket != null && socket.isValid();
    }
}
