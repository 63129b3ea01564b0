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
 * send HELO client.example.org
 * expect 250
 * send QUIT
 * expect 221 421      # either code will do
 * </pre>
 *
 * Every {@code send} needs an {@code expect} after it; {@code #} starts a comment.
 */
public final class Script {
    /** Longest script file read (1 MiB): a script is a handful of lines. */
    static final long MAX_BYTES = 1 << 20;
    /** Longest command: SMTP's 512-octet limit less the CRLF. */
    static final int MAX_COMMAND = 510;

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
            String line = stripComment(lines[i]).strip();
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
                    if (rest.length() > MAX_COMMAND) {
                        throw new ScriptException(name + ":" + n + ": command longer than " + MAX_COMMAND
                                + " characters");
                    }
                    for (int k = 0; k < rest.length(); k++) {
                        char c = rest.charAt(k);
                        if (Character.isISOControl(c) && c != '\t') {
                            throw new ScriptException(name + ":" + n + ": command contains control character U+"
                                    + String.format("%04X", (int) c));
                        }
                    }
                    pending = rest;
                    pendingLine = n;
                }
                case "expect" -> {
                    steps.add(new Step(pending, codes(name, n, rest)));
                    pending = null;
                }
                default -> throw new ScriptException(name + ":" + n + ": unknown directive '" + shorten(directive)
                        + "' (a line is 'send COMMAND' or 'expect CODE...')");
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

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
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
