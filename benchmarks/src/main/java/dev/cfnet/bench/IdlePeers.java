package dev.cfnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * The client ends of the scaling scenario's idle connections, held by a child JVM: every process has its own
 * descriptor limit, so the benchmark JVM needs one descriptor per idle connection instead of two (10,000 idle
 * connections fit under a 20,000 limit that cannot be raised, as in containers).
 *
 * <p>As a main class: {@code IdlePeers PORT N} connects N times to 127.0.0.1:PORT, prints "ready", and holds the
 * connections until its standard input closes.
 */
public final class IdlePeers implements AutoCloseable {
    private final Process process;

    private IdlePeers(Process process) {
        this.process = process;
    }

    /**
     * Opens {@code n} idle connections to {@code to} from a child process and waits until the server has accepted
     * them ({@code accepted} reaches {@code acceptedBefore + n}).
     */
    static IdlePeers open(InetSocketAddress to, int n, IntSupplier accepted, int acceptedBefore) throws Exception {
        FdLimit.require(n + 512L, n + " idle connections");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), IdlePeers.class.getName(),
                Integer.toString(to.getPort()), Integer.toString(n))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        IdlePeers peers = new IdlePeers(p);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                throw new IOException("idle peer process failed (" + line + "); exit " + p.waitFor());
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (accepted.getAsInt() < acceptedBefore + n) {
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("server accepted " + (accepted.getAsInt() - acceptedBefore) + " of "
                            + n + " idle connections");
                }
                Thread.sleep(5);
            }
            return peers;
        } catch (Exception e) {
            peers.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress to = new InetSocketAddress(Net.LOOPBACK, Integer.parseInt(args[0]));
        int n = Integer.parseInt(args[1]);
        List<SocketChannel> conns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open(to);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            conns.add(c);
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) { }
        for (SocketChannel c : conns) c.close();
    }
}
