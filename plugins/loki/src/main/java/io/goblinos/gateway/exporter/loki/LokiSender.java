package io.goblinos.gateway.exporter.loki;

import io.goblinos.gateway.exporter.sending.ExporterHttpClients;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.exporter.sending.ExportException;
import io.goblinos.gateway.exporter.sending.RetryAfter;
import io.goblinos.gateway.exporter.sending.SendResult;
import io.goblinos.gateway.exporter.sending.Sender;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
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
import org.xerial.snappy.Snappy;

/**
 * One push per request. 2xx is success; 429 and 5xx are retryable (honouring Retry-After); any other status is
 * permanent (Loki answers 400 for entries too old, out of order or too long: the valid entries of that push are kept
 * by Loki, the exporter counts the whole request as failed).
 */
final class LokiSender implements Sender<ExportLogsServiceRequest> {
  static final String TENANT_HEADER = "X-Scope-OrgID";
  private static final int MAX_ERROR_TEXT = 512;

  private final ComponentContext context;
  private final LokiExporterConfig config;
  private final LokiStreams translator;
  private HttpClient client;

  LokiSender(ComponentContext context, LokiExporterConfig config) {
    this.context = context;
    this.config = config;
    this.translator = new LokiStreams(config.resourceLabels(), config.attributeLabels());
  }

  @Override
  public Future<Void> start(Host host) {
    if (config.endpoint() == null) {
      return Future.failedFuture(new IllegalArgumentException(
          "exporters::" + context.id() + "::endpoint: " + LokiExporterFactory.MISSING_ENDPOINT));
    }
    try {
      client = ExporterHttpClients.create(context, config.endpoint(), config.helper().timeout(), config.tls(),
          config.helper().queue().numConsumers(), false);
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("exporters::" + context.id() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public Future<SendResult> send(ExportLogsServiceRequest request) {
    List<LokiStreams.Stream> streams = translator.streams(request);
    if (streams.isEmpty()) {
      return Future.succeededFuture(SendResult.OK);
    }
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.endpoint());
    byte[] payload;
    if (config.json()) {
      payload = LokiPush.json(streams);
      ro.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    } else {
      try {
        payload = Snappy.compress(LokiPush.protobuf(streams));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ro.putHeader(HttpHeaders.CONTENT_TYPE, "application/x-protobuf");
      ro.putHeader(HttpHeaders.CONTENT_ENCODING, "snappy");
    }
    long timeoutMs = config.helper().timeout().toMillis();
    if (timeoutMs > 0) {
      ro.setIdleTimeout(timeoutMs);
    }
    ro.putHeader(HttpHeaders.USER_AGENT, "goblin-gateway");
    if (config.tenantId() != null) {
      ro.putHeader(TENANT_HEADER, config.tenantId());
    }
    config.headers().forEach(ro::putHeader);
    return client.request(ro)
        .compose(req -> req.send(Buffer.buffer(payload)))
        .compose(resp -> resp.body().map(b -> answer(resp, b)));
  }

  private SendResult answer(HttpClientResponse resp, Buffer body) {
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
    throw ExportException.permanent(message);
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

  @Override
  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
