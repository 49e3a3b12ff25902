package io.goblinos.gateway.auth;

import io.goblinos.gateway.exporter.sending.RateLimitedLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A server's TLS: builds the Vert.x options from a {@link ServerTlsConfig} and keeps them current. The PEM files are
 * read on a worker thread, checked (the chain parses, the key parses and belongs to the leaf certificate, the client
 * CAs parse) and handed to Vert.x as values. Every {@code reload_interval} the files are read again; when their
 * content changed and the new material is valid it is installed on every server with
 * {@link HttpServer#updateSSLOptions(ServerSSLOptions, boolean)}: new handshakes use it, established connections keep
 * going. Invalid material (e.g. a certificate written before its key) is ignored until the next check.
 */
public final class ServerTls {
  private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());

  private final Vertx vertx;
  private final ServerTlsConfig config;
  private final Path certPath;
  private final Path keyPath;
  private final Path caPath;
  private final ClientAuth clientAuth;
  private final String configPath;
  private final BiConsumer<String, Boolean> reloadListener;
  private final RateLimitedLog reloadLog = new RateLimitedLog(LOG, 1, TimeUnit.MINUTES);
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private volatile Material current;
  private long timer = -1;
  private boolean checking;

  /** What was read from the files. */
  record Material(
      Buffer cert, Buffer key, Buffer clientCa, TrustManagerFactory clientTrust, String digest, X509Certificate leaf) {}

  /**
   * @param configPath the config path of the tls block, for messages ({@code receivers::otlp::protocols::http::tls})
   * @param reloadListener told ("ok"/"failed" result, changed) after each check that found new content
   */
  public ServerTls(
      Vertx vertx,
      ServerTlsConfig config,
      Path certPath,
      Path keyPath,
      Path caPath,
      ClientAuth clientAuth,
      String configPath,
      BiConsumer<String, Boolean> reloadListener) {
    this.vertx = vertx;
    this.config = config;
    this.certPath = certPath;
    this.keyPath = keyPath;
    this.caPath = caPath;
    this.clientAuth = clientAuth;
    this.configPath = configPath;
    this.reloadListener = reloadListener;
  }

  public ClientAuth clientAuth() {
    return clientAuth;
  }

  /** Reads and checks the files (on a worker thread); fails naming the key and file at fault. */
  public Future<Void> load() {
    return vertx.<Material>executeBlocking(this::read, false).map(m -> {
      current = m;
      if (m.leaf().getNotAfter().getTime() < System.currentTimeMillis()) {
        LOG.warning(() -> configPath + "::cert_file: the certificate '" + certPath + "' expired at " + m.leaf().getNotAfter());
      }
      return null;
    });
  }

  /** Sets TLS on server options (after {@link #load()}). */
  public HttpServerOptions configure(HttpServerOptions options) {
    Material m = current;
    options.setSsl(true)
        .setUseAlpn(true)
        .setKeyCertOptions(keyCert(m))
        .setClientAuth(clientAuth)
        .setEnabledSecureTransportProtocols(config.protocols());
    if (m.clientTrust() != null) {
      options.setTrustOptions(TrustOptions.wrap(m.clientTrust()));
    }
    return options;
  }

  /** The current material as options for {@link HttpServer#updateSSLOptions}. */
  ServerSSLOptions sslOptions() {
    Material m = current;
    ServerSSLOptions o = new ServerSSLOptions()
        .setKeyCertOptions(keyCert(m))
        .setClientAuth(clientAuth)
        .setUseAlpn(true)
        .setEnabledSecureTransportProtocols(config.protocols());
    if (m.clientTrust() != null) {
      o.setTrustOptions(TrustOptions.wrap(m.clientTrust()));
    }
    return o;
  }

  private static PemKeyCertOptions keyCert(Material m) {
    return new PemKeyCertOptions().setCertValue(m.cert()).setKeyValue(m.key());
  }

  /** Adds a started server whose TLS material is to be kept current. */
  public void register(HttpServer server) {
    servers.add(server);
  }

  /** Starts the periodic check (no-op when {@code reload_interval} is 0). */
  public synchronized void startReloading() {
    if (config.reloadInterval().isZero() || timer >= 0) {
      return;
    }
    timer = vertx.setPeriodic(config.reloadInterval().toMillis(), id -> check());
  }

  /** Checks the files now; completes with true when new material was installed. */
  public Future<Boolean> check() {
    synchronized (this) {
      if (checking) {
        return Future.succeededFuture(false);
      }
      checking = true;
    }
    // File reads and PEM parsing stay off the event loop.
    return vertx.<Material>executeBlocking(this::read, false)
        .compose(m -> {
          if (m.digest().equals(current.digest())) {
            return Future.succeededFuture(false);
          }
          current = m;
          ServerSSLOptions options = sslOptions();
          List<Future<Boolean>> updates = new ArrayList<>();
          for (HttpServer s : servers) {
            updates.add(s.updateSSLOptions(options, true));
          }
          return Future.all(updates).map(v -> {
            LOG.info(() -> "TLS material reloaded: " + configPath + " (certificate valid until " + m.leaf().getNotAfter() + ")");
            reloadListener.accept("ok", true);
            return true;
          });
        })
        .recover(err -> {
          reloadLog.log(Level.WARNING, "TLS material not reloaded, keeping the current one: " + err.getMessage());
          reloadListener.accept("failed", false);
          return Future.succeededFuture(false);
        })
        .onComplete(v -> {
          synchronized (this) {
            checking = false;
          }
        });
  }

  public synchronized void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    servers.clear();
  }

  /** Blocking: reads and checks the three files. */
  Material read() throws Exception {
    byte[] cert = readFile(certPath, "cert_file");
    byte[] key = readFile(keyPath, "key_file");
    byte[] ca = caPath == null ? null : readFile(caPath, "client_ca_file");
    List<X509Certificate> chain = certificates(cert, "cert_file", certPath);
    PrivateKey privateKey = privateKey(key);
    if (!belongsTo(privateKey, chain.get(0))) {
      throw new IllegalArgumentException(configPath + "::key_file: the key in '" + keyPath
          + "' does not belong to the first certificate of '" + certPath + "'");
    }
    TrustManagerFactory trust = null;
    if (ca != null) {
      // A trust manager factory of our own (not PemTrustOptions): Vert.x caches SSL contexts by option values, and
      // two servers with equal PEM options but different client-auth modes would otherwise share one context.
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate c : certificates(ca, "client_ca_file", caPath)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
    }
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    d.update(cert);
    d.update((byte) 0);
    d.update(key);
    d.update((byte) 0);
    if (ca != null) {
      d.update(ca);
    }
    return new Material(Buffer.buffer(cert), Buffer.buffer(key), ca == null ? null : Buffer.buffer(ca), trust,
        HexFormat.of().formatHex(d.digest()), chain.get(0));
  }

  private byte[] readFile(Path p, String key) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new IllegalArgumentException(configPath + "::" + key + ": cannot read '" + p + "': " + e, e);
    }
  }

  private List<X509Certificate> certificates(byte[] pem, String key, Path p) {
    try {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : certs) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new CertificateException("no certificate found");
      }
      return out;
    } catch (CertificateException | RuntimeException e) {
      throw new IllegalArgumentException(configPath + "::" + key + ": '" + p + "' is not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  private PrivateKey privateKey(byte[] pem) {
    try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return converter.getPrivateKey(kp.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new IllegalArgumentException("encrypted keys are not supported");
      }
      throw new IllegalArgumentException("no PEM private key found");
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(configPath + "::key_file: '" + keyPath + "' is not a PEM private key: " + e.getMessage(), e);
    }
  }

  /** True when {@code key} signs what the certificate's public key verifies. */
  private static boolean belongsTo(PrivateKey key, X509Certificate cert) throws Exception {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (alg == null) {
      return true; // unknown kind: leave the check to the TLS stack
    }
    byte[] probe = "goblin-gateway key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
      return false;
    }
  }
}
