package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** Scenario 6: the TCP round trip of scenario 1 while N idle connections are registered on the server's loop. */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScalingBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-cf-park", "nio-select", "nio-spin"})
    public String impl;

    /** Idle connections registered on the server loop besides the measured one ({@link ScenarioBench} reads it). */
    @Param({"10", "1000", "10000"})
    public int idle;

    @Benchmark
    public void roundTrip() throws Exception {
        op.op();
    }
}
