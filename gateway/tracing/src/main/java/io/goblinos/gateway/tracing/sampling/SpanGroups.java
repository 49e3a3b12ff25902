package io.goblinos.gateway.tracing.sampling;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spans collected for output, re-grouped by resource and scope: spans that came in under equal resources (same
 * encoded bytes and schema URL) leave under one {@code ResourceSpans}, whatever shard or request they came from.
 * Not thread-safe: one instance per consume call or tick.
 */
final class SpanGroups {

  /**
   * A resource identity: its encoded bytes and schema URL. The hash is computed once, when a request's resource is
   * first seen; every shard's lookup then reuses it, and equality compares the byte arrays (vectorized).
   */
  static final class ResourceKey {
    private final byte[] resource;
    private final String schemaUrl;
    private final int hash;

    ResourceKey(byte[] resource, String schemaUrl) {
      this.resource = resource;
      this.schemaUrl = schemaUrl;
      this.hash = 31 * Arrays.hashCode(resource) + schemaUrl.hashCode();
    }

    int size() {
      return resource.length;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || o instanceof ResourceKey k && k.hash == hash && Arrays.equals(k.resource, resource)
          && k.schemaUrl.equals(schemaUrl);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A resource + scope identity (hash computed once, like {@link ResourceKey}'s). */
  static final class ScopeKey {
    private final ResourceKey resource;
    private final byte[] scope;
    private final String schemaUrl;
    private final int hash;

    ScopeKey(ResourceKey resource, byte[] scope, String schemaUrl) {
      this.resource = resource;
      this.scope = scope;
      this.schemaUrl = schemaUrl;
      this.hash = (31 * resource.hash + Arrays.hashCode(scope)) * 31 + schemaUrl.hashCode();
    }

    ResourceKey resource() {
      return resource;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || o instanceof ScopeKey k && k.hash == hash && Arrays.equals(k.scope, scope)
          && k.schemaUrl.equals(schemaUrl) && k.resource.equals(resource);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Keys seen recently, by hash (direct-mapped, {@value #SLOTS} slots): a request's key equal to one of them is
   * replaced by that instance, so that each shard's interning of it ({@code HashMap.get}) matches by identity instead
   * of comparing resource bytes, once per request rather than once per shard it writes to. Shared by the event loops
   * without a lock: a slot is one reference to an immutable key (final fields), and a lost or stale write only costs a
   * byte comparison later.
   */
  static final class RecentKeys {
    static final int SLOTS = 256;
    private final ScopeKey[] slots = new ScopeKey[SLOTS];

    /** The remembered key equal to {@code k}, else {@code k} (remembered from now on). */
    ScopeKey canonical(ScopeKey k) {
      int i = k.hash & (SLOTS - 1);
      ScopeKey seen = slots[i];
      if (seen != null && seen.equals(k)) {
        return seen;
      }
      slots[i] = k;
      return k;
    }
  }

  /** Resource and scope of a group of spans, with the identity they are grouped by. */
  record Origin(ScopeKey key, Resource resource, String resourceSchemaUrl, InstrumentationScope scope,
                String scopeSchemaUrl) {

    /** The origin of {@code ss}'s spans, under {@code k} (its key, or an equal one: see {@link RecentKeys}). */
    static Origin of(ResourceSpans rs, ScopeSpans ss, ScopeKey k) {
      return new Origin(k, rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl());
    }

    static ScopeKey scopeKey(ResourceKey rk, ScopeSpans ss) {
      return new ScopeKey(rk, ss.getScope().toByteArray(), ss.getSchemaUrl());
    }

    static ResourceKey resourceKey(ResourceSpans rs) {
      return new ResourceKey(rs.getResource().toByteArray(), rs.getSchemaUrl());
    }

    /** Rough heap cost of keeping this origin interned. */
    long sizeBytes() {
      return 2L * (key.resource.size() + key.scope.length) + 160;
    }
  }

  private final Map<ResourceKey, Map<ScopeKey, Group>> groups = new LinkedHashMap<>();
  private int spans;

  private static final class Group {
    final Origin origin;
    final List<Span> spans = new ArrayList<>();

    Group(Origin origin) {
      this.origin = origin;
    }
  }

  void add(Origin origin, Span span) {
    groups.computeIfAbsent(origin.key().resource(), k -> new LinkedHashMap<>())
        .computeIfAbsent(origin.key(), k -> new Group(origin))
        .spans.add(span);
    spans++;
  }

  boolean isEmpty() {
    return spans == 0;
  }

  int spanCount() {
    return spans;
  }

  ExportTraceServiceRequest build() {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (Map<ScopeKey, Group> byScope : groups.values()) {
      ResourceSpans.Builder rs = null;
      for (Group g : byScope.values()) {
        if (rs == null) {
          rs = ResourceSpans.newBuilder().setResource(g.origin.resource()).setSchemaUrl(g.origin.resourceSchemaUrl());
        }
        rs.addScopeSpans(ScopeSpans.newBuilder()
            .setScope(g.origin.scope())
            .setSchemaUrl(g.origin.scopeSchemaUrl())
            .addAllSpans(g.spans));
      }
      if (rs != null) {
        req.addResourceSpans(rs);
      }
    }
    return req.build();
  }
}
