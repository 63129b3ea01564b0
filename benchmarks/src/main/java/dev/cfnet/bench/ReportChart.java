package dev.cfnet.bench;

import dev.cfnet.bench.Report.Row;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code latest.png}: one chart per scenario, bars coloured by implementation family, the scaling curves. */
final class ReportChart {
    private ReportChart() {
    }

    private static final int W = 800;
    private static final int H = 460;

    static void write(List<Row> rows, Path png) throws IOException {
        List<Chart<?, ?>> charts = new ArrayList<>();
        charts.add(bars(rows, "TCP ping-pong, mean round trip (µs, lower is better)",
                r -> r.scenario() == Scenario.TCP_PINGPONG && r.mode().equals("avgt"), "µs"));
        charts.add(bars(rows, "UDP ping-pong, mean round trip (µs, lower is better)",
                r -> r.scenario() == Scenario.UDP_PINGPONG, "µs"));
        charts.add(bars(rows, "Cross-thread execute, mean hand-over (µs, lower is better)",
                r -> r.scenario() == Scenario.EXECUTE, "µs"));
        charts.add(bars(rows, "Bulk 64 MiB one way (MB/s, higher is better)",
                r -> r.scenario() == Scenario.BULK, "MB/s"));
        charts.add(bars(rows, "Connect + first byte + close (conn/s, higher is better)",
                r -> r.scenario() == Scenario.CONNECT, "conn/s"));
        charts.add(scaling(rows));
        charts.add(bars(rows, "TLS 1.3 ping-pong, mean round trip (µs, lower is better)",
                r -> r.scenario() == Scenario.TLS_PINGPONG && r.mode().equals("avgt"), "µs"));
        charts.add(bars(rows, "TLS 1.3 bulk 64 MiB one way (MB/s, higher is better)",
                r -> r.scenario() == Scenario.TLS_BULK, "MB/s"));
        int cols = 2;
        int rowsN = (charts.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(W * cols, H * rowsN, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < charts.size(); i++) {
            BufferedImage part = BitmapEncoder.getBufferedImage(charts.get(i));
            g.drawImage(part, (i % cols) * W, (i / cols) * H, null);
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static Color color(String impl) {
        if (impl.startsWith("cfnet-cf")) return new Color(0x8E44AD);
        if (impl.startsWith("cfnet-")) return new Color(0x1F77B4);
        if (impl.startsWith("nio-")) return new Color(0x2CA02C);
        if (impl.startsWith("netty-")) return new Color(0xFF7F0E);
        if (impl.startsWith("c-")) return new Color(0x7F7F7F);
        return new Color(0xD62728);
    }

    private static CategoryChart bars(List<Row> rows, String title, Predicate<Row> which, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(40);
        c.getStyler().setOverlapped(true);
        List<Row> sel = rows.stream().filter(which).toList();
        List<String> names = sel.stream().map(Row::impl).distinct().toList();
        if (names.isEmpty()) {
            c.addSeries("none", List.of("no data"), List.of(0));
            return c;
        }
        // One series per implementation family, so the bars are coloured by family; zero elsewhere.
        Map<Color, List<Double>> byColor = new LinkedHashMap<>();
        for (String n : names) byColor.computeIfAbsent(color(n), k -> new ArrayList<>());
        for (var e : byColor.entrySet()) {
            for (String n : names) {
                Row r = sel.stream().filter(x -> x.impl().equals(n)).findFirst().orElseThrow();
                e.getValue().add(color(n).equals(e.getKey()) ? r.value() : 0.0);
            }
        }
        int i = 0;
        for (var e : byColor.entrySet()) {
            var s = c.addSeries("s" + i++, names, e.getValue());
            s.setFillColor(e.getKey());
        }
        return c;
    }

    private static XYChart scaling(List<Row> rows) {
        XYChart c = new XYChartBuilder().width(W).height(H)
                .title("TCP round trip vs idle connections on the loop (mean µs)").xAxisTitle("idle connections")
                .yAxisTitle("µs").build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<Row> sel = rows.stream().filter(r -> r.scenario() == Scenario.SCALING).toList();
        for (String impl : sel.stream().map(Row::impl).distinct().toList()) {
            List<Row> pts = sel.stream().filter(r -> r.impl().equals(impl)).sorted(Comparator.comparingInt(Row::idle))
                    .toList();
            var s = c.addSeries(impl, pts.stream().map(r -> (double) r.idle()).toList(),
                    pts.stream().map(Row::value).toList());
            boolean spin = impl.contains("spin");
            Color col = spin ? color(impl).darker() : color(impl);
            s.setMarker(spin ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
            s.setLineStyle(spin ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
            s.setLineColor(col);
            s.setMarkerColor(col);
        }
        if (sel.isEmpty()) c.addSeries("no data", new double[] {10, 10_000}, new double[] {1, 1});
        return c;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setChartTitleFont(s.getChartTitleFont().deriveFont(15f));
        s.setAntiAlias(true);
    }
}
