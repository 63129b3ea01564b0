package dev.cfnet;

/**
 * A socket's callback, CFSocketCallBack's counterpart. Runs on the socket's run loop thread, one call at a time.
 * Whatever it throws goes to the loop's {@link CallbackErrorHandler}; the loop goes on.
 */
@FunctionalInterface
public interface SocketHandler {
    void handle(Socket socket, SocketEvent event) throws Exception;
}
