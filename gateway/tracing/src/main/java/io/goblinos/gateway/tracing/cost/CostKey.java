package io.goblinos.gateway.tracing.cost;

/** What running totals are kept per: provider, model and goblin (the empty string when a span has none). */
public record CostKey(String provider, String model, String goblinId) {

  /** A single-string form for map keys: the three parts separated by NUL. */
  public String encode() {
    return provider + '\0' + model + '\0' + goblinId;
  }

  public static CostKey decode(String s) {
    String[] p = s.split("\0", -1);
    return new CostKey(p[0], p[1], p[2]);
  }
}
