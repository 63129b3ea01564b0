package dev.cfnet.spi;

/** A backend's name resolution in flight. Any thread. */
public interface ResolutionDriver {

    /** Starts resolving; called once its public object is fully built. */
    void start();

    /** True until the result was delivered or the resolution cancelled. */
    boolean isPending();

    /** No callback after this returns. */
    void cancel();
}
