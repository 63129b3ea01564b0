package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyParserTest {

    static List<Reply> feed(ReplyParser p, String s) throws ReplyException {
        return p.feed(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSingleLineReply() throws Exception {
        List<Reply> r = feed(new ReplyParser(), "220 mail.example.org ESMTP ready\r\n");
        assertEquals(List.of(new Reply(220, List.of("mail.example.org ESMTP ready"))), r);
    }

    @Test
    void aMultiLineReplyEndsAtTheSpaceLine() throws Exception {
        ReplyParser p = new ReplyParser();
        assertEquals(List.of(), feed(p, "250-mail.example.org\r\n250-SIZE 35882577\r\n"));
        List<Reply> r = feed(p, "250 8BITMIME\r\n");
        assertEquals(1, r.size());
        assertEquals(250, r.getFirst().code());
        assertEquals(List.of("mail.example.org", "SIZE 35882577", "8BITMIME"), r.getFirst().lines());
        assertEquals(List.of("250-mail.example.org", "250-SIZE 35882577", "250 8BITMIME"), r.getFirst().wire());
    }

    @Test
    void aFinalLineMayBeJustTheCode() throws Exception {
        List<Reply> r = feed(new ReplyParser(), "250-first\r\n250\r\n");
        assertEquals(new Reply(250, List.of("first", "")), r.getFirst());
        assertEquals(new Reply(221, List.of("")), feed(new ReplyParser(), "221\r\n").getFirst());
    }

    @Test
    void bareLineFeedsAreAccepted() throws Exception {
        assertEquals(220, feed(new ReplyParser(), "220 sloppy\n").getFirst().code());
    }

    @Test
    void aReplyDribbledOneByteAtATimeComesOutWhole() throws Exception {
        ReplyParser p = new ReplyParser();
        List<Reply> all = new ArrayList<>();
        for (byte b : "250-a\r\n250-b\r\n250 c\r\n".getBytes(StandardCharsets.US_ASCII)) {
            all.addAll(p.feed(ByteBuffer.wrap(new byte[] {b})));
        }
        assertEquals(List.of(new Reply(250, List.of("a", "b", "c"))), all);
        assertEquals(0, p.buffered());
    }

    @Test
    void severalRepliesInOneReadComeOutInOrder() throws Exception {
        List<Reply> r = feed(new ReplyParser(), "250 ok\r\n354 go on\r\n221 bye\r\n");
        assertEquals(List.of(250, 354, 221), r.stream().map(Reply::code).toList());
    }

    @Test
    void lineLengthIsBoundedAt512Octets() throws Exception {
        String ok = "250 " + "x".repeat(506) + "\r\n";   // 512 octets with CRLF
        assertEquals(512, ok.length());
        assertEquals(250, feed(new ReplyParser(), ok).getFirst().code());
        ReplyParser p = new ReplyParser();
        ReplyException e = assertThrows(ReplyException.class, () -> feed(p, "250 " + "x".repeat(600)));
        assertTrue(e.getMessage().contains("512"), e.getMessage());
        assertTrue(p.buffered() <= ReplyParser.MAX_LINE);
        assertThrows(ReplyException.class, () -> feed(p, "250 ok\r\n"), "a failed parser stays failed");
    }

    @Test
    void theWholeReplyIsBounded() throws Exception {
        ReplyParser p = new ReplyParser();
        String line = "250-" + "y".repeat(400) + "\r\n";
        ReplyException e = assertThrows(ReplyException.class, () -> {
            for (int i = 0; i < 1000; i++) feed(p, line);
        });
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void garbageIsRefusedWithTheLine() {
        ReplyException e = assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "hello there\r\n"));
        assertTrue(e.getMessage().contains("hello there"), e.getMessage());
        assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "25\r\n"));
        assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "250+ok\r\n"));
        assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "650 six\r\n"));
        assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "\r\n"));
        ReplyException ctl = assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "\u0001\u0002x\r\n"));
        assertTrue(ctl.getMessage().contains("\\x01"), "control bytes are escaped: " + ctl.getMessage());
    }

    @Test
    void aGoodReplyBeforeBadBytesInTheSameReadIsNotLost() throws Exception {
        // Found by ReplyParserFuzzTest: fed whole, the 220 vanished; fed a byte at a time, it came out first.
        ReplyParser p = new ReplyParser();
        ReplyException e = assertThrows(ReplyException.class, () -> feed(p, "220 hi\r\nnot smtp\r\n"));
        assertEquals(List.of(new Reply(220, List.of("hi"))), e.replies());
        assertTrue(e.getMessage().contains("not smtp"), e.getMessage());
        ReplyException spent = assertThrows(ReplyException.class, () -> feed(p, "250 ok\r\n"));
        assertEquals(List.of(), spent.replies(), "a spent parser has nothing more to give");
        assertEquals(List.of(), assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "x\r\n")).replies());
    }

    @Test
    void aReplyMayNotMixCodes() {
        ReplyException e = assertThrows(ReplyException.class, () -> feed(new ReplyParser(), "250-a\r\n251 b\r\n"));
        assertTrue(e.getMessage().contains("250") && e.getMessage().contains("251"), e.getMessage());
    }
}
