package dev.cfnet.demo;

import dev.cfnet.Backend;
import dev.cfnet.demo.echo.EchoCommand;
import dev.cfnet.demo.smtp.SmtpCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** cfnet-demo: the seed's SMTP client, and an echo server, on cfnet. */
@Command(name = "cfnet-demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "cfnet's demo: the CFSocket tutorial's SMTP conversation, done properly.",
        subcommands = {SmtpCommand.class, EchoCommand.class})
public final class Main implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit code (0 ok, 1 the server answered wrongly, 2 network or usage). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    /** The command line with its error handlers (one line per error, exit code 2), for tests too. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("cfnet-demo: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            // Nothing reaches the terminal as a stack trace: one line, exit code 2.
            c.getErr().println("cfnet-demo: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 2;
        });
        return cl;
    }

    /** No command given: a usage error. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("cfnet-demo: which command? smtp or echo");
        cl.usage(cl.getErr());
        return 2;
    }

    /**
     * Why {@code b} cannot run here, with the make variable that the launcher and {@code make demo} turn into
     * {@code -Dcfnet.cf.library}.
     */
    public static String unavailable(Backend b) {
        String why = b.unavailableReason().orElse("");
        String hint = why.contains("-Dcfnet.cf.library")
                ? " (make demo and demo/bin/cfnet-demo take it as CF_LIBRARY=/path/to/libCoreFoundation.so)" : "";
        return "the " + b + " backend is not available here: " + why + hint;
    }

    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cfnet-demo " + (v == null ? "0.1.0-SNAPSHOT" : v), "Java " + Runtime.version()
                    + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
