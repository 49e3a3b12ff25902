package io.goblinos.gateway.tracing.cost;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An immutable, searchable snapshot of the price table. {@link #lookup} picks, among the entries whose provider and
 * model patterns match and whose dates cover the span's start, the most specific one: an exact model name beats any
 * pattern, a longer literal part beats a shorter one ({@code gpt-4o-mini*} beats {@code gpt-4o*}), and among equals
 * the latest {@code effective_from} wins. No entry matches means the model is unknown: its cost is never guessed.
 *
 * <p>Lookups are memoized per (provider, model, UTC day of the span start) as given, in a cache that lives and dies
 * with this snapshot (a new price table is a new index, so a cached answer is never stale). The cache is bounded at
 * {@value #MAX_CACHED} keys; once full, lookups of new keys are computed every time and not cached. In front of it, a
 * direct-mapped memo of {@value #MEMO_SLOTS} recent answers is found by a hash of a few characters (length, ends and
 * middle of each name): the strings of a decoded span are new objects whose full hash codes would be computed on every
 * lookup, while a memo hit costs the two {@code equals} that confirm it.
 */
public final class PriceIndex {
  /** Provider names older instrumentations put in {@code gen_ai.system}, mapped to gen_ai.provider.name values. */
  private static final Map<String, String> PROVIDER_ALIASES = Map.of(
      "vertex_ai", "gcp.vertex_ai",
      "gemini", "gcp.gemini",
      "google", "gcp.gen_ai",
      "az.ai.openai", "azure.ai.openai",
      "bedrock", "aws.bedrock");

  public static final PriceIndex EMPTY = new PriceIndex(List.of());

  /** Distinct (provider, model, day) lookups remembered per snapshot. */
  static final int MAX_CACHED = 10_000;
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;
  private static final Object NONE = new Object();

  private final List<PriceEntry> entries;
  private final List<Compiled> compiled;
  /** (provider, model, epoch day) to the PriceEntry found, or {@link #NONE}; at most {@link #MAX_CACHED} keys. */
  private final ConcurrentHashMap<LookupKey, Object> cache = new ConcurrentHashMap<>();

  private record LookupKey(String provider, String model, long epochDay) {}

  /** An answer of {@link #lookup} for its arguments; {@code found} is a PriceEntry or {@link #NONE}. */
  private record Memo(String provider, String model, long epochDay, Object found) {}

  static final int MEMO_SLOTS = 256;
  /** Recent answers by {@link #memoSlot}; racy but safe: a slot holds an immutable Memo, or null. */
  private final Memo[] memo = new Memo[MEMO_SLOTS];

  private record Compiled(PriceEntry entry, Pattern provider, Pattern model, boolean exactModel, int literalLength) {}

  public PriceIndex(List<PriceEntry> entries) {
    this.entries = List.copyOf(entries);
    List<Compiled> c = new ArrayList<>();
    for (PriceEntry e : this.entries) {
      c.add(new Compiled(e, glob(e.provider()), glob(e.model()), !e.model().contains("*"),
          e.model().replace("*", "").length()));
    }
    this.compiled = List.copyOf(c);
  }

  public List<PriceEntry> entries() {
    return entries;
  }

  /** Normalizes a provider name: lower case, legacy gen_ai.system values mapped to provider names. */
  public static String normalizeProvider(String provider) {
    String p = provider.toLowerCase(Locale.ROOT).trim();
    return PROVIDER_ALIASES.getOrDefault(p, p);
  }

  /** The price of a model at a time (span start, Unix nanoseconds; 0 = now), or null when unknown. */
  public PriceEntry lookup(String provider, String model, long epochNanos) {
    if (provider == null || model == null) {
      return null;
    }
    long epochDay = epochNanos <= 0 ? Math.floorDiv(System.currentTimeMillis(), 86_400_000L)
        : Math.floorDiv(epochNanos, NANOS_PER_DAY);
    int slot = memoSlot(provider, model, epochDay);
    Memo m = memo[slot];
    if (m != null && m.epochDay() == epochDay && m.model().equals(model) && m.provider().equals(provider)) {
      return m.found() == NONE ? null : (PriceEntry) m.found();
    }
    LookupKey key = new LookupKey(provider, model, epochDay);
    Object hit = cache.get(key);
    if (hit == null) {
      PriceEntry found = uncachedLookup(provider, model, LocalDate.ofEpochDay(epochDay));
      hit = found == null ? NONE : found;
      if (cache.size() < MAX_CACHED) {
        cache.putIfAbsent(key, hit);
      }
    }
    memo[slot] = new Memo(provider, model, epochDay, hit);
    return hit == NONE ? null : (PriceEntry) hit;
  }

  /** The memo slot of a lookup: from the lengths, the first, middle and last characters, and the day. */
  private static int memoSlot(String provider, String model, long epochDay) {
    int h = sample(provider) * 31 + sample(model);
    h = h * 31 + (int) epochDay;
    h ^= h >>> 16;
    h *= 0x9E3779B1;
    return (h >>> 24) & (MEMO_SLOTS - 1);
  }

  private static int sample(String s) {
    int n = s.length();
    if (n == 0) {
      return 0;
    }
    return ((n * 31 + s.charAt(0)) * 31 + s.charAt(n >>> 1)) * 31 + s.charAt(n - 1);
  }

  /** Keys currently memoized (for tests). */
  int cachedLookups() {
    return cache.size();
  }

  /** {@link #lookup} without the cache: a scan of every entry. */
  PriceEntry uncachedLookup(String provider, String model, long epochNanos) {
    if (provider == null || model == null) {
      return null;
    }
    return uncachedLookup(provider, model, LocalDate.ofInstant(epochNanos <= 0 ? Instant.now()
        : Instant.ofEpochSecond(0, epochNanos), ZoneOffset.UTC));
  }

  private PriceEntry uncachedLookup(String provider, String model, LocalDate day) {
    String p = normalizeProvider(provider);
    String m = model.toLowerCase(Locale.ROOT).trim();
    Compiled best = null;
    for (Compiled c : compiled) {
      PriceEntry e = c.entry();
      if (e.effectiveFrom() != null && day.isBefore(e.effectiveFrom())) {
        continue;
      }
      if (e.effectiveUntil() != null && !day.isBefore(e.effectiveUntil())) {
        continue;
      }
      if (!c.provider().matcher(p).matches() || !c.model().matcher(m).matches()) {
        continue;
      }
      if (best == null || better(c, best)) {
        best = c;
      }
    }
    return best == null ? null : best.entry();
  }

  private static boolean better(Compiled a, Compiled b) {
    if (a.exactModel() != b.exactModel()) {
      return a.exactModel();
    }
    if (a.literalLength() != b.literalLength()) {
      return a.literalLength() > b.literalLength();
    }
    LocalDate fa = a.entry().effectiveFrom();
    LocalDate fb = b.entry().effectiveFrom();
    if (fa == null || fb == null) {
      return fb == null && fa != null;
    }
    return fa.isAfter(fb);
  }

  private static Pattern glob(String glob) {
    String[] parts = glob.split("\\*", -1);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append(".*");
      }
      if (!parts[i].isEmpty()) {
        re.append(Pattern.quote(parts[i]));
      }
    }
    return Pattern.compile(re.toString());
  }
}
