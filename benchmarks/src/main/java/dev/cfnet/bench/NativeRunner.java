package dev.cfnet.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the C reference programs (native/bench, built by make into a directory) and turns what they print into
 * rows shaped like JMH's JSON results, so that the report treats them as any other row.
 *
 * <p>A C row is a JMH result object with the {@code benchmark} name and {@code mode} of the Java rows it is
 * compared with, {@code params.impl} = {@code c-blocking}, {@code c-poll} or {@code c-cfsocket}, no
 * {@code secondaryMetrics} (C allocates no Java heap), {@code forks} = the number of process runs, and one extra
 * member, {@code "native": {"command": ..., "runs": [...what each run printed...]}}. Scores are the mean over the
 * runs; percentiles are the mean of each run's percentile.
 */
public final class NativeRunner {
    private final Path dir;
    private final BenchMain.Profile profile;

    NativeRunner(Path dir, BenchMain.Profile profile) {
        this.dir = dir;
        this.profile = profile;
    }

    /** Every C row this machine can produce (programs missing from the directory are skipped with a note). */
    List<JsonObject> runAll() throws IOException, InterruptedException {
        List<JsonObject> rows = new ArrayList<>();
        String pw = Long.toString(profile.pingWarmup()), pi = Long.toString(profile.pingIterations());
        for (String kind : List.of("blocking", "poll")) {
            String impl = "c-" + kind;
            JsonObject tcp = latency("pingpong", List.of("tcp", kind, pw, pi));
            if (tcp != null) {
                rows.add(latencyRow("PingPongBench.roundTrip", "sample", impl, tcp));
                rows.add(latencyRow("PingPongBench.roundTrip", "avgt", impl, tcp));
            }
            JsonObject udp = latency("pingpong", List.of("udp", kind, pw, pi));
            if (udp != null) rows.add(latencyRow("UdpPingPongBench.roundTrip", "sample", impl, udp));
            JsonObject bulk = runs("throughput", List.of(kind, Long.toString(profile.bulkWarmup()),
                    Long.toString(profile.bulkOps())));
            if (bulk != null) {
                rows.add(simpleRow("BulkBench.transfer64MiB", "avgt", impl, bulk, "ms_per_op", "ms/op"));
            }
        }
        JsonObject conn = runs("connect", List.of(Long.toString(profile.connectWarmup()),
                Long.toString(profile.connectOps())));
        if (conn != null) rows.add(simpleRow("ConnectBench.connectReadClose", "thrpt", "c-blocking", conn,
                "ops_per_s", "ops/s"));
        JsonObject cfConn = runs("cf_connect", List.of(Long.toString(profile.connectWarmup()),
                Long.toString(profile.connectOps())));
        if (cfConn != null) rows.add(simpleRow("ConnectBench.connectReadClose", "thrpt", "c-cfsocket", cfConn,
                "ops_per_s", "ops/s"));
        JsonObject cf = latency("cf_pingpong", List.of(pw, pi));
        if (cf != null) {
            rows.add(latencyRow("PingPongBench.roundTrip", "sample", "c-cfsocket", cf));
            rows.add(latencyRow("PingPongBench.roundTrip", "avgt", "c-cfsocket", cf));
        }
        return rows;
    }

    private JsonObject latency(String program, List<String> args) throws IOException, InterruptedException {
        return runs(program, args);
    }

    /** Runs a program {@code profile.nativeRuns()} times; returns {"command", "runs": [parsed lines]} or null. */
    private JsonObject runs(String program, List<String> args) throws IOException, InterruptedException {
        Path exe = dir.resolve(program);
        if (!Files.isExecutable(exe)) {
            System.out.println("[native] " + exe + " not built: its rows are skipped");
            return null;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(args);
        JsonArray results = new JsonArray();
        for (int r = 0; r < profile.nativeRuns(); r++) {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                System.out.println("[native] " + String.join(" ", cmd) + " timed out; skipped");
                return null;
            }
            String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
            if (p.exitValue() != 0 || line == null) {
                System.out.println("[native] " + String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
                        + out.strip());
                return null;
            }
            System.out.println("[native] " + String.join(" ", cmd) + " -> " + line);
            results.add(JsonParser.parseString(line));
        }
        JsonObject o = new JsonObject();
        o.addProperty("command", String.join(" ", cmd));
        o.add("runs", results);
        return o;
    }

    private static double mean(JsonObject runs, String key) {
        double sum = 0;
        JsonArray a = runs.getAsJsonArray("runs");
        for (var e : a) sum += e.getAsJsonObject().get(key).getAsDouble();
        return sum / a.size();
    }

    private static double[] values(JsonObject runs, String key) {
        JsonArray a = runs.getAsJsonArray("runs");
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsJsonObject().get(key).getAsDouble();
        return v;
    }

    private static JsonObject base(String bench, String mode, String impl, JsonObject runs) {
        JsonObject row = new JsonObject();
        row.addProperty("jmhVersion", "none (C program)");
        row.addProperty("benchmark", "dev.cfnet.bench." + bench);
        row.addProperty("mode", mode);
        row.addProperty("threads", 1);
        row.addProperty("forks", runs.getAsJsonArray("runs").size());
        JsonObject params = new JsonObject();
        params.addProperty("impl", impl);
        row.add("params", params);
        row.add("secondaryMetrics", new JsonObject());
        row.add("native", runs);
        return row;
    }

    private static JsonObject metric(double score, String unit, double[] raw) {
        JsonObject m = new JsonObject();
        m.addProperty("score", score);
        double err = Double.NaN;
        if (raw.length > 1) {
            double ss = 0;
            for (double v : raw) ss += (v - score) * (v - score);
            err = Math.sqrt(ss / (raw.length - 1));   // one standard deviation across runs
        }
        m.addProperty("scoreError", err);
        m.addProperty("scoreUnit", unit);
        JsonArray rawData = new JsonArray();
        JsonArray fork = new JsonArray();
        for (double v : raw) fork.add(v);
        rawData.add(fork);
        m.add("rawData", rawData);
        return m;
    }

    private static final Map<String, String> PERCENTILES = Map.of("0.0", "p0_us", "50.0", "p50_us", "90.0", "p90_us",
            "99.0", "p99_us", "99.9", "p999_us", "99.99", "p9999_us", "100.0", "max_us");

    private static JsonObject latencyRow(String bench, String mode, String impl, JsonObject runs) {
        JsonObject row = base(bench, mode, impl, runs);
        JsonObject m = metric(mean(runs, "avg_us"), "us/op", values(runs, "avg_us"));
        if (mode.equals("sample")) {
            JsonObject p = new JsonObject();
            PERCENTILES.entrySet().stream().sorted(Map.Entry.comparingByValue())
                    .forEach(e -> p.addProperty(e.getKey(), mean(runs, e.getValue())));
            m.add("scorePercentiles", p);
        }
        row.add("primaryMetric", m);
        return row;
    }

    private static JsonObject simpleRow(String bench, String mode, String impl, JsonObject runs, String key,
                                        String unit) {
        JsonObject row = base(bench, mode, impl, runs);
        row.add("primaryMetric", metric(mean(runs, key), unit, values(runs, key)));
        return row;
    }
}
