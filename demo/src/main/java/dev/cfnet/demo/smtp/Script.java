package dev.cfnet.demo.smtp;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Conversation scripts: one directive per line, so that the engine drives any line-based protocol.
 *
 * <pre>
 * # the seed's conversation
 * expect 220
 * send EHLO client.example.org
 * expect 250
 * starttls               # STARTTLS, expect 220, then TLS (the EHLO reply must offer it)
 * send EHLO client.example.org
 * expect 250
 * send DATA
 * expect 354
 * write Subject: hello   # sent, no reply awaited
 * write                  # an empty line
 * write body text, dot-stuffed by hand
 * send .
 * expect 250
 * send QUIT
 * expect 221 421         # either code will do
 * </pre>
 *
 * Every {@code send} needs an {@code expect} after it; a {@code write} needs none and sends what follows the
 * directive and one space as it is (leading spaces kept). {@code #} starts a comment at the start of a line or after
 * a space or tab ({@code HELO client#1} keeps its {@code #}); {@code \#} is a {@code #} that starts none.
 */
public final class Script {
    /** Longest script file read (1 MiB): a script is a handful of lines. */
    static final long MAX_BYTES = 1 << 20;
    /** Longest command: SMTP's 512-octet limit less the CRLF. */
    static final int MAX_COMMAND = 510;
    /** Longest text line: SMTP's 1000-octet limit less the CRLF. */
    static final int MAX_LINE = 998;

    private Script() {
    }

    public static List<Step> load(Path file) throws ScriptException {
        String name = file.toString();
        try {
            if (!Files.isRegularFile(file)) throw new ScriptException(name + ": no such file");
            if (Files.size(file) > MAX_BYTES) throw new ScriptException(name + ": larger than 1 MiB; not a script");
            byte[] bytes = Files.readAllBytes(file);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new ScriptException(name + ": not UTF-8 text");
            }
            return parse(name, text);
        } catch (IOException e) {
            throw new ScriptException(name + ": " + e.getMessage());
        }
    }

    public static List<Step> parse(String name, String text) throws ScriptException {
        List<Step> steps = new ArrayList<>();
        String pending = null;
        int pendingLine = 0;
        String[] lines = text.split("\r\n|\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String raw = stripComment(lines[i]);
            String line = raw.strip();
            if (line.isEmpty()) continue;
            int sp = indexOfSpace(line);
            String directive = (sp < 0 ? line : line.substring(0, sp)).toLowerCase(Locale.ROOT);
            String rest = sp < 0 ? "" : line.substring(sp + 1).strip();
            switch (directive) {
                case "send" -> {
                    if (pending != null) {
                        throw new ScriptException(name + ":" + n + ": 'send' after the 'send' on line " + pendingLine
                                + " with no 'expect' between them");
                    }
                    if (rest.isEmpty()) throw new ScriptException(name + ":" + n + ": 'send' needs a command");
                    checkText(name, n, rest, MAX_COMMAND, "command");
                    pending = rest;
                    pendingLine = n;
                }
                case "expect" -> {
                    steps.add(new Step(pending, codes(name, n, rest)));
                    pending = null;
                }
                case "write" -> {
                    noPending(name, n, pending, pendingLine, directive);
                    String written = writeText(raw);
                    checkText(name, n, written, MAX_LINE, "line");
                    steps.add(Step.line(written));
                }
                case "starttls" -> {
                    noPending(name, n, pending, pendingLine, directive);
                    if (!rest.isEmpty()) {
                        throw new ScriptException(name + ":" + n + ": 'starttls' takes nothing after it");
                    }
                    steps.add(Step.startTls());
                }
                default -> throw new ScriptException(name + ":" + n + ": unknown directive '" + shorten(directive)
                        + "' (a line is 'send COMMAND', 'expect CODE...', 'write LINE' or 'starttls')");
            }
        }
        if (pending != null) {
            throw new ScriptException(name + ":" + pendingLine + ": 'send' has no 'expect' after it");
        }
        if (steps.isEmpty()) throw new ScriptException(name + ": no steps (a line is 'send COMMAND' or 'expect CODE')");
        return List.copyOf(steps);
    }

    private static List<Integer> codes(String name, int n, String rest) throws ScriptException {
        List<Integer> out = new ArrayList<>();
        for (String word : rest.split("[\\s,|]+")) {
            if (word.isEmpty()) continue;   // a separator first: split gives "" there (and nothing at all for ",")
            if (!word.matches("[1-5][0-9][0-9]")) {
                throw new ScriptException(name + ":" + n + ": '" + shorten(word) + "' is not a reply code (three "
                        + "digits, 100 to 599)");
            }
            out.add(Integer.parseInt(word));
        }
        if (out.isEmpty()) throw new ScriptException(name + ":" + n + ": 'expect' needs a reply code, e.g. 250");
        return out;
    }

    private static void noPending(String name, int n, String pending, int pendingLine, String directive)
            throws ScriptException {
        if (pending != null) {
            throw new ScriptException(name + ":" + n + ": '" + directive + "' after the 'send' on line " + pendingLine
                    + " with no 'expect' between them");
        }
    }

    private static void checkText(String name, int n, String text, int max, String what) throws ScriptException {
        if (text.length() > max) {
            throw new ScriptException(name + ":" + n + ": " + what + " longer than " + max + " characters");
        }
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (Character.isISOControl(c) && c != '\t') {
                throw new ScriptException(name + ":" + n + ": " + what + " contains control character U+"
                        + String.format("%04X", (int) c));
            }
        }
    }

    /** What follows 'write' and one space or tab, leading spaces kept, trailing ones dropped. */
    private static String writeText(String raw) {
        String s = raw.stripLeading();
        s = s.substring(Math.min(s.length(), "write".length()));
        if (!s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(0) == '\t')) s = s.substring(1);
        return s.stripTrailing();
    }

    /**
     * Cuts the line at a '#' that starts it or follows a space or tab; {@code \#} stands for a '#' that does not
     * start a comment.
     */
    static String stripComment(String line) {
        StringBuilder b = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '#') {
                b.append('#');
                i++;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                break;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) return i;
        }
        return -1;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
