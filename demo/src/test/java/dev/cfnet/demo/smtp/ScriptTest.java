package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertEquals("t.txt:2: unknown directive 'sned' (a line is 'send COMMAND' or 'expect CODE...')",
                error("expect 220\nsned HELO x\n"));
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
