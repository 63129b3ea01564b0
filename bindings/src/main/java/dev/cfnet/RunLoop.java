package dev.cfnet;

import dev.cfnet.spi.LoopDriver;
import dev.cfnet.spi.TimerDriver;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * An event loop in the CFRunLoop model: sockets, timers and name resolutions are scheduled on it, and their
 * callbacks run on its thread, one at a time.
 *
 * <p>Two ways to get one:
 * <ul>
 *   <li>{@link #start(String)}: a library-owned thread that runs the loop until {@link #close()}. The usual choice;
 *       no main-thread tricks needed.</li>
 *   <li>{@link #current()}: the calling thread's own loop, which the thread runs itself with {@link #run()} or
 *       {@link #runInMode}, as CF code calls CFRunLoopRun.</li>
 * </ul>
 *
 * <p>{@link #execute}, {@link #schedule}, {@link #stop}, {@link #wakeUp} and {@link #close} are safe from any thread.
 */
public final class RunLoop implements Executor, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.cfnet");
    private static final long FOREVER = Long.MAX_VALUE;

    /** Why a run returned, as CFRunLoopRunResult. */
    public enum Result {
        /** The mode has no sources and no timers (kCFRunLoopRunFinished). */
        FINISHED(1),
        /** {@link #stop()} was called (kCFRunLoopRunStopped). */
        STOPPED(2),
        /** The timeout passed (kCFRunLoopRunTimedOut). */
        TIMED_OUT(3),
        /** A source was handled and the run was asked to return after one (kCFRunLoopRunHandledSource). */
        HANDLED_SOURCE(4);

        private final int cfValue;

        Result(int cfValue) {
            this.cfValue = cfValue;
        }

        /**
         * The {@code CFRunLoopRunResult} value.
         *
         * @return 1, 2, 3 or 4
         */
        public int cfValue() {
            return cfValue;
        }
    }

    /**
     * A run loop mode: a loop running in a mode serves only the sources scheduled in it. {@link #COMMON} is the
     * set of common modes (initially just {@link #DEFAULT}; see {@link #addCommonMode}).
     *
     * @param name the mode's name; modes with the same name are the same mode
     */
    public record Mode(String name) {
        /** kCFRunLoopDefaultMode. */
        public static final Mode DEFAULT = new Mode("kCFRunLoopDefaultMode");
        /** kCFRunLoopCommonModes. */
        public static final Mode COMMON = new Mode("kCFRunLoopCommonModes");

        /**
         * A mode from its name.
         *
         * @param name the mode's name
         * @throws IllegalArgumentException when {@code name} is blank
         */
        public Mode {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a run loop mode needs a non-blank name");
            }
        }
    }

    private final String name;
    private final Backend backend;
    private final LoopDriver driver;
    private final boolean owned;
    private volatile CallbackErrorHandler errorHandler = CallbackErrorHandler.logAndInvalidate();
    private volatile boolean closed;

    private RunLoop(String name, Backend backend, IdleStrategy idle, boolean owned) {
        this.name = name;
        this.backend = backend;
        this.owned = owned;
        this.driver = backend.provider().newLoop(this, idle);
    }

    private RunLoop(String name, Backend backend, java.util.function.Function<RunLoop, LoopDriver> driver) {
        checkName(name);
        this.name = name;
        this.backend = backend;
        this.owned = false;
        this.driver = driver.apply(this);
    }

    static {
        // Backend-specific entry points (e.g. dev.cfnet.corefoundation) make loops over drivers of their own.
        dev.cfnet.spi.LoopAccess.install(new dev.cfnet.spi.LoopAccess.Access() {
            @Override
            public RunLoop newLoop(String name, Backend backend,
                                   java.util.function.Function<RunLoop, LoopDriver> driver) {
                return new RunLoop(name, backend, driver);
            }

            @Override
            public LoopDriver driver(RunLoop loop) {
                return loop.driver;
            }
        });
    }

    /**
     * Starts a loop on a new library-owned (daemon) thread named {@code name}, with the preferred backend
     * ({@link Backend#preferred()}). Close it when done: {@link #close()} invalidates what is on it and ends the
     * thread.
     *
     * @param name the loop's and its thread's name
     * @return the running loop
     * @throws IllegalStateException when {@code -Dcfnet.backend} names a backend that cannot run here
     */
    public static RunLoop start(String name) {
        return start(name, Backend.preferred(), IdleStrategy.park());
    }

    /**
     * Starts a loop on a new library-owned thread with the given backend.
     *
     * @param name    the loop's and its thread's name
     * @param backend the backend for everything scheduled on the loop
     * @return the running loop
     * @throws IllegalStateException when the backend is not available ({@link Backend#unavailableReason()})
     */
    public static RunLoop start(String name, Backend backend) {
        return start(name, backend, IdleStrategy.park());
    }

    /**
     * Starts a loop on a new library-owned thread with the given backend and idle strategy.
     *
     * @param name    the loop's and its thread's name
     * @param backend the backend for everything scheduled on the loop
     * @param idle    what the loop does when it has nothing to do
     * @return the running loop
     * @throws IllegalStateException when the backend is not available ({@link Backend#unavailableReason()})
     */
    public static RunLoop start(String name, Backend backend, IdleStrategy idle) {
        checkName(name);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(idle, "idle");
        backend.requireAvailable();
        return LoopThreads.start(name, () -> new RunLoop(name, backend, idle, true));
    }

    /**
     * This thread's loop, made on first use with the preferred backend. The thread runs it with {@link #run()} or
     * {@link #runInMode}.
     *
     * @return the calling thread's loop
     * @throws IllegalStateException when {@code -Dcfnet.backend} names a backend that cannot run here
     */
    public static RunLoop current() {
        RunLoop loop = LoopThreads.current();
        return loop != null ? loop : current(Backend.preferred());
    }

    /**
     * This thread's loop, made on first use with {@code backend}.
     *
     * @param backend the backend of a loop made now
     * @return the calling thread's loop
     * @throws IllegalStateException if this thread already has a loop of another backend, or the backend is not
     *                               available
     */
    public static RunLoop current(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        RunLoop loop = LoopThreads.current();
        if (loop != null) {
            if (loop.backend != backend) {
                throw new IllegalStateException("thread '" + Thread.currentThread().getName()
                        + "' already has a " + loop.backend + " run loop; close it before asking for a " + backend
                        + " one");
            }
            return loop;
        }
        backend.requireAvailable();
        String name = Thread.currentThread().getName();
        return LoopThreads.setCurrent(new RunLoop(name, backend, IdleStrategy.park(), false));
    }

    /**
     * Like {@link #current()} with an idle strategy for a new loop.
     *
     * @param backend the backend of the new loop
     * @param idle    what the loop does when it has nothing to do
     * @return the calling thread's new loop
     * @throws IllegalStateException if this thread already has a loop, or the backend is not available
     */
    public static RunLoop current(Backend backend, IdleStrategy idle) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(idle, "idle");
        if (LoopThreads.current() != null) {
            throw new IllegalStateException("thread '" + Thread.currentThread().getName() + "' already has a run loop");
        }
        backend.requireAvailable();
        return LoopThreads.setCurrent(new RunLoop(Thread.currentThread().getName(), backend, idle, false));
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a run loop needs a non-blank name");
        }
    }

    /**
     * Runs the loop in the default mode until it is stopped or has no sources left, as CFRunLoopRun. A socket is a
     * source from {@link Socket#create} until invalidated, connected or not: one created and never connected keeps
     * the run going.
     *
     * @return {@link Result#STOPPED} or {@link Result#FINISHED}
     * @throws IllegalStateException on another thread than the loop's, or on a library-owned loop
     */
    public Result run() {
        Result r;
        do {
            r = runInMode(Mode.DEFAULT, Duration.ofSeconds(FOREVER / 1_000_000_000L), false);
        } while (r != Result.STOPPED && r != Result.FINISHED);
        return r;
    }

    /**
     * Runs the loop once in {@code mode}, as CFRunLoopRunInMode: until stopped, until the mode is empty, until the
     * timeout passes, or (with {@code returnAfterSourceHandled}) until one source was handled.
     *
     * @param mode                     the mode to run in; not {@link Mode#COMMON}
     * @param timeout                  zero or negative: handle what is ready and return
     * @param returnAfterSourceHandled return after the first source handled
     * @return why the run returned
     * @throws IllegalStateException on another thread than the loop's, on a library-owned loop, or when called from
     *                               inside one of this loop's callbacks
     */
    public Result runInMode(Mode mode, Duration timeout, boolean returnAfterSourceHandled) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(timeout, "timeout");
        if (mode.equals(Mode.COMMON)) {
            throw new IllegalArgumentException("COMMON names a set of modes; run in one of them, e.g. DEFAULT");
        }
        if (owned) {
            throw new IllegalStateException("run loop '" + name + "' runs on its own thread (RunLoop.start); "
                    + "use RunLoop.current() for a loop you run yourself");
        }
        if (!driver.inLoopThread()) {
            Thread t = driver.thread();
            throw new IllegalStateException("run loop '" + name + "' belongs to thread '"
                    + (t == null ? "of its CFRunLoop" : t.getName()) + "'; only that thread can run it");
        }
        if (closed) {
            return Result.FINISHED;
        }
        return driver.runInMode(mode, toNanos(timeout), returnAfterSourceHandled, false);
    }

    static long toNanos(Duration d) {
        if (d.isNegative() || d.isZero()) return 0;
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return FOREVER;
        }
    }

    /**
     * Makes the run under way return {@link Result#STOPPED}, as CFRunLoopStop; a loop that is not running is not
     * affected. Any thread.
     */
    public void stop() {
        driver.stop();
    }

    /** Wakes the loop if it waits, so that it re-examines its sources. Any thread. */
    public void wakeUp() {
        driver.wakeUp();
    }

    /** {@return whether the loop sleeps now, its thread blocked waiting for an event} */
    public boolean isWaiting() {
        return driver.isWaiting();
    }

    /** {@return the mode the loop runs in now, or null when it is not running} */
    public Mode currentMode() {
        return driver.currentMode();
    }

    /**
     * Adds a mode to the common modes: sources scheduled in {@link Mode#COMMON} then also run in it.
     *
     * @param mode the mode to add; not {@link Mode#COMMON} itself
     */
    public void addCommonMode(Mode mode) {
        Objects.requireNonNull(mode, "mode");
        if (mode.equals(Mode.COMMON)) {
            throw new IllegalArgumentException("COMMON cannot be one of the common modes");
        }
        driver.addCommonMode(mode);
    }

    /**
     * Runs a task on the loop thread, in the common modes, after the tasks given before it. Any thread.
     *
     * @throws RejectedExecutionException once the loop is closed
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closed) {
            throw new RejectedExecutionException("run loop '" + name + "' is closed");
        }
        driver.execute(task);
    }

    /**
     * Runs {@code task} on the loop thread and completes the future with its result. Any thread.
     *
     * @param <T>  the result type
     * @param task the task
     * @return completed with what {@code task} returns, or exceptionally with what it throws
     * @throws RejectedExecutionException once the loop is closed
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /**
     * A one-shot timer on the default mode, as CFRunLoopTimerCreate with interval 0. Any thread.
     *
     * @param delay from now; zero fires as soon as the loop gets to it
     * @param task  runs on the loop thread
     * @return the timer, valid until it fired or is invalidated
     * @throws IllegalArgumentException when {@code delay} is negative
     * @throws IllegalStateException    once the loop is closed
     */
    public Timer schedule(Duration delay, Runnable task) {
        return Timer.create(this, delay, Duration.ZERO, task);
    }

    /**
     * A repeating timer on the default mode. Like CF's, it fires at fixed intervals from the first firing; when it
     * falls behind, it skips the firings it missed rather than bunching them. Any thread.
     *
     * @param delay    until the first firing
     * @param interval between firings; more than zero
     * @param task     runs on the loop thread at every firing
     * @return the timer, valid until invalidated
     * @throws IllegalArgumentException when {@code delay} is negative or {@code interval} is not positive
     * @throws IllegalStateException    once the loop is closed
     */
    public Timer scheduleRepeating(Duration delay, Duration interval, Runnable task) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a repeating timer needs a positive interval, got " + interval);
        }
        return Timer.create(this, delay, interval, task);
    }

    /**
     * The handler of exceptions thrown by callbacks on this loop.
     *
     * @return the handler; {@link CallbackErrorHandler#logAndInvalidate()} unless replaced
     */
    public CallbackErrorHandler errorHandler() {
        return errorHandler;
    }

    /**
     * Replaces the handler of exceptions thrown by callbacks on this loop. Any thread; it applies to the next
     * callback that throws.
     *
     * @param handler the new handler
     */
    public void setErrorHandler(CallbackErrorHandler handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
    }

    /** {@return the name given when the loop was made (a started loop's thread has the same name)} */
    public String name() {
        return name;
    }

    /** {@return the backend behind this loop: NIO or CF} */
    public Backend backend() {
        return backend;
    }

    /**
     * The thread that runs this loop.
     *
     * @return the thread; null for an adopted CFRunLoop whose thread cfnet does not know yet
     */
    public Thread thread() {
        return driver.thread();
    }

    /** {@return whether the calling thread is this loop's thread} */
    public boolean inLoopThread() {
        return driver.inLoopThread();
    }

    /** {@return how many valid sources (sockets, timers, resolutions) are scheduled on this loop now} */
    public int sourceCount() {
        return driver.sourceCount();
    }

    /** {@return the idle strategy: what the loop does when it has nothing to do} */
    public IdleStrategy idleStrategy() {
        return driver.idleStrategy();
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether the loop is closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Invalidates every socket, timer and resolution on the loop and releases its resources; a started loop's
     * thread ends (this waits for it unless called from it). Idempotent, any thread, also from a callback.
     */
    @Override
    public void close() {
        boolean first = !closed;
        closed = true;
        if (owned) {
            if (first) {
                driver.requestExit();
            }
            if (!driver.inLoopThread()) {
                awaitTermination();
            }
        } else if (first) {
            driver.close();
            if (driver.inLoopThread() && LoopThreads.current() == this) {
                LoopThreads.clearCurrent();
            }
        }
    }

    private void awaitTermination() {
        Thread t = driver.thread();
        try {
            t.join(10_000);
            if (t.isAlive()) {
                LOG.log(Level.WARNING, "run loop '" + name + "' did not end within 10 s of close(): a callback "
                        + "on it is still running; waiting on");
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    TimerDriver driverForTimer(Timer timer, long delayNanos, long intervalNanos, Runnable task) {
        return driver.schedule(timer, delayNanos, intervalNanos, task);
    }

    LoopDriver driver() {
        return driver;
    }

    @Override
    public String toString() {
        return "RunLoop[" + name + ", " + backend + (closed ? ", closed" : "") + "]";
    }
}
