package dev.cfnet.demo.smtp;

/** The server's bytes are not a well-formed reply. */
public final class ReplyException extends Exception {
    private static final long serialVersionUID = 1L;

    public ReplyException(String message) {
        super(message);
    }
}
