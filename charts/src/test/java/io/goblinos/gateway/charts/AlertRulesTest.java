package io.goblinos.gateway.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** conf/alerts: promtool check rules, promtool test rules, and the chart's copy is the same file. */
class AlertRulesTest {
  @Test
  void chartCopyIsIdenticalToConfAlerts() {
    assertThat(Charts.read(Charts.CHART_RULES))
        .as("charts/goblin-gateway/files/goblin-gateway.rules.yaml must be a byte-for-byte copy of "
            + "conf/alerts/goblin-gateway.rules.yaml (cp conf/alerts/goblin-gateway.rules.yaml charts/goblin-gateway/files/)")
        .isEqualTo(Charts.read(Charts.RULES));
  }

  @Test
  void promtoolCheckRules() throws Exception {
    Result r = promtool("check", "rules", Charts.RULES.toString());
    assertThat(r.exit).as("promtool check rules:\n%s", r.output).isZero();
    assertThat(r.output).contains("SUCCESS");
  }

  @Test
  void promtoolTestRules() throws Exception {
    Result r = promtool("test", "rules", Charts.RULES_TEST.toString());
    assertThat(r.exit).as("promtool test rules:\n%s", r.output).isZero();
    assertThat(r.output).contains("SUCCESS").doesNotContain("FAILED");
  }

  /** Every alert names a severity and a runbook section that exists in docs/operations.md. */
  @Test
  void everyAlertHasASeverityAndARunbookThatExists() {
    String ops = Charts.read(Charts.REPO.resolve("docs/operations.md")).toLowerCase();
    var groups = Charts.yaml(Charts.read(Charts.RULES)).path("groups");
    int alerts = 0;
    for (var g : groups) {
      for (var rule : g.path("rules")) {
        if (!rule.has("alert")) {
          continue;
        }
        alerts++;
        String name = rule.path("alert").asText();
        assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning", "info");
        String runbook = rule.path("annotations").path("runbook").asText();
        assertThat(runbook).as(name).startsWith("docs/operations.md#");
        String anchor = runbook.substring(runbook.indexOf('#') + 1);
        assertThat(ops).as("docs/operations.md has a heading for #%s (%s)", anchor, name).containsPattern("(?m)^#+ `?" + anchor + "`?\\s*$");
      }
    }
    assertThat(alerts).isGreaterThan(10);
  }

  /** Every alert is exercised by at least one alert_rule_test case of the unit tests. */
  @Test
  void everyAlertIsUnitTested() {
    java.util.Set<String> alerts = new java.util.TreeSet<>();
    for (var g : Charts.yaml(Charts.read(Charts.RULES)).path("groups")) {
      for (var rule : g.path("rules")) {
        if (rule.has("alert")) {
          alerts.add(rule.path("alert").asText());
        }
      }
    }
    java.util.Set<String> tested = new java.util.TreeSet<>();
    for (var t : Charts.yaml(Charts.read(Charts.RULES_TEST)).path("tests")) {
      for (var c : t.path("alert_rule_test")) {
        if (c.path("exp_alerts").size() > 0) {
          tested.add(c.path("alertname").asText());
        }
      }
    }
    assertThat(tested).as("alerts with a firing test case").containsAll(alerts);
  }

  record Result(int exit, String output) {}

  static Result promtool(String... args) throws IOException, InterruptedException {
    String bin = findPromtool();
    List<String> cmd = new ArrayList<>();
    cmd.add(bin);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(Charts.REPO.resolve("conf/alerts").toFile()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s");
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  private static String findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    File debian = new File("/usr/bin/promtool");
    if (debian.canExecute()) {
      return debian.getPath();
    }
    throw new AssertionError("promtool not found on PATH: install the Debian package `prometheus` "
        + "(apt-get install prometheus; .ci/run does) to check and unit-test conf/alerts");
  }
}
