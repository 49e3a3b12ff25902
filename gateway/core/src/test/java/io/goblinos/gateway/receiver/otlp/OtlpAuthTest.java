package io.goblinos.gateway.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.goblinos.gateway.auth.ApiKeys;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.auth.TestPki;
import io.goblinos.gateway.testing.OtlpFiles;
import io.goblinos.gateway.testing.SdkData;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS with SPIFFE IDs and API keys on a real gateway over real TLS sockets: the OpenTelemetry SDK exporters with a
 * client certificate and with an API key, every refusal (expired certificate, unknown CA, other trust domain, ID
 * outside the allow-list, no certificate, wrong and rotated-out keys), key rotation and certificate reload without
 * restart, the principal on the data and for data endpoints, and a sidecar gateway's exporters reaching it.
 */
class OtlpAuthTest {
  static final String TD = "goblinos.internal";

  @TempDir static Path dir;
  static TestPki.Ca ca;
  static TestPki.Ca otherCa;
  static GuardedGateway gateway;
  static int http;
  static int grpc;
  static int mtlsOnly;
  static String key1;
  static String key2;

  @BeforeAll
  static void start() throws IOException {
    ca = TestPki.ca("goblin-ca");
    otherCa = TestPki.ca("stranger-ca");
    ca.server().write(dir, "server");
    ca.writeCert(dir.resolve("ca.crt"));
    key1 = ApiKeys.generate(new SecureRandom());
    key2 = ApiKeys.generate(new SecureRandom());
    Files.writeString(dir.resolve("keys.yaml"), "keys:\n" + ApiKeys.keysFileLine("ci", key1) + "\n");
    String tls = "{cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt, reload_interval: 100ms}";
    gateway = GuardedGateway.start("""
        extensions:
          apikeyauth: {keys_file: keys.yaml}
          spiffeauth:
            trust_domains: [goblinos.internal, other.internal]
            allowed_ids: ["spiffe://goblinos.internal/ns/*/sa/collector"]
          spiffeauth/only: {trust_domains: [goblinos.internal]}
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0, tls: TLS, auth: {authenticators: [spiffeauth, apikeyauth]}}
              http: {endpoint: 127.0.0.1:0, tls: TLS, auth: {authenticators: [spiffeauth, apikeyauth]}}
          otlp/mtls:
            protocols:
              http: {endpoint: 127.0.0.1:0, tls: TLS, auth: {authenticator: spiffeauth/only}}
        exporters:
          file: {directory: out}
        service:
          extensions: [apikeyauth, spiffeauth, spiffeauth/only]
          pipelines:
            traces: {receivers: [otlp, otlp/mtls], exporters: [file]}
        """.replace("TLS", tls), dir, rt -> rt.gateway().addDataEndpoint("/v1/whoami", req ->
            req.response().end(Principal.of(req).map(p -> p.id() + " via " + p.authenticator()).orElse("nobody"))));
    http = gateway.otlp("otlp").httpPort();
    grpc = gateway.otlp("otlp").grpcPort();
    mtlsOnly = gateway.otlp("otlp/mtls").httpPort();
    assertThat(mtlsOnly).as("each receiver has its own port").isNotEqualTo(http);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  static String spiffe(String path) {
    return "spiffe://" + TD + path;
  }

  static ExportTraceServiceRequest request(String name) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder()
            .addAttributes(kv("service.name", "auth-test"))
            .addAttributes(kv(Principal.RESOURCE_ATTRIBUTE, "spoofed-admin")))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
            .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
            .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, 9}))
            .setName(name)))).build();
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static HttpResponse<byte[]> post(int port, SSLContext ssl, String path, byte[] body, String... headers) {
    HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<byte[]> send(SSLContext ssl, String name, String... headers) {
    return post(http, ssl, "/v1/traces", request(name).toByteArray(), headers);
  }

  static SSLContext noCert() {
    return TestPki.sslContext(ca.cert(), null);
  }

  static SSLContext withCert(TestPki.Issued client) {
    return TestPki.sslContext(ca.cert(), client);
  }

  /** Principals stored for spans named {@code name}. */
  static List<String> principalsOf(String name) {
    return OtlpFiles.tracesIn(dir.resolve("out")).stream()
        .filter(r -> r.item().getName().equals(name))
        .flatMap(r -> r.resource().getAttributesList().stream())
        .filter(a -> a.getKey().equals(Principal.RESOURCE_ATTRIBUTE))
        .map(a -> a.getValue().getStringValue())
        .toList();
  }

  static void awaitPrincipal(String spanName, String principal) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(principalsOf(spanName)).contains(principal));
    assertThat(principalsOf(spanName)).containsOnly(principal);
  }

  static void assertSuccess(CompletableResultCode result) {
    result.join(20, TimeUnit.SECONDS);
    assertThat(result.isSuccess()).as("export succeeded").isTrue();
  }

  static double failures(String receiver, String reason) {
    return gateway.metric("gateway_auth_failures_total", "receiver=\"" + receiver + "\"", "reason=\"" + reason + "\"");
  }

  // ------------------------------------------------------------------ the SDK as a real client

  @Test
  void sdkHttpExporterWithClientCertificate() {
    TestPki.Issued client = ca.client(spiffe("/ns/http/sa/collector"));
    try (OtlpHttpSpanExporter e = OtlpHttpSpanExporter.builder()
        .setEndpoint("https://127.0.0.1:" + http + "/v1/traces")
        .setTrustedCertificates(TestPki.bytes(ca.pem()))
        .setClientTls(TestPki.bytes(client.keyPem()), TestPki.bytes(client.certPem()))
        .build()) {
      assertSuccess(e.export(SdkData.spans("mtls-http")));
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(OtlpFiles.tracesIn(dir.resolve("out")).stream()
        .filter(r -> r.item().getName().endsWith("mtls-http"))
        .flatMap(r -> r.resource().getAttributesList().stream())
        .filter(a -> a.getKey().equals(Principal.RESOURCE_ATTRIBUTE))
        .map(a -> a.getValue().getStringValue())).containsOnly(spiffe("/ns/http/sa/collector")).isNotEmpty());
  }

  @Test
  void sdkGrpcExporterWithClientCertificate() {
    TestPki.Issued client = ca.client(spiffe("/ns/grpc/sa/collector"));
    try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder()
        .setEndpoint("https://127.0.0.1:" + grpc)
        .setTrustedCertificates(TestPki.bytes(ca.pem()))
        .setClientTls(TestPki.bytes(client.keyPem()), TestPki.bytes(client.certPem()))
        .build()) {
      assertSuccess(e.export(SdkData.spans("mtls-grpc")));
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(OtlpFiles.tracesIn(dir.resolve("out")).stream()
        .filter(r -> r.item().getName().endsWith("mtls-grpc"))
        .flatMap(r -> r.resource().getAttributesList().stream())
        .filter(a -> a.getKey().equals(Principal.RESOURCE_ATTRIBUTE))
        .map(a -> a.getValue().getStringValue())).containsOnly(spiffe("/ns/grpc/sa/collector")).isNotEmpty());
  }

  @Test
  void sdkExportersWithApiKey() {
    try (OtlpHttpSpanExporter e = OtlpHttpSpanExporter.builder()
        .setEndpoint("https://127.0.0.1:" + http + "/v1/traces")
        .setTrustedCertificates(TestPki.bytes(ca.pem()))
        .addHeader("x-api-key", key1)
        .build()) {
      assertSuccess(e.export(SdkData.spans("key-http")));
    }
    try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder()
        .setEndpoint("https://127.0.0.1:" + grpc)
        .setTrustedCertificates(TestPki.bytes(ca.pem()))
        .addHeader("authorization", "Bearer " + key1)
        .build()) {
      assertSuccess(e.export(SdkData.spans("key-grpc")));
    }
    try (OtlpGrpcSpanExporter e = OtlpGrpcSpanExporter.builder()
        .setEndpoint("https://127.0.0.1:" + grpc)
        .setTrustedCertificates(TestPki.bytes(ca.pem()))
        .addHeader("x-api-key", "gk_wrong")
        .build()) {
      CompletableResultCode r = e.export(SdkData.spans("bad-key-grpc")).join(20, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).isFalse();
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(OtlpFiles.tracesIn(dir.resolve("out")).stream()
        .filter(r -> r.item().getName().endsWith("key-http") || r.item().getName().endsWith("key-grpc"))
        .flatMap(r -> r.resource().getAttributesList().stream())
        .filter(a -> a.getKey().equals(Principal.RESOURCE_ATTRIBUTE))
        .map(a -> a.getValue().getStringValue())).hasSize(2).containsOnly("ci"));
    assertThat(OtlpFiles.tracesIn(dir.resolve("out"))).noneMatch(r -> r.item().getName().endsWith("bad-key-grpc"));
    assertThat(gateway.metric("gateway_receiver_requests_total", "transport=\"grpc\"", "status=\"UNAUTHENTICATED\""))
        .isGreaterThanOrEqualTo(1);
  }

  // ------------------------------------------------------------------ refusals

  @Test
  void apiKeyIsAcceptedAndSpoofedPrincipalReplaced() {
    HttpResponse<byte[]> r = send(noCert(), "key-raw", "x-api-key", key1);
    assertThat(r.statusCode()).isEqualTo(200);
    awaitPrincipal("key-raw", "ci");
  }

  @Test
  void missingCredentialsAre401WithNothingToLearn() {
    double before = failures("otlp", "missing_credentials");
    HttpResponse<byte[]> r = send(noCert(), "anonymous");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).contains("authentication required")
        .doesNotContain("spiffe").doesNotContain("key");
    // even a path that does not exist answers 401 first
    assertThat(post(http, noCert(), "/nope", new byte[0]).statusCode()).isEqualTo(401);
    assertThat(failures("otlp", "missing_credentials")).isGreaterThanOrEqualTo(before + 2);
  }

  @Test
  void wrongKeyIs401() {
    double before = failures("otlp", "bad_api_key");
    assertThat(send(noCert(), "wrong", "x-api-key", "gk_not-a-key").statusCode()).isEqualTo(401);
    assertThat(send(noCert(), "wrong", "Authorization", "Bearer " + key1 + "x").statusCode()).isEqualTo(401);
    assertThat(send(noCert(), "wrong", "x-api-key", "x".repeat(5000)).statusCode()).isEqualTo(401);
    assertThat(failures("otlp", "bad_api_key")).isEqualTo(before + 3);
  }

  @Test
  void otherTrustDomainAndIdOutsideAllowListAre403() {
    TestPki.Issued other = ca.client("spiffe://other.internal/ns/x/sa/collector");
    TestPki.Issued unlisted = ca.client(spiffe("/ns/x/sa/intruder"));
    TestPki.Issued foreign = ca.client("spiffe://elsewhere.example/ns/x/sa/collector");
    assertThat(send(withCert(other), "other-td").statusCode()).isEqualTo(403);
    assertThat(send(withCert(unlisted), "unlisted").statusCode()).isEqualTo(403);
    assertThat(send(withCert(foreign), "foreign").statusCode()).isEqualTo(403);
    HttpResponse<byte[]> r = send(withCert(unlisted), "unlisted");
    assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).contains("permission denied").doesNotContain("intruder");
    assertThat(failures("otlp", "id_not_allowed")).isGreaterThanOrEqualTo(2);
    assertThat(failures("otlp", "trust_domain_not_allowed")).isGreaterThanOrEqualTo(1);
    // a certificate without a SPIFFE ID is not a credential spiffeauth can use
    assertThat(send(withCert(ca.client(null)), "no-spiffe").statusCode()).isEqualTo(401);
    assertThat(failures("otlp", "no_spiffe_id")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void expiredCertificateAndUnknownCaFailTheHandshake() {
    TestPki.Issued expired = ca.issue("expired", List.of(spiffe("/ns/a/sa/collector")), false,
        Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1)));
    TestPki.Issued stranger = otherCa.client(spiffe("/ns/a/sa/collector"));
    assertThatThrownBy(() -> send(withCert(expired), "expired")).isInstanceOf(UncheckedIOException.class);
    assertThatThrownBy(() -> send(withCert(stranger), "stranger")).isInstanceOf(UncheckedIOException.class);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(failures("otlp", "cert_expired")).isGreaterThanOrEqualTo(1);
      assertThat(failures("otlp", "cert_untrusted")).isGreaterThanOrEqualTo(1);
    });
    // the receiver is unharmed
    assertThat(send(noCert(), "after-handshake-failures", "x-api-key", key1).statusCode()).isEqualTo(200);
  }

  @Test
  void spiffeOnlyReceiverRequiresACertificate() {
    assertThatThrownBy(() -> post(mtlsOnly, noCert(), "/v1/traces", request("no-cert").toByteArray(), "x-api-key", key1))
        .isInstanceOf(UncheckedIOException.class);
    TestPki.Issued client = ca.client(spiffe("/ns/only/sa/anything"));
    assertThat(post(mtlsOnly, withCert(client), "/v1/traces", request("only").toByteArray()).statusCode()).isEqualTo(200);
    awaitPrincipal("only", spiffe("/ns/only/sa/anything"));
  }

  @Test
  void dataEndpointsSitBehindAuthAndSeeThePrincipal() {
    assertThat(post(http, noCert(), "/v1/whoami", new byte[0]).statusCode()).isEqualTo(401);
    HttpResponse<byte[]> r = post(http, noCert(), "/v1/whoami", new byte[0], "x-api-key", key1);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("ci via apikeyauth");
    TestPki.Issued client = ca.client(spiffe("/ns/audit/sa/collector"));
    assertThat(new String(post(http, withCert(client), "/v1/whoami", new byte[0]).body(), StandardCharsets.UTF_8))
        .isEqualTo(spiffe("/ns/audit/sa/collector") + " via spiffeauth");
  }

  // ------------------------------------------------------------------ rotation without restart

  @Test
  void keyRotationWithoutRestart() throws IOException {
    Path keys = dir.resolve("keys.yaml");
    // both keys valid at once
    Files.writeString(keys, "keys:\n" + ApiKeys.keysFileLine("ci", key1) + "\n" + ApiKeys.keysFileLine("ci", key2) + "\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> send(noCert(), "k2", "x-api-key", key2).statusCode() == 200);
    assertThat(send(noCert(), "k1", "x-api-key", key1).statusCode()).isEqualTo(200);
    // a broken file keeps the keys in force
    Files.writeString(keys, "keys:\n  - {name: ci, sha256: " + key2 + "}\n");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        gateway.metric("gateway_auth_keys_reloads_total", "result=\"failed\"") >= 1);
    assertThat(send(noCert(), "k2", "x-api-key", key2).statusCode()).isEqualTo(200);
    // the old key rotated out
    Files.writeString(keys, "keys:\n" + ApiKeys.keysFileLine("ci", key2) + "\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> send(noCert(), "k1-out", "x-api-key", key1).statusCode() == 401);
    assertThat(send(noCert(), "k2", "x-api-key", key2).statusCode()).isEqualTo(200);
    // restore for the other tests
    Files.writeString(keys, "keys:\n" + ApiKeys.keysFileLine("ci", key1) + "\n" + ApiKeys.keysFileLine("ci", key2) + "\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> send(noCert(), "k1-back", "x-api-key", key1).statusCode() == 200);
  }

  @Test
  void certificateReloadWithoutDroppingConnections() throws Exception {
    SSLContext ctx = noCert();
    try (SSLSocket old = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", http)) {
      old.startHandshake();
      BigInteger before = ((X509Certificate) old.getSession().getPeerCertificates()[0]).getSerialNumber();
      // cert-manager style rotation: new key and certificate in place of the old files
      TestPki.Issued next = ca.server();
      Files.writeString(dir.resolve("server.key.new"), next.keyPem());
      Files.writeString(dir.resolve("server.crt"), next.certPem());
      Files.move(dir.resolve("server.key.new"), dir.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", http)) {
          s.startHandshake();
          return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber().equals(next.cert().getSerialNumber());
        }
      });
      assertThat(next.cert().getSerialNumber()).isNotEqualTo(before);
      // the connection made before the reload still works
      byte[] body = request("old-connection").toByteArray();
      OutputStream out = old.getOutputStream();
      out.write(("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nx-api-key: " + key1
          + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(old.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
    }
    // Every server instance counts its own reload once its new options are in place: wait for the first.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(gateway.metric("gateway_receiver_tls_reloads_total", "result=\"ok\"")).isGreaterThanOrEqualTo(1));
  }

  // ------------------------------------------------------------------ a sidecar gateway's exporters

  @Test
  void sidecarExportersPresentClientCertificateAndApiKey(@TempDir Path side) throws IOException {
    TestPki.Issued sidecarCert = ca.client(spiffe("/ns/edge/sa/collector"));
    sidecarCert.write(side, "client");
    ca.writeCert(side.resolve("ca.crt"));
    try (GuardedGateway sidecar = GuardedGateway.start("""
        receivers:
          otlp:
            protocols:
              http: {endpoint: 127.0.0.1:0}
        exporters:
          otlp:
            endpoint: https://127.0.0.1:GRPC
            tls: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key}
            retry_on_failure: {enabled: false}
          otlphttp:
            endpoint: https://127.0.0.1:HTTP
            headers: {x-api-key: KEY}
            tls: {ca_file: ca.crt}
            retry_on_failure: {enabled: false}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [otlp, otlphttp]}
        """.replace("GRPC", Integer.toString(grpc)).replace("HTTP", Integer.toString(http)).replace("KEY", key1), side)) {
      int port = sidecar.otlp("otlp").httpPort();
      HttpResponse<byte[]> r = io.goblinos.gateway.testing.Http.post(port, "/v1/traces", "application/x-protobuf",
          request("via-sidecar").toByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(principalsOf("via-sidecar"))
          .containsExactlyInAnyOrder(spiffe("/ns/edge/sa/collector"), "ci"));
    }
  }
}
