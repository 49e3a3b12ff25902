package io.goblinos.gateway.receiver;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The one place where failures become OTLP statuses, for HTTP and gRPC alike (OTLP specification, "Failures"):
 *
 * <table>
 *   <tr><th>failure</th><th>HTTP</th><th>gRPC</th><th>sender</th></tr>
 *   <tr><td>bad data ({@link ConsumeException.Kind#PERMANENT})</td><td>400</td><td>INVALID_ARGUMENT</td><td>drops</td></tr>
 *   <tr><td>over a limit ({@link ConsumeException.Kind#THROTTLED})</td><td>429 + Retry-After</td>
 *       <td>RESOURCE_EXHAUSTED + RetryInfo</td><td>retries after the delay</td></tr>
 *   <tr><td>anything else</td><td>503 (+ Retry-After when known)</td><td>UNAVAILABLE</td><td>retries</td></tr>
 *   <tr><td>missing or bad credentials</td><td>401 + WWW-Authenticate</td><td>UNAUTHENTICATED</td><td>drops</td></tr>
 *   <tr><td>valid identity, not allowed</td><td>403</td><td>PERMISSION_DENIED</td><td>drops</td></tr>
 *   <tr><td>per-principal rate limit</td><td>429 + Retry-After</td><td>RESOURCE_EXHAUSTED + RetryInfo</td>
 *       <td>retries after the delay</td></tr>
 *   <tr><td>request not received within {@code read_timeout}</td><td>408 (connection closed)</td>
 *       <td>DEADLINE_EXCEEDED</td><td>retries</td></tr>
 * </table>
 *
 * Authentication failures carry fixed messages that say nothing about which check failed (the reason is counted in
 * {@code gateway_auth_failures_total{reason}} and logged, rate-limited, on the gateway side).
 *
 * The error body is a {@code google.rpc.Status} in the request's encoding, its message naming what was wrong.
 */
public final class StatusMapping {

  /** gRPC status codes used by the gateway. */
  public static final int GRPC_OK = 0;
  public static final int GRPC_INVALID_ARGUMENT = 3;
  public static final int GRPC_RESOURCE_EXHAUSTED = 8;
  public static final int GRPC_UNAUTHENTICATED = 16;
  public static final int GRPC_PERMISSION_DENIED = 7;
  public static final int GRPC_UNAVAILABLE = 14;
  public static final int GRPC_UNIMPLEMENTED = 12;
  public static final int GRPC_DEADLINE_EXCEEDED = 4;

  /** The {@code WWW-Authenticate} value sent with every 401 (RFC 9110 requires one). */
  public static final String WWW_AUTHENTICATE = "Bearer realm=\"goblin-gateway\"";

  /** Default Retry-After for throttling when the component gave none. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  private StatusMapping() {}

  /** A failure as the receivers answer it. */
  public record Failure(int httpStatus, int grpcStatus, String message, Duration retryAfter) {

    /** The Retry-After header value in whole seconds (at least 1), or null. */
    public String retryAfterHeader() {
      if (retryAfter == null) {
        return null;
      }
      long s = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      return Long.toString(s);
    }

    /** A {@code google.rpc.Status} protobuf message, with RetryInfo when a delay is known. */
    public byte[] statusProto() {
      return encodeStatus(grpcStatus, message, retryAfter);
    }

    /** The same status in the proto3 JSON mapping. */
    public JsonObject statusJson() {
      JsonObject o = new JsonObject().put("code", grpcStatus).put("message", message);
      if (retryAfter != null) {
        o.put(
            "details",
            new JsonArray()
                .add(new JsonObject()
                    .put("@type", RETRY_INFO_TYPE)
                    .put("retryDelay", retryAfter.toMillis() / 1000.0 + "s")));
      }
      return o;
    }
  }

  /** Maps any failure of a consumer (or of decoding) to the status the sender gets. */
  public static Failure map(Throwable t) {
    ConsumeException e = ConsumeException.of(t);
    return switch (e.kind()) {
      case PERMANENT -> new Failure(400, GRPC_INVALID_ARGUMENT, e.getMessage(), null);
      case THROTTLED -> new Failure(
          429,
          GRPC_RESOURCE_EXHAUSTED,
          e.getMessage(),
          e.retryAfter() == null ? DEFAULT_RETRY_AFTER : e.retryAfter());
      case UNAVAILABLE -> new Failure(503, GRPC_UNAVAILABLE, e.getMessage(), e.retryAfter());
    };
  }

  /** Missing or bad credentials (401 / UNAUTHENTICATED); the message deliberately says nothing more. */
  public static Failure unauthenticated() {
    return new Failure(401, GRPC_UNAUTHENTICATED, "authentication required", null);
  }

  /** A valid identity that may not send here (403 / PERMISSION_DENIED). */
  public static Failure forbidden() {
    return new Failure(403, GRPC_PERMISSION_DENIED, "permission denied", null);
  }

  /** Over the per-principal rate limit (429 + Retry-After / RESOURCE_EXHAUSTED + RetryInfo). */
  public static Failure rateLimited(Duration retryAfter) {
    return new Failure(429, GRPC_RESOURCE_EXHAUSTED, "rate limit exceeded",
        retryAfter == null ? DEFAULT_RETRY_AFTER : retryAfter);
  }

  /** The request was not received within the read timeout (408 / DEADLINE_EXCEEDED). */
  public static Failure readTimeout(Duration readTimeout) {
    return protocol(408, "request not received within " + readTimeout.toMillis() + "ms");
  }

  /** A failure that is not about the data: 405, 413, 415, 401 ... with the closest gRPC code. */
  public static Failure protocol(int httpStatus, String message) {
    int grpc =
        switch (httpStatus) {
          case 401 -> GRPC_UNAUTHENTICATED;
          case 403 -> GRPC_PERMISSION_DENIED;
          case 408 -> GRPC_DEADLINE_EXCEEDED;
          case 413, 429, 431 -> GRPC_RESOURCE_EXHAUSTED;
          case 404, 405, 415 -> GRPC_UNIMPLEMENTED;
          case 503 -> GRPC_UNAVAILABLE;
          default -> GRPC_INVALID_ARGUMENT;
        };
    return new Failure(httpStatus, grpc, message, null);
  }

  /** Encodes {@code google.rpc.Status{code=1, message=2, details=3 (Any)}} by hand: no common-protos dependency. */
  static byte[] encodeStatus(int code, String message, Duration retryAfter) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      if (code != 0) {
        out.writeInt32(1, code);
      }
      if (message != null && !message.isEmpty()) {
        out.writeString(2, message);
      }
      if (retryAfter != null) {
        com.google.protobuf.Duration delay = com.google.protobuf.Duration.newBuilder()
            .setSeconds(retryAfter.getSeconds())
            .setNanos(retryAfter.getNano())
            .build();
        // google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        CodedOutputStream infoOut = CodedOutputStream.newInstance(info);
        infoOut.writeMessage(1, delay);
        infoOut.flush();
        Any any = Any.newBuilder().setTypeUrl(RETRY_INFO_TYPE).setValue(ByteString.copyFrom(info.toByteArray())).build();
        out.writeMessage(3, any);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
