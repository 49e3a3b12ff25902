package io.goblinos.gateway.exporter.sending;

import com.google.protobuf.Any;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A decoded {@code google.rpc.Status} (OTLP error bodies, gRPC {@code grpc-status-details-bin}), with the delay of
 * a {@code google.rpc.RetryInfo} detail if it has one. Decoded by hand: no common-protos dependency.
 *
 * @param retryDelay the RetryInfo delay, or null
 */
public record RpcStatus(int code, String message, Duration retryDelay) {

  public static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  /** Decodes the protobuf encoding; null when {@code bytes} is not a Status. */
  public static RpcStatus parseProto(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      int code = 0;
      String message = "";
      Duration delay = null;
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        switch (tag) {
          case 8 -> code = in.readInt32();
          case 18 -> message = in.readStringRequireUtf8();
          case 26 -> {
            Any any = Any.parseFrom(in.readBytes());
            if (RETRY_INFO_TYPE.equals(any.getTypeUrl())) {
              delay = retryDelay(any.getValue().toByteArray());
            }
          }
          default -> {
            if (!in.skipField(tag)) {
              return new RpcStatus(code, message, delay);
            }
          }
        }
      }
      return new RpcStatus(code, message, delay);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Decodes the base64 value of a {@code grpc-status-details-bin} header (padding optional); null if unreadable. */
  public static RpcStatus parseGrpcDetailsHeader(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return parseProto(Base64.getDecoder().decode(value.trim()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Decodes the proto3 JSON encoding; null when {@code bytes} is not such an object. */
  public static RpcStatus parseJson(byte[] bytes) {
    try {
      JsonObject o = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
      int code = o.getValue("code") instanceof Number n ? n.intValue() : 0;
      String message = o.getValue("message") instanceof String s ? s : "";
      Duration delay = null;
      if (o.getValue("details") instanceof JsonArray details) {
        for (Object d : details) {
          if (d instanceof JsonObject detail && RETRY_INFO_TYPE.equals(detail.getString("@type"))) {
            delay = jsonDuration(detail.getValue("retryDelay"));
          }
        }
      }
      return new RpcStatus(code, message, delay);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** {@code google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }} */
  private static Duration retryDelay(byte[] retryInfo) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(retryInfo);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return null;
      }
      if (tag == 10) {
        try {
          com.google.protobuf.Duration d = com.google.protobuf.Duration.parseFrom(in.readBytes());
          return Duration.ofSeconds(Math.max(0, d.getSeconds()), Math.max(0, d.getNanos()));
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
      if (!in.skipField(tag)) {
        return null;
      }
    }
  }

  private static Duration jsonDuration(Object v) {
    if (!(v instanceof String s) || !s.endsWith("s")) {
      return null;
    }
    try {
      double seconds = Double.parseDouble(s.substring(0, s.length() - 1));
      return seconds < 0 ? null : Duration.ofNanos((long) (seconds * 1e9));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
