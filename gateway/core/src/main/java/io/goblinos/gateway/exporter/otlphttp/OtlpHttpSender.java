package io.goblinos.gateway.exporter.otlphttp;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.goblinos.gateway.exporter.sending.ExporterHttpClients;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.exporter.sending.ExportException;
import io.goblinos.gateway.exporter.sending.RetryAfter;
import io.goblinos.gateway.exporter.sending.RpcStatus;
import io.goblinos.gateway.exporter.sending.SendResult;
import io.goblinos.gateway.exporter.sending.Sender;
import io.goblinos.gateway.otlp.OtlpJson;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * One OTLP/HTTP POST per request (OTLP specification, "OTLP/HTTP Response"): 2xx is success, with partial_success
 * read from the body; 429, 502, 503 and 504 are retryable, honouring Retry-After; every other status is permanent.
 * The error text comes from the {@code google.rpc.Status} body.
 */
final class OtlpHttpSender<T extends Message> implements Sender<T> {
  private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();
  private static final int MAX_ERROR_TEXT = 512;

  private final ComponentContext context;
  private final OtlpHttpExporterConfig config;
  private final Signal<T> signal;
  private final String url;
  private final boolean json;
  private HttpClient client;

  OtlpHttpSender(ComponentContext context, OtlpHttpExporterConfig config, Signal<T> signal) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.url = config.url(signal);
    this.json = config.encoding().equals("json");
  }

  @Override
  public Future<Void> start(Host host) {
    if (url == null) {
      return Future.failedFuture(new IllegalArgumentException("exporters::" + context.id() + "::endpoint: no URL for "
          + signal.name() + ": set endpoint or " + signal.name() + "_endpoint, or " + OtlpHttpExporterFactory.ENV_ENDPOINT));
    }
    try {
      client = ExporterHttpClients.create(
          context, url, config.helper().timeout(), config.tls(), config.helper().queue().numConsumers(), true);
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("exporters::" + context.id() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public Future<SendResult> send(T request) {
    byte[] body = json ? OtlpJson.encode(request) : request.toByteArray();
    String encoding = config.compression();
    byte[] payload = switch (encoding) {
      case "gzip" -> gzip(body);
      case "zstd" -> Zstd.compress(body);
      default -> body;
    };
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url);
    long timeoutMs = config.helper().timeout().toMillis();
    if (timeoutMs > 0) {
      ro.setIdleTimeout(timeoutMs);
    }
    ro.putHeader(HttpHeaders.CONTENT_TYPE, json ? "application/json" : "application/x-protobuf");
    ro.putHeader(HttpHeaders.USER_AGENT, "goblin-gateway");
    if (!encoding.equals("none")) {
      ro.putHeader(HttpHeaders.CONTENT_ENCODING, encoding);
    }
    config.headers().forEach(ro::putHeader);
    return client.request(ro)
        .compose(req -> req.send(Buffer.buffer(payload)))
        .compose(resp -> resp.body().map(b -> answer(resp, b)));
  }

  private SendResult answer(HttpClientResponse resp, Buffer body) {
    int status = resp.statusCode();
    String contentType = resp.getHeader(HttpHeaders.CONTENT_TYPE);
    boolean jsonBody = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
    if (status >= 200 && status < 300) {
      return partialSuccess(body, jsonBody);
    }
    RpcStatus rpc = body.length() == 0 ? null
        : jsonBody ? RpcStatus.parseJson(body.getBytes()) : isProtobuf(contentType) ? RpcStatus.parseProto(body.getBytes()) : null;
    String text = rpc != null && !rpc.message().isEmpty() ? rpc.message() : plain(body);
    String message = "HTTP " + status + " from " + url + (text.isEmpty() ? "" : ": " + text);
    if (status == 429 || status == 502 || status == 503 || status == 504) {
      Duration retryAfter = RetryAfter.parse(resp.getHeader(HttpHeaders.RETRY_AFTER));
      if (retryAfter == null && rpc != null) {
        retryAfter = rpc.retryDelay();
      }
      throw ExportException.retryable(message, retryAfter);
    }
    throw ExportException.permanent(message);
  }

  private SendResult partialSuccess(Buffer body, boolean jsonBody) {
    if (body.length() == 0) {
      return SendResult.OK;
    }
    Message.Builder b = OtlpPartialSuccess.emptyResponse(signal).newBuilderForType();
    try {
      if (jsonBody) {
        JSON.merge(body.toString(StandardCharsets.UTF_8), b);
      } else {
        b.mergeFrom(body.getBytes());
      }
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return SendResult.OK; // accepted; an unreadable body does not undo that
    }
    return OtlpPartialSuccess.of(b.build());
  }

  private static boolean isProtobuf(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("protobuf");
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

  private static byte[] gzip(byte[] body) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
      try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
        gz.write(body);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
