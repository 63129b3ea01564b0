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

/** Scenario 1: one 64-byte TCP round trip over loopback (client sends, server echoes, client has all 64 bytes). */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class PingPongBench {
    /** The implementation (see {@link Impls}); BenchMain passes only those available here. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-nio-spin50us", "cfnet-nio-park-xthread", "cfnet-cf-park",
            "java-blocking", "nio-select", "nio-spin", "netty-nio", "netty-epoll", "netty-kqueue"})
    public String impl;

    private BenchOp op;

    @Setup
    public void setup() throws Exception {
        op = Impls.create(Scenario.TCP_PINGPONG, impl, 0);
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
