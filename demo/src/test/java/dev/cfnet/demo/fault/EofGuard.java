package dev.cfnet.demo.fault;

import java.io.InputStream;
import java.util.Arrays;

/**
 * Runs another main class in a child process that must not outlive the test JVM: it exits (running shutdown hooks)
 * when its stdin reaches end of input, which happens when the test closes it or dies, and after ten minutes anyway.
 * {@code java -cp CP dev.cfnet.demo.fault.EofGuard MAIN_CLASS ARGS...}
 */
public final class EofGuard {
    private EofGuard() {
    }

    public static void main(String[] args) throws Throwable {
        Thread.ofPlatform().daemon().name("eof-guard").start(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // commands for the guarded program are not expected; ignore them
                }
            } catch (Exception ignored) {
                // a broken pipe is an end of input too
            }
            System.exit(0);
        });
        Thread.ofPlatform().daemon().name("eof-guard-lifetime").start(() -> {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException ignored) {
                return;
            }
            System.err.println("eof-guard: ten minutes passed; exiting");
            System.exit(3);
        });
        Class<?> main = Class.forName(args[0]);
        main.getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
