package dev.cfnet.spi;

import dev.cfnet.RunLoop;

/** A backend's timer. Any thread. */
public interface TimerDriver {

    /** Schedules the timer; called once its public object is fully built. */
    void start();

    boolean isValid();

    void invalidate();

    /** Moves the next firing to now + delay. */
    void setNextFire(long delayNanos);

    void addMode(RunLoop.Mode mode);

    void removeMode(RunLoop.Mode mode);
}
