package io.goblinos.gateway.exporter.sending;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.config.ConfigNode;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code tls} block of client exporters (Collector {@code configtls.ClientConfig}).
 *
 * @param insecure plaintext (gRPC h2c) instead of TLS; used by exporters whose endpoint has no scheme
 * @param caFile PEM CA bundle to trust instead of the JVM's default trust store, or null
 * @param certFile PEM client certificate for mutual TLS, or null
 * @param keyFile PEM private key of {@code certFile}, or null
 * @param insecureSkipVerify TLS without verifying the server's certificate and host name (testing only)
 */
public record ClientTlsSettings(
    boolean insecure, String caFile, String certFile, String keyFile, boolean insecureSkipVerify) {

  public static final ClientTlsSettings DEFAULT = new ClientTlsSettings(false, null, null, null, false);

  public static ClientTlsSettings parse(ConfigNode node) {
    boolean insecure = node.bool("insecure", false);
    String ca = blankToNull(node.string("ca_file", null));
    String cert = blankToNull(node.string("cert_file", null));
    String key = blankToNull(node.string("key_file", null));
    boolean skip = node.bool("insecure_skip_verify", false);
    if ((cert == null) != (key == null)) {
      node.error(cert == null ? "cert_file" : "key_file", "cert_file and key_file must be set together");
    }
    return new ClientTlsSettings(insecure, ca, cert, key, skip);
  }

  /**
   * Configures TLS on {@code options} (when {@code useTls}) and checks that the files exist.
   *
   * @throws IllegalArgumentException naming the file that cannot be read
   */
  public HttpClientOptions apply(HttpClientOptions options, boolean useTls, ComponentContext context) {
    if (!useTls) {
      return options.setSsl(false);
    }
    options.setSsl(true).setUseAlpn(true);
    if (insecureSkipVerify) {
      options.setTrustAll(true).setVerifyHost(false);
    } else if (caFile != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(readable(context, caFile, "tls::ca_file")));
    }
    if (certFile != null && keyFile != null) {
      options.setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(readable(context, certFile, "tls::cert_file"))
          .setKeyPath(readable(context, keyFile, "tls::key_file")));
    }
    return options;
  }

  private static String readable(ComponentContext context, String file, String key) {
    Path p = context.resolve(file);
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(key + ": cannot read '" + p + "'");
    }
    return p.toString();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
