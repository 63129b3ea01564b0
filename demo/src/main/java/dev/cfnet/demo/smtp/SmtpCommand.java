package dev.cfnet.demo.smtp;

import dev.cfnet.Backend;
import dev.cfnet.Host;
import dev.cfnet.RunLoop;
import dev.cfnet.tls.TlsConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cfnet-demo smtp}: run a conversation against a server, an embedded one by default; with --from and --to,
 * deliver a message.
 */
@Command(name = "smtp", mixinStandardHelpOptions = true, versionProvider = dev.cfnet.demo.Main.Version.class,
        description = {"Talks SMTP the way the CFSocket tutorial does: greeting 220, HELO 250, QUIT 221, driven by "
                + "CONNECT, DATA and WRITE callbacks. With --from and --to it delivers a message (the body from "
                + "--body-file or standard input); --starttls or --tls speak TLS.",
            "Without --host it starts an embedded SMTP server on a free loopback port and talks to that.",
            "Exit codes: 0 every step got its expected reply (the message was accepted), 1 the server refused or "
                + "answered wrongly, 2 network or usage error, 3 temporary failure (a 4xx reply such as 421: try "
                + "again later), 4 TLS failure (STARTTLS not offered, handshake or certificate refused)."})
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

    @Option(names = "--from", paramLabel = "ADDR", description = "deliver a message from ADDR (MAIL FROM)")
    String from;

    @Option(names = "--to", paramLabel = "ADDR", description = "a recipient (RCPT TO); repeat for more")
    List<String> to;

    @Option(names = "--subject", paramLabel = "TEXT", description = "the message's Subject")
    String subject;

    @Option(names = "--body-file", paramLabel = "FILE", description = "the message (a body, or a header, an empty "
            + "line and a body) from FILE; default: standard input")
    Path bodyFile;

    @Option(names = "--starttls", description = "require STARTTLS after EHLO; fail when the server does not offer it")
    boolean starttls;

    @Option(names = "--tls", description = "TLS from the start (implicit TLS, port 465 by default)")
    boolean tls;

    @Option(names = "--cafile", paramLabel = "FILE", description = "trust the certificates in FILE (PEM) instead of "
            + "the JDK's")
    Path cafile;

    @Option(names = "--insecure", description = "trust any certificate, for any name (prints a warning)")
    boolean insecure;

    @Option(names = "--user", paramLabel = "NAME", description = "AUTH PLAIN as NAME, only over TLS; the password "
            + "comes from the environment variable --password-env names, else the first line of standard input")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", defaultValue = "CFNET_SMTP_PASSWORD",
            description = "where --user's password is (default: ${DEFAULT-VALUE})")
    String passwordEnv;

    /** Standard input and the environment, replaceable in tests. */
    InputStream stdin = System.in;
    UnaryOperator<String> env = System::getenv;

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
        if (s.tls() != null && !s.tls().verifiesHostname()) {
            err.println("cfnet-demo smtp: WARNING: --insecure: the server's certificate is not checked; anyone "
                    + "between here and the server can read and change this conversation");
        }
        return run(s, out, err);
    }

    /**
     * Checked settings; usage errors come out as one line.
     *
     * @param tls         how to speak TLS, or null without TLS
     * @param implicitTls TLS from the connect on
     */
    record Settings(String host, Integer port, List<Step> steps, Duration timeout, Backend backend, boolean verbose,
                    TlsConfig tls, boolean implicitTls) {
        Settings(String host, Integer port, List<Step> steps, Duration timeout, Backend backend, boolean verbose) {
            this(host, port, steps, timeout, backend, verbose, null, false);
        }
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
        boolean sending = from != null || to != null;
        if (tls && starttls) throw new UsageError("--tls and --starttls do not go together: TLS from the start, or "
                + "after EHLO");
        if (insecure && cafile != null) throw new UsageError("--insecure and --cafile do not go together");
        if (!sending && (subject != null || bodyFile != null)) {
            throw new UsageError((subject != null ? "--subject" : "--body-file") + " needs --from and --to");
        }
        if (user != null && !tls && !starttls) {
            throw new UsageError("--user sends a password: only over TLS (add --starttls or --tls)");
        }
        if (user != null && !sending) throw new UsageError("--user needs --from and --to (a message to send)");
        List<Step> steps;
        if (script != null) {
            if (ehlo) throw new UsageError("--ehlo and --script do not go together: the script says what to send");
            if (sending) throw new UsageError("--from/--to and --script do not go together: the script says what to "
                    + "send");
            if (starttls) throw new UsageError("--starttls and --script do not go together: put 'starttls' in the "
                    + "script");
            try {
                steps = Script.load(script);
            } catch (ScriptException e) {
                throw new UsageError("--script: " + e.getMessage());
            }
        } else if (sending) {
            steps = message();
        } else {
            List<Step> seed = new ArrayList<>(Step.seed(helo, ehlo || starttls));
            if (starttls) seed.addAll(2, List.of(Step.startTls(), new Step("EHLO " + helo, 250)));
            steps = List.copyOf(seed);
        }
        boolean tlsSteps = steps.stream().anyMatch(st -> st.kind() == Step.Kind.STARTTLS);
        if ((tls || tlsSteps) && h == null) {
            throw new UsageError("TLS needs --host: the embedded server speaks plain SMTP only");
        }
        if ((cafile != null || insecure) && !tls && !tlsSteps) {
            throw new UsageError((insecure ? "--insecure" : "--cafile") + " matters only with --tls, --starttls or a "
                    + "script's 'starttls'");
        }
        TlsConfig tlsConfig = tls || tlsSteps ? tlsConfig(h) : null;
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
        return new Settings(h, port == null && tls ? Integer.valueOf(465) : port, steps, t, b, verbose, tlsConfig, tls);
    }

    /** The steps that deliver one message: EHLO, [STARTTLS, EHLO], [AUTH], MAIL, RCPT each, DATA, lines, ".". */
    private List<Step> message() throws UsageError {
        if (from == null || to == null || to.isEmpty()) throw new UsageError("a message needs --from and --to");
        try {
            Message.checkAddress("--from", from);
            for (String r : to) Message.checkAddress("--to", r);
        } catch (Message.MessageException e) {
            throw new UsageError(e.getMessage());
        }
        String password = null;
        if (user != null) {
            if (user.isEmpty() || user.indexOf('\0') >= 0) throw new UsageError("--user needs a name");
            password = env.apply(passwordEnv);
            if (password == null) {
                if (bodyFile == null) {
                    throw new UsageError("--user: no password in $" + passwordEnv + ", and standard input holds the "
                            + "message (give --body-file, or set " + passwordEnv + ")");
                }
                password = firstLine(stdin);
                if (password == null) throw new UsageError("--user: no password in $" + passwordEnv
                        + " nor on standard input");
            }
        }
        byte[] input;
        try {
            input = bodyFile != null ? readBounded(Files.newInputStream(bodyFile), bodyFile.toString())
                    : readBounded(stdin, "standard input");
        } catch (IOException e) {
            throw new UsageError("--body-file: " + bodyFile + ": " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file" : e.getMessage()));
        }
        List<String> lines;
        try {
            lines = Message.lines(from, to, subject, input, helo, ZonedDateTime.now());
        } catch (Message.MessageException e) {
            throw new UsageError(e.getMessage());
        }
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(null, 220));
        steps.add(new Step("EHLO " + helo, 250));
        if (starttls) {
            steps.add(Step.startTls());
            steps.add(new Step("EHLO " + helo, 250));
        }
        if (user != null) {
            String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8));
            steps.add(Step.secret("AUTH PLAIN " + token, "AUTH PLAIN (the credentials of " + user + ")",
                    List.of(235)));
        }
        steps.add(new Step("MAIL FROM:<" + from + ">", 250));
        for (String r : to) steps.add(new Step("RCPT TO:<" + r + ">", List.of(250, 251)));
        steps.add(new Step("DATA", 354));
        for (String l : lines) steps.add(Step.line(l));
        steps.add(new Step(".", 250));
        steps.add(new Step("QUIT", 221));
        return List.copyOf(steps);
    }

    /** Longest message read: 64 MiB. */
    static final long MAX_MESSAGE = 64L << 20;

    private static byte[] readBounded(InputStream in, String what) throws IOException, UsageError {
        try (in) {
            byte[] b = in.readNBytes((int) MAX_MESSAGE + 1);
            if (b.length > MAX_MESSAGE) throw new UsageError(what + ": the message is larger than 64 MiB");
            return b;
        }
    }

    private static String firstLine(InputStream in) {
        try {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** The client side: the JDK's trust store, --cafile's certificates, or (--insecure) nothing checked. */
    private TlsConfig tlsConfig(String host) throws UsageError {
        try {
            if (insecure) {
                SSLContext c = SSLContext.getInstance("TLS");
                c.init(null, new TrustManager[] {new TrustAnything()}, null);
                return TlsConfig.client(c, host).withoutHostnameVerification();
            }
            if (cafile == null) return TlsConfig.client(SSLContext.getDefault(), host);
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(cafile)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            } catch (IOException e) {
                throw new UsageError("--cafile: " + cafile + ": " + (e instanceof java.nio.file.NoSuchFileException
                        ? "no such file" : e.getMessage()));
            } catch (java.security.cert.CertificateException e) {
                throw new UsageError("--cafile: " + cafile + ": not PEM or DER certificates (" + e.getMessage() + ")");
            }
            if (certs.isEmpty()) throw new UsageError("--cafile: " + cafile + ": no certificate in it");
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certs) trust.setCertificateEntry("ca" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return TlsConfig.client(c, host);
        } catch (GeneralSecurityException | IOException e) {
            throw new UsageError("TLS: " + e.getMessage());
        }
    }

    /** --insecure's trust manager: every chain, every name. */
    static final class TrustAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
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
                transcript.line("Started an embedded SMTP server (GreenMail) on " + Display.display(host, port));
            }
            try (RunLoop loop = RunLoop.start("smtp", s.backend())) {
                Duration quit = s.timeout().compareTo(Duration.ofSeconds(2)) < 0 ? s.timeout() : Duration.ofSeconds(2);
                Conversation c = new Conversation(loop, s.steps(), new Conversation.Options(s.timeout(), quit,
                        s.tls(), s.implicitTls()), transcript);
                long waits = s.steps().stream().filter(Step::expectsReply).count();
                Outcome o = c.start(host, port).get(s.timeout().toMillis() * (waits + 4) + 10_000,
                        TimeUnit.MILLISECONDS);
                long total = waits;
                long done = s.steps().subList(0, Math.min(o.completed(), s.steps().size())).stream()
                        .filter(Step::expectsReply).count();
                String summary = switch (o.status()) {
                    case OK -> "OK: " + done + "/" + total + " steps, every reply as expected"
                            + (s.steps().stream().anyMatch(st -> st.kind() == Step.Kind.LINE)
                            && s.steps().stream().anyMatch(st -> ".".equals(st.command())) ? "; message accepted" : "");
                    case SERVER -> "FAILED (server): " + o.reason();
                    case NETWORK -> "FAILED (network): " + o.reason();
                    case TEMPORARY -> "FAILED (temporary, try again later): " + o.reason();
                    case TLS -> "FAILED (TLS): " + o.reason();
                };
                transcript.line(summary + " [" + Display.display(host, port) + ", " + s.backend() + " backend"
                        + (s.implicitTls() ? ", TLS" : "") + "]");
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
