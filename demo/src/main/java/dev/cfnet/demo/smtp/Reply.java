package dev.cfnet.demo.smtp;

import java.util.List;

/** A complete server reply: its code and its lines' text (after the code and separator). */
public record Reply(int code, List<String> lines) {
    public Reply {
        lines = List.copyOf(lines);
    }

    /** The reply as the server sent it, one line per element ("250-first", "250 last"). */
    public List<String> wire() {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            out.add(code + (i < lines.size() - 1 ? "-" : text.isEmpty() ? "" : " ") + text);
        }
        return out;
    }

    /** Whether this EHLO reply lists {@code keyword} (RFC 5321 4.1.1.1: one extension per line after the first). */
    public boolean offersExtension(String keyword) {
        for (int i = 1; i < lines.size(); i++) {
            String kw = lines.get(i).strip();
            int sp = kw.indexOf(' ');
            if ((sp < 0 ? kw : kw.substring(0, sp)).equalsIgnoreCase(keyword)) return true;
        }
        return false;
    }
}
