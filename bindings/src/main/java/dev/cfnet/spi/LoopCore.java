package dev.cfnet.spi;

import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoopSource;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * What every backend's run loop shares: the user's task queue (run in the common modes, like CF's version-0
 * source in kCFRunLoopCommonModes) and cfnet's own hand-overs (run in any mode), the sources and their modes, the
 * guard that keeps callbacks from starting after invalidate, closing, and the factories of sockets, timers and
 * resolutions. A backend adds how the loop runs, sleeps and is woken.
 */
public abstract class LoopCore implements LoopDriver {
    protected static final System.Logger LOG = System.getLogger("dev.cfnet");

    /** A callback that may throw anything. */
    @FunctionalInterface
    public interface Callout {
        void run() throws Exception;
    }

    /** The public loop the callbacks report to. */
    public final RunLoop owner;
    public final SourceSet sources = new SourceSet();
    public final DispatchGuard guard = new DispatchGuard();
    private final IdleStrategy idle;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> internal = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private final Object runLock = new Object();
    private boolean running;                   // guarded by runLock
    private volatile RunLoop.Mode currentMode;

    protected LoopCore(RunLoop owner, IdleStrategy idle) {
        this.owner = owner;
        this.idle = idle;
    }

    // ---- backend hooks -----------------------------------------------------------------------------------------

    /** Makes the loop run its tasks soon (it may sleep). Any thread. */
    protected abstract void signalTasks();

    /** Makes the loop run its internal queue soon, in whatever mode it runs. Any thread. */
    protected abstract void signalInternal();

    /** After close() invalidated every source and dropped the queues: give the loop's resources back. */
    protected abstract void closed();

    protected abstract TimerDriver newTimer(Timer owner, long delayNanos, long intervalNanos, Runnable task);

    /** The backend half of a new socket ({@code core} is not started yet). */
    protected abstract SocketIo newSocketIo(SocketCore core, ProtocolFamily family, SocketType type)
            throws SocketErrorException;

    /** The backend half of a socket adopting {@code handle}, which is this backend's and claimed for it. */
    protected abstract SocketIo wrapSocketIo(SocketCore core, OwnedHandle handle) throws SocketErrorException;

    /** What a handle of this backend is to a new owner: connected (with its peer), listening or neither. */
    protected abstract InetSocketAddress peerOf(OwnedHandle handle);

    protected abstract ResolutionDriver newResolution(Host.Resolution owner, String name,
                                                      Consumer<ResolveResult> callback);

    // ---- callouts ----------------------------------------------------------------------------------------------

    /** Runs a user callback of {@code source}; what it throws goes to the loop's error handler. */
    public final void callOut(RunLoopSource source, Callout callout) {
        try {
            callout.run();
        } catch (Throwable t) {
            Callbacks.failed(owner, source, t);
        }
    }

    // ---- queues ------------------------------------------------------------------------------------------------

    @Override
    public final void execute(Runnable task) {
        if (closed) throw new RejectedExecutionException("run loop '" + owner.name() + "' is closed");
        tasks.add(task);
        signalTasks();
    }

    /** Queues {@code op} for the loop's next pass in any mode, even from the loop thread; false once closed. */
    public final boolean post(Runnable op) {
        if (closed) return false;
        internal.add(op);
        signalInternal();
        return true;
    }

    /** Runs {@code op} on the loop thread: now when called there, else at its next pass; false when it never will. */
    public final boolean onLoop(Runnable op) {
        if (inLoopThread()) {
            op.run();
            return true;
        }
        return post(op);
    }

    /** Runs the user tasks queued now (not those they queue); how many ran. */
    protected final int runTasks() {
        int n = tasks.size();
        int ran = 0;
        for (int i = 0; i < n; i++) {
            Runnable r = tasks.poll();
            if (r == null) break;
            ran++;
            callOut(null, r::run);
        }
        return ran;
    }

    /** Runs every internal operation queued, including those queued meanwhile. */
    protected final void runInternal() {
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

    protected final boolean hasTasks() {
        return !tasks.isEmpty();
    }

    protected final boolean hasInternal() {
        return !internal.isEmpty();
    }

    // ---- factories ---------------------------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) throw new IllegalStateException("run loop '" + owner.name() + "' is closed");
    }

    @Override
    public final TimerDriver schedule(Timer timerOwner, long delayNanos, long intervalNanos, Runnable task) {
        checkOpen();
        return newTimer(timerOwner, delayNanos, intervalNanos, task);
    }

