package dev.cfnet;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract suite's frame: every test class runs once per backend (CF skips with the reason it cannot load),
 * on a fresh library-owned loop that is closed afterwards with everything on it.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("dev.cfnet.Backends#backends")
@Timeout(60)
abstract class BackendTestBase {
    @Parameter
    Backend backend;

    RunLoop loop;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void startLoop() {
        assumeTrue(backend.isAvailable(), () -> backend + " backend skipped: " + backend.unavailableReason().orElse(""));
        loop = RunLoop.start("test-" + backend.name().toLowerCase(), backend);
    }

    @AfterEach
    void closeLoop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        if (loop != null) loop.close();
    }

    /** Waits up to 10 s for {@code condition}; fails with {@code what} if it never holds. */
    static void eventually(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Runs {@code body} on a fresh thread with that thread's own loop, then closes the loop. */
    void onOwnThread(java.util.function.Consumer<RunLoop> body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("own-" + backend).start(() -> {
            RunLoop l = RunLoop.current(backend);
            try {
                body.accept(l);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            } finally {
                l.close();
            }
        });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) throw err;
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Closes {@code c} after the test, before the loop. */
    <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }
}
