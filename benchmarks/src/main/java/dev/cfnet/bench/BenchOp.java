package dev.cfnet.bench;

/**
 * One operation of a scenario (one round trip, one 64 MiB transfer, one connect, one hand-over) on one
 * implementation. The JMH method calls {@link #op()}; setup builds the implementation, teardown closes it.
 */
public interface BenchOp extends AutoCloseable {
    void op() throws Exception;

    @Override
    void close() throws Exception;
}
