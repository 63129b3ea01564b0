package dev.cfnet.demo.smtp;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cfnet.demo.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs {@code cfnet-demo} in this JVM as a user would, capturing what it prints; never a stack trace. */
public final class Cli {
    /** The exit code and what went to standard output and standard error. */
    public record Result(int exit, String out, String err) {
        /** Both streams. */
        public String all() {
            return out + err;
        }
    }

    private Cli() {
    }

    /** Runs the tool with the process's standard input and environment. */
    public static Result run(String... args) {
        return run(null, null, args);
    }

    /** Runs the tool with {@code stdin} as standard input and {@code env} as the environment (null: the process's). */
    public static synchronized Result run(String stdin, Map<String, String> env, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(e, true));
            SmtpCommand smtp = cl.getSubcommands().get("smtp").getCommand();
            if (stdin != null) smtp.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
            if (env != null) smtp.env = env::get;
            int exit = cl.execute(args);
            Result r = new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            assertFalse(r.all().contains("\tat ") || r.all().contains("Exception in"), "stack trace:\n" + r.all());
            return r;
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
