package io.goblinos.gateway.auditservice;

import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.audit.event.AuditRequestBody;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.audit.log.AuditLog;
import io.goblinos.gateway.audit.log.AuditLogConfig;
import io.goblinos.gateway.audit.log.ConsistencyProof;
import io.goblinos.gateway.audit.log.SelfCheckResult;
import io.goblinos.gateway.audit.log.SubmitResult;
import io.goblinos.gateway.service.GatewayRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit log inside the gateway: {@code POST /v1/audit} and the read API on every OTLP/HTTP receiver (the read
 * API also on the admin server), audit events carried as OTLP log records, periodic signed checkpoints with a
 * self-check, meters and readiness.
 *
 * <p>Threading: {@link AuditLog} blocks (verification, fsync), so every call goes to the {@code audit} worker
 * executor ({@code workers} threads; concurrent submits share one fsync through the log's group commit). Checkpoints
 * and self-checks run on their own single-thread executor so they never queue behind appends.
 */
public final class AuditService {
  private static final Logger LOG = Logger.getLogger(AuditService.class.getName());
  public static final String SUBMIT_PATH = "/v1/audit";
  public static final String CHECKPOINT_PATH = "/v1/audit/checkpoint";
  public static final String INCLUSION_PATH = "/v1/audit/proof/inclusion";
  public static final String CONSISTENCY_PATH = "/v1/audit/proof/consistency";

  private final AuditSettings settings;
  private final AuditLog log;
  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final WorkerExecutor checkpointer;
  private final AuditMetrics metrics;
  private final Function<HttpServerRequest, String> principalOf;
  private volatile String degraded;
  private long timerId = -1;
  private boolean closed;

  private AuditService(
      AuditSettings settings, AuditLog log, GatewayRuntime runtime, Function<HttpServerRequest, String> principalOf) {
    this.settings = settings;
    this.log = log;
    this.vertx = runtime.vertx();
    this.workers = vertx.createSharedWorkerExecutor("audit", settings.workers());
    this.checkpointer = vertx.createSharedWorkerExecutor("audit-checkpoint", 1);
    this.metrics = new AuditMetrics(runtime.registry(), log::size);
    this.principalOf = principalOf;
  }

  /**
   * Opens the log (blocking: recovery, index, signing key) and wires the service into the runtime before any port
   * opens: endpoints, the OTLP logs tap, the checkpoint timer, readiness and close on shutdown.
   */
  public static AuditService install(
      AuditSettings settings, GatewayRuntime runtime, Path workDir, Function<HttpServerRequest, String> principalOf) {
    AuditLogConfig.Builder b = AuditLogConfig.builder(workDir.resolve(settings.keysFile()).normalize())
        .directory(workDir.resolve(settings.directory()).normalize())
        .origin(settings.origin())
        .maxClockSkew(settings.maxClockSkew());
    if (settings.signingKeyPath() != null) {
      b.signingKeyPath(workDir.resolve(settings.signingKeyPath()).normalize());
    }
    AuditLog log;
    try {
      log = AuditLog.open(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit log in " + settings.directory() + ": " + e.getMessage(), e);
    }
    if (log.recoveryReport().repaired()) {
      LOG.warning(() -> "audit store recovered after an unclean stop: " + log.recoveryReport());
    }
    if (log.signingKeyGenerated()) {
      LOG.warning(() -> "audit: generated a gateway signing key in " + settings.directory()
          + " (set AUDIT_SIGNING_KEY_PATH to use your own); checkpoint verifier key: " + log.gatewayVerifierKey());
    }
    LOG.info(() -> "audit log open: directory=" + settings.directory() + " size=" + log.size()
        + " verifier_key=" + log.gatewayVerifierKey());
    AuditService service = new AuditService(settings, log, runtime, principalOf);
    runtime.gateway().addDataEndpoint(SUBMIT_PATH, service::handleSubmit);
    for (String path : List.of(CHECKPOINT_PATH, INCLUSION_PATH, CONSISTENCY_PATH)) {
      runtime.gateway().addDataEndpoint(path, service::handleRead);
    }
    runtime.gateway().registerAdminEndpoint("/v1/audit/", service::handleRead);
    runtime.gateway().wrapReceiverConsumers(Signal.LOGS, next -> new AuditLogTap(next, service));
    runtime.health().register("audit", () -> service.degraded);
    service.timerId = runtime.vertx().setPeriodic(settings.checkpointInterval().toMillis(), id -> service.checkpoint());
    runtime.onClose(service::close);
    return service;
  }

  /** Submits raw events on the audit workers; counts outcomes by source. */
  Future<List<SubmitResult>> submit(List<String> rawEvents, String receivedBy, String source) {
    return workers.executeBlocking(() -> log.submit(rawEvents, receivedBy), false).onSuccess(results -> {
      long accepted = 0;
      long duplicates = 0;
      for (SubmitResult r : results) {
        switch (r.status()) {
          case ACCEPTED -> accepted++;
          case DUPLICATE -> duplicates++;
          case REJECTED -> metrics.rejected(r.reasonCode());
        }
      }
      metrics.accepted(source, accepted);
      metrics.duplicate(source, duplicates);
    });
  }

  private void handleSubmit(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      req.response().putHeader(HttpHeaders.ALLOW, "POST");
      error(req, 405, "use POST to submit audit events");
      return;
    }
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !type.startsWith("application/json") && !type.startsWith("application/x-ndjson")
        && !type.startsWith("application/jsonl")) {
      error(req, 415, "unsupported Content-Type '" + type + "': send application/json (one event or an array) or application/x-ndjson");
      return;
    }
    String receivedBy = principalOf.apply(req);
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    req.handler(chunk -> {
      if (tooLarge[0]) {
        return;
      }
      if (body.length() + chunk.length() > settings.maxRequestBodySize()) {
        tooLarge[0] = true;
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
        error(req, 413, "audit request body is over the limit of " + settings.maxRequestBodySize() + " bytes");
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (tooLarge[0]) {
        return;
      }
      List<String> events;
      try {
        events = AuditRequestBody.split(body.toString(java.nio.charset.StandardCharsets.UTF_8));
      } catch (InvalidJsonException e) {
        error(req, 400, "malformed audit request body: " + e.getMessage());
        return;
      } catch (RuntimeException e) {
        error(req, 400, "malformed audit request body: " + e.getMessage());
        return;
      }
      submit(events, receivedBy, "http").onComplete(ar -> {
        if (ar.failed()) {
          LOG.log(Level.WARNING, "audit append failed", ar.cause());
          req.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
          error(req, 503, "the audit store cannot append right now; retry");
          return;
        }
        JsonArray rejected = new JsonArray();
        int accepted = 0;
        int duplicates = 0;
        for (SubmitResult r : ar.result()) {
          if (r.acknowledged()) {
            accepted++;
            if (r.status() == SubmitResult.Status.DUPLICATE) {
              duplicates++;
            }
          } else {
            rejected.add(new JsonObject().put("event_id", r.eventId()).put("reason", r.reasonCode()).put("message", r.message()));
          }
        }
        JsonObject out = new JsonObject().put("accepted", accepted).put("duplicates", duplicates).put("rejected", rejected);
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(out.encode());
      });
    });
  }

  private void handleRead(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      req.response().putHeader(HttpHeaders.ALLOW, "GET");
      error(req, 405, "use GET");
      return;
    }
    switch (req.path()) {
      case CHECKPOINT_PATH -> workers.executeBlocking(log::latestCheckpoint, false).onComplete(ar -> {
        if (ar.failed()) {
          error(req, 503, "cannot read the checkpoint: " + ar.cause().getMessage());
        } else if (ar.result().isEmpty()) {
          error(req, 404, "no checkpoint yet: one is signed every " + settings.checkpointInterval().toSeconds() + "s once events arrive");
        } else {
          req.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(ar.result().get());
        }
      });
      case INCLUSION_PATH -> {
        String eventId = req.getParam("event_id");
        if (eventId == null || eventId.isBlank()) {
          error(req, 400, "query parameter event_id is required");
          return;
        }
        workers.executeBlocking(() -> log.proveInclusion(eventId), false).onComplete(ar -> {
          if (ar.failed()) {
            error(req, 503, "cannot build the proof: " + ar.cause().getMessage());
          } else if (ar.result().isEmpty()) {
            error(req, 404, "no event with event_id " + eventId);
          } else {
            req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(ar.result().get().toJson().toString());
          }
        });
      }
      case CONSISTENCY_PATH -> {
        long from;
        long to;
        try {
          from = Long.parseLong(req.getParam("from", ""));
          to = Long.parseLong(req.getParam("to", ""));
        } catch (NumberFormatException e) {
          error(req, 400, "query parameters from and to must be tree sizes (integers)");
          return;
        }
        workers.<ConsistencyProof>executeBlocking(() -> log.proveConsistency(from, to), false).onComplete(ar -> {
          if (ar.failed()) {
            error(req, ar.cause() instanceof IllegalArgumentException ? 400 : 503, ar.cause().getMessage());
          } else {
            req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(ar.result().toJson().toString());
          }
        });
      }
      default -> error(req, 404, "no audit endpoint at " + req.path());
    }
  }

  /** Self-check of what was appended since the previous checkpoint, then a new checkpoint if the tree grew. */
  Future<Void> checkpoint() {
    return checkpointer.<Void>executeBlocking(() -> {
      SelfCheckResult check = log.selfCheck();
      if (!check.ok()) {
        metrics.verificationFailures.increment(check.problems().size());
        degraded = "audit self-check failed: " + check.problems().get(0);
        LOG.severe(() -> "ALERT audit self-check failed: records " + check.fromIndex() + ".." + check.toIndex()
            + " problems=" + check.problems());
      }
      if (log.checkpointIfGrown().isPresent()) {
        metrics.checkpoints.increment();
      }
      return null;
    }, false).onFailure(err -> LOG.log(Level.WARNING, "audit checkpoint failed", err));
  }

  /** Final checkpoint and close, after the receivers have stopped. Blocking; runs once. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    try {
      log.close(); // writes a final checkpoint if the tree grew
      LOG.info(() -> "audit log closed: size=" + log.size());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "audit log close failed", e);
    }
    workers.close();
    checkpointer.close();
  }

  /** The open log, for tests and the benchmark. */
  public AuditLog log() {
    return log;
  }

  static void error(HttpServerRequest req, int status, String message) {
    if (req.response().ended()) {
      return;
    }
    req.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

}
