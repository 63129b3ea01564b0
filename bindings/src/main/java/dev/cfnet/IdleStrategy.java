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

    /** Poll for {@code spinFor} after the last activity, then block. */
    record SpinThenPark(Duration spinFor) implements IdleStrategy {
        public SpinThenPark {
            Objects.requireNonNull(spinFor, "spinFor");
            if (spinFor.isNegative()) {
                throw new IllegalArgumentException("spinFor must not be negative: " + spinFor);
            }
        }
    }

    static IdleStrategy park() {
        return new Park();
    }

    static IdleStrategy spin() {
        return new Spin();
    }

    static IdleStrategy yielding() {
        return new Yield();
    }

    static IdleStrategy spinThenPark(Duration spinFor) {
        return new SpinThenPark(spinFor);
    }
}
