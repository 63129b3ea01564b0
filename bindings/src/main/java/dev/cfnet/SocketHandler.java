package dev.cfnet;

/**
 * A socket's callback, CFSocketCallBack's counterpart. Runs on the socket's run loop thread, one call at a time.
 * Whatever it throws goes to the loop's {@link CallbackErrorHandler}; the loop goes on.
 */
@FunctionalInterface
public interface SocketHandler {
    /**
     * Handles one event. A {@link SocketEvent.Data} event's bytes are only valid until this returns: copy what you
     * keep.
     *
     * @param socket the socket the event is for
     * @param event  what happened
     * @throws Exception anything; it goes to the loop's {@link CallbackErrorHandler}, whose default logs it and
     *                   invalidates the socket
     */
    void handle(Socket socket, SocketEvent event) throws Exception;
}
