package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link ReplyParser#feed} with arbitrary bytes in arbitrary splits. The input is the byte stream; it is fed
 * whole, a byte at a time, and in pieces whose sizes come from a generator seeded by the input, and all three must
 * agree. Checked on every feed: nothing but {@link ReplyException} escapes; {@link ReplyParser#buffered()} stays
 * within {@code MAX_LINE + MAX_REPLY_BYTES}; a spent parser stays spent; every reply has a code from 100 to 599 and at
 * least one line; and the replies' lines are exactly the input's lines (CRLF or LF removed).
 *
 * <p>{@code make test} runs the seeds in {@code ReplyParserFuzzTestInputs/feed} (Jazzer's regression mode) and
 * {@link #aFewThousandSeededRandomStreams} (the same checks on inputs made from the seeds and SMTP-shaped pieces by a
 * seeded generator: not coverage-guided, but deterministic and cheap); {@code make fuzz} fuzzes (JAZZER_FUZZ=1).
 */
class ReplyParserFuzzTest {
    static final int BOUND = ReplyParser.MAX_LINE + ReplyParser.MAX_REPLY_BYTES;

    /** What feeding a stream produced: the replies, and the failure (null if none) with the replies before it. */
    record Result(List<Reply> replies, String failure) {
    }

    @FuzzTest(maxDuration = "30s")
    void feed(byte[] input) {
        Result whole = run(input, new int[] {input.length});
        int[] ones = new int[input.length];
        Arrays.fill(ones, 1);
        Result bytewise = run(input, ones);
        Result random = run(input, randomSplits(input));
        assertEquals(bytewise, whole, "fed whole vs. a byte at a time");
        assertEquals(bytewise, random, "fed in random pieces vs. a byte at a time");
        checkAgainstInput(input, bytewise);
    }

    static final int RANDOM_RUNS = 4000;

    @Test
    void aFewThousandSeededRandomStreams() {
        List<byte[]> seeds = seeds("ReplyParserFuzzTestInputs/feed");
        SplittableRandom r = new SplittableRandom(0x5EED_2025L);
        for (int i = 0; i < RANDOM_RUNS; i++) {
            byte[] input = randomStream(r, seeds);
            try {
                feed(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("run " + i + ", input " + Arrays.toString(input), e);
            }
        }
    }

    private static final String[] PIECES = {"220", "250", "221", "354", "421", "550", "099", "600", "2", "25", "-", " ",
        "\r\n", "\n", "\r", "\r\r\n", "ok", "ESMTP", "\u00fc", "\t", "\u0000", "250-", "250 ", "500-", "\u00ff"};

    static byte[] randomStream(SplittableRandom r, List<byte[]> seeds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = 1 + r.nextInt(12);
        for (int k = 0; k < parts; k++) {
            switch (r.nextInt(6)) {
                case 0 -> out.writeBytes(seeds.get(r.nextInt(seeds.size())));
                case 1 -> {
                    byte[] b = new byte[r.nextInt(40)];
                    for (int j = 0; j < b.length; j++) b[j] = (byte) r.nextInt(256);
                    out.writeBytes(b);
                }
                case 2 -> out.writeBytes(("250-" + "x".repeat(r.nextInt(520)) + "\r\n").getBytes(StandardCharsets.UTF_8));
                case 3 -> {
                    if (r.nextInt(40) == 0) {   // now and then, a reply near or past the 64 KiB limit
                        String line = "250-" + "y".repeat(400) + "\r\n";
                        out.writeBytes(line.repeat(160 + r.nextInt(10)).getBytes(StandardCharsets.UTF_8));
                    }
                }
                default -> {
                    for (int j = r.nextInt(8); j >= 0; j--) {
                        out.writeBytes(PIECES[r.nextInt(PIECES.length)].getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** The seed inputs of a Jazzer inputs directory among the test resources. */
    static List<byte[]> seeds(String dir) {
        try (Stream<Path> files = Files.list(Path.of(ReplyParserFuzzTest.class.getResource(dir).toURI()))) {
            return files.sorted().map(f -> {
                try {
                    return Files.readAllBytes(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static int[] randomSplits(byte[] input) {
        SplittableRandom r = new SplittableRandom(Arrays.hashCode(input));
        List<Integer> sizes = new ArrayList<>();
        int left = input.length;
        while (left > 0) {
            int n = switch (r.nextInt(4)) {
                case 0 -> 0;                                   // an empty read
                case 1 -> 1 + r.nextInt(4);
                case 2 -> 1 + r.nextInt(64);
                default -> 1 + r.nextInt(1024);
            };
            n = Math.min(n, left);
            sizes.add(n);
            left -= n;
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    static Result run(byte[] input, int[] splits) {
        ReplyParser p = new ReplyParser();
        List<Reply> replies = new ArrayList<>();
        int at = 0;
        for (int n : splits) {
            ByteBuffer piece = ByteBuffer.wrap(input, at, n);
            at += n;
            List<Reply> got;
            try {
                got = p.feed(piece);
            } catch (ReplyException e) {
                assertNotNull(e.getMessage());
                // Spent: it keeps refusing, with the same message.
                ReplyException again = org.junit.jupiter.api.Assertions.assertThrows(ReplyException.class,
                        () -> p.feed(ByteBuffer.wrap(new byte[] {'2', '5', '0', '\n'})));
                assertEquals(e.getMessage(), again.getMessage());
                assertEquals(List.of(), again.replies());
                check(e.replies());
                replies.addAll(e.replies());
                return new Result(replies, e.getMessage());
            }
            assertFalse(piece.hasRemaining(), "feed consumes everything it is given");
            assertTrue(p.buffered() >= 0 && p.buffered() <= BOUND, "buffered " + p.buffered());
            check(got);
            replies.addAll(got);
        }
        return new Result(replies, null);
    }

    static void check(List<Reply> replies) {
        for (Reply r : replies) {
            assertTrue(r.code() >= 100 && r.code() <= 599, "code " + r.code());
            assertFalse(r.lines().isEmpty(), "a reply without lines");
            r.lines().forEach(Objects::requireNonNull);
        }
    }

    /** The replies' lines, as sent, are the input's first lines (a last line "250 " comes back as "250"). */
    static void checkAgainstInput(byte[] input, Result result) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < input.length; i++) {
            if (input[i] != '\n') continue;
            int end = i > start && input[i - 1] == '\r' ? i - 1 : i;
            lines.add(new String(input, start, end - start, StandardCharsets.UTF_8));
            start = i + 1;
        }
        List<String> wire = result.replies().stream().flatMap(r -> r.wire().stream()).toList();
        assertTrue(wire.size() <= lines.size(), "more reply lines than input lines");
        for (int i = 0; i < wire.size(); i++) {
            String sent = lines.get(i);
            if (sent.length() == 4 && sent.charAt(3) == ' ') sent = sent.substring(0, 3);
            assertEquals(sent, wire.get(i), "reply line " + i);
        }
    }
}
