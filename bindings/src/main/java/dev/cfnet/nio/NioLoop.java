package dev.cfnet.nio;

import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.RunLoop.Mode;
import dev.cfnet.RunLoop.Result;
import dev.cfnet.SocketError;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import dev.cfnet.spi.LoopCore;
import dev.cfnet.spi.OwnedHandle;
import dev.cfnet.spi.ResolutionCore;
import dev.cfnet.spi.ResolutionDriver;
import dev.cfnet.spi.SocketCore;
import dev.cfnet.spi.SocketIo;
import dev.cfnet.spi.TimerDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A run loop over a {@link Selector}. Everything that touches the selector's keys and the timer heap runs on the
 * loop thread; other threads hand work over through {@link LoopCore}'s queues and wake the selector.
 */
final class NioLoop extends LoopCore {
    static final System.Logger LOG = System.getLogger("dev.cfnet.nio");
    static final int STREAM_CHUNK = 32 * 1024;
    static final int DATAGRAM_MAX = 65535;   // CF reads datagrams into a 65535-byte buffer

    private static final int AWAKE = 0;
    private static final int BLOCKING = 1;
    private static final int IDLE_PARK = 0;
    private static final int IDLE_SPIN = 1;
    private static final int IDLE_YIELD = 2;
    private static final int IDLE_SPIN_THEN_PARK = 3;

    private final Thread thread;
    final Selector selector;
    private final int idleKind;
    private final long spinNanos;

    private final AtomicInteger wakeState = new AtomicInteger(AWAKE);
    private volatile boolean stopRequested;
    private volatile boolean exitRequested;

    private Mode mode = Mode.DEFAULT;        // loop thread: the mode the interest sets are computed for

    final TimerHeap timers = new TimerHeap();
    final ByteBuffer streamBuffer = ByteBuffer.allocateDirect(STREAM_CHUNK);
    private ByteBuffer datagramBuffer;
    private boolean handled;
    private final Consumer<SelectionKey> onKey = this::onKey;

    NioLoop(RunLoop owner, Thread thread, IdleStrategy idle) {
        super(owner, idle);
        this.thread = thread;
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

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public boolean inLoopThread() {
        return inLoop();
    }

    // ---- modes and sources -------------------------------------------------------------------------------------

    @Override
    protected void commonModeAdded(Mode m) {
        post(this::recomputeInterest);
    }

    private void recomputeInterest() {
        for (SelectionKey k : selector.keys()) {
            if (k.attachment() instanceof NioChannelIo io) io.refresh();
        }
    }

    Mode interestMode() {
        return mode;
    }

    // ---- cross-thread hand-over --------------------------------------------------------------------------------

    @Override
    protected void signalTasks() {
        wakeUp();
    }

    @Override
    protected void signalInternal() {
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
        // as CFRunLoopStop: a loop that is not running has nothing to stop
        if (ifRunning(() -> stopRequested = true)) wakeUp();
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

    // ---- the loop ----------------------------------------------------------------------------------------------

    @Override
    public Result runInMode(Mode runMode, long timeoutNanos, boolean returnAfterSourceHandled, boolean keepAlive) {
        if (!enterRun(runMode)) return Result.FINISHED;
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
                if (common && runTasks() > 0) handled = true;
                long now = System.nanoTime();
                boolean busy = (handled && returnAfterSourceHandled) || stopRequested || exitRequested || isClosed()
                        || hasInternal() || (common && hasTasks())
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
                if (isClosed() || exitRequested) return Result.STOPPED;
                if (!keepAlive && sources.activeCount(runMode) == 0) return Result.FINISHED;
            }
        } catch (ClosedSelectorException e) {
            return Result.FINISHED;
        } catch (IOException e) {
            throw new UncheckedIOException("run loop '" + owner.name() + "': select failed", e);
        } finally {
            exitRun(() -> {
                stopRequested = false;
                if (isClosed()) closeSelector();
            });
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
            if (hasInternal() || (common && hasTasks()) || stopRequested || exitRequested || isClosed()) {
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
            if (hasInternal() || (common && hasTasks()) || stopRequested || exitRequested || isClosed()) {
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
            if (att instanceof NioChannelIo io) {
                handled = true;
                io.dispatch(key.readyOps());
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            // invalidated from another thread while selected
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "run loop '" + owner.name() + "': dispatch failed", t);
        }
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
    protected TimerDriver newTimer(Timer timerOwner, long delayNanos, long intervalNanos, Runnable task) {
        return new NioTimer(this, timerOwner, task, delayNanos, intervalNanos);
    }

    @Override
    protected SocketIo newSocketIo(SocketCore core, ProtocolFamily family, SocketType type)
            throws SocketErrorException {
        SelectableChannel ch;
        try {
            if (type == SocketType.DATAGRAM) {
                ch = DatagramChannel.open(family);
            } else if (core.readType() == dev.cfnet.spi.CallBackBits.ACCEPT) {
                ch = ServerSocketChannel.open(family);
            } else {
                ch = SocketChannel.open(family);
            }
            ch.configureBlocking(false);
        } catch (UnsupportedOperationException e) {
            throw new SocketErrorException("create socket",
                    SocketError.of(SocketError.Kind.ADDRESS_FAMILY_NOT_SUPPORTED));
        } catch (IOException e) {
            throw new SocketErrorException("create socket", Errors.of(e), 0, e);
        }
        return io(core, ch, NioSocketHandle.adopted(ch, family));
    }

    @Override
    protected SocketIo wrapSocketIo(SocketCore core, OwnedHandle handle) throws SocketErrorException {
        NioSocketHandle h = (NioSocketHandle) handle;
        try {
            h.channel.configureBlocking(false);
        } catch (IOException e) {
            h.closeNow();
            throw new SocketErrorException("wrap", Errors.of(e), 0, e);
        }
        return io(core, h.channel, h);
    }

    private NioChannelIo io(SocketCore core, SelectableChannel ch, NioSocketHandle h) {
        return switch (ch) {
            case SocketChannel sc -> new NioStreamIo(this, core, sc, h);
            case DatagramChannel dc -> new NioDatagramIo(this, core, dc, h);
            case ServerSocketChannel ssc -> new NioListenerIo(this, core, ssc, h);
            default -> throw new IllegalArgumentException("unexpected channel " + ch);
        };
    }

    @Override
    protected InetSocketAddress peerOf(OwnedHandle handle) {
        try {
            return switch (((NioSocketHandle) handle).channel) {
                case SocketChannel sc -> (InetSocketAddress) sc.getRemoteAddress();
                case DatagramChannel dc -> (InetSocketAddress) dc.getRemoteAddress();
                default -> null;
            };
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected ResolutionDriver newResolution(Host.Resolution resolutionOwner, String name,
                                             Consumer<ResolveResult> callback) {
        return new ResolutionCore(this, resolutionOwner, name, callback);
    }

    ByteBuffer datagramBuffer() {
        if (datagramBuffer == null) datagramBuffer = ByteBuffer.allocateDirect(DATAGRAM_MAX);
        return datagramBuffer;
    }

    // ---- close -------------------------------------------------------------------------------------------------

    @Override
    protected void closed() {
        ifNotRunning(this::closeSelector);
        exitRequested = true;
        wakeUp();
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the selector of run loop '" + owner.name() + "'", e);
        }
    }

}
