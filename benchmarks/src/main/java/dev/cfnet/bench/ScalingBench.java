package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Scenario 6: the TCP round trip of scenario 1 while N idle connections are registered on the server's loop. */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class ScalingBench {
    /** The implementation (see {@link Impls}); BenchMain passes only those available here. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-cf-park", "nio-select", "nio-spin"})
    public String impl;

    /** Idle connections registered on the server loop besides the measured one. */
    @Param({"10", "1000", "10000"})
    public int idle;

    private BenchOp op;

    @Setup
    public void setup() throws Exception {
        op = Impls.create(Scenario.SCALING, impl, idle);
    }

    @TearDown
    public void tearDown() throws Exception {
        op.close();
    }

    @Benchmark
    public void roundTrip() throws Exception {
        op.op();
    }
}
