package dev.cfnet.demo.smtp;

import java.io.PrintStream;

/** What the conversation prints, each line with the milliseconds since it began. */
public final class Transcript {
    private final PrintStream out;
    private final boolean verbose;
    private final long start = System.nanoTime();

    public Transcript(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    public void line(String text) {
        out.printf("%8.1f ms  %s%n", elapsedMillis(), sanitize(text));
        out.flush();
    }

    public void detail(String text) {
        if (verbose) line(text);
    }

    public double elapsedMillis() {
        return (System.nanoTime() - start) / 1e6;
    }

    /** Server text may hold anything: control characters are shown escaped, never sent to the terminal. */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
