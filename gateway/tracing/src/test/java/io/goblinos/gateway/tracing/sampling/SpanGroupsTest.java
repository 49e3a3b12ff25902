package io.goblinos.gateway.tracing.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import org.junit.jupiter.api.Test;

class SpanGroupsTest {

  private static ResourceSpans resourceSpans(String service) {
    return ResourceSpans.newBuilder().setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
        .setResource(Resource.newBuilder().addAttributes(TailSamplingProcessorTest.kv("service.name", service))).build();
  }

  private static SpanGroups.ScopeKey key(String service, String scope) {
    ResourceSpans rs = resourceSpans(service);
    return SpanGroups.Origin.scopeKey(SpanGroups.Origin.resourceKey(rs),
        ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName(scope)).build());
  }

  @Test
  void equalKeysFromAnotherRequestBecomeTheRememberedInstance() {
    SpanGroups.RecentKeys recent = new SpanGroups.RecentKeys();
    SpanGroups.ScopeKey first = key("checkout", "http");
    assertThat(recent.canonical(first)).isSameAs(first);
    // the same resource and scope decoded again: new byte arrays, equal content
    SpanGroups.ScopeKey again = key("checkout", "http");
    assertThat(again).isNotSameAs(first).isEqualTo(first);
    assertThat(recent.canonical(again)).isSameAs(first);
    // another scope or resource is not mistaken for it, whatever slot it lands in
    for (int i = 0; i < 2 * SpanGroups.RecentKeys.SLOTS; i++) {
      SpanGroups.ScopeKey other = key("svc-" + i, "http");
      assertThat(recent.canonical(other)).isSameAs(other).isNotEqualTo(first);
    }
    SpanGroups.ScopeKey otherScope = key("checkout", "db");
    assertThat(recent.canonical(otherScope)).isEqualTo(otherScope).isNotEqualTo(first);
  }
}
