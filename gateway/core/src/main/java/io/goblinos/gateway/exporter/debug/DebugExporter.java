package io.goblinos.gateway.exporter.debug;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.signal.Signal;
import io.micrometer.core.instrument.Counter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.vertx.core.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs what it receives through the {@code java.util.logging} logger {@value #LOGGER_NAME} at INFO, one log record
 * per request: a summary line ({@code debug exporter: traces: 3 resource spans, 120 spans}) for {@code basic}; plus
 * one line per resource, scope and item for {@code normal}; plus every field for {@code detailed}. Records are
 * sampled per second as in the Collector ({@code sampling_initial}, then one in {@code sampling_thereafter}).
 *
 * <p>The record is formatted and logged on the calling thread, as the Collector's debug exporter does: this is a
 * debugging aid, and {@code detailed} on a busy pipeline costs CPU on the event loop. {@link #consume} always
 * succeeds; items are counted in {@code gateway.exporter.sent.<items>{exporter}}.
 */
public final class DebugExporter<T extends Message> implements Exporter<T> {
  public static final String LOGGER_NAME = "io.goblinos.gateway.exporter.debug";
  private static final Logger LOG = Logger.getLogger(LOGGER_NAME);

  private final ComponentContext context;
  private final DebugConfig config;
  private final Signal<T> signal;
  private final Sampler sampler;
  private final Counter sent;
  private final String prefix;

  public DebugExporter(ComponentContext context, DebugConfig config, Signal<T> signal) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.sampler = new Sampler(config.samplingInitial(), config.samplingThereafter());
    this.sent = Counter.builder("gateway.exporter.sent." + signal.itemName())
        .description("Items sent (for the debug exporter: logged or sampled out)")
        .tag("exporter", context.id().toString())
        .register(context.meters());
    this.prefix = "debug exporter" + (context.id().name().isEmpty() ? "" : " " + context.id()) + ": ";
  }

  @Override
  public Future<Void> start(Host host) {
    LOG.fine(() -> prefix + "started for " + signal + " with verbosity " + config.verbosity().configName());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consume(T data) {
    sent.increment(signal.itemCount(data));
    if (LOG.isLoggable(Level.INFO) && sampler.allow(System.nanoTime())) {
      LOG.info(prefix + format(data));
    }
    return Future.succeededFuture();
  }

  /** The log message for one request, without the prefix. */
  String format(T data) {
    boolean detailed = config.verbosity() == DebugConfig.Verbosity.DETAILED;
    boolean basic = config.verbosity() == DebugConfig.Verbosity.BASIC;
    if (data instanceof ExportTraceServiceRequest r) {
      return basic ? DebugFormatter.summary(r) : DebugFormatter.traces(r, detailed);
    }
    if (data instanceof ExportMetricsServiceRequest r) {
      return basic ? DebugFormatter.summary(r) : DebugFormatter.metrics(r, detailed);
    }
    ExportLogsServiceRequest r = (ExportLogsServiceRequest) data;
    return basic ? DebugFormatter.summary(r) : DebugFormatter.logs(r, detailed);
  }

  /** The Collector's log sampling: per one-second window, the first {@code initial}, then every n-th. */
  static final class Sampler {
    private static final long WINDOW_NANOS = 1_000_000_000L;
    private final int initial;
    private final int thereafter;
    private long windowStart;
    private long count;
    private boolean anyWindow;

    Sampler(int initial, int thereafter) {
      this.initial = initial;
      this.thereafter = thereafter;
    }

    synchronized boolean allow(long nowNanos) {
      if (!anyWindow || nowNanos - windowStart >= WINDOW_NANOS) {
        anyWindow = true;
        windowStart = nowNanos;
        count = 0;
      }
      count++;
      if (count <= initial) {
        return true;
      }
      return (count - initial) % thereafter == 0;
    }
  }
}
