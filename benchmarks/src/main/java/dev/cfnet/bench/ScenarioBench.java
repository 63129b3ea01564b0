package dev.cfnet.bench;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What every scenario's JMH class shares (JMH inherits the state, fork and set-up annotations): one {@link BenchOp}
 * per benchmark thread, built for the scenario of the concrete class and its {@code impl} (and {@code idle})
 * parameters, closed at tear-down. Each concrete class declares its parameters, mode and {@code @Benchmark} method.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
public abstract class ScenarioBench {
    /** The operation the {@code @Benchmark} method runs. */
    protected BenchOp op;

    /**
     * Builds the operation of this run's benchmark and parameters.
     *
     * @param params JMH's description of the run: the benchmark id and the {@code impl} and {@code idle} values
     * @throws Exception when the implementation cannot be built here
     */
    @Setup
    public void setup(BenchmarkParams params) throws Exception {
        String idle = params.getParam("idle");
        op = Impls.create(Scenario.ofBenchmark(params.getBenchmark()), params.getParam("impl"),
                idle == null ? 0 : Integer.parseInt(idle));
    }

    /**
     * Closes the operation.
     *
     * @throws Exception when closing fails
     */
    @TearDown
    public void tearDown() throws Exception {
        op.close();
    }
}
