package dev.cfnet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report generator on a tiny hand-written result file; runs no benchmark. */
class ReportTest {
    static List<JsonObject> rows;

    @BeforeAll
    static void load() throws Exception {
        System.setProperty("java.awt.headless", "true");
        try (InputStream in = ReportTest.class.getResourceAsStream("/sample-results.json")) {
            rows = new ArrayList<>();
            for (var e : JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonArray()) {
                rows.add(e.getAsJsonObject());
            }
        }
    }

    @Test
    void parsesRowsAndConvertsBulkToMegabytesPerSecond() {
        List<Report.Row> parsed = Report.parse(rows);
        assertEquals(8, parsed.size());
        Report.Row bulk = Report.find(parsed, Scenario.BULK, "avgt", "cfnet-nio-park", 0).orElseThrow();
        assertEquals(2000.0, bulk.value(), 1e-6);   // 64 MiB in 33.554432 ms
        Report.Row c = Report.find(parsed, Scenario.TCP_PINGPONG, "avgt", "c-blocking", 0).orElseThrow();
        assertTrue(c.isNative());
        assertEquals(null, c.alloc());
    }

    @Test
    void markdownHasRatiosAndTargets() {
        JsonObject meta = new JsonObject();
        meta.addProperty("profile", "quick");
        String md = Report.markdown(Report.parse(rows), meta);
        // cfnet-nio-park avgt 22 µs vs nio-select 20 µs and C 25 µs
        assertTrue(md.contains("| cfnet-nio-park | 22.00 | 0.500 | 0.400 | 1.10× | 0.88× |"), md);
        // 1.10 ± 1.10 × hypot(0.5/22, 0.5/20): the limit 1.10 is inside the error, and the status says so
        assertTrue(md.contains("| TCP ping-pong, parking: cfnet-nio-park ≤ 1.10 × nio-select | 22.00 vs 20.00 µs = "
                + "1.10× ± 0.04 | met (the limit is within the error) |"), md);
        // c-blocking has no error (NaN): only cfnet's counts
        assertTrue(md.contains("cfnet-nio-park ≤ 1.1 × C blocking | 22.00 vs 25.00 µs = 0.88× ± 0.02 | met |"), md);
        // bulk: 2000 MB/s vs 1000 MB/s, each ± 1 ms of its time
        assertTrue(md.contains("= 2.00× ± 0.07 | met |"), md);
        // scaling: 30 / 20 = 1.5 > 1.2
        assertTrue(md.contains("30.00 / 20.00 µs = 1.50× | **NOT met** |"), md);
        // percentiles of the sample row
        assertTrue(md.contains("| 21.00 | 55.50 | 120.0 |"), md);
        assertTrue(md.contains("not measured (no cfnet-cf-park result"), md);
    }

    @Test
    void writesTheFilesAndKeepsTheMetadata(@TempDir Path dir) throws Exception {
        JsonObject meta = new JsonObject();
        meta.addProperty("profile", "quick");
        meta.addProperty("cpus", 2);
        Report.write(rows, meta, dir);
        assertTrue(Files.size(dir.resolve("latest.md")) > 500);
        assertEquals(meta, JsonParser.parseString(Files.readString(dir.resolve("latest-meta.json"))),
                "the metadata is kept for make bench-report");
        assertEquals(rows.size(), JsonParser.parseString(Files.readString(dir.resolve("latest.json")))
                .getAsJsonArray().size());
        var img = ImageIO.read(dir.resolve("latest.png").toFile());
        assertTrue(img.getWidth() >= 1600 && img.getHeight() >= 900, img.getWidth() + "x" + img.getHeight());
    }
}
