package io.goblinos.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goblinos.gateway.api.component.ComponentId;
import io.goblinos.gateway.api.component.Kind;
import io.goblinos.gateway.exporter.file.FileExporterConfig;
import io.goblinos.gateway.receiver.otlp.OtlpReceiverConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
  private static final String VALID = """
      receivers:
        otlp:
          protocols:
            http:
              endpoint: 127.0.0.1:4318
      exporters:
        file:
          directory: ${env:OUT_DIR:-data/otlp}
        file/2:
          directory: /tmp/other
      service:
        pipelines:
          traces:
            receivers: [otlp]
            exporters: [file, file/2]
          logs/audit:
            receivers: [otlp]
            exporters: [file]
      """;

  private static GatewayConfig.Result parse(String yaml, Map<String, String> env, List<String> sets) throws Exception {
    Map<String, Object> raw = new ConfigLoader(env::get).loadString(yaml, sets);
    return GatewayConfig.parse(raw, ComponentRegistry.discover());
  }

  @Test
  void validConfigBuildsPipelinesWithTheirComponents() throws Exception {
    GatewayConfig.Result r = parse(VALID, Map.of(), List.of());
    assertThat(r.errors()).isEmpty();
    GatewayConfig c = r.config();
    assertThat(c.pipelines()).extracting(GatewayConfig.PipelineConfig::id).containsExactly("traces", "logs/audit");
    assertThat(c.pipelines().get(0).exporters()).containsExactly(ComponentId.parse("file"), ComponentId.parse("file/2"));
    OtlpReceiverConfig otlp = (OtlpReceiverConfig) c.of(Kind.RECEIVER).get(ComponentId.parse("otlp")).config();
    assertThat(otlp.grpc()).as("grpc not listed under protocols: disabled").isNull();
    assertThat(otlp.http().port()).isEqualTo(4318);
    assertThat(otlp.http().maxRequestBodySize()).isEqualTo(64L * 1024 * 1024);
    assertThat(c.telemetry().metricsAddress()).isEqualTo("127.0.0.1:9464");
    assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void envSubstitutionUsesValueOrDefault() throws Exception {
    FileExporterConfig withDefault = (FileExporterConfig) parse(VALID, Map.of(), List.of()).config()
        .of(Kind.EXPORTER).get(ComponentId.parse("file")).config();
    assertThat(withDefault.directory()).isEqualTo("data/otlp");
    FileExporterConfig fromEnv = (FileExporterConfig) parse(VALID, Map.of("OUT_DIR", "/var/otlp"), List.of()).config()
        .of(Kind.EXPORTER).get(ComponentId.parse("file")).config();
    assertThat(fromEnv.directory()).isEqualTo("/var/otlp");
  }

  @Test
  void setOverridesAnyKeyByDottedPath() throws Exception {
    GatewayConfig c = parse(VALID, Map.of(), List.of(
        "receivers.otlp.protocols.http.endpoint=0.0.0.0:5318",
        "exporters.file.directory=/x/y",
        "exporters.file.rotation.max_megabytes=7",
        "service.telemetry.metrics.address=127.0.0.1:0",
        "service.event_loops=3")).config();
    OtlpReceiverConfig otlp = (OtlpReceiverConfig) c.of(Kind.RECEIVER).get(ComponentId.parse("otlp")).config();
    assertThat(otlp.http().host()).isEqualTo("0.0.0.0");
    assertThat(otlp.http().port()).isEqualTo(5318);
    FileExporterConfig file = (FileExporterConfig) c.of(Kind.EXPORTER).get(ComponentId.parse("file")).config();
    assertThat(file.directory()).isEqualTo("/x/y");
    assertThat(file.maxFileBytes()).isEqualTo(7L * 1024 * 1024);
    assertThat(c.telemetry().metricsAddress()).isEqualTo("127.0.0.1:0");
    assertThat(c.eventLoops()).isEqualTo(3);
  }

  @Test
  void everyErrorIsReportedWithItsFullPathAndValue() throws Exception {
    String bad = """
        receivers:
          otlp:
            protocols:
              http:
                endpoint: localhost
                max_request_body_size: lots
              grpc:
                bogus: 1
          nosuch: {}
        exporters:
          file:
            rotation:
              max_megabytes: -3
        service:
          pipelines:
            traces:
              receivers: [otlp, otlp/2]
              exporters: [file, debug/x]
            spans:
              receivers: [otlp]
              exporters: [file]
          extensions: [health]
          event_loops: 0
        unknown_section: 1
        """;
    List<String> errors = parse(bad, Map.of(), List.of()).errors();
    assertThat(errors).contains(
        "receivers::otlp::protocols::http::endpoint: was 'localhost' but it must be host:port like 127.0.0.1:4317 (port 0 picks a free port)",
        "receivers::otlp::protocols::http::max_request_body_size: was 'lots' but it must be a size like 64MiB or a number of bytes",
        "exporters::file::rotation::max_megabytes: was '-3' but it must be an integer between 1 and 1000000",
        "service::pipelines::traces::receivers: references receiver \"otlp/2\" which is not configured",
        "service::pipelines::traces::exporters: references exporter \"debug/x\" which is not configured",
        "service::extensions: references extension \"health\" which is not configured",
        "service::event_loops: was '0' but it must be an integer between 1 and 1024");
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("receivers::otlp::protocols::grpc::bogus: unknown key"));
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("receivers::nosuch: unknown receiver type \"nosuch\" (known: "));
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("service::pipelines::spans: unknown pipeline type \"spans\""));
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("unknown_section: unknown key"));
  }

  @Test
  void pipelinesMustExistAndListReceiversAndExporters() throws Exception {
    assertThat(parse("receivers: {otlp: {}}\n", Map.of(), List.of()).errors())
        .contains("service::pipelines: at least one pipeline must be configured");
    assertThat(parse("""
        receivers: {otlp: {}}
        service: {pipelines: {traces: {receivers: [otlp]}}}
        """, Map.of(), List.of()).errors())
        .contains("service::pipelines::traces::exporters: must list at least one exporter");
  }

  @Test
  void loaderNamesFileAndProblem(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "receivers: [unclosed\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(f, List.of()))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(dir.resolve("missing.yaml"), List.of()))
        .hasMessageContaining("cannot read config file");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().loadString("a: 1\n", List.of("novalue")))
        .hasMessageContaining("--set novalue: must be key.path=value");
  }
}
