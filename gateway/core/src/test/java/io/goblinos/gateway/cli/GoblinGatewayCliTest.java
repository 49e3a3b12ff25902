package io.goblinos.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launcher's commands: validate (0 / 2 with every problem), version, --help for each, audit subcommands. */
class GoblinGatewayCliTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = GoblinGateway.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void validateAcceptsTheShippedConfigs() {
    for (String conf : new String[] {"gateway.yaml", "sidecar.yaml"}) {
      Path file = Path.of("../../conf", conf);
      Run r = run("validate", "--config", file.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).startsWith("config OK");
    }
  }

  @Test
  void validateListsEveryProblemWithItsPathAndExits2() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, """
        receivers: {otlp: {}}
        processors:
          batch: {timeout: soon}
        exporters:
          file: {directory: out, bogus: 1}
        service:
          pipelines:
            traces: {receivers: [otlp], processors: [batch], exporters: [file, missing]}
        """);
    Run r = run("validate", "--config", f.toString(), "--set", "exporters.file.rotation.max_backups=-1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("processors::batch::timeout: was 'soon' but it must be a duration like 200ms")
        .contains("exporters::file::bogus: unknown key")
        .contains("exporters::file::rotation::max_backups: was '-1'")
        .contains("service::pipelines::traces::exporters: references exporter \"missing\" which is not configured")
        .contains("(4 problems)");
  }

  @Test
  void versionAndHelp() {
    assertThat(run("version").out()).startsWith("goblin-gateway ");
    for (String cmd : new String[] {"run", "validate", "version", "audit"}) {
      Run r = run(cmd, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage:");
    }
    assertThat(run("--help").out()).contains("run", "validate", "version", "audit");
  }
}
