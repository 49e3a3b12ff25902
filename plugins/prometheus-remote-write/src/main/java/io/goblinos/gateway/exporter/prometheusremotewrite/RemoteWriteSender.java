package io.goblinos.gateway.exporter.prometheusremotewrite;

import io.goblinos.gateway.exporter.sending.ExporterHttpClients;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.exporter.sending.ExportException;
import io.goblinos.gateway.exporter.sending.RateLimitedLog;
import io.goblinos.gateway.exporter.sending.RetryAfter;
import io.goblinos.gateway.exporter.sending.SendResult;
import io.goblinos.gateway.exporter.sending.Sender;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.function.Supplier;
import org.xerial.snappy.Snappy;

/**
 * One remote-write POST per shard request: translate, encode the WriteRequest, snappy block format, with the headers
 * of the remote-write 1.0 specification. 2xx is success; 429 and 5xx are retryable (honouring Retry-After); every
 * other status is permanent: the request is dropped, counted by the exporter helper, and a dead-letter line (status,
 * Prometheus' message, the first series) is logged at most once per 10 s.
 */
final class RemoteWriteSender implements Sender<ExportMetricsServiceRequest> {
  static final String REMOTE_WRITE_VERSION = "0.1.0";
  static final String USER_AGENT = "goblin-gateway/" + version();
  private static final int MAX_ERROR_TEXT = 512;
  private static final Logger DEAD_LETTER = Logger.getLogger(RemoteWriteSender.class.getPackageName() + ".deadletter");

  private final ComponentContext context;
  private final PrometheusRemoteWriteConfig config;
  private final MetricTranslator translator;
  private final RateLimitedLog deadLetters;
  private final Supplier<HttpClient> client;

  RemoteWriteSender(ComponentContext context, PrometheusRemoteWriteConfig config, RateLimitedLog deadLetters,
      Supplier<HttpClient> client) {
    this.context = context;
    this.client = client;
    this.config = config;
    this.translator = new MetricTranslator(config.translation());
    this.deadLetters = deadLetters;
  }

  static RateLimitedLog deadLetterLog() {
    return new RateLimitedLog(DEAD_LETTER, 10, TimeUnit.SECONDS);
  }

  /**
   * The HTTP client the shards of one exporter share (pool of {@code poolSize} connections; each shard has at most
   * one request in flight).
   */
  static HttpClient createClient(ComponentContext context, PrometheusRemoteWriteConfig config, int poolSize) {
    if (config.endpoint() == null) {
      throw new IllegalArgumentException(
          "exporters::" + context.id() + "::endpoint: " + PrometheusRemoteWriteExporterFactory.MISSING_ENDPOINT);
    }
    return ExporterHttpClients.create(context, config.endpoint(), config.helper().timeout(), config.tls(), poolSize, false);
  }

  @Override
  public Future<SendResult> send(ExportMetricsServiceRequest request) {
    WriteRequestBuilder wr = new WriteRequestBuilder();
    translator.translate(request, MetricTranslator.Mode.SHARD, wr);
    if (wr.seriesCount() == 0) {
      return Future.succeededFuture(SendResult.OK);
    }
    byte[] payload;
    try {
      payload = Snappy.compress(wr.encode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.endpoint());
    long timeoutMs = config.helper().timeout().toMillis();
    if (timeoutMs > 0) {
      ro.setIdleTimeout(timeoutMs);
    }
    ro.putHeader(HttpHeaders.CONTENT_ENCODING, "snappy");
    ro.putHeader(HttpHeaders.CONTENT_TYPE, "application/x-protobuf");
    ro.putHeader("X-Prometheus-Remote-Write-Version", REMOTE_WRITE_VERSION);
    ro.putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
    config.headers().forEach(ro::putHeader);
    return client.get().request(ro)
        .compose(req -> req.send(Buffer.buffer(payload)))
        .compose(resp -> resp.body().map(b -> answer(resp, b, wr)));
  }

  private SendResult answer(HttpClientResponse resp, Buffer body, WriteRequestBuilder wr) {
    int status = resp.statusCode();
    if (status >= 200 && status < 300) {
      return SendResult.OK;
    }
    String text = plain(body);
    String message = "HTTP " + status + " from " + config.endpoint() + (text.isEmpty() ? "" : ": " + text);
    if (status == 429 || status >= 500) {
      Duration retryAfter = RetryAfter.parse(resp.getHeader(HttpHeaders.RETRY_AFTER));
      throw ExportException.retryable(message, retryAfter);
    }
    List<WriteRequestBuilder.Series> series = wr.series();
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < Math.min(3, series.size()); i++) {
      first.append(i == 0 ? "" : ", ").append(describe(series.get(i)));
    }
    deadLetters.log(Level.WARNING, "exporter " + context.id() + " dead letter: " + message + "; dropped "
        + wr.seriesCount() + " series / " + wr.sampleCount() + " samples, first: " + first);
    throw ExportException.permanent(message);
  }

  private static String describe(WriteRequestBuilder.Series s) {
    StringBuilder b = new StringBuilder(s.name()).append('{');
    boolean any = false;
    for (int i = 0; i < s.labels.length; i += 2) {
      if (s.labels[i].equals("__name__")) {
        continue;
      }
      b.append(any ? "," : "").append(s.labels[i]).append("=\"").append(s.labels[i + 1]).append('"');
      any = true;
    }
    return b.append('}').toString();
  }

  private static String plain(Buffer body) {
    String s = body.toString(StandardCharsets.UTF_8).strip();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < MAX_ERROR_TEXT; i++) {
      char c = s.charAt(i);
      out.append(Character.isISOControl(c) ? ' ' : c);
    }
    return out.toString();
  }

  private static String version() {
    String v = RemoteWriteSender.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }
}
