package io.goblinos.gateway.cli;

import io.goblinos.gateway.config.GatewayConfig;
import io.goblinos.gateway.service.GatewayRuntime;
import io.goblinos.gateway.telemetry.StructuredLogFormatter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the gateway until SIGTERM/SIGINT, then drain and exit 0.",
    footer = {"", "Environment:",
        "  TELEMETRY_ENABLED=false  receivers keep answering but nothing is exported (pipelines discard)."})
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());
  private static final Logger QUIET = Logger.getLogger("com.hazelcast");

  @CommandLine.Mixin
  ConfigOptions options = new ConfigOptions();

  @Option(names = "--shutdown-timeout", defaultValue = "30s", paramLabel = "DURATION",
      description = "Longest wait per shutdown stage (receivers, each processor, exporters). Default: ${DEFAULT-VALUE}.")
  String shutdownTimeout;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    GatewayConfig config = options.load(spec.commandLine().getErr());
    if (config == null) {
      return 2;
    }
    Duration stageTimeout = io.goblinos.gateway.api.config.Durations.parse(shutdownTimeout);
    if (stageTimeout == null) {
      spec.commandLine().getErr().println("error: --shutdown-timeout: was '" + shutdownTimeout + "' but it must be a duration like 30s");
      return 2;
    }
    configureLogging(config.telemetry().logLevel());
    boolean exportEnabled = !"false".equalsIgnoreCase(System.getenv().getOrDefault("TELEMETRY_ENABLED", "true").trim());
    if (!exportEnabled) {
      LOG.warning("TELEMETRY_ENABLED=false: receivers answer, nothing is exported");
    }
    GatewayRuntime runtime;
    try {
      runtime = GatewayRuntime.start(config, GatewayRuntime.Options.defaults().withExportEnabled(exportEnabled))
          .toCompletionStage().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      spec.commandLine().getErr().println("error: the gateway failed to start: " + cause.getMessage());
      LOG.log(Level.FINE, "start failure", cause);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      LOG.info("signal received: draining pipelines");
      runtime.stop(stageTimeout).onComplete(ar -> stopped.countDown());
    };
    installSignalHandlers(stop);
    LOG.info(() -> "gateway ready: telemetry=" + config.telemetry().metricsAddress().replaceAll(":\\d+$", "") + ":" + runtime.telemetryPort());
    stopped.await();
    // Give the final log lines a moment to flush, then exit 0: a drained shutdown is a success.
    TimeUnit.MILLISECONDS.sleep(50);
    return 0;
  }

  @SuppressWarnings("restriction")
  private static void installSignalHandlers(Runnable stop) {
    Runnable once = new Runnable() {
      private boolean ran;

      @Override
      public synchronized void run() {
        if (!ran) {
          ran = true;
          stop.run();
        }
      }
    };
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> once.run());
      } catch (IllegalArgumentException e) {
        LOG.fine(() -> "cannot handle SIG" + name + ": " + e.getMessage());
      }
    }
  }

  static void configureLogging(String level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler console = new ConsoleHandler();
    console.setFormatter(new StructuredLogFormatter());
    Level l = switch (level.toLowerCase(Locale.ROOT)) {
      case "debug" -> Level.FINE;
      case "warn" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> Level.INFO;
    };
    console.setLevel(l);
    root.setLevel(l);
    root.addHandler(console);
    // Hazelcast is chatty at INFO (a banner and a line per start-up step). Held in a static field: JUL keeps
    // loggers weakly, and a collected logger forgets its level.
    QUIET.setLevel(l.intValue() < Level.WARNING.intValue() ? Level.WARNING : l);
  }
}
