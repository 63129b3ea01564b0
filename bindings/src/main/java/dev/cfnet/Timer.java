package dev.cfnet;

import dev.cfnet.spi.TimerDriver;
import java.time.Duration;
import java.util.Objects;

/** A timer on a run loop, CFRunLoopTimer's counterpart. Made by {@link RunLoop#schedule}. */
public final class Timer implements RunLoopSource {
    private final RunLoop loop;
    private final Duration interval;
    private final TimerDriver driver;

    private Timer(RunLoop loop, Duration delay, Duration interval, Runnable task) {
        this.loop = loop;
        this.interval = interval;
        this.driver = loop.driverForTimer(this, RunLoop.toNanos(delay), RunLoop.toNanos(interval), task);
    }

    private Timer started() {
        driver.start();
        return this;
    }

    static Timer create(RunLoop loop, Duration delay, Duration interval, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a timer's delay must not be negative, got " + delay);
        }
        if (loop.isClosed()) {
            throw new IllegalStateException("run loop '" + loop.name() + "' is closed");
        }
        return new Timer(loop, delay, interval, task).started();
    }

    @Override
    public RunLoop loop() {
        return loop;
    }

    /**
     * The time between firings.
     *
     * @return the interval; zero for a one-shot timer
     */
    public Duration interval() {
        return interval;
    }

    /**
     * True for a timer made by {@link RunLoop#scheduleRepeating}.
     *
     * @return whether the timer fires more than once
     */
    public boolean isRepeating() {
        return !interval.isZero();
    }

    @Override
    public boolean isValid() {
        return driver.isValid();
    }

    @Override
    public void invalidate() {
        driver.invalidate();
    }

    /**
     * Moves the next firing to {@code delay} from now, as CFRunLoopTimerSetNextFireDate.
     *
     * @param delay from now; zero or negative fires as soon as the loop gets to it
     */
    public void setNextFire(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        driver.setNextFire(RunLoop.toNanos(delay));
    }

    /**
     * Also fire while the loop runs in {@code mode}.
     *
     * @param mode a run loop mode
     */
    public void addMode(RunLoop.Mode mode) {
        driver.addMode(Objects.requireNonNull(mode, "mode"));
    }

    /**
     * No longer fire while the loop runs in {@code mode}.
     *
     * @param mode a run loop mode
     */
    public void removeMode(RunLoop.Mode mode) {
        driver.removeMode(Objects.requireNonNull(mode, "mode"));
    }

    @Override
    public String toString() {
        return "Timer[" + (isRepeating() ? "every " + interval : "once") + (isValid() ? "" : ", invalid") + "]";
    }
}
