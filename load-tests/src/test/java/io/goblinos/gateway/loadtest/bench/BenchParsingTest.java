package io.goblinos.gateway.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchParsingTest {
  static final String WRK = """
      Running 10s test @ http://127.0.0.1:4318
        1 threads and 32 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency    12.34ms    5.67ms  98.10ms   80.00%
          Req/Sec     2.60k   100.00     2.80k    70.00%
        Latency Distribution
           50%   11.50ms
           75%   14.00ms
           90%   18.25ms
           99%    1.02s
        25961 requests in 10.00s, 3.12MB read
        Socket errors: connect 0, read 2, write 0, timeout 1
        Non-2xx or 3xx responses: 5
      Requests/sec:   2595.43
      Transfer/sec:    319.21KB
      """;

  @Test
  void parsesWrk() {
    WrkReport r = WrkReport.parse(WRK);
    assertThat(r.requests()).isEqualTo(25961);
    assertThat(r.seconds()).isEqualTo(10.0);
    assertThat(r.requestsPerSecond()).isEqualTo(2595.43);
    assertThat(r.non2xx()).isEqualTo(5);
    assertThat(r.socketErrors()).isEqualTo(3);
    assertThat(r.errors()).isEqualTo(8);
    assertThat(r.p50Ms()).isEqualTo(11.5);
    assertThat(r.p90Ms()).isEqualTo(18.25);
    assertThat(r.p99Ms()).isEqualTo(1020.0, within(1e-9));
  }

  @Test
  void wrkWithoutErrorsOrDistribution() {
    WrkReport r = WrkReport.parse("  100 requests in 1.00m, 1MB read\nRequests/sec:   1.67\n");
    assertThat(r.seconds()).isEqualTo(60.0);
    assertThat(r.errors()).isZero();
    assertThat(r.p99Ms()).isEqualTo(-1);
    assertThatThrownBy(() -> WrkReport.parse("unable to connect to 127.0.0.1:1 Connection refused"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not wrk output");
  }

  @Test
  void procStatCountsFieldsAfterTheCommandName() {
    // comm with spaces and parentheses; utime=1234 stime=56 are fields 14 and 15
    String stat = "4242 (java (evil) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 56 0 0 20 0 40 0 100 1000000 5000 "
        + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    assertThat(ProcStat.cpuTicks(stat)).isEqualTo(1290);
    assertThat(ProcStat.statusKiB("Name:\tjava\nVmHWM:\t  123456 kB\nVmRSS:\t 100 kB\n", "VmHWM")).isEqualTo(123456);
    assertThat(ProcStat.statusKiB("Name:\tjava\n", "VmHWM")).isEqualTo(-1);
  }

  @Test
  void procStatOfThisProcess() throws Exception {
    if (!Files.exists(Path.of("/proc/self/stat"))) {
      return; // not Linux
    }
    long pid = ProcessHandle.current().pid();
    assertThat(ProcStat.cpuSeconds(pid)).isPositive();
    assertThat(ProcStat.peakRssBytes(pid)).isGreaterThan(1 << 20);
  }

  @Test
  void prometheusSumsEverySeriesOfExactlyThatName() {
    String text = """
        # HELP gateway_receiver_accepted_spans_total Spans accepted
        # TYPE gateway_receiver_accepted_spans_total counter
        gateway_receiver_accepted_spans_total{receiver="otlp",transport="http"} 1.5E7
        gateway_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} 100.0
        gateway_receiver_accepted_spans_total_other 9
        gateway_receiver_accepted_spans 7
        """;
    assertThat(PrometheusText.sum(text, "gateway_receiver_accepted_spans_total")).isEqualTo(15_000_100.0);
    assertThat(PrometheusText.sum(text, "gateway_receiver_accepted_spans")).isEqualTo(7.0);
    assertThat(PrometheusText.sum(text, "absent_total")).isZero();
  }

  @Test
  void resultLineHasEveryFigureInOrderAndNaForTheMissing() {
    BenchSummary s = new BenchSummary(500_000, 1_000_000, 0.52, 3.456, 1.234, 8.9, 400.4, 4000, 5000, Double.NaN);
    assertThat(s.resultLine()).isEqualTo("RESULT spans_per_s=500000 limit_spans_per_s=1000000 pipeline_ratio=0.52 "
        + "cpu_s_per_mspans=3.46 p50_ms=1.23 p99_ms=8.90 rss_mb=400 audit_events_per_s=4000 ed25519_verify_per_s=5000 "
        + "audit_ratio=0.80 bytes_per_pending_trace=n/a");
    assertThat(s.ratioOfMedians()).isEqualTo(0.5);
  }

  @Test
  void pipelineRatioIsTheMedianOfTheRoundsOwnRatios() {
    // a host slowdown that hits both halves of round 3 leaves its ratio alone; the medians of each side pair round
    // 2's pipeline with round 5's null receiver
    double[] pipeline = {585_000, 477_000, 426_000, 552_000, 452_000};
    double[] limit = {1_071_000, 1_114_000, 769_000, 997_000, 1_046_000};
    assertThat(BenchSummary.medianOfRatios(pipeline, limit)).isCloseTo(585_000 / 1_071_000.0, within(1e-12)); // 0.546: rounds 2, 5 are 0.43, rounds 3, 4 0.55
    assertThat(BenchSummary.medianOfRatios(new double[] {1, 3}, new double[] {2, 4})).isEqualTo(0.5); // lower middle
    assertThat(BenchSummary.medianOfRatios(new double[] {1}, new double[0])).isNaN(); // no round has both
    assertThat(BenchRunner.roundRatios(
        java.util.List.of(new BenchRunner.Saturation(500, 1, 1, 0), new BenchRunner.Saturation(450, 1, 1, 0)),
        java.util.List.of(new BenchRunner.Saturation(1000, 1, 1, 0), new BenchRunner.Saturation(1000, 1, 1, 0))))
        .isEqualTo("(0.50 / 0.45)");
  }

  @Test
  void saturationRoundsGiveEachFiguresMedianAndTheSumOfErrors() {
    BenchRunner.Saturation a = new BenchRunner.Saturation(300_000, 5.0, 3000, 1);
    BenchRunner.Saturation b = new BenchRunner.Saturation(200_000, 7.0, 2000, 0);
    BenchRunner.Saturation c = new BenchRunner.Saturation(250_000, 4.0, 2500, 2);
    BenchRunner.Saturation m = BenchRunner.Saturation.median(java.util.List.of(a, b, c));
    assertThat(m.itemsPerSecond()).isEqualTo(250_000);
    assertThat(m.cpuSecondsPerMillion()).isEqualTo(5.0); // its own median, not the fastest round's
    assertThat(m.requestsPerSecond()).isEqualTo(2500);
    assertThat(m.errors()).isEqualTo(3);
    assertThat(BenchRunner.Saturation.median(java.util.List.of(a, b)).itemsPerSecond()).isEqualTo(200_000); // lower middle
    assertThat(BenchRunner.Saturation.median(java.util.List.of(a)).itemsPerSecond()).isEqualTo(300_000);
    assertThat(BenchRunner.Options.parse(new String[0]).rounds).isEqualTo(5);
    assertThat(BenchRunner.Options.parse(new String[] {"--quick"}).rounds).isEqualTo(1);
    assertThat(BenchRunner.Options.parse(new String[] {"--rounds=3"}).rounds).isEqualTo(3);
  }

  @Test
  void optionsQuickAndOverrides() {
    BenchRunner.Options o = BenchRunner.Options.parse(new String[] {"--quick", "--duration=7", "--fractions=0.5,1"});
    assertThat(o.quick).isTrue();
    assertThat(o.saturationSeconds).isEqualTo(7);
    assertThat(o.pointSeconds).isEqualTo(3);
    assertThat(o.fractions).containsExactly(0.5, 1.0);
    assertThat(o.chart).isEqualTo(o.out.resolve("performance.png"));
    assertThatThrownBy(() -> BenchRunner.Options.parse(new String[] {"--nope=1"})).hasMessageContaining("unknown option --nope");
  }

  @Test
  void chartRendersFromCsv(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("points.csv");
    Files.write(csv, List.of(LoadPoint.CSV_HEADER,
        new LoadPoint("null_receiver", 0.5, 500_000, 499_000, 1.1, 2.0, 3.0, 100, 0).toCsv(),
        new LoadPoint("null_receiver", 1.0, 1_000_000, 950_000, 5.1, 9.0, 30.0, 100, 0).toCsv(),
        new LoadPoint("pipeline", 0.5, 250_000, 250_000, 1.5, 2.5, 4.0, 100, 0).toCsv(),
        new LoadPoint("pipeline", 1.1, 550_000, 500_000, 50, 90, Double.POSITIVE_INFINITY, 100, 3).toCsv()));
    Path png = dir.resolve("chart.png");
    LoadChart.render(LoadChart.readCsv(csv), png, "test");
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).isGreaterThan(1000);
    assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }
}
