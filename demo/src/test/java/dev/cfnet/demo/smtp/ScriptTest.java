package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptTest {

    @Test
    void theSeedsConversationAsAScript() throws Exception {
        List<Step> steps = Script.parse("s", """
                # greeting, HELO, QUIT
                expect 220
                send HELO client.example.org
                expect 250
                SEND quit   # directives are case-insensitive, commands are sent as written
                expect 221 421
                """);
        assertEquals(List.of(new Step(null, 220), new Step("HELO client.example.org", 250),
                new Step("quit", List.of(221, 421))), steps);
        assertEquals(Step.seed("client.example.org", false).subList(0, 2), steps.subList(0, 2));
        assertEquals("greeting", steps.get(0).label());
        assertEquals("HELO", steps.get(1).label());
    }

    static String error(String text) {
        return assertThrows(ScriptException.class, () -> Script.parse("t.txt", text)).getMessage();
    }

    @Test
    void mistakesNameTheLine() {
        assertEquals("t.txt:2: unknown directive 'sned' (a line is 'send COMMAND', 'expect CODE...', 'write LINE' or "
                + "'starttls')", error("expect 220\nsned HELO x\n"));
        assertTrue(error("expect 220\n\nexpect 25\n").startsWith("t.txt:3: '25' is not a reply code"));
        assertTrue(error("send HELO a\nsend HELO b\nexpect 250").startsWith("t.txt:2: 'send' after the 'send' on line 1"));
        assertEquals("t.txt:4: 'send' has no 'expect' after it", error("expect 220\n\n# c\nsend QUIT\n"));
        assertEquals("t.txt:1: 'expect' needs a reply code, e.g. 250", error("expect\n"));
        assertEquals("t.txt:1: 'send' needs a command", error("send   \nexpect 250"));
        assertTrue(error("send HELO \u0007\nexpect 250").contains("control character"));
        assertTrue(error("send " + "x".repeat(600) + "\nexpect 250").contains("longer than 510"));
        assertTrue(error("# nothing\n\n").contains("no steps"));
        assertTrue(error("expect 700").contains("'700' is not a reply code"));
        // Found by ScriptFuzzTest: a separator alone made split() return nothing, and Step threw
        // IllegalArgumentException out of parse.
        assertEquals("t.txt:1: 'expect' needs a reply code, e.g. 250", error("expect ,\n"));
        assertEquals("t.txt:2: 'expect' needs a reply code, e.g. 250", error("send NOOP\nexpect | ,\n"));
    }

    @Test
    void aHashStartsACommentOnlyAtTheStartOrAfterWhitespace() throws Exception {
        assertEquals(List.of(new Step(null, 220)), Script.parse("s", "#comment\nexpect 220 # a comment\n"));
        assertTrue(error("expect 220#1\n").contains("'220#1' is not a reply code"), "'#' inside a word is kept");
        assertEquals("HELO client#1.example", Script.parse("s", "send HELO client#1.example\nexpect 250\n")
                .getFirst().command());
        assertEquals("HELO client", Script.parse("s", "send HELO client #1\nexpect 250\n").getFirst().command());
        assertEquals("HELO client", Script.parse("s", "write HELO client\t# after a tab\n").getFirst().command());
        assertEquals("NOOP # kept", Script.parse("s", "send NOOP \\# kept\nexpect 250\n").getFirst().command());
        assertEquals("", Script.stripComment("# all of it"));
    }

    @Test
    void writeSendsALineThatGetsNoReply() throws Exception {
        List<Step> steps = Script.parse("s", """
                expect 220
                send DATA
                expect 354
                write Subject: hello
                write
                write    indented, kept   # trailing spaces and the comment go
                write ..stuffed by hand
                send .
                expect 250
                """);
        assertEquals(List.of(new Step(null, 220), new Step("DATA", 354), Step.line("Subject: hello"), Step.line(""),
                Step.line("   indented, kept"), Step.line("..stuffed by hand"), new Step(".", 250)), steps);
        assertFalse(steps.get(2).expectsReply());
        assertEquals("t.txt:2: 'write' after the 'send' on line 1 with no 'expect' between them",
                error("send DATA\nwrite x\nexpect 354\n"));
        assertTrue(error("write " + "x".repeat(999)).contains("line longer than 998"));
        assertTrue(error("write a\u0000b").contains("control character U+0000"));
    }

    @Test
    void starttlsIsAStepOfItsOwn() throws Exception {
        List<Step> steps = Script.parse("s", "expect 220\nsend EHLO me\nexpect 250\nSTARTTLS\nsend EHLO me\nexpect 250\n");
        assertEquals(Step.startTls(), steps.get(2));
        assertEquals(Step.Kind.STARTTLS, steps.get(2).kind());
        assertEquals(List.of(220), steps.get(2).expect());
        assertEquals("t.txt:1: 'starttls' takes nothing after it", error("starttls now\n"));
    }

    @Test
    void separatorsAroundCodesAreAllowedOnBothSides() throws Exception {
        assertEquals(List.of(new Step(null, List.of(250, 251))), Script.parse("s", "expect ,250|251,\n"));
    }

    @Test
    void filesAreReadAsUtf8AndBoundedInSize(@TempDir Path dir) throws Exception {
        Path ok = Files.writeString(dir.resolve("ok.txt"), "expect 220\nsend HELO bücher.example\nexpect 250\n");
        assertEquals("HELO bücher.example", Script.load(ok).get(1).command());
        Path missing = dir.resolve("missing.txt");
        assertTrue(assertThrows(ScriptException.class, () -> Script.load(missing)).getMessage()
                .contains("no such file"));
        Path latin1 = Files.write(dir.resolve("l1.txt"), new byte[] {'e', 'x', 'p', (byte) 0xe9});
        assertTrue(assertThrows(ScriptException.class, () -> Script.load(latin1)).getMessage().contains("UTF-8"));
        Path big = Files.write(dir.resolve("big.txt"), new byte[(int) Script.MAX_BYTES + 1]);
        assertTrue(assertThrows(ScriptException.class, () -> Script.load(big)).getMessage().contains("1 MiB"));
    }
}
