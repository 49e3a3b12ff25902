package io.goblinos.gateway.tracing.sampling;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spans collected for output, re-grouped by resource and scope: spans that came in under equal resources (same
 * encoded bytes and schema URL) leave under one {@code ResourceSpans}, whatever shard or request they came from.
 * Not thread-safe: one instance per consume call or tick.
 */
final class SpanGroups {

  /** A resource identity: its encoded bytes and schema URL. */
  record ResourceKey(ByteString resource, String schemaUrl) {}

  /** A resource + scope identity. */
  record ScopeKey(ResourceKey resource, ByteString scope, String schemaUrl) {}

  /** Resource and scope of a group of spans, with the identity they are grouped by. */
  record Origin(ScopeKey key, Resource resource, String resourceSchemaUrl, InstrumentationScope scope,
                String scopeSchemaUrl) {

    static Origin of(ResourceSpans rs, ScopeSpans ss, ResourceKey rk) {
      ScopeKey k = new ScopeKey(rk, ss.getScope().toByteString(), ss.getSchemaUrl());
      return new Origin(k, rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl());
    }

    static ResourceKey resourceKey(ResourceSpans rs) {
      return new ResourceKey(rs.getResource().toByteString(), rs.getSchemaUrl());
    }

    /** Rough heap cost of keeping this origin interned. */
    long sizeBytes() {
      return 2L * (key.resource().resource().size() + key.scope().size()) + 160;
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
