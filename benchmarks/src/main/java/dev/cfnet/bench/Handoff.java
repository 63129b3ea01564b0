package dev.cfnet.bench;

import java.util.concurrent.Executor;

/** The execute scenario on any loop: the benchmark thread hands a task to the loop and parks until it has run. */
final class Handoff implements BenchOp {
    private final Executor loop;
    private final AutoCloseable owner;
    private final Signal signal = new Signal();
    private final Runnable task = signal::fire;

    /** {@code owner} stops the loop at close. */
    Handoff(Executor loop, AutoCloseable owner) {
        this.loop = loop;
        this.owner = owner;
    }

    @Override
    public void op() throws Exception {
        signal.reset();
        loop.execute(task);
        signal.await();
    }

    @Override
    public void close() throws Exception {
        owner.close();
    }
}
