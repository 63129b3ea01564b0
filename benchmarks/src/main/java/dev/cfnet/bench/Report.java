package dev.cfnet.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns JMH results (plus the C rows of {@link NativeRunner}) into {@code latest.json} (all rows, JMH's format),
 * {@code latest.md} (tables, ratios, targets) and {@code latest.png} (charts).
 *
 * <p>Re-run on saved results: {@code Report --in a.json [--in b.json ...] [--meta meta.json] --out DIR}.
 */
public final class Report {
    /** Display order of implementations. */
    static final List<String> ORDER = List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN, Impls.CFNET_NIO_SPIN_PARK,
            Impls.CFNET_NIO_PARK_XTHREAD, Impls.CFNET_CF_PARK, Impls.JAVA_BLOCKING, Impls.JAVA_EXECUTOR,
            Impls.NIO_SELECT, Impls.NIO_SPIN, Impls.NETTY_NIO, Impls.NETTY_EPOLL, Impls.NETTY_KQUEUE, Impls.C_BLOCKING,
            Impls.C_POLL, Impls.C_CFSOCKET);
    static final double BULK_MB = Net.BULK / 1e6;

    /** One result, normalised. {@code idle} is 0 outside the scaling scenario. */
    record Row(Scenario scenario, String impl, String mode, int idle, double score, double error, String unit,
               Map<String, Double> percentiles, Double alloc, boolean isNative, String partial) {
        /** Bulk rows in MB/s (10^6 B/s), from ms per 64 MiB. */
        double value() {
            return scenario.bulk() ? BULK_MB / (score / 1000.0) : score;
        }

        double valueError() {
            if (Double.isNaN(error)) return Double.NaN;
            return scenario.bulk() ? value() * error / score : error;
        }

        Double pct(String key) {
            return percentiles.get(key);
        }
    }

    private Report() {
    }

    // ---- parsing -----------------------------------------------------------------------------------------------

    static List<Row> parse(List<JsonObject> rows) {
        List<Row> out = new ArrayList<>();
        for (JsonObject o : rows) {
            Scenario s = Scenario.ofBenchmark(o.get("benchmark").getAsString());
            if (s == null) continue;
            JsonObject params = o.has("params") ? o.getAsJsonObject("params") : new JsonObject();
            String impl = params.has("impl") ? params.get("impl").getAsString() : "?";
            int idle = params.has("idle") ? params.get("idle").getAsInt() : 0;
            JsonObject pm = o.getAsJsonObject("primaryMetric");
            Map<String, Double> pct = new TreeMap<>();
            if (pm.has("scorePercentiles") && o.get("mode").getAsString().equals("sample")) {
                for (var e : pm.getAsJsonObject("scorePercentiles").entrySet()) {
                    pct.put(e.getKey(), num(e.getValue()));
                }
            }
            Double alloc = null;
            JsonObject sec = o.has("secondaryMetrics") ? o.getAsJsonObject("secondaryMetrics") : new JsonObject();
            if (sec.has("gc.alloc.rate.norm")) alloc = num(sec.getAsJsonObject("gc.alloc.rate.norm").get("score"));
            // Iterations that threw are missing from rawData: say so rather than pass a partial row off as whole.
            String partial = "";
            if (!o.has("native") && pm.has("rawData") && o.has("measurementIterations") && o.has("forks")) {
                int expected = o.get("measurementIterations").getAsInt() * o.get("forks").getAsInt();
                int got = 0;
                for (var fork : pm.getAsJsonArray("rawData")) got += fork.getAsJsonArray().size();
                if (got < expected) partial = got + " of " + expected + " iterations; the others failed";
            }
            out.add(new Row(s, impl, o.get("mode").getAsString(), idle, num(pm.get("score")),
                    pm.has("scoreError") ? num(pm.get("scoreError")) : Double.NaN, pm.get("scoreUnit").getAsString(),
                    pct, alloc, o.has("native"), partial));
        }
        out.sort(Comparator.comparing((Row r) -> r.scenario().ordinal()).thenComparing(Row::mode)
                .thenComparingInt(r -> rank(r.impl())).thenComparingInt(Row::idle));
        return out;
    }

    private static double num(JsonElement e) {
        if (e == null || e.isJsonNull()) return Double.NaN;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            try {
                return Double.parseDouble(e.getAsString());
            } catch (NumberFormatException x) {
                return Double.NaN;
            }
        }
        return e.getAsDouble();
    }

    static int rank(String impl) {
        int i = ORDER.indexOf(impl);
        return i < 0 ? ORDER.size() : i;
    }

    // ---- output ------------------------------------------------------------------------------------------------

    /** Writes latest.json, latest.md and latest.png into {@code dir}. */
    public static void write(List<JsonObject> rows, JsonObject meta, Path dir) throws IOException {
        Files.createDirectories(dir);
        // SampleTime rows carry JMH's full latency histogram (megabytes per run): latest.json keeps the
        // percentiles and drops the histogram.
        JsonArray all = new JsonArray();
        for (JsonObject r : rows) {
            JsonObject copy = r.deepCopy();
            if (copy.has("primaryMetric")) copy.getAsJsonObject("primaryMetric").remove("rawDataHistogram");
            all.add(copy);
        }
        Files.writeString(dir.resolve("latest.json"), new GsonBuilder().setPrettyPrinting()
                .serializeSpecialFloatingPointValues().create().toJson(all) + "\n", StandardCharsets.UTF_8);
        // The run's metadata beside it, so that `make bench-report` can write the report again from both.
        Files.writeString(dir.resolve("latest-meta.json"), new GsonBuilder().setPrettyPrinting().create()
                .toJson(meta) + "\n", StandardCharsets.UTF_8);
        List<Row> parsed = parse(rows);
        Files.writeString(dir.resolve("latest.md"), markdown(parsed, meta), StandardCharsets.UTF_8);
        ReportChart.write(parsed, dir.resolve("latest.png"));
    }

    public static void main(String[] args) throws IOException {
        List<JsonObject> rows = new ArrayList<>();
        JsonObject meta = new JsonObject();
        Path out = Path.of("benchmarks/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--in" -> {
                    for (var e : JsonParser.parseString(Files.readString(Path.of(args[++i]))).getAsJsonArray()) {
                        rows.add(e.getAsJsonObject());
                    }
                }
                case "--meta" -> meta = JsonParser.parseString(Files.readString(Path.of(args[++i]))).getAsJsonObject();
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        write(rows, meta, out);
    }

    // ---- lookups -----------------------------------------------------------------------------------------------

    static Optional<Row> find(List<Row> rows, Scenario s, String mode, String impl, int idle) {
        return rows.stream().filter(r -> r.scenario() == s && r.mode().equals(mode) && r.impl().equals(impl)
                && r.idle() == idle).findFirst();
    }

    /** The raw NIO row a row is compared with: nio-spin for spinning implementations, else nio-select. */
    static Optional<Row> nioReference(List<Row> rows, Row r) {
        return find(rows, r.scenario(), r.mode(), Impls.spins(r.impl()) ? Impls.NIO_SPIN : Impls.NIO_SELECT, r.idle());
    }

    static Optional<Row> cReference(List<Row> rows, Row r) {
        return find(rows, r.scenario(), r.mode(), Impls.C_BLOCKING, r.idle());
    }

    static boolean higherIsBetter(Scenario s) {
        return s.bulk() || s == Scenario.CONNECT;
    }

    // ---- markdown ----------------------------------------------------------------------------------------------

    static String fmt(double v) {
        if (Double.isNaN(v)) return "—";
        double a = Math.abs(v);
        String f = a >= 1000 ? "%,.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, f, v);
    }

    static String ratio(Row r, Optional<Row> ref) {
        if (ref.isEmpty() || ref.get() == r) return ref.isPresent() ? "1.00×" : "—";
        double x = r.value() / ref.get().value();
        return String.format(Locale.ROOT, "%.2f×", x);
    }

    private static String modeTitle(String mode, Scenario s) {
        return switch (mode) {
            case "avgt" -> s.bulk() ? "time per 64 MiB, shown as MB/s" : "AverageTime";
            case "sample" -> "SampleTime (mean and percentiles of every operation)";
            case "thrpt" -> "Throughput";
            default -> mode;
        };
    }

    private static String unit(Row r) {
        return switch (r.scenario()) {
            case BULK, TLS_BULK -> "MB/s";
            case CONNECT -> "conn/s";
            default -> "µs";
        };
    }

    static String markdown(List<Row> rows, JsonObject meta) {
        StringBuilder md = new StringBuilder();
        md.append("# cfnet benchmarks\n\n");
        md.append(metaLine(meta)).append("\n\n");
        md.append("Every row runs over loopback (127.0.0.1) with TCP_NODELAY on every TCP socket and 64-byte "
                + "messages. Ratios divide this row's figure by the reference row's figure measured in the same run: "
                + "**× raw NIO** compares with the hand-written Selector loop (`nio-select`; spinning rows with "
                + "`nio-spin`), **× C** with the blocking C program (`c-blocking`). For latencies lower is better; "
                + "for MB/s and conn/s higher is better. Allocation is JMH's `gc.alloc.rate.norm` (bytes allocated "
                + "per operation by all threads of the benchmark JVM, servers included); C rows have none. SampleTime rows "
                + "include JMH's own per-sample bookkeeping (about 20–30 B/op: compare a row's AverageTime "
                + "allocation), so read allocation from AverageTime rows where a scenario has them.\n\n"
                + "On a VM, a parked thread's wake-up is bimodal (a few µs when its vCPU is still awake, tens of µs "
                + "when it halted), so parking rows move between runs; p50 shows the fast mode. A quick run has one "
                + "fork and two short iterations: use `make bench` for decisions. The C programs run after all JMH runs, "
                + "so their ratios compare measurements taken minutes apart (on the 2-core VM of the committed "
                + "results, c-blocking's round trip measured 64–88 µs in quick runs and 14.6 µs in a full run).\n\n");
        md.append(targets(rows)).append('\n');
        for (Scenario s : Scenario.values()) {
            List<Row> sr = rows.stream().filter(r -> r.scenario() == s).toList();
            if (sr.isEmpty()) continue;
            md.append("## ").append(s.title()).append(higherIsBetter(s) ? " (higher is better)" : " (lower is better)")
                    .append("\n\n");
            for (String mode : new TreeSet<>(sr.stream().map(Row::mode).toList()).descendingSet()) {
                List<Row> mr = sr.stream().filter(r -> r.mode().equals(mode)).toList();
                md.append("*").append(modeTitle(mode, s)).append("*\n\n");
                boolean sample = mode.equals("sample");
                boolean scaling = s == Scenario.SCALING;
                md.append("| implementation |").append(scaling ? " idle conns |" : "").append(" ").append(unit(mr.get(0)))
                        .append(" | ± |").append(sample ? " p50 | p99 | p99.9 |" : "")
                        .append(" alloc B/op | × raw NIO | × C |").append(scaling ? " × own at 10 idle |" : "")
                        .append('\n');
                md.append("|---|").append(scaling ? "---:|" : "").append("---:|---:|")
                        .append(sample ? "---:|---:|---:|" : "").append("---:|---:|---:|")
                        .append(scaling ? "---:|" : "").append('\n');
                for (Row r : mr) {
                    md.append("| ").append(r.impl()).append(r.partial().isEmpty() ? "" : " (partial: " + r.partial() + ")")
                            .append(" |");
                    if (scaling) md.append(String.format(Locale.ROOT, " %,d |", r.idle()));
                    md.append(' ').append(fmt(r.value())).append(" | ").append(fmt(r.valueError())).append(" |");
                    if (sample) {
                        md.append(' ').append(fmt(orNaN(r.pct("50.0")))).append(" | ")
                                .append(fmt(orNaN(r.pct("99.0")))).append(" | ").append(fmt(orNaN(r.pct("99.9"))))
                                .append(" |");
                    }
                    md.append(' ').append(r.alloc() == null ? "—" : fmt(r.alloc())).append(" | ")
                            .append(ratio(r, nioReference(rows, r))).append(" | ").append(ratio(r, cReference(rows, r)))
                            .append(" |");
                    if (scaling) {
                        md.append(' ').append(ratio(r, find(rows, s, mode, r.impl(), 10))).append(" |");
                    }
                    md.append('\n');
                }
                md.append('\n');
            }
        }
        md.append(method(meta));
        return md.toString();
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }

    private static String metaLine(JsonObject meta) {
        if (meta == null || meta.isEmpty()) return "_No run metadata._";
        StringBuilder b = new StringBuilder("Run: `make bench");
        if ("quick".equals(str(meta, "profile"))) b.append("-quick");
        b.append("` (").append(str(meta, "profile")).append(" profile: ").append(str(meta, "forks"))
                .append(" fork(s), warm-up ").append(str(meta, "warmup")).append(", measurement ")
                .append(str(meta, "measurement")).append(") started ").append(str(meta, "started")).append(", took ")
                .append(str(meta, "minutes")).append(" min. Machine: ").append(str(meta, "cpus")).append(" CPUs (")
                .append(str(meta, "cpuModel")).append("), ").append(str(meta, "os")).append(", ")
                .append(str(meta, "jdk")).append(", descriptor limit ").append(str(meta, "fdLimit")).append(". ");
        String cfImpl = meta.has("cfImplementation") ? str(meta, "cfImplementation") : "";
        b.append("CF backend: ").append(meta.has("cfAvailable") && meta.get("cfAvailable").getAsBoolean()
                ? (cfImpl.isEmpty() ? "CoreFoundation at `" + str(meta, "cfLibrary") + "`" : cfImpl)
                + "; the C CFSocket rows ran on the same library" : "not available here, so no CF rows").append('.');
        if (meta.has("skipped") && !meta.getAsJsonArray("skipped").isEmpty()) {
            TreeMap<String, String> why = new TreeMap<>();
            for (var e : meta.getAsJsonArray("skipped")) {
                JsonObject o = e.getAsJsonObject();
                String reason = o.get("reason").getAsString();
                why.put(o.get("impl").getAsString(), reason.length() > 100 ? reason.substring(0, 100) + "…" : reason);
            }
            b.append(" Skipped here: ");
            why.forEach((k, v) -> b.append('`').append(k).append("` (").append(v).append("); "));
            b.setLength(b.length() - 2);
            b.append('.');
        }
        return b.toString();
    }

    private static String str(JsonObject o, String k) {
        return o.has(k) ? o.get(k).getAsString() : "?";
    }

    // ---- targets -----------------------------------------------------------------------------------------------

    private record Target(String text, String measured, String status) {
    }

    static String targets(List<Row> rows) {
        List<Target> t = new ArrayList<>();
        Scenario pp = Scenario.TCP_PINGPONG;
        t.add(ratioTarget(rows, "TCP ping-pong, parking: cfnet-nio-park ≤ 1.10 × nio-select", pp, "avgt",
                Impls.CFNET_NIO_PARK, Impls.NIO_SELECT, 1.10, false));
        t.add(ratioTarget(rows, "TCP ping-pong, parking: ≤ 1.0 × Netty NIO (cfnet-nio-park-xthread vs netty-nio: "
                + "both clients on a loop thread, benchmark thread hands over and parks)", pp, "avgt",
                Impls.CFNET_NIO_PARK_XTHREAD, Impls.NETTY_NIO, 1.0, false));
        t.add(ratioTarget(rows, "TCP ping-pong, parking: ≤ 1.0 × Netty NIO (cfnet-nio-park, client on the "
                + "benchmark thread, vs netty-nio; different shapes, for information)", pp, "avgt",
                Impls.CFNET_NIO_PARK, Impls.NETTY_NIO, 1.0, false));
        t.add(ratioTarget(rows, "TCP ping-pong, parking: cfnet-nio-park ≤ 1.1 × C blocking", pp, "avgt",
                Impls.CFNET_NIO_PARK, Impls.C_BLOCKING, 1.1, false));
        t.add(ratioTarget(rows, "TCP ping-pong, spinning: cfnet-nio-spin ≤ 1.10 × nio-spin (selectNow)", pp, "avgt",
                Impls.CFNET_NIO_SPIN, Impls.NIO_SPIN, 1.10, false));
        t.add(ratioTarget(rows, "Bulk 64 MiB: cfnet-nio-park ≥ 0.95 × nio-select (MB/s)", Scenario.BULK, "avgt",
                Impls.CFNET_NIO_PARK, Impls.NIO_SELECT, 0.95, true));
        t.add(ratioTarget(rows, "Bulk 64 MiB: cfnet-nio-park ≥ 1.0 × netty-nio (MB/s)", Scenario.BULK, "avgt",
                Impls.CFNET_NIO_PARK, Impls.NETTY_NIO, 1.0, true));
        t.add(ratioTarget(rows, "TLS bulk 64 MiB: cfnet-nio-park ≥ 1.0 × netty-nio with SslHandler (MB/s)",
                Scenario.TLS_BULK, "avgt", Impls.CFNET_NIO_PARK, Impls.NETTY_NIO, 1.0, true));
        t.add(ratioTarget(rows, "TLS ping-pong: cfnet-nio-park ≤ 1.10 × nio-select (SSLEngine driven by hand over a "
                + "Selector)", Scenario.TLS_PINGPONG, "avgt", Impls.CFNET_NIO_PARK, Impls.NIO_SELECT, 1.10, false));
        for (String impl : List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN)) {
            Optional<Row> r = find(rows, pp, "avgt", impl, 0);
            t.add(r.map(x -> new Target("Allocation per TCP round trip: " + impl + " ≤ 64 B (0 the goal)",
                            fmt(x.alloc() == null ? Double.NaN : x.alloc()) + " B/op",
                            x.alloc() == null ? "not measured" : x.alloc() <= 64 ? "met" : "**NOT met**"))
                    .orElse(new Target("Allocation per TCP round trip: " + impl + " ≤ 64 B", "—", "not measured")));
        }
        for (String impl : List.of(Impls.CFNET_NIO_PARK, Impls.CFNET_NIO_SPIN)) {
            Optional<Row> a = find(rows, Scenario.SCALING, "sample", impl, 10);
            Optional<Row> b = find(rows, Scenario.SCALING, "sample", impl, 10_000);
            String text = "Scaling: " + impl + " mean round trip at 10,000 idle connections ≤ 1.2 × at 10";
            if (a.isPresent() && b.isPresent()) {
                double x = b.get().value() / a.get().value();
                t.add(new Target(text, String.format(Locale.ROOT, "%s / %s µs = %.2f×", fmt(b.get().value()),
                        fmt(a.get().value()), x), x <= 1.2 ? "met" : "**NOT met**"));
            } else {
                t.add(new Target(text, "—", "not measured"));
            }
        }
        Optional<Row> cf = find(rows, pp, "avgt", Impls.CFNET_CF_PARK, 0);
        Optional<Row> ccf = find(rows, pp, "avgt", Impls.C_CFSOCKET, 0);
        String cfText = "CF backend: cfnet-cf-park round trip within 1 µs (or 1.05×) of the C CFSocket program";
        if (cf.isPresent() && ccf.isPresent()) {
            double d = cf.get().value() - ccf.get().value();
            double x = cf.get().value() / ccf.get().value();
            t.add(new Target(cfText, String.format(Locale.ROOT, "%s vs %s µs: %+.1f µs per round trip "
                            + "(%+.1f µs per event, 2 events per round trip), %.2f×", fmt(cf.get().value()),
                    fmt(ccf.get().value()), d, d / 2, x), d <= 1.0 || x <= 1.05 ? "met" : "**NOT met**"));
        } else {
            t.add(new Target(cfText, "—", cf.isEmpty() ? "not measured (no cfnet-cf-park result: no CoreFoundation loaded?)"
                    : "not measured (cf_pingpong not built)"));
        }
        Optional<Row> cfAlloc = find(rows, pp, "avgt", Impls.CFNET_CF_PARK, 0);
        t.add(cfAlloc.map(x -> new Target("Allocation per TCP round trip: " + Impls.CFNET_CF_PARK + " ≤ 32 B",
                        fmt(x.alloc() == null ? Double.NaN : x.alloc()) + " B/op",
                        x.alloc() == null ? "not measured" : x.alloc() <= 32 ? "met" : "**NOT met**"))
                .orElse(new Target("Allocation per TCP round trip: " + Impls.CFNET_CF_PARK + " ≤ 32 B", "—",
                        "not measured (no CoreFoundation loaded?)")));
        t.add(ratioTarget(rows, "CF backend: connect + first byte + close, cfnet-cf-park ≥ 0.8 × the C CFSocket "
                + "program (conn/s)", Scenario.CONNECT, "thrpt", Impls.CFNET_CF_PARK, Impls.C_CFSOCKET, 0.8, true));
        StringBuilder md = new StringBuilder("## Targets\n\n");
        md.append("Measured in this run. ± is the ratio's error from JMH's 99.9% confidence intervals of both rows; where "
                + "the limit lies within it, the run alone does not decide. Latency targets compare AverageTime rows and "
                + "also show the SampleTime ratio of the same pair.\n\n");
        md.append("| target | measured | status |\n|---|---|---|\n");
        for (Target x : t) md.append("| ").append(x.text()).append(" | ").append(x.measured()).append(" | ")
                .append(x.status()).append(" |\n");
        return md.toString();
    }

    private static Target ratioTarget(List<Row> rows, String text, Scenario s, String mode, String impl, String ref,
                                      double limit, boolean atLeast) {
        Optional<Row> a = find(rows, s, mode, impl, 0);
        Optional<Row> b = find(rows, s, mode, ref, 0);
        if (a.isEmpty() || b.isEmpty()) {
            return new Target(text, "—", "not measured (" + (a.isEmpty() ? impl : ref) + " has no result)");
        }
        double x = a.get().value() / b.get().value();
        boolean met = atLeast ? x >= limit : x <= limit;
        double ex = ratioError(a.get(), b.get());
        String u = s.bulk() ? " MB/s" : s == Scenario.CONNECT ? " conn/s" : " µs";
        StringBuilder measured = new StringBuilder(String.format(Locale.ROOT, "%s vs %s%s = %.2f×",
                fmt(a.get().value()), fmt(b.get().value()), u, x));
        if (ex > 0) measured.append(String.format(Locale.ROOT, " ± %.2f", ex));
        // A latency target measured as AverageTime: the same pair's SampleTime ratio (every operation timed).
        if (!atLeast && mode.equals("avgt")) {
            Optional<Row> sa = find(rows, s, "sample", impl, 0);
            Optional<Row> sb = find(rows, s, "sample", ref, 0);
            if (sa.isPresent() && sb.isPresent()) {
                measured.append(String.format(Locale.ROOT, "; SampleTime %.2f×", sa.get().value() / sb.get().value()));
            }
        }
        String status = met ? "met" : "**NOT met**";
        if (ex > 0 && Math.abs(x - limit) <= ex) status += " (the limit is within the error)";
        return new Target(text, measured.toString(), status);
    }

    /** The half-width of a ratio's error from its rows' JMH errors (relative errors added in quadrature); 0 if none. */
    static double ratioError(Row a, Row b) {
        double ra = relativeError(a);
        double rb = relativeError(b);
        return a.value() / b.value() * Math.hypot(ra, rb);
    }

    private static double relativeError(Row r) {
        double e = r.valueError();
        return Double.isFinite(e) && r.value() != 0 ? Math.abs(e / r.value()) : 0;
    }

    private static String method(JsonObject meta) {
        return """
                ## How each row is measured

                - **Threads.** Every server runs on its own thread (a loop, a selector thread, a Netty event loop, a \
                pthread); the C programs' servers are a second thread of the same process. Clients run on the JMH \
                benchmark thread where the implementation allows it: `cfnet-*` (the benchmark thread's own \
                `RunLoop.current(backend, idle)`, run with `runInMode(DEFAULT, t, returnAfterSourceHandled=true)` until \
                the reply is in), `nio-*` (its own Selector), `java-blocking`, and the C client (main thread). Netty \
                clients cannot run on a foreign thread: the benchmark thread calls `writeAndFlush` and parks until the \
                client's event loop wakes it. `cfnet-nio-park-xthread` has that same shape (client on a library-owned \
                loop; the benchmark thread calls `send` and parks until the DATA callback wakes it); compare it with \
                the Netty rows.
                - **Idle strategies.** `park` blocks in the selector (epoll_wait); `spin` polls with zero-timeout \
                selects (both the client and the server loop spin, so both cores are busy); `spin50us` is \
                `IdleStrategy.spinThenPark(50 µs)`; when the scheduler puts its client and server on one core, each \
                spins out its window while the other waits for the core, and a round trip costs two windows \
                (about 115 µs here; reproduce with `taskset -c 0`). CF rows park (spinning starves timers on \
                OpenCFLite).
                - **Bulk.** 64 MiB one way, timed from the first write until the receiver has counted the last byte. \
                cfnet feeds `Socket.write` 64 KiB at a time until the write queue (4 MiB default) is full, then waits \
                for WRITE; raw NIO writes 64 KiB slices straight from one buffer and waits for OP_WRITE; Netty writes \
                retained slices of one buffer while `isWritable()` (default water marks); blocking Java and C write \
                64 KiB per call.
                - **Connect.** The client connects (asynchronously where the API is asynchronous), the server sends \
                one byte on accept, the client reads it and closes; the server closes on end of stream.
                - **Execute.** The benchmark thread hands a task to a loop thread and parks; the task unparks it. \
                `nio-select` is a selector thread with a queue and `Selector.wakeup()`; `java-executor` a one-thread \
                ThreadPoolExecutor. No C row.
                - **Scaling.** The TCP ping-pong of scenario 1 with N more connections accepted and registered \
                (DATA / OP_READ) on the server loop and never used; their other ends live in a child JVM \
                (`IdlePeers`) so that the benchmark JVM needs one descriptor per idle connection.
                - **Timeouts.** cfnet NIO clients run the loop with a 10 s timeout (free there); CF clients with an \
                infinite one, because on OpenCFLite (whose idle run ignores its timeout) cfnet schedules an alarm task \
                for every finite-timeout `runInMode` (an allocation and a cross-thread hand-over per call).
                - **C rows** come from `native/bench/*.c` (built by `make bench`), run after the JMH runs; see \
                `NativeRunner` for how their output becomes JMH-shaped rows in `latest.json` (`params.impl` = \
                `c-*`, an extra `native` member with the command line and each run's output).
                """;
    }
}
