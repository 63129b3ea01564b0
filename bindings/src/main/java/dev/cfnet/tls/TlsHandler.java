package dev.cfnet.tls;

/**
 * A TLS socket's callback, the counterpart of {@link dev.cfnet.SocketHandler}. Runs on the socket's run loop
 * thread, one call at a time. Whatever it throws goes to the loop's {@link dev.cfnet.CallbackErrorHandler} with the
 * {@link TlsSocket} as the source (the default handler logs it and invalidates the TLS socket); the loop goes on.
 */
@FunctionalInterface
public interface TlsHandler {

    /**
     * Handles one event.
     *
     * @param tls   the TLS socket the event is about
     * @param event what happened
     * @throws Exception anything; it goes to the loop's error handler
     */
    void handle(TlsSocket tls, TlsEvent event) throws Exception;
}
