package dev.cfnet.demo.smtp;

import java.util.List;
import java.util.Objects;

/**
 * One step of a conversation, as the seed's table has them: an optional command to send, then the reply codes
 * that let the conversation go on.
 *
 * @param command the line to send without its CRLF, or null to only wait for a reply (the greeting)
 * @param expect  the acceptable reply codes, at least one
 */
public record Step(String command, List<Integer> expect) {
    public Step {
        Objects.requireNonNull(expect, "expect");
        expect = List.copyOf(expect);
        if (expect.isEmpty()) throw new IllegalArgumentException("a step expects at least one reply code");
        for (int code : expect) {
            if (code < 100 || code > 599) throw new IllegalArgumentException("not a reply code: " + code);
        }
        if (command != null && (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("a command is one line: " + command);
        }
    }

    public Step(String command, int expect) {
        this(command, List.of(expect));
    }

    public boolean accepts(int code) {
        return expect.contains(code);
    }

    /** The command's verb ("HELO"), or "greeting" for a step that only waits. */
    public String label() {
        if (command == null) return "greeting";
        int sp = command.indexOf(' ');
        return sp < 0 ? command : command.substring(0, sp);
    }

    /** The seed's conversation: greeting 220, HELO (or EHLO) 250, QUIT 221. */
    public static List<Step> seed(String heloName, boolean ehlo) {
        return List.of(new Step(null, 220), new Step((ehlo ? "EHLO " : "HELO ") + heloName, 250),
                new Step("QUIT", 221));
    }
}
