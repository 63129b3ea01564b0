package dev.cfnet.demo.smtp;

import java.util.List;

/**
 * The server's bytes are not a well-formed reply. {@link #replies()} are the replies that the same
 * {@link ReplyParser#feed} call completed before the bad bytes: they are good, and count as if they had arrived in a
 * read of their own (how TCP cuts the stream into reads must not change what the client makes of it).
 */
public final class ReplyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Reply> replies;

    public ReplyException(String message) {
        this(message, List.of());
    }

    public ReplyException(String message, List<Reply> replies) {
        super(message);
        this.replies = List.copyOf(replies);
    }

    /** The complete replies that came before the bad bytes in the same read, in order; often none. */
    public List<Reply> replies() {
        return replies == null ? List.of() : replies;
    }
}
