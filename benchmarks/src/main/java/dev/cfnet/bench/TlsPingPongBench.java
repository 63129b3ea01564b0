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

/** TLS scenario: one 64-byte round trip over TLS 1.3 (client encrypts, server decrypts and echoes, client has all 64 bytes). */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class TlsPingPongBench {
    /** The implementation (see {@link Impls}); BenchMain passes only those available here. */
    @Param({"cfnet-nio-park", "cfnet-cf-park", "nio-select", "netty-nio"})
    public String impl;

    private BenchOp op;

    @Setup
    public void setup() throws Exception {
        op = Impls.create(Scenario.TLS_PINGPONG, impl, 0);
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
