package dev.cfnet.demo.smtp;

import dev.cfnet.Backend;
import dev.cfnet.Host;
import dev.cfnet.RunLoop;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cfnet-demo smtp}: run a conversation against a server, an embedded one by default. */
@Command(name = "smtp", mixinStandardHelpOptions = true, versionProvider = dev.cfnet.demo.Main.Version.class,
        description = {"Talks SMTP the way the CFSocket tutorial does: greeting 220, HELO 250, QUIT 221, driven by "
                + "CONNECT, DATA and WRITE callbacks.",
            "Without --host it starts an embedded SMTP server on a free loopback port and talks to that.",
            "Exit codes: 0 every step got its expected reply, 1 the server answered wrongly, 2 network or usage error."})
public final class SmtpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", description = "server name or address (default: embedded server)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "server port (default: 25, or the embedded one)")
    Integer port;

    @Option(names = "--helo", paramLabel = "NAME", defaultValue = "localhost",
            description = "name given in HELO/EHLO (default: ${DEFAULT-VALUE})")
    String helo;

    @Option(names = "--ehlo", description = "say EHLO instead of HELO")
    boolean ehlo;

    @Option(names = "--script", paramLabel = "FILE", description = "run the steps in FILE ('expect 220', "
            + "'send HELO me', ... one per line) instead of the default conversation")
    Path script;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "longest wait for an address, a connection or a reply: 30s, 500ms, 2m (default: "
                    + "${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--backend", paramLabel = "nio|cf", description = "cfnet backend (default: CF on macOS, "
            + "else NIO)")
    String backend;

    @Option(names = {"-v", "--verbose"}, description = "more detail in the transcript")
    boolean verbose;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Settings s;
        try {
            s = settings();
        } catch (UsageError e) {
            spec.commandLine().getErr().println("cfnet-demo smtp: " + e.getMessage());
            return 2;
        }
        return run(s, out, err);
    }

    /** Checked settings; usage errors come out as one line. */
    record Settings(String host, Integer port, List<Step> steps, Duration timeout, Backend backend, boolean verbose) {
    }

    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    Settings settings() throws UsageError {
        String h = null;
        if (host != null) {
            try {
                h = Host.checkName(host);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--host: " + e.getMessage());
            }
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw new UsageError("--port must be 1 to 65535, not " + port);
        }
        if (helo.isBlank() || helo.chars().anyMatch(c -> c <= ' ' || c == 0x7f) || helo.length() > 255) {
            throw new UsageError("--helo must be a domain name or address literal without spaces, not '" + helo
                    + "'");
        }
        List<Step> steps;
        if (script != null) {
            if (ehlo) throw new UsageError("--ehlo and --script do not go together: the script says what to send");
            try {
                steps = Script.load(script);
            } catch (ScriptException e) {
                throw new UsageError("--script: " + e.getMessage());
            }
        } else {
            steps = Step.seed(helo, ehlo);
        }
        Duration t = parseDuration(timeout);
        Backend b;
        try {
            b = backend == null ? Backend.preferred() : switch (backend.toLowerCase(Locale.ROOT)) {
                case "nio" -> Backend.NIO;
                case "cf" -> Backend.CF;
                default -> throw new UsageError("--backend must be 'nio' or 'cf', not '" + backend + "'");
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageError(e.getMessage());
        }
        if (!b.isAvailable()) {
            throw new UsageError(dev.cfnet.demo.Main.unavailable(b));
        }
        return new Settings(h, port, steps, t, b, verbose);
    }

    /** 30s, 500ms, 2m, 1.5s, plain seconds, or ISO-8601 (PT30S); more than zero and at most an hour. */
    static Duration parseDuration(String text) throws UsageError {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } else if (t.endsWith("ms")) {
                d = Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6));
            } else if (t.endsWith("s")) {
                d = Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9));
            } else if (t.endsWith("m")) {
                d = Duration.ofNanos(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60e9));
            } else {
                d = Duration.ofNanos(Math.round(Double.parseDouble(t) * 1e9));
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new UsageError("--timeout: '" + text + "' is not a duration (try 30s, 500ms or 2m)");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new UsageError("--timeout must be more than 0 and at most 1 hour, not " + text);
        }
        return d;
    }

    static int run(Settings s, PrintStream out, PrintStream err) {
        EmbeddedServer embedded = null;
        String host = s.host();
        int port = s.port() == null ? 25 : s.port();
        Transcript transcript = new Transcript(out, s.verbose());
        try {
            if (host == null) {
                embedded = EmbeddedServer.start();
                host = embedded.host();
                if (s.port() == null) port = embedded.port();
                transcript.line("Started an embedded SMTP server (GreenMail) on " + host + ":" + port);
            }
            try (RunLoop loop = RunLoop.start("smtp", s.backend())) {
                Duration quit = s.timeout().compareTo(Duration.ofSeconds(2)) < 0 ? s.timeout() : Duration.ofSeconds(2);
                Conversation c = new Conversation(loop, s.steps(), new Conversation.Options(s.timeout(), quit),
                        transcript);
                Outcome o = c.start(host, port).get(s.timeout().toMillis() * (s.steps().size() + 3) + 10_000,
                        TimeUnit.MILLISECONDS);
                String summary = switch (o.status()) {
                    case OK -> "OK: " + o.completed() + "/" + s.steps().size() + " steps, every reply as expected";
                    case SERVER -> "FAILED (server): " + o.reason();
                    case NETWORK -> "FAILED (network): " + o.reason();
                };
                transcript.line(summary + " [" + host + ":" + port + ", " + s.backend() + " backend]");
                return o.status().exitCode();
            }
        } catch (TimeoutException e) {
            err.println("cfnet-demo smtp: the conversation did not end in time");
            return 2;
        } catch (ExecutionException e) {
            err.println("cfnet-demo smtp: " + e.getCause());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("cfnet-demo smtp: interrupted");
            return 2;
        } catch (RuntimeException e) {
            err.println("cfnet-demo smtp: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 2;
        } finally {
            if (embedded != null) embedded.close();
        }
    }
}
