package io.goblinos.gateway.extension.apikeyauth;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.auth.ApiKeys;
import io.goblinos.gateway.auth.AuthRequest;
import io.goblinos.gateway.auth.AuthResult;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.auth.ServerAuthenticator;
import io.goblinos.gateway.exporter.sending.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * API keys in {@code x-api-key} or {@code Authorization: Bearer}, checked against the SHA-256 hashes of the keys
 * file ({@link ApiKeys}); the principal is the key's name. Several keys may be valid at once, so a key is rotated by
 * adding the new hash, switching the client, then removing the old hash — without restart: the file is checked once a
 * second (its modification time and size, on a worker thread) and re-read when it changed. A file that fails to parse
 * is ignored (the keys in force stay) and reported in the log and in {@code gateway_auth_keys_reloads_total{result}}.
 *
 * <p>Outcomes: no key header: no credential; an unknown key: 401 ({@code bad_api_key}).
 */
public final class ApiKeyAuthExtension implements Extension, ServerAuthenticator {
  private static final Logger LOG = Logger.getLogger(ApiKeyAuthExtension.class.getName());
  /** How often the keys file is looked at. */
  static final long CHECK_INTERVAL_MS = 1000;

  private final ComponentContext context;
  private final ApiKeyAuthConfig config;
  private final String name;
  private final Path file;
  private final String where;
  private final RateLimitedLog reloadLog = new RateLimitedLog(LOG, 1, TimeUnit.MINUTES);
  private volatile List<ApiKeys.Entry> keys = List.of();
  private volatile Stamp stamp;
  private long timer = -1;
  private boolean checking;
  private boolean stopped;

  /** What identifies a version of the file. */
  private record Stamp(long modifiedNanos, long size, byte[] digest) {}

  ApiKeyAuthExtension(ComponentContext context, ApiKeyAuthConfig config) {
    this.context = context;
    this.config = config;
    this.name = context.id().toString();
    this.file = config.keysFile() == null ? null : context.resolve(config.keysFile());
    this.where = "extensions::" + name + "::keys_file ('" + file + "')";
  }

  @Override
  public synchronized Future<Void> start(Host host) {
    if (file == null) {
      LOG.warning(() -> "extensions::" + name + "::keys_file is not set: no API key will be accepted");
      return Future.succeededFuture();
    }
    Gauge.builder("gateway.auth.keys", this, e -> e.keys.size())
        .description("API keys in force")
        .tag("extension", name)
        .register(context.meters());
    return context.vertx().executeBlocking(() -> {
      Stamp s = stampOf();
      keys = ApiKeys.parse(Files.readAllBytes(file), where);
      stamp = s;
      return null;
    }, false).<Void>mapEmpty().onSuccess(v -> {
      synchronized (this) {
        if (!stopped) {
          timer = context.vertx().setPeriodic(CHECK_INTERVAL_MS, id -> check());
        }
      }
      LOG.info(() -> "extension started: extension=" + name + " keys_file=" + file + " keys=" + keys.size());
    });
  }

  /** Looks at the file now (worker thread) and installs its keys when it changed; true when they were replaced. */
  Future<Boolean> check() {
    synchronized (this) {
      if (checking || stopped) {
        return Future.succeededFuture(false);
      }
      checking = true;
    }
    return context.vertx().<Boolean>executeBlocking(() -> {
      Stamp before = stamp;
      long now = System.currentTimeMillis() * 1_000_000L;
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      long modified = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
      // Same time and size is taken as unchanged, except within 2s of the modification, when a second write in the
      // same clock tick could have kept both: then the content decides.
      boolean recent = now - modified < 2_000_000_000L;
      if (before != null && before.modifiedNanos() == modified && before.size() == a.size() && !recent) {
        return false;
      }
      byte[] content = Files.readAllBytes(file);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
      if (before != null && MessageDigest.isEqual(before.digest(), digest)) {
        stamp = new Stamp(modified, a.size(), digest);
        return false;
      }
      List<ApiKeys.Entry> parsed = ApiKeys.parse(content, where);
      keys = parsed;
      stamp = new Stamp(modified, a.size(), digest);
      return true;
    }, false).onComplete(ar -> {
      synchronized (this) {
        checking = false;
      }
      if (ar.succeeded() && ar.result()) {
        reloads("ok");
        LOG.info(() -> "API keys reloaded: extension=" + name + " keys=" + keys.size());
      } else if (ar.failed()) {
        reloads("failed");
        reloadLog.log(Level.WARNING, "API keys not reloaded, keeping the " + keys.size() + " keys in force: "
            + (ar.cause() instanceof IOException io ? where + ": " + io : ar.cause().getMessage()));
      }
    }).otherwise(false);
  }

  private void reloads(String result) {
    Counter.builder("gateway.auth.keys.reloads").tag("extension", name).tag("result", result)
        .register(context.meters()).increment();
  }

  private Stamp stampOf() throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return new Stamp(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(), digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new IOException(where + ": cannot read: " + e, e);
    }
  }

  @Override
  public synchronized Future<Void> shutdown() {
    stopped = true;
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
      timer = -1;
    }
    return Future.succeededFuture();
  }

  @Override
  public Credentials credentials() {
    return Credentials.REQUEST_HEADERS;
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    String key = ApiKeys.presented(request.headers());
    if (key == null) {
      return AuthResult.noCredentials();
    }
    if (key.isEmpty() || key.length() > ApiKeys.MAX_KEY_LENGTH) {
      return AuthResult.unauthenticated("bad_api_key");
    }
    ApiKeys.Entry e = ApiKeys.match(keys, key);
    return e == null ? AuthResult.unauthenticated("bad_api_key") : AuthResult.authenticated(new Principal(e.name(), name));
  }

  /** The names of the keys in force (for tests and diagnostics; never the hashes). */
  List<String> keyNames() {
    return keys.stream().map(ApiKeys.Entry::name).toList();
  }

  @Override
  public String toString() {
    return "apikeyauth[" + name + ", keys_file=" + file + "]";
  }
}