    @Override
    public final SocketDriver createSocket(Socket socketOwner, ProtocolFamily family, SocketType type,
                                           int callBackTypes, SocketHandler handler) throws SocketErrorException {
        checkOpen();
        SocketCore core = new SocketCore(this, socketOwner, handler, type, callBackTypes, Connection.IDLE, null);
        core.attach(newSocketIo(core, family, type));
        return new SocketOperations(core);
    }

    @Override
    public final SocketDriver wrapSocket(Socket socketOwner, SocketHandle handle, int callBackTypes,
                                         SocketHandler handler) throws SocketErrorException {
        checkOpen();
        if (!(handle instanceof OwnedHandle h) || h.backend() != owner.backend()) {
            throw new IllegalArgumentException("not a handle of the " + owner.backend() + " backend: " + handle);
        }
        int readType = CallBackBits.readType(callBackTypes);
        if (h.listening() && readType != CallBackBits.ACCEPT && readType != 0) {
            throw new IllegalArgumentException("a listening handle takes ACCEPT, not " + callBackTypes);
        }
        if (!h.listening() && readType == CallBackBits.ACCEPT) {
            throw new IllegalArgumentException("ACCEPT needs a listening handle; this one is " + h.type());
        }
        if (!h.claim()) {
            throw new IllegalStateException("the handle is closed, or already wrapped by another socket");
        }
        InetSocketAddress peer = peerOf(h);
        Connection state = h.listening() ? Connection.LISTENING
                : peer != null && h.type() == SocketType.STREAM ? Connection.CONNECTED_UNREPORTED
                : peer != null ? Connection.CONNECTED : Connection.IDLE;
        SocketCore core = new SocketCore(this, socketOwner, handler, h.type(), callBackTypes, state, peer);
        try {
            core.attach(wrapSocketIo(core, h));
        } catch (SocketErrorException | RuntimeException e) {
            h.release();
            throw e;
        }
        return new SocketOperations(core);
    }

    @Override
    public final ResolutionDriver resolve(Host.Resolution resolutionOwner, String name,
                                          Consumer<ResolveResult> callback) {
        checkOpen();
        return newResolution(resolutionOwner, name, callback);
    }

    // ---- modes, sources, close ---------------------------------------------------------------------------------

    @Override
    public void addCommonMode(RunLoop.Mode mode) {
        if (sources.addCommonMode(mode)) commonModeAdded(mode);
    }

    /** A mode joined the common modes. */
    protected void commonModeAdded(RunLoop.Mode mode) {
    }

    @Override
    public final int sourceCount() {
        return sources.size();
    }

    @Override
    public final IdleStrategy idleStrategy() {
        return idle;
    }

    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        for (ScheduledSource s : sources.snapshot()) {
            try {
                s.invalidate();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "invalidating " + s + " while closing run loop '" + owner.name() + "'", t);
            }
        }
        tasks.clear();
        internal.clear();
        closed();
    }

    // ---- running state -----------------------------------------------------------------------------------------

    /**
     * Marks the loop running in a mode, at the start of runInMode. False when the loop is closed (the run then
     * returns FINISHED); a run from inside one of this loop's callbacks is refused.
     */
    protected final boolean enterRun(RunLoop.Mode mode) {
        synchronized (runLock) {
            if (isClosed()) return false;
            if (running) {
                throw new IllegalStateException("run loop '" + owner.name() + "' is running already; nested runs "
                        + "from inside its callbacks are not supported");
            }
            running = true;
        }
        currentMode = mode;
        return true;
    }

    /** Marks the loop not running, at the end of runInMode; then runs {@code atExit} under the same lock. */
    protected final void exitRun(Runnable atExit) {
        currentMode = null;
        synchronized (runLock) {
            running = false;
            atExit.run();
        }
    }

    /** Runs the action if the loop is running, atomically with enterRun/exitRun; true when it ran. */
    protected final boolean ifRunning(Runnable action) {
        synchronized (runLock) {
            if (running) action.run();
            return running;
        }
    }

    /** Runs the action if the loop is not running, atomically with enterRun/exitRun; true when it ran. */
    protected final boolean ifNotRunning(Runnable action) {
        synchronized (runLock) {
            if (!running) action.run();
            return !running;
        }
    }

    @Override
    public final RunLoop.Mode currentMode() {
        return currentMode;
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + owner.name() + "]";
    }
}
