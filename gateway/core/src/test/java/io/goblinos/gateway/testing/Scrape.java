package io.goblinos.gateway.testing;

/** Reads one value from the gateway's own Prometheus scrape. */
public final class Scrape {
  private Scrape() {}

  /** The sum of the samples of {@code name} whose label text contains every one of {@code labels}; 0 when none. */
  public static double value(TestGateway gateway, String name, String... labels) {
    double sum = 0;
    for (String line : gateway.scrape().split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
