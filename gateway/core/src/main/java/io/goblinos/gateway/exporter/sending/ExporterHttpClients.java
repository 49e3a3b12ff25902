package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.component.ComponentContext;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;

/** The HTTP client options and clients every HTTP-based exporter (otlphttp, otlp, Loki, remote write) uses. */
public final class ExporterHttpClients {
  private ExporterHttpClients() {}

  /**
   * Options with a connect timeout of the exporter's {@code timeout} (at least 1s) and the {@code tls} block applied.
   * Throws IllegalArgumentException when the TLS files cannot be used.
   */
  public static HttpClientOptions options(
      ComponentContext context, Duration timeout, ClientTlsSettings tls, boolean useTls) {
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1000, timeout.toMillis())));
    tls.apply(options, useTls, context);
    return options;
  }

  /**
   * A keep-alive client for {@code url} (TLS when its scheme is https) with at most {@code poolSize} connections.
   */
  public static HttpClient create(
      ComponentContext context, String url, Duration timeout, ClientTlsSettings tls, int poolSize, boolean decompress) {
    boolean useTls = "https".equalsIgnoreCase(URI.create(url).getScheme());
    HttpClientOptions options = options(context, timeout, tls, useTls).setKeepAlive(true).setDecompressionSupported(decompress);
    int pool = Math.max(1, poolSize);
    return context.vertx().createHttpClient(options, new PoolOptions().setHttp1MaxSize(pool).setHttp2MaxSize(pool));
  }
}
