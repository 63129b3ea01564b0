package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** Scenario 5: the benchmark thread hands a task to a loop thread and parks until the task has woken it. */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExecuteBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-nio-spin50us", "cfnet-cf-park", "java-executor", "nio-select",
            "nio-spin", "netty-nio", "netty-epoll", "netty-kqueue"})
    public String impl;

    @Benchmark
    public void handOff() throws Exception {
        op.op();
    }
}
