package dev.cfnet.demo.echo;

import dev.cfnet.Backend;
import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.RunLoop;
import dev.cfnet.SocketErrorException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cfnet-demo echo}: a TCP and UDP echo server, until interrupted. */
@Command(name = "echo", mixinStandardHelpOptions = true, versionProvider = dev.cfnet.demo.Main.Version.class,
        description = "Echoes TCP connections (ACCEPT callbacks, write queue with backpressure) and UDP datagrams "
                + "on the same port, until Ctrl-C.")
public final class EchoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "address literal to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
            description = "port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--no-udp", negatable = false, description = "TCP only")
    boolean noUdp;

    @Option(names = "--backend", paramLabel = "nio|cf", description = "cfnet backend")
    String backend;

    @Option(names = "--spin", description = "spin instead of sleeping when idle (lower latency, one busy core)")
    boolean spin;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            spec.commandLine().getErr().println("cfnet-demo echo: --port must be 0 to 65535, not " + port);
            return 2;
        }
        if (!Host.isIpv4Literal(bind) && !Host.isIpv6Literal(bind.replace("[", "").replace("]", ""))) {
            spec.commandLine().getErr().println("cfnet-demo echo: --bind takes an address literal, not '" + bind + "'");
            return 2;
        }
        Backend b;
        try {
            b = backend == null ? Backend.preferred() : Backend.valueOf(backend.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | IllegalStateException e) {
            spec.commandLine().getErr().println("cfnet-demo echo: --backend must be 'nio' or 'cf'");
            return 2;
        }
        if (!b.isAvailable()) {
            spec.commandLine().getErr().println("cfnet-demo echo: " + dev.cfnet.demo.Main.unavailable(b));
            return 2;
        }
        InetAddress at;
        try {
            at = InetAddress.getByName(bind.replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            spec.commandLine().getErr().println("cfnet-demo echo: --bind: " + e.getMessage());
            return 2;
        }
        // Ctrl-C (SIGINT) or SIGTERM: the JVM runs its shutdown hooks and then halts, whatever other threads do,
        // so the hook holds the shutdown until this thread has printed the summary and closed the server.
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "echo-shutdown");
        try {
            try (RunLoop loop = RunLoop.start("echo", b, spin ? IdleStrategy.spin() : IdleStrategy.park());
                 EchoServer server = EchoServer.start(loop, new InetSocketAddress(at, port), !noUdp)) {
                Runtime.getRuntime().addShutdownHook(hook);
                System.out.println("Echoing on " + server.address() + (noUdp ? " (TCP)" : " (TCP and UDP)")
                        + " with the " + b + " backend; Ctrl-C stops");
                System.out.flush();
                stop.await();
                long n = server.connections();
                System.out.println("Echoed " + server.bytesEchoed() + " bytes over " + n
                        + (n == 1 ? " connection" : " connections"));
                System.out.flush();
                return 0;
            } catch (SocketErrorException e) {
                spec.commandLine().getErr().println("cfnet-demo echo: cannot listen on " + bind + ":" + port + ": "
                        + e.error().message());
                return 2;
            }
        } finally {
            done.countDown();
        }
    }
}
