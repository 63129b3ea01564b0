package dev.cfnet.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/** TLS scenario: 64 MiB one way over TLS 1.3, from the first write until the receiver has decrypted every byte. */
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TlsBulkBench extends ScenarioBench {
    /** The implementation (see {@link Impls}), read by {@link ScenarioBench}; BenchMain passes the available ones. */
    @Param({"cfnet-nio-park", "cfnet-cf-park", "nio-select", "netty-nio"})
    public String impl;

    @Benchmark
    public void transfer64MiB() throws Exception {
        op.op();
    }
}
