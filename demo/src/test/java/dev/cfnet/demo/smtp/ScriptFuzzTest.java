package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Script#parse} with arbitrary text: the input's bytes read as UTF-8 (readable seeds), and the same
 * bytes read as raw UTF-16 code units (any char, lone surrogates included). Checked: nothing but
 * {@link ScriptException} escapes, with a message; a parsed script has steps, each well-formed (codes 100 to 599,
 * commands one line of at most 510 characters, stripped, free of control characters but tab); and a script written
 * back from the steps parses to the same steps.
 *
 * <p>{@code make test} runs the seeds in {@code ScriptFuzzTestInputs/parse} (Jazzer's regression mode) and
 * {@link #aFewThousandSeededRandomScripts} (the same checks on scripts made from the seeds and script-shaped pieces by
 * a seeded generator); {@code make fuzz} fuzzes (JAZZER_FUZZ=1).
 */
class ScriptFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) {
        check(new String(input, StandardCharsets.UTF_8));
        char[] units = new char[input.length / 2];
        for (int i = 0; i < units.length; i++) {
            units[i] = (char) (((input[2 * i] & 0xff) << 8) | (input[2 * i + 1] & 0xff));
        }
        check(new String(units));
    }

    static final int RANDOM_RUNS = 4000;

    private static final String[] PIECES = {"send", "SEND", "expect", "Expect", " ", "  ", "\t", "\n", "\r\n", "\r",
        "#", "# c", "220", "250", "221", "421", "099", "600", "25", ",", "|", ", ", "HELO x", "QUIT", "MAIL FROM:<a@b>",
        "\u00a0", "\u2003", "\u001c", "\u0085", "\u2028", "\u0007", "\u0000", "\ud800", "\udc00", "b\u00fccher",
        "\ufeff"};

    @Test
    void aFewThousandSeededRandomScripts() {
        List<byte[]> seeds = ReplyParserFuzzTest.seeds("ScriptFuzzTestInputs/parse");
        SplittableRandom r = new SplittableRandom(0x5C41_2025L);
        for (int i = 0; i < RANDOM_RUNS; i++) {
            StringBuilder b = new StringBuilder();
            int parts = 1 + r.nextInt(16);
            for (int k = 0; k < parts; k++) {
                switch (r.nextInt(5)) {
                    case 0 -> b.append(new String(seeds.get(r.nextInt(seeds.size())), StandardCharsets.UTF_8));
                    case 1 -> b.append("send ").append("z".repeat(500 + r.nextInt(20))).append('\n');
                    case 2 -> b.append((char) r.nextInt(0x10000));
                    default -> b.append(PIECES[r.nextInt(PIECES.length)]);
                }
            }
            String text = b.toString();
            try {
                check(text);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("run " + i + ", script " + text.chars().mapToObj(c -> String.format("%04x", c))
                        .collect(Collectors.joining(" ")), e);
            }
        }
    }

    static void check(String text) {
        List<Step> steps;
        try {
            steps = Script.parse("fuzz", text);
        } catch (ScriptException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().startsWith("fuzz:"), e.getMessage());
            return;
        }
        assertFalse(steps.isEmpty(), "a script without steps parsed");
        for (Step s : steps) {
            assertFalse(s.expect().isEmpty());
            for (int code : s.expect()) assertTrue(code >= 100 && code <= 599, "code " + code);
            String c = s.command();
            if (c == null) continue;
            assertFalse(c.isEmpty(), "an empty command");
            assertTrue(c.length() <= Script.MAX_COMMAND, "command of " + c.length() + " characters");
            assertEquals(c.strip(), c, "command not stripped");
            assertFalse(c.contains("#"), "a comment in a command");
            for (int i = 0; i < c.length(); i++) {
                char ch = c.charAt(i);
                assertFalse(Character.isISOControl(ch) && ch != '\t', () -> "control character in " + c);
            }
        }
        String written = steps.stream().map(ScriptFuzzTest::render).collect(Collectors.joining("\n"));
        try {
            assertEquals(steps, Script.parse("fuzz", written), () -> "written back as:\n" + written);
        } catch (ScriptException e) {
            throw new AssertionError("the steps written back do not parse: " + e.getMessage() + "\n" + written, e);
        }
    }

    static String render(Step s) {
        String expect = "expect " + s.expect().stream().map(String::valueOf).collect(Collectors.joining(" "));
        return s.command() == null ? expect : "send " + s.command() + "\n" + expect;
    }
}
