package dev.cfnet.demo.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child process (a peer inside the namespace) whose output lines the test waits for and whose stdin it writes. */
final class Child implements AutoCloseable {
    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer log = new StringBuffer();
    private final PrintStream stdin;
    private final boolean stopsAtEndOfInput;

    /** @param stopsAtEndOfInput the child exits when its stdin closes; otherwise close() sends SIGTERM at once */
    Child(String name, List<String> command, boolean stopsAtEndOfInput) throws IOException {
        this.name = name;
        this.stopsAtEndOfInput = stopsAtEndOfInput;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("child-" + name).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException gone) {
                // the process ended
            }
        });
    }

    /** Waits for an output line that matches; fails with the child's output so far when none comes in time. */
    String await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
            if (line != null) {
                if (wanted.test(line)) return line;
                continue;
            }
            if (left <= 0) {
                throw new IllegalStateException(name + ": no expected line within " + timeout.toMillis() + " ms"
                        + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + "; output:\n"
                        + log);
            }
            if (!process.isAlive() && lines.isEmpty()) {
                // one last drain: the reader may still be adding the final lines
                String last = lines.poll(200, TimeUnit.MILLISECONDS);
                if (last != null) {
                    if (wanted.test(last)) return last;
                    continue;
                }
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; output:\n" + log);
            }
        }
    }

    String awaitPrefix(String prefix, Duration timeout) throws InterruptedException {
        return await(l -> l.startsWith(prefix), timeout);
    }

    void send(String line) {
        stdin.println(line);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        return log.toString();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        stdin.close();
        try {
            if (!stopsAtEndOfInput || !process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
