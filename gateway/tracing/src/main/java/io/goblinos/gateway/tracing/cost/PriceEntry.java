package io.goblinos.gateway.tracing.cost;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the price table: USD per million input and output tokens for models matching {@code model} of
 * providers matching {@code provider}, optionally only from {@code effectiveFrom} (inclusive) until
 * {@code effectiveUntil} (exclusive), both UTC dates compared with the span's start time.
 *
 * <p>{@code provider} and {@code model} are exact names or globs where {@code *} matches any run of characters
 * ({@code gpt-4o*}, {@code claude-*-4-5*}, {@code gcp.*}); matching ignores case.
 */
public record PriceEntry(String provider, String model, double inputPerMtok, double outputPerMtok,
                         LocalDate effectiveFrom, LocalDate effectiveUntil) {

  public PriceEntry {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    provider = provider.toLowerCase(Locale.ROOT);
    model = model.toLowerCase(Locale.ROOT);
  }

  /** A stable key for maps: provider, model pattern and start date. */
  public String key() {
    return provider + "|" + model + "|" + (effectiveFrom == null ? "" : effectiveFrom);
  }

  /** USD for the given token counts. */
  public double cost(long inputTokens, long outputTokens) {
    return (inputTokens * inputPerMtok + outputTokens * outputPerMtok) / 1_000_000.0;
  }

  /** The entry as the price file writes it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("provider", provider);
    m.put("model", model);
    m.put("input_per_mtok", inputPerMtok);
    m.put("output_per_mtok", outputPerMtok);
    if (effectiveFrom != null) {
      m.put("effective_from", effectiveFrom.toString());
    }
    if (effectiveUntil != null) {
      m.put("effective_until", effectiveUntil.toString());
    }
    return m;
  }
}
