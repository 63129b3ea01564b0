package dev.cfnet.demo.smtp;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One step of a conversation, as the seed's table has them: an optional command to send, then the reply codes
 * that let the conversation go on. Two more kinds: a {@link Kind#LINE} is sent and gets no reply (a line of a
 * message after DATA), and {@link Kind#STARTTLS} sends STARTTLS and, on its 220, goes on in TLS.
 *
 * @param command the line to send without its CRLF, or null to only wait for a reply (the greeting)
 * @param expect  the acceptable reply codes: at least one, none for a {@link Kind#LINE}
 * @param kind    what the step does
 * @param shown   what the transcript shows instead of the command (a password), or null for the command itself
 */
public record Step(String command, List<Integer> expect, Kind kind, String shown) {

    /** What a step does. */
    public enum Kind {
        /** Sends the command (if any) and waits for a reply with one of the codes. */
        COMMAND,
        /** Sends a line and waits for nothing. */
        LINE,
        /** Sends STARTTLS, waits for 220, then makes the connection TLS. */
        STARTTLS
    }

    public Step {
        Objects.requireNonNull(expect, "expect");
        Objects.requireNonNull(kind, "kind");
        expect = List.copyOf(expect);
        if (kind == Kind.LINE) {
            Objects.requireNonNull(command, "a line step sends a line");
            if (!expect.isEmpty()) throw new IllegalArgumentException("a line gets no reply; it expects no code");
        } else if (expect.isEmpty()) {
            throw new IllegalArgumentException("a step expects at least one reply code");
        }
        for (int code : expect) {
            if (code < 100 || code > 599) throw new IllegalArgumentException("not a reply code: " + code);
        }
        if (command != null && (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("a command is one line: " + command);
        }
    }

    public Step(String command, List<Integer> expect) {
        this(command, expect, Kind.COMMAND, null);
    }

    public Step(String command, int expect) {
        this(command, List.of(expect));
    }

    /** A line sent without waiting for a reply. */
    public static Step line(String text) {
        return new Step(text, List.of(), Kind.LINE, null);
    }

    /** STARTTLS, 220, then TLS. */
    public static Step startTls() {
        return new Step("STARTTLS", List.of(220), Kind.STARTTLS, null);
    }

    /** A command the transcript shows as {@code shown} (it holds a secret). */
    public static Step secret(String command, String shown, List<Integer> expect) {
        return new Step(command, expect, Kind.COMMAND, Objects.requireNonNull(shown, "shown"));
    }

    public boolean accepts(int code) {
        return expect.contains(code);
    }

    /** True unless the step is a {@link Kind#LINE}. */
    public boolean expectsReply() {
        return kind != Kind.LINE;
    }

    /** What the transcript shows of the command. */
    public String display() {
        if (shown != null) return shown;
        return ".".equals(command) && kind == Kind.COMMAND ? ". (end of message)" : command;
    }

    /**
     * The command's verb ("HELO"), the whole command for MAIL and RCPT (which recipient), "greeting" for a step
     * that only waits, or "end of message" for the lone dot after DATA.
     */
    public String label() {
        if (command == null) return "greeting";
        if (command.equals(".") && kind == Kind.COMMAND) return "end of message";
        int sp = command.indexOf(' ');
        String verb = sp < 0 ? command : command.substring(0, sp);
        String v = verb.toUpperCase(Locale.ROOT);
        if (shown == null && (v.equals("MAIL") || v.equals("RCPT"))) return command;
        return verb;
    }

    /** The seed's conversation: greeting 220, HELO (or EHLO) 250, QUIT 221. */
    public static List<Step> seed(String heloName, boolean ehlo) {
        return List.of(new Step(null, 220), new Step((ehlo ? "EHLO " : "HELO ") + heloName, 250),
                new Step("QUIT", 221));
    }
}
