package dev.cfnet.demo.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The lines a client sends after DATA: a message's header and body (RFC 5322) as text lines without their CRLF,
 * dot-stuffed (RFC 5321 4.5.2), the lone "." not included.
 *
 * <p>The input is UTF-8 text with any line endings. When it starts with a header (lines "Name: value" up to an
 * empty line), that header is kept and only what is missing is added; otherwise all of it is the body. Added when
 * missing: From, To, Subject (when given), Date and Message-ID, and for non-ASCII text MIME-Version and a
 * Content-Type of UTF-8 text (8bit). A line over 998 octets is refused, never cut.
 */
public final class Message {
    /** Longest line of a message: 1000 octets with the CRLF (RFC 5321 4.5.3.1.6). */
    public static final int MAX_LINE = 998;
    private static final Pattern FIELD = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]+:.*");
    private static final Pattern ADDRESS = Pattern.compile("[^\\s<>@\"(),;:\\\\]+@[^\\s<>@\"(),;:\\\\]+");

    private Message() {
    }

    /** The input is not a message this tool can send as it is. */
    public static final class MessageException extends Exception {
        private static final long serialVersionUID = 1L;

        public MessageException(String message) {
            super(message);
        }
    }

    /** Checks an envelope address: local@domain, no spaces, no angle brackets. */
    public static String checkAddress(String option, String address) throws MessageException {
        if (address == null || !ADDRESS.matcher(address).matches() || address.length() > 254) {
            throw new MessageException(option + " must be an address like user@example.org, not '" + address + "'");
        }
        return address;
    }

    /**
     * The message's lines.
     *
     * @param from    the envelope sender, for a missing From
     * @param to      the envelope recipients, for a missing To
     * @param subject the subject, or null
     * @param input   header and body, or body only
     * @param domain  the right side of a new Message-ID (the client's name)
     * @param now     the Date of a message that has none
     */
    public static List<String> lines(String from, List<String> to, String subject, byte[] input, String domain,
                                     ZonedDateTime now) throws MessageException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(input)).toString();
        } catch (CharacterCodingException e) {
            throw new MessageException("the message is not UTF-8 text");
        }
        if (text.indexOf('\0') >= 0) throw new MessageException("the message contains a NUL character");
        List<String> in = new ArrayList<>(List.of(text.split("\r\n|\n|\r", -1)));
        if (!in.isEmpty() && in.getLast().isEmpty()) in.removeLast();   // the final line ending

        int headerEnd = headerEnd(in);
        List<String> header = new ArrayList<>(headerEnd < 0 ? List.of() : in.subList(0, headerEnd));
        List<String> body = headerEnd < 0 ? in : in.subList(headerEnd + 1, in.size());
        Set<String> names = new HashSet<>();
        for (String h : header) {
            if (!h.isEmpty() && h.charAt(0) != ' ' && h.charAt(0) != '\t') {
                names.add(h.substring(0, h.indexOf(':')).strip().toLowerCase(Locale.ROOT));
            }
        }
        boolean nonAscii = !text.chars().allMatch(c -> c < 0x80) || (subject != null
                && !subject.chars().allMatch(c -> c < 0x80));
        List<String> added = new ArrayList<>();
        if (!names.contains("from")) added.add("From: " + from);
        if (!names.contains("to")) added.add("To: " + String.join(", ", to));
        if (subject != null) {
            if (names.contains("subject")) {
                throw new MessageException("--subject is given, and the message has a Subject header already");
            }
            List<String> words = encodeWords(subject);
            added.add("Subject: " + words.getFirst());
            for (String w : words.subList(1, words.size())) added.add(" " + w);   // folded: one word a line
        }
        if (!names.contains("date")) added.add("Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(now));
        if (!names.contains("message-id")) {
            added.add("Message-ID: <" + UUID.randomUUID() + "@" + domain.replaceAll("[\\[\\]]", "") + ">");
        }
        if (nonAscii && !names.contains("content-type") && !names.contains("mime-version")) {
            added.add("MIME-Version: 1.0");
            added.add("Content-Type: text/plain; charset=UTF-8");
            added.add("Content-Transfer-Encoding: 8bit");
        }
        List<String> out = new ArrayList<>(added.size() + header.size() + body.size() + 1);
        out.addAll(added);
        out.addAll(header);
        out.add("");
        out.addAll(body);
        int first = headerEnd < 0 ? added.size() + 1 : added.size();   // where the input's first line is in out
        for (int i = 0; i < out.size(); i++) {
            String l = out.get(i);
            String where = i < added.size() ? "the added header '" + l.substring(0, Math.min(l.length(), 20)) + "...'"
                    : "line " + (i - first + 1) + " of the message";
            if (l.getBytes(StandardCharsets.UTF_8).length > MAX_LINE) {
                throw new MessageException(where + " is longer than " + MAX_LINE + " octets (SMTP's limit); wrap it");
            }
            for (int k = 0; k < l.length(); k++) {
                char c = l.charAt(k);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new MessageException(where + " contains control character U+" + String.format("%04X",
                            (int) c));
                }
            }
            if (l.startsWith(".")) out.set(i, "." + l);
        }
        return out;
    }

    /** The index of the empty line after a leading header, or -1 when the input does not start with one. */
    private static int headerEnd(List<String> in) {
        if (in.isEmpty() || !FIELD.matcher(in.getFirst()).matches()) return -1;
        for (int i = 1; i < in.size(); i++) {
            String l = in.get(i);
            if (l.isEmpty()) return i;
            if (l.charAt(0) != ' ' && l.charAt(0) != '\t' && !FIELD.matcher(l).matches()) return -1;
        }
        return -1;
    }

    /** RFC 2047: non-ASCII header text as UTF-8 base64 encoded words of at most 75 characters each. */
    static List<String> encodeWords(String s) {
        if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) return List.of(s);
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int j = i;
            int bytes = 0;
            while (j < s.length()) {
                int cp = s.codePointAt(j);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n > 39) break;   // 39 octets: 52 base64 characters; with "Subject: " under 78
                bytes += n;
                j += Character.charCount(cp);
            }
            out.add("=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.substring(i, j).getBytes(StandardCharsets.UTF_8))
                    + "?=");
            i = j;
        }
        return out;
    }
}
