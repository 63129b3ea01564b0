package dev.cfnet.nio;

import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoop.Mode;
import dev.cfnet.RunLoop.Result;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.DispatchGuard;
import dev.cfnet.spi.SourceSet;
import dev.cfnet.spi.LoopDriver;
import dev.cfnet.spi.ResolutionDriver;
import dev.cfnet.spi.SocketDriver;
import dev.cfnet.spi.TimerDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A run loop over a {@link Selector}. Everything that touches the selector's keys, the timer heap and socket
 * callback state runs on the loop thread; other threads hand work over through two queues: internal operations
 * (run in every mode) and user tasks from {@link RunLoop#execute} (run in the common modes, like CF's version-0
 * source scheduled in kCFRunLoopCommonModes).
 */
final class NioLoop implements LoopDriver {
    static final System.Logger LOG = System.getLogger("dev.cfnet.nio");
    static final int STREAM_CHUNK = 32 * 1024;
    static final int DATAGRAM_MAX = 65535;   // CF reads datagrams into a 65535-byte buffer

    private static final int AWAKE = 0;
    private static final int BLOCKING = 1;
    private static final int IDLE_PARK = 0;
    private static final int IDLE_SPIN = 1;
    private static final int IDLE_YIELD = 2;
    private static final int IDLE_SPIN_THEN_PARK = 3;

    final RunLoop owner;
    private final Thread thread;
    final Selector selector;
    private final IdleStrategy idle;
    private final int idleKind;
    private final long spinNanos;

    private final ConcurrentLinkedQueue<Runnable> internal = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wakeState = new AtomicInteger(AWAKE);
    private volatile boolean stopRequested;
    private volatile boolean exitRequested;
    private volatile boolean closed;

    private final Object stateLock = new Object();
    private boolean running;                 // guarded by stateLock
    private volatile Mode currentMode;
    private Mode mode = Mode.DEFAULT;        // loop thread: the mode the interest sets are computed for

    final SourceSet sources = new SourceSet();
    final DispatchGuard guard = new DispatchGuard();

    final TimerHeap timers = new TimerHeap();
    final ByteBuffer streamBuffer = ByteBuffer.allocateDirect(STREAM_CHUNK);
    private ByteBuffer datagramBuffer;
    private boolean handled;
    private final Consumer<SelectionKey> onKey = this::onKey;

