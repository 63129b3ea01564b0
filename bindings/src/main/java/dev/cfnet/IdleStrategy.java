package dev.cfnet;

import java.time.Duration;
import java.util.Objects;

/**
 * What a run loop does when it has nothing to do: sleep in the kernel (the default), or keep polling to answer
 * sooner at the price of a busy core. On a 2-core VM a loopback round trip that sleeps costs about three times one
 * that spins: most of it is waking the sleeping thread.
 */
public sealed interface IdleStrategy {

    /** Block until an event, a timer or a wake-up. No CPU while idle. */
    record Park() implements IdleStrategy {
    }

    /** Poll without pause. Lowest latency; one core at 100%. */
    record Spin() implements IdleStrategy {
    }

    /** Poll and yield the CPU between polls. */
    record Yield() implements IdleStrategy {
    }

    /**
     * Poll for {@code spinFor} after the last activity, then block.
     *
     * @param spinFor how long to keep polling after the last event before sleeping; zero or more
     */
    record SpinThenPark(Duration spinFor) implements IdleStrategy {
        /**
         * A strategy from its field.
         *
         * @param spinFor how long to poll before sleeping
         * @throws IllegalArgumentException when {@code spinFor} is negative
         */
        public SpinThenPark {
            Objects.requireNonNull(spinFor, "spinFor");
            if (spinFor.isNegative()) {
                throw new IllegalArgumentException("spinFor must not be negative: " + spinFor);
            }
        }
    }

    /**
     * Sleep in the kernel until there is work: no CPU while idle. The default of every loop.
     *
     * @return the {@link Park} strategy
     */
    static IdleStrategy park() {
        return new Park();
    }

    /**
     * Poll without pause: the lowest latency, one core busy all the time. Not for timers on OpenCFLite's CF
     * backend: its zero-timeout poll re-arms every timer, so they never fire.
     *
     * @return the {@link Spin} strategy
     */
    static IdleStrategy spin() {
        return new Spin();
    }

    /**
     * Poll, yielding the CPU between polls: less latency than {@link #park()}, kinder to other threads than
     * {@link #spin()}.
     *
     * @return the {@link Yield} strategy
     */
    static IdleStrategy yielding() {
        return new Yield();
    }

    /**
     * Poll for a while after each event, then sleep: low latency under load, no CPU when idle for longer.
     *
     * @param spinFor how long to keep polling after the last event
     * @return the {@link SpinThenPark} strategy
     * @throws IllegalArgumentException when {@code spinFor} is negative
     */
    static IdleStrategy spinThenPark(Duration spinFor) {
        return new SpinThenPark(spinFor);
    }
}
