package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTest {
    static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 1, 9, 30, 0, 0, ZoneOffset.UTC);

    static List<String> lines(String subject, String input) throws Exception {
        return Message.lines("a@example.org", List.of("b@example.org", "c@example.org"), subject,
                input.getBytes(StandardCharsets.UTF_8), "client.test", NOW);
    }

    @Test
    void aBodyGetsAHeaderAndDotStuffingInCrlfLines() throws Exception {
        List<String> l = lines("hi", "first\r\n.dot\n..two\rlast");
        assertEquals("From: a@example.org", l.get(0));
        assertEquals("To: b@example.org, c@example.org", l.get(1));
        assertEquals("Subject: hi", l.get(2));
        assertEquals("Date: Tue, 1 Dec 2026 09:30:00 GMT", l.get(3));
        assertTrue(l.get(4).matches("Message-ID: <[0-9a-f-]{36}@client\\.test>"), l.get(4));
        assertEquals(List.of("", "first", "..dot", "...two", "last"), l.subList(5, l.size()));
    }

    @Test
    void aHeaderOfItsOwnIsKeptAndCompleted() throws Exception {
        List<String> l = lines(null, "From: Alice <a@example.org>\nX-Folded: one\n two\nDate: yesterday\n\nbody\n");
        assertEquals(List.of("To: b@example.org, c@example.org"), l.stream().filter(x -> x.startsWith("To:")).toList());
        assertEquals(1, l.stream().filter(x -> x.startsWith("From:")).count());
        assertEquals(List.of("Date: yesterday"), l.stream().filter(x -> x.startsWith("Date:")).toList());
        assertTrue(l.contains(" two") && l.getLast().equals("body"), l::toString);
        // A first line that only looks like a header, with no empty line after the block, is body.
        List<String> b = lines(null, "Note: this is body text\nand more\n");
        assertEquals(List.of("", "Note: this is body text", "and more"), b.subList(b.indexOf(""), b.size()));
    }

    @Test
    void nonAsciiTextIsDeclaredAndTheSubjectEncoded() throws Exception {
        List<String> l = lines("Grüße aus Köln, ein langer Betreff über mehrere Wörter hinweg", "Grüße\n");
        assertTrue(l.contains("Content-Type: text/plain; charset=UTF-8") && l.contains("MIME-Version: 1.0"), l::toString);
        assertTrue(l.get(2).startsWith("Subject: =?UTF-8?B?") && l.get(3).startsWith(" =?UTF-8?B?"), l::toString);
        for (String x : l) assertTrue(x.length() <= 78 || !x.contains("=?"), x);
    }

    @Test
    void whatSmtpCannotCarryIsRefused() {
        var e = assertThrows(Message.MessageException.class, () -> lines(null, "ok\n" + "x".repeat(999) + "\n"));
        assertEquals("line 2 of the message is longer than 998 octets (SMTP's limit); wrap it", e.getMessage());
        assertTrue(assertThrows(Message.MessageException.class, () -> lines(null, "a\u0000b")).getMessage()
                .contains("NUL"));
        assertTrue(assertThrows(Message.MessageException.class, () -> lines(null, "a\u0007b")).getMessage()
                .contains("U+0007"));
        assertTrue(assertThrows(Message.MessageException.class, () -> lines("s", "Subject: x\n\nbody"))
                .getMessage().contains("has a Subject header already"));
        assertTrue(assertThrows(Message.MessageException.class, () -> Message.lines("a@b.c", List.of("d@e.f"), null,
                new byte[] {(byte) 0xff}, "x", NOW)).getMessage().contains("not UTF-8"));
        assertTrue(assertThrows(Message.MessageException.class, () -> Message.checkAddress("--to", "a b@c.d"))
                .getMessage().contains("--to must be an address"));
    }
}
