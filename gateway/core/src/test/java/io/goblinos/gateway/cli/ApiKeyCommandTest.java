package io.goblinos.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.goblinos.gateway.auth.ApiKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

class ApiKeyCommandTest {

  @Test
  void createPrintsTheKeyOnceAndItsKeysFileLine() throws Exception {
    CommandLine cl = new CommandLine(new GoblinGateway());
    cl.addSubcommand(new ApiKeyCommand().command());
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("apikey", "create", "--name", "collector-eu")).isZero();
    String text = out.toString();
    String key = text.lines().map(String::trim).filter(l -> l.startsWith(ApiKeys.PREFIX)).findFirst().orElseThrow();
    String line = text.lines().filter(l -> l.contains("sha256")).findFirst().orElseThrow();
    assertThat(line).isEqualTo(ApiKeys.keysFileLine("collector-eu", key));
    assertThat(text.split(java.util.regex.Pattern.quote(key), -1)).hasSize(2); // shown exactly once
    List<ApiKeys.Entry> parsed = ApiKeys.parse(("keys:\n" + line + "\n").getBytes(StandardCharsets.UTF_8), "f");
    assertThat(ApiKeys.match(parsed, key).name()).isEqualTo("collector-eu");
  }

  @Test
  void badNameIsRefused() {
    CommandLine cl = new CommandLine(new GoblinGateway());
    cl.addSubcommand(new ApiKeyCommand().command());
    cl.setErr(new PrintWriter(new StringWriter()));
    assertThat(cl.execute("apikey", "create", "--name", "bad name")).isEqualTo(2);
  }
}
