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

/** Scenario 3: connect, receive the server's one-byte greeting, close; connections per second. */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput})
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public class ConnectBench {
    /** The implementation (see {@link Impls}); BenchMain passes only those available here. */
    @Param({"cfnet-nio-park", "cfnet-nio-spin", "cfnet-cf-park", "java-blocking", "nio-select", "nio-spin", "netty-nio",
            "netty-epoll", "netty-kqueue"})
    public String impl;

    private BenchOp op;

    @Setup
    public void setup() throws Exception {
        op = Impls.create(Scenario.CONNECT, impl, 0);
    }

    @TearDown
    public void tearDown() throws Exception {
        op.close();
    }

    @Benchmark
    public void connectReadClose() throws Exception {
        op.op();
    }
}
