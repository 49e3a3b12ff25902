package io.goblinos.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthPrimitivesTest {

  @Test
  void spiffeIdsParseStrictly() throws Exception {
    assertThat(SpiffeId.parse("spiffe://goblinos.internal/ns/a/sa/b")).isEqualTo(new SpiffeId("goblinos.internal", "/ns/a/sa/b"));
    for (String bad : List.of("http://td/a", "spiffe://", "spiffe://TD/a", "spiffe://td:1/a", "spiffe://td/a/../b",
        "spiffe://td/a//b", "spiffe://td/a/", "spiffe://td/a?b", "spiffe://u@td/a", "spiffe://td/" + "a".repeat(3000))) {
      assertThatThrownBy(() -> SpiffeId.parse(bad)).as(bad).isInstanceOf(SpiffeId.InvalidSpiffeIdException.class);
    }
  }

  @Test
  void patternsMatchSegments() throws Exception {
    SpiffeIdPattern p = SpiffeIdPattern.parse("spiffe://td/ns/*/sa/collector");
    assertThat(p.matches(SpiffeId.parse("spiffe://td/ns/prod/sa/collector"))).isTrue();
    assertThat(p.matches(SpiffeId.parse("spiffe://td/ns/prod/sa/other"))).isFalse();
    assertThat(p.matches(SpiffeId.parse("spiffe://td/ns/a/b/sa/collector"))).isFalse();
    assertThat(p.matches(SpiffeId.parse("spiffe://other/ns/prod/sa/collector"))).isFalse();
    SpiffeIdPattern rest = SpiffeIdPattern.parse("spiffe://td/ns/**");
    assertThat(rest.matches(SpiffeId.parse("spiffe://td/ns/a/sa/b"))).isTrue();
    assertThat(rest.matches(SpiffeId.parse("spiffe://td/ns"))).isFalse();
    assertThatThrownBy(() -> SpiffeIdPattern.parse("spiffe://td/**/x")).hasMessageContaining("last segment");
  }

  @Test
  void spiffeIdComesFromTheOneUriSan() throws Exception {
    TestPki.Ca ca = TestPki.ca("t");
    assertThat(SpiffeId.fromCertificate(ca.client("spiffe://td/ns/x").cert())).hasToString("spiffe://td/ns/x");
    assertThatThrownBy(() -> SpiffeId.fromCertificate(ca.client(null).cert())).hasMessageContaining("no URI SAN");
    assertThatThrownBy(() -> SpiffeId.fromCertificate(ca.issue("x", List.of("spiffe://td/a", "spiffe://td/b"), false,
        java.time.Instant.now(), java.time.Instant.now().plusSeconds(60)).cert())).hasMessageContaining("more than one");
  }

  @Test
  void apiKeysAreHashedAndMatchedInConstantTime() throws Exception {
    // echo -n "gk_test" | sha256sum
    assertThat(ApiKeys.sha256Hex("gk_test")).isEqualTo(
        java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest("gk_test".getBytes(StandardCharsets.UTF_8))));
    String k1 = ApiKeys.generate(new SecureRandom());
    String k2 = ApiKeys.generate(new SecureRandom());
    assertThat(k1).startsWith("gk_").hasSize(46).isNotEqualTo(k2);
    List<ApiKeys.Entry> keys = ApiKeys.parse(("keys:\n" + ApiKeys.keysFileLine("a", k1) + "\n" + ApiKeys.keysFileLine("b", k2) + "\n")
        .getBytes(StandardCharsets.UTF_8), "f");
    assertThat(ApiKeys.match(keys, k2).name()).isEqualTo("b");
    assertThat(ApiKeys.match(keys, k2 + "x")).isNull();
    assertThat(keys.toString()).doesNotContain(ApiKeys.sha256Hex(k1));
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Authorization", "bearer " + k1);
    assertThat(ApiKeys.presented(h)).isEqualTo(k1);
    assertThat(ApiKeys.presented(MultiMap.caseInsensitiveMultiMap().add("X-Api-Key", k2))).isEqualTo(k2);
  }

  @Test
  void keysFileErrorsNameThePathAndNeverEchoAKey() {
    String key = ApiKeys.generate(new SecureRandom());
    assertThatThrownBy(() -> ApiKeys.parse(("keys:\n  - {name: ok, sha256: " + key + "}\n  - {name: 'bad name', sha256: "
        + ApiKeys.sha256Hex("x") + ", extra: 1}\n").getBytes(StandardCharsets.UTF_8), "extensions::apikeyauth::keys_file"))
        .hasMessageContaining("extensions::apikeyauth::keys_file::keys::0::sha256: not 64 hex digits")
        .hasMessageContaining("extensions::apikeyauth::keys_file::keys::1::name")
        .hasMessageContaining("extensions::apikeyauth::keys_file::keys::1::extra: unknown key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
    assertThatThrownBy(() -> ApiKeys.parse("nope: [".getBytes(StandardCharsets.UTF_8), "f")).hasMessageContaining("f: not valid YAML");
  }
}
