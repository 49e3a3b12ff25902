package io.goblinos.gateway.loadtest.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders the benchmark's open-loop points (CSV of {@link LoadPoint}) as one PNG with two panels: achieved vs offered
 * throughput, and p50/p99 latency (log scale) vs offered throughput, for each target.
 *
 * <p>{@code java ... LoadChart points.csv out.png [title]}
 */
public final class LoadChart {
  private LoadChart() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: LoadChart points.csv out.png [title]");
      System.exit(2);
    }
    render(readCsv(Path.of(args[0])), Path.of(args[1]), args.length > 2 ? args[2] : "Goblin Gateway OTLP/HTTP traces");
  }

  public static List<LoadPoint> readCsv(Path csv) throws IOException {
    List<LoadPoint> points = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      if (!line.isBlank() && !line.startsWith("target,")) {
        points.add(LoadPoint.fromCsv(line));
      }
    }
    return points;
  }

  public static void render(List<LoadPoint> points, Path png, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, List<LoadPoint>> byTarget = new TreeMap<>();
    for (LoadPoint p : points) {
      byTarget.computeIfAbsent(p.target(), k -> new ArrayList<>()).add(p);
    }
    XYChart throughput = new XYChartBuilder().width(760).height(520)
        .title(title + ": throughput").xAxisTitle("offered load (k spans/s, log scale)").yAxisTitle("achieved (k spans/s answered 2xx, log scale)").build();
    XYChart latency = new XYChartBuilder().width(760).height(520)
        .title(title + ": latency").xAxisTitle("offered load (k spans/s, log scale)").yAxisTitle("request latency from due time (ms, log scale)").build();
    style(throughput);
    style(latency);
    // the limit is often 10x the pipeline: log axes keep both readable
    throughput.getStyler().setYAxisLogarithmic(true);
    latency.getStyler().setYAxisLogarithmic(true);
    double maxOffered = 0;
    double minOffered = Double.MAX_VALUE;
    for (Map.Entry<String, List<LoadPoint>> e : byTarget.entrySet()) {
      List<LoadPoint> ps = new ArrayList<>(e.getValue());
      ps.sort((a, b) -> Double.compare(a.offeredItemsPerSecond(), b.offeredItemsPerSecond()));
      double[] x = ps.stream().mapToDouble(p -> p.offeredItemsPerSecond() / 1000).toArray();
      double[] y = ps.stream().mapToDouble(p -> Math.max(0.001, p.achievedItemsPerSecond() / 1000)).toArray();
      for (double v : x) {
        maxOffered = Math.max(maxOffered, v);
        minOffered = Math.min(minOffered, v);
      }
      Color color = colorOf(e.getKey());
      XYSeries t = throughput.addSeries(e.getKey(), x, y);
      t.setMarker(SeriesMarkers.CIRCLE);
      t.setLineColor(color);
      t.setMarkerColor(color);
      addLatency(latency, e.getKey() + " p50", ps, 0.50, color);
      addLatency(latency, e.getKey() + " p99", ps, 0.99, color);
    }
    if (maxOffered > 0) {
      XYSeries ideal = throughput.addSeries("offered = achieved", new double[] {minOffered, maxOffered}, new double[] {minOffered, maxOffered});
      ideal.setMarker(SeriesMarkers.NONE);
      ideal.setLineColor(Color.GRAY);
      ideal.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
    }
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(List.of(throughput, latency), 1, 2, stripPng(png.toString()), BitmapEncoder.BitmapFormat.PNG);
  }

  private static Color colorOf(String target) {
    return switch (target) {
      case "null_receiver" -> new Color(0x1f, 0x77, 0xb4);
      case "pipeline" -> new Color(0xd6, 0x27, 0x28);
      default -> new Color(0x2c, 0xa0, 0x2c);
    };
  }

  private static void addLatency(XYChart chart, String name, List<LoadPoint> ps, double q, Color color) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (LoadPoint p : ps) {
      double v = q == 0.50 ? p.p50Ms() : p.p99Ms();
      if (Double.isFinite(v) && v > 0) {
        xs.add(p.offeredItemsPerSecond() / 1000);
        ys.add(v);
      }
    }
    if (!xs.isEmpty()) {
      XYSeries s = chart.addSeries(name, xs, ys);
      s.setMarker(q == 0.50 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
      s.setLineColor(color);
      s.setMarkerColor(color);
      if (q != 0.50) {
        s.setLineStyle(SeriesLines.DASH_DASH);
      }
    }
  }

  private static void style(XYChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setDecimalPattern("#,##0.##");
  }

  private static String stripPng(String path) {
    return path.endsWith(".png") ? path.substring(0, path.length() - 4) : path;
  }
}