    NioLoop(RunLoop owner, Thread thread, IdleStrategy idle) {
        this.owner = owner;
        this.thread = thread;
        this.idle = idle;
        switch (idle) {
            case IdleStrategy.Park p -> { idleKind = IDLE_PARK; spinNanos = 0; }
            case IdleStrategy.Spin s -> { idleKind = IDLE_SPIN; spinNanos = Long.MAX_VALUE; }
            case IdleStrategy.Yield y -> { idleKind = IDLE_YIELD; spinNanos = Long.MAX_VALUE; }
            case IdleStrategy.SpinThenPark stp -> {
                idleKind = IDLE_SPIN_THEN_PARK;
                spinNanos = RunLoopNanos.of(stp.spinFor());
            }
        }
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for run loop '" + owner.name() + "'", e);
        }
    }

    @Override
    public Thread thread() {
        return thread;
    }

    @Override
    public IdleStrategy idleStrategy() {
        return idle;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public boolean inLoopThread() {
        return inLoop();
    }

    // ---- modes and sources -------------------------------------------------------------------------------------

    @Override
    public int sourceCount() {
        return sources.size();
    }

    @Override
    public void addCommonMode(Mode m) {
        if (sources.addCommonMode(m)) {
            post(this::recomputeInterest);
        }
    }

    private void recomputeInterest() {
        for (var s : sources.snapshot()) {
            if (s instanceof NioSocket sock) sock.updateInterest();
        }
    }

    Mode interestMode() {
        return mode;
    }

    // ---- cross-thread hand-over --------------------------------------------------------------------------------

    /** Runs {@code op} on the loop thread: now when called there, else at the loop's next pass (any mode). */
    void onLoop(Runnable op) {
        if (inLoop()) {
            op.run();
        } else {
            post(op);
        }
    }

    /** Queues {@code op} for the loop's next pass (any mode), also when called on the loop thread. */
    void post(Runnable op) {
        if (closed) return;
        internal.add(op);
        wakeUp();
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("run loop '" + owner.name() + "' is closed");
        }
        tasks.add(task);
        wakeUp();
    }

    @Override
    public void wakeUp() {
        if (wakeState.get() == BLOCKING && wakeState.compareAndSet(BLOCKING, AWAKE)) {
            selector.wakeup();
        }
    }

    @Override
    public void stop() {
        synchronized (stateLock) {
            if (!running) return;   // as CFRunLoopStop: a loop that is not running has nothing to stop
            stopRequested = true;
        }
        wakeUp();
    }

    @Override
    public void requestExit() {
        exitRequested = true;
        wakeUp();
    }

    @Override
    public boolean isWaiting() {
        return wakeState.get() == BLOCKING;
    }

    @Override
    public Mode currentMode() {
        return currentMode;
    }

    // ---- the loop ----------------------------------------------------------------------------------------------

    @Override
    public Result runInMode(Mode runMode, long timeoutNanos, boolean returnAfterSourceHandled, boolean keepAlive) {
        synchronized (stateLock) {
            if (closed) return Result.FINISHED;
            if (running) {
                throw new IllegalStateException("run loop '" + owner.name() + "' is running already; nested runs "
                        + "from inside its callbacks are not supported");
            }
            running = true;
        }
        currentMode = runMode;
        try {
            if (!runMode.equals(mode)) {
                mode = runMode;
                recomputeInterest();
            }
            if (!keepAlive && sources.activeCount(runMode) == 0) {
                return Result.FINISHED;
            }
            if (exitRequested) return Result.STOPPED;
            long start = System.nanoTime();
            long deadline = timeoutNanos >= Long.MAX_VALUE - start ? Long.MAX_VALUE : start + timeoutNanos;
            boolean common = sources.isCommonMode(runMode);
            for (;;) {
                handled = false;
                runInternal();
                if (common && runTasks()) handled = true;
                long now = System.nanoTime();
                boolean busy = (handled && returnAfterSourceHandled) || stopRequested || exitRequested || closed
                        || !internal.isEmpty() || (common && !tasks.isEmpty())
                        || (!keepAlive && sources.activeCount(runMode) == 0);
                long wakeAt = Math.min(deadline, timers.nextDeadline(runMode, now));
                if (busy || wakeAt - now <= 0) {
                    selector.selectNow(onKey);
                } else {
                    idle(wakeAt, common);
                }
                runTimers(runMode);
                runInternal();   // what other threads handed over meanwhile counts before the checks below
                if (handled && returnAfterSourceHandled) return Result.HANDLED_SOURCE;
                if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) return Result.TIMED_OUT;
                if (stopRequested) {
                    stopRequested = false;
                    return Result.STOPPED;
                }
                if (closed || exitRequested) return Result.STOPPED;
                if (!keepAlive && sources.activeCount(runMode) == 0) return Result.FINISHED;
            }
        } catch (ClosedSelectorException e) {
            return Result.FINISHED;
        } catch (IOException e) {
            throw new UncheckedIOException("run loop '" + owner.name() + "': select failed", e);
        } finally {
            currentMode = null;
            synchronized (stateLock) {
                running = false;
                stopRequested = false;
                if (closed) closeSelector();
            }
        }
    }

    private void idle(long wakeAt, boolean common) throws IOException {
        switch (idleKind) {
            case IDLE_PARK -> block(wakeAt, common);
            case IDLE_SPIN, IDLE_YIELD -> spin(wakeAt, common);
            default -> {
                long spinUntil = System.nanoTime() + spinNanos;
                if (spinUntil - wakeAt > 0 || spinNanos == Long.MAX_VALUE) spinUntil = wakeAt;
                if (!spin(spinUntil, common) && wakeAt - System.nanoTime() > 0) {
                    block(wakeAt, common);
                }
            }
        }
    }

    /** Polls until something happens or {@code until}; true when something happened. */
    private boolean spin(long until, boolean common) throws IOException {
        for (;;) {
            if (selector.selectNow(onKey) > 0) return true;
            if (!internal.isEmpty() || (common && !tasks.isEmpty()) || stopRequested || exitRequested || closed) {
                return true;
            }
            if (System.nanoTime() - until >= 0) return false;
            if (idleKind == IDLE_YIELD) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void block(long wakeAt, boolean common) throws IOException {
        wakeState.set(BLOCKING);
        try {
            if (!internal.isEmpty() || (common && !tasks.isEmpty()) || stopRequested || exitRequested || closed) {
                selector.selectNow(onKey);
                return;
            }
            if (wakeAt == Long.MAX_VALUE) {
                selector.select(onKey);
            } else {
                long waitNanos = wakeAt - System.nanoTime();
                if (waitNanos <= 0) {
                    selector.selectNow(onKey);
                } else {
                    selector.select(onKey, Math.max(1, (waitNanos + 999_999) / 1_000_000));
                }
            }
        } finally {
            wakeState.set(AWAKE);
        }
    }

    private void onKey(SelectionKey key) {
        try {
            if (!key.isValid()) return;
            Object att = key.attachment();
            if (att instanceof NioSocket s) {
                handled = true;
                s.dispatch(key.readyOps());
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            // invalidated from another thread while selected
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "run loop '" + owner.name() + "': dispatch failed", t);
        }
    }

    private void runInternal() {
        Runnable r;
        while ((r = internal.poll()) != null) {
            try {
                r.run();
            } catch (Throwable t) {
                // Internal operations wrap user callbacks themselves; this is a cfnet bug, logged, not fatal.
                LOG.log(Level.ERROR, "run loop '" + owner.name() + "': internal operation failed", t);
            }
        }
    }

    /** Runs the user tasks queued now (not those they queue); true when it ran any. */
    private boolean runTasks() {
        int n = tasks.size();
        boolean ran = false;
        for (int i = 0; i < n; i++) {
            Runnable r = tasks.poll();
            if (r == null) break;
            ran = true;
            try {
                r.run();
            } catch (Throwable t) {
                Callbacks.failed(owner, null, t);
            }
        }
        return ran;
    }

    private final List<NioTimer> inactiveDue = new ArrayList<>();

    private void runTimers(Mode runMode) {
        if (timers.isEmpty()) return;
        long now = System.nanoTime();
        NioTimer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            if (!t.isValid()) continue;
            if (!t.activeIn(runMode)) {
                inactiveDue.add(t);
                continue;
            }
            t.fire(now);
        }
        if (!inactiveDue.isEmpty()) {
            for (NioTimer x : inactiveDue) timers.add(x);
            inactiveDue.clear();
        }
    }

    // ---- factories ---------------------------------------------------------------------------------------------

    @Override
    public TimerDriver schedule(Timer timerOwner, long delayNanos, long intervalNanos, Runnable task) {
        checkOpen();
        return new NioTimer(this, timerOwner, task, delayNanos, intervalNanos);
    }

    @Override
    public SocketDriver createSocket(Socket socketOwner, ProtocolFamily family, SocketType type, int callBackTypes,
                                     SocketHandler handler) throws SocketErrorException {
        checkOpen();
        return NioSocket.create(this, socketOwner, family, type, callBackTypes, handler);
    }

    @Override
    public SocketDriver wrapSocket(Socket socketOwner, SocketHandle handle, int callBackTypes, SocketHandler handler)
            throws SocketErrorException {
        checkOpen();
        if (!(handle instanceof NioSocketHandle h)) {
            throw new IllegalArgumentException("not a handle of the NIO backend: " + handle);
        }
        return NioSocket.wrap(this, socketOwner, h, callBackTypes, handler);
    }

    @Override
    public ResolutionDriver resolve(Host.Resolution resolutionOwner, String name, Consumer<ResolveResult> callback) {
        checkOpen();
        return new NioResolution(this, resolutionOwner, name, callback);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("run loop '" + owner.name() + "' is closed");
        }
    }

    ByteBuffer datagramBuffer() {
        if (datagramBuffer == null) datagramBuffer = ByteBuffer.allocateDirect(DATAGRAM_MAX);
        return datagramBuffer;
    }

    // ---- close -------------------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (var s : sources.snapshot()) {
            try {
                s.invalidate();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "invalidating " + s + " while closing run loop '" + owner.name() + "'", t);
            }
        }
        tasks.clear();
        internal.clear();
        synchronized (stateLock) {
            if (!running) closeSelector();
        }
        exitRequested = true;
        wakeUp();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the selector of run loop '" + owner.name() + "'", e);
        }
    }

    @Override
    public String toString() {
        return "NioLoop[" + owner.name() + "]";
    }
}
