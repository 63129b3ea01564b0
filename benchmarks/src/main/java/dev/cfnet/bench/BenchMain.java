package dev.cfnet.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cfnet.Backend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What {@code make bench} and {@code make bench-quick} run: every scenario's JMH benchmarks with the
 * implementations available here (with {@code -prof gc}), then the C programs, then {@link Report}.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED [-Dcfnet.cf.library=...] -cp ... dev.cfnet.bench.BenchMain
 *      --profile quick|full [--native DIR] [--work DIR] [--results DIR] [--only Scenario,...]
 * </pre>
 */
public final class BenchMain {
    /** Iteration counts of a run. */
    public record Profile(String name, int forks, int warmupIterations, int warmupMillis, int iterations,
                          int iterationMillis, int nativeRuns, long pingWarmup, long pingIterations, long bulkWarmup,
                          long bulkOps, long connectWarmup, long connectOps) {
        static Profile of(String name) {
            return switch (name) {
                case "quick" -> new Profile("quick", 1, 1, 500, 2, 500, 1, 5_000, 25_000, 2, 8, 1_000, 4_000);
                case "full" -> new Profile("full", 2, 2, 1000, 4, 1000, 3, 20_000, 100_000, 5, 30, 3_000, 20_000);
                default -> throw new IllegalArgumentException("profile must be quick or full, not " + name);
            };
        }
    }

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String profileName = "quick";
        Path nativeDir = Path.of("benchmarks/target/native");
        Path work = Path.of("benchmarks/target/bench");
        Path results = Path.of("benchmarks/results");
        List<Scenario> only = List.of(Scenario.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--profile" -> profileName = args[++i];
                case "--native" -> nativeDir = Path.of(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--results" -> results = Path.of(args[++i]);
                case "--only" -> only = java.util.Arrays.stream(args[++i].split(",")).map(Scenario::valueOf).toList();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Profile profile = Profile.of(profileName);
        Files.createDirectories(work);
        Instant started = Instant.now();

        List<String> jvmArgs = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g",
                "-Djava.awt.headless=true",
                // JMH and Netty use sun.misc.Unsafe; allow it quietly (Netty's usual fast path).
                "--sun-misc-unsafe-memory-access=allow"));
        String cfLibrary = System.getProperty("cfnet.cf.library", "");
        if (!cfLibrary.isBlank()) jvmArgs.add("-Dcfnet.cf.library=" + cfLibrary);

        JsonArray skipped = new JsonArray();
        List<JsonObject> rows = new ArrayList<>();
        for (Scenario s : only) {
            List<String> impls = new ArrayList<>();
            for (String impl : s.javaImpls()) {
                var why = Impls.unavailableReason(impl);
                if (why.isPresent()) {
                    System.out.println("[bench] " + s + ": skipping " + impl + ": " + why.get());
                    JsonObject o = new JsonObject();
                    o.addProperty("scenario", s.name());
                    o.addProperty("impl", impl);
                    o.addProperty("reason", why.get());
                    skipped.add(o);
                } else {
                    impls.add(impl);
                }
            }
            if (impls.isEmpty()) continue;
            Path out = work.resolve("jmh-" + s.name().toLowerCase() + ".json");
            Files.deleteIfExists(out);
            ChainedOptionsBuilder ob = new OptionsBuilder()
                    .include("^" + Pattern.quote(BenchMain.class.getPackageName() + "." + s.benchClass()) + "\\.")
                    .param("impl", impls.toArray(String[]::new))
                    .forks(profile.forks())
                    .warmupIterations(profile.warmupIterations())
                    .warmupTime(TimeValue.milliseconds(profile.warmupMillis()))
                    .measurementIterations(profile.iterations())
                    .measurementTime(TimeValue.milliseconds(profile.iterationMillis()))
                    .timeout(TimeValue.seconds(120))
                    .addProfiler(GCProfiler.class)
                    .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                    .shouldFailOnError(false)
                    .resultFormat(ResultFormatType.JSON)
                    .result(out.toString());
            System.out.println("[bench] " + s + ": " + impls);
            new Runner(ob.build()).run();
            if (Files.exists(out)) {
                for (var e : JsonParser.parseString(Files.readString(out)).getAsJsonArray()) {
                    rows.add(e.getAsJsonObject());
                }
            }
        }

        List<JsonObject> nativeRows = new NativeRunner(nativeDir, profile).runAll();
        rows.addAll(nativeRows);

        JsonObject meta = new JsonObject();
        meta.addProperty("profile", profile.name());
        meta.addProperty("started", started.toString());
        meta.addProperty("minutes", Math.round(Duration.between(started, Instant.now()).toSeconds() / 6.0) / 10.0);
        meta.addProperty("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        meta.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        meta.addProperty("cpus", Runtime.getRuntime().availableProcessors());
        meta.addProperty("cpuModel", cpuModel());
        meta.addProperty("fdLimit", FdLimit.max());
        meta.addProperty("cfLibrary", cfLibrary);
        meta.addProperty("cfAvailable", Backend.CF.isAvailable());
        meta.addProperty("cfImplementation", Backend.CF.implementation().orElse(""));
        meta.addProperty("forks", profile.forks());
        meta.addProperty("warmup", profile.warmupIterations() + " x " + profile.warmupMillis() + " ms");
        meta.addProperty("measurement", profile.iterations() + " x " + profile.iterationMillis() + " ms");
        meta.add("skipped", skipped);
        Files.writeString(work.resolve("meta.json"), meta.toString(), StandardCharsets.UTF_8);
        Report.write(rows, meta, results);
        System.out.println("[bench] wrote " + results.resolve("latest.json") + ", latest.md, latest.png in "
                + meta.get("minutes").getAsString() + " min");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
