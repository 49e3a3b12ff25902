package io.goblinos.gateway.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.config.GatewayConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every new key is validated at start-up and errors name the full path. */
class OtlpAuthConfigTest {

  @Test
  void invalidValuesAreReportedWithTheirFullPath() {
    GatewayConfig.Result r = GuardedGateway.parse("""
        extensions:
          spiffeauth: {trust_domains: [Bad_TD!], allowed_ids: ["spiffe://other/x", "http://x"]}
          apikeyauth: {}
        receivers:
          otlp:
            protocols:
              http:
                tls: {key_file: k.pem, min_version: "1.1", reload_interval: 1ms}
                auth: {authenticator: spiffeauth, authenticators: [apikeyauth]}
                max_header_size: 2GiB
                max_connections: -1
                max_concurrent_streams: 0
                read_timeout: soon
                rate_limit: {burst: 0}
              grpc:
                auth: {authenticator: spiffeauth}
        exporters:
          debug: {}
        service:
          extensions: [spiffeauth]
          pipelines:
            traces: {receivers: [otlp], exporters: [debug]}
        """);
    assertThat(r.ok()).isFalse();
    String p = "receivers::otlp::protocols::http::";
    assertThat(String.join("\n", r.errors())).contains(
        "extensions::spiffeauth::trust_domains: was 'Bad_TD!'",
        "extensions::spiffeauth::allowed_ids: was 'http://x'",
        p + "tls::cert_file: missing",
        p + "tls::min_version: was '1.1'",
        p + "tls::reload_interval: was '1ms'",
        p + "auth::authenticators: set either authenticator or authenticators",
        p + "max_header_size: was",
        p + "max_connections: was '-1'",
        p + "max_concurrent_streams: was '0'",
        p + "read_timeout: was 'soon'",
        p + "rate_limit::requests_per_second: missing",
        p + "rate_limit::burst: was '0'",
        "receivers::otlp::protocols::grpc::auth: 'spiffeauth' authenticates client certificates");
  }

  @Test
  void anAuthenticatorThatIsNotStartedFailsStartNamingThePath(@TempDir Path dir) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GuardedGateway.start("""
        extensions:
          apikeyauth: {keys_file: missing.yaml}
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0, auth: {authenticator: apikeyauth/other}}
        exporters:
          debug: {}
        service:
          extensions: [apikeyauth]
          pipelines:
            traces: {receivers: [otlp], exporters: [debug]}
        """, dir)).hasMessageContaining("extensions::apikeyauth::keys_file ('" + dir.resolve("missing.yaml") + "'): cannot read");
  }
}
