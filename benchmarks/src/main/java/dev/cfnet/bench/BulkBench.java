package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** Scenario 2: 64 MiB one way over loopback, from the first write until the receiver has counted every byte (MB/s = 67.108864 / seconds per op). */
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BulkBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-cf-park", "java-blocking", "nio-select", "nio-spin", "netty-nio",
            "netty-epoll", "netty-kqueue"})
    public String impl;

    @Benchmark
    public void transfer64MiB() throws Exception {
        op.op();
    }
}
