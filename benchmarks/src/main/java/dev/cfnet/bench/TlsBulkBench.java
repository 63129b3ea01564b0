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

/** TLS scenario: 64 MiB one way over TLS 1.3, from the first write until the receiver has decrypted every byte. */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class TlsBulkBench {
    /** The implementation (see {@link Impls}); BenchMain passes only those available here. */
    @Param({"cfnet-nio-park", "cfnet-cf-park", "nio-select", "netty-nio"})
    public String impl;

    private BenchOp op;

    @Setup
    public void setup() throws Exception {
        op = Impls.create(Scenario.TLS_BULK, impl, 0);
    }

    @TearDown
    public void tearDown() throws Exception {
        op.close();
    }

    @Benchmark
    public void transfer64MiB() throws Exception {
        op.op();
    }
}
