package dev.cfnet.demo.smtp;

import java.io.IOException;
import java.net.Socket;

/** {@link FakeServer}'s well-behaved server for tests in other packages. */
public final class FakeServerAccess {
    private FakeServerAccess() {
    }

    /** Serves the seed's conversation correctly on {@code c}, after a greeting sent already. */
    public static void wellBehaved(Socket c) throws IOException {
        FakeServer.wellBehaved(c.getInputStream(), c.getOutputStream());
    }
}
