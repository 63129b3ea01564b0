package dev.cfnet.demo.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP replies (RFC 5321 4.2) from bytes as they arrive, however they are split: a reply may come one byte
 * per packet, or several in one read. Lines end with CRLF; a bare LF is accepted from sloppy servers. A reply is
 * {@code ddd-text} lines up to a {@code ddd text} (or bare {@code ddd}) line, all with the same code.
 *
 * <p>Memory is bounded: a line may be at most 512 octets with its CRLF (RFC 5321 4.5.3.1.5), a reply at most
 * {@link #MAX_REPLY_BYTES}. Anything else is a {@link ReplyException}; after one, the parser is spent.
 */
public final class ReplyParser {
    public static final int MAX_LINE = 512;
    public static final int MAX_REPLY_BYTES = 64 * 1024;

    private final byte[] line = new byte[MAX_LINE];
    private int lineLength;
    private final List<String> lines = new ArrayList<>();
    private int code = -1;
    private int replyBytes;
    private String failure;

    /**
     * Consumes all of {@code bytes}; returns the replies completed by them, in order.
     *
     * @throws ReplyException at the first bad byte; it carries the replies completed before it in {@code bytes}
     */
    public List<Reply> feed(ByteBuffer bytes) throws ReplyException {
        if (failure != null) throw new ReplyException(failure);
        List<Reply> done = new ArrayList<>(0);
        try {
            consume(bytes, done);
        } catch (ReplyException e) {
            throw done.isEmpty() ? e : new ReplyException(e.getMessage(), done);
        }
        return done;
    }

    private void consume(ByteBuffer bytes, List<Reply> done) throws ReplyException {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (b == '\n') {
                int len = lineLength;
                if (len > 0 && line[len - 1] == '\r') len--;
                Reply r = line(len);
                lineLength = 0;
                if (r != null) done.add(r);
                continue;
            }
            if (lineLength == MAX_LINE - 1) {
                // 511 bytes and no LF yet: with its LF the line would pass 512 octets.
                throw fail("reply line longer than " + MAX_LINE + " octets (starts '" + printable(line, 40) + "')");
            }
            line[lineLength++] = b;
        }
    }

    /** Bytes of an unfinished reply held now. */
    public int buffered() {
        return lineLength + replyBytes;
    }

    private Reply line(int len) throws ReplyException {
        replyBytes += len + 2;
        if (replyBytes > MAX_REPLY_BYTES) {
            throw fail("reply longer than " + MAX_REPLY_BYTES + " bytes (" + (lines.size() + 1) + " lines)");
        }
        if (len < 3 || !digit(line[0], '1', '5') || !digit(line[1], '0', '9') || !digit(line[2], '0', '9')) {
            throw fail("malformed reply line '" + printable(line, Math.min(len, 60)) + "' (no reply code)");
        }
        int lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        boolean last;
        if (len == 3 || line[3] == ' ') {
            last = true;
        } else if (line[3] == '-') {
            last = false;
        } else {
            throw fail("malformed reply line '" + printable(line, Math.min(len, 60)) + "' (code not followed by ' ' "
                    + "or '-')");
        }
        if (code >= 0 && lineCode != code) {
            throw fail("reply mixes codes " + code + " and " + lineCode);
        }
        code = lineCode;
        String text = len > 4 ? new String(line, 4, len - 4, StandardCharsets.UTF_8) : "";
        lines.add(text);
        if (!last) return null;
        Reply r = new Reply(code, lines);
        lines.clear();
        code = -1;
        replyBytes = 0;
        return r;
    }

    private static boolean digit(byte b, char lo, char hi) {
        return b >= lo && b <= hi;
    }

    private ReplyException fail(String message) {
        failure = message;
        lines.clear();
        return new ReplyException(message);
    }

    /** Up to {@code n} bytes as text with control characters escaped, for messages. */
    static String printable(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }
}
