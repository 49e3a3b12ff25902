package io.goblinos.gateway.charts;
import org.junit.jupiter.api.Test;
class ScrapeProbeTest {
  @Test void print() throws Exception {
    GatewayScrape.metrics().forEach((k, v) -> System.out.println("METRIC " + k + " " + v));
  }
}
