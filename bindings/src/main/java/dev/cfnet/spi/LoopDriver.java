package dev.cfnet.spi;

import dev.cfnet.Host;
import dev.cfnet.IdleStrategy;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.Socket;
import dev.cfnet.SocketErrorException;
import dev.cfnet.SocketHandle;
import dev.cfnet.SocketHandler;
import dev.cfnet.SocketType;
import dev.cfnet.Timer;
import java.net.ProtocolFamily;
import java.util.function.Consumer;

/**
 * A backend's run loop. Thread rules: {@link #runInMode} only on the loop's thread; everything else from any
 * thread. Arguments arrive validated by the public API.
 */
public interface LoopDriver {

    /** The thread that runs the loop; null for an adopted CF loop whose thread cfnet does not know. */
    Thread thread();

    /** True on the thread that runs the loop. */
    boolean inLoopThread();

    /**
     * Runs the loop in a mode, as CFRunLoopRunInMode.
     *
     * @param timeoutNanos <= 0: one pass without waiting
     * @param keepAlive    true for a library-owned loop: an empty mode waits instead of finishing
     */
    RunLoop.Result runInMode(RunLoop.Mode mode, long timeoutNanos, boolean returnAfterSourceHandled, boolean keepAlive);

    /** The mode the loop runs in now, or null when it is not running. */
    RunLoop.Mode currentMode();

    /** As CFRunLoopStop: makes the run under way return STOPPED; nothing when the loop is not running. */
    void stop();

    /** Makes the run under way, or the next one, return promptly: how a library-owned loop is ended. */
    void requestExit();

    void wakeUp();

    boolean isWaiting();

    /** Queues a task for the loop thread (runs in the common modes). Throws RejectedExecutionException once closed. */
    void execute(Runnable task);

    void addCommonMode(RunLoop.Mode mode);

    TimerDriver schedule(Timer owner, long delayNanos, long intervalNanos, Runnable task);

    SocketDriver createSocket(Socket owner, ProtocolFamily family, SocketType type, int callBackTypes,
                              SocketHandler handler) throws SocketErrorException;

    SocketDriver wrapSocket(Socket owner, SocketHandle handle, int callBackTypes, SocketHandler handler)
            throws SocketErrorException;

    ResolutionDriver resolve(Host.Resolution owner, String name, Consumer<ResolveResult> callback);

    /** Sources scheduled and still valid. */
    int sourceCount();

    /** Invalidates every source and releases the loop's resources; the loop can no longer run. Any thread. */
    void close();

    boolean isClosed();

    /** The idle strategy in force. */
    IdleStrategy idleStrategy();
}
