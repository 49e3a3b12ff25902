package io.goblinos.gateway.processor.resource;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Host;
import io.goblinos.gateway.api.component.Processor;
import io.goblinos.gateway.api.consumer.ConsumeException;
import io.goblinos.gateway.api.consumer.Consumer;
import io.goblinos.gateway.api.signal.Signal;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Applies the configured {@link AttributeAction}s, in order, to the resource of every resource entry of every
 * request, then passes the (new) request on. Stateless and thread-safe; a request none of whose resources changes
 * is passed on as is. The consume future is the next consumer's.
 */
public final class ResourceProcessor<T extends Message> implements Processor<T> {
  private static final Logger LOG = Logger.getLogger(ResourceProcessor.class.getName());

  private final ComponentContext context;
  private final ResourceConfig config;
  private final Signal<T> signal;
  private final Consumer<T> next;

  public ResourceProcessor(ComponentContext context, ResourceConfig config, Signal<T> signal, Consumer<T> next) {
    this.context = context;
    this.config = config;
    this.signal = signal;
    this.next = next;
  }

  @Override
  public Future<Void> start(Host host) {
    LOG.fine(() -> "resource processor " + context.id() + " started in pipeline " + context.pipeline() + " with "
        + config.attributes().size() + " action(s)");
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consume(T data) {
    T out;
    try {
      out = config.attributes().isEmpty() ? data : Resources.rewrite(signal, data, this::apply);
    } catch (RuntimeException e) {
      return Future.failedFuture(ConsumeException.of(e));
    }
    return next.consume(out);
  }

  /** The resource after every action; the same instance when no action changed anything. */
  Resource apply(Resource resource) {
    List<KeyValue> attrs = new ArrayList<>(resource.getAttributesList());
    boolean changed = false;
    for (AttributeAction a : config.attributes()) {
      changed |= apply(a, attrs);
    }
    return changed ? resource.toBuilder().clearAttributes().addAllAttributes(attrs).build() : resource;
  }

  private static boolean apply(AttributeAction a, List<KeyValue> attrs) {
    switch (a.action()) {
      case INSERT, UPDATE, UPSERT -> {
        int i = Resources.indexOf(attrs, a.key());
        if (i < 0 && a.action() == AttributeAction.Type.UPDATE || i >= 0 && a.action() == AttributeAction.Type.INSERT) {
          return false;
        }
        AnyValue v = a.value();
        if (a.fromAttribute() != null) {
          int from = Resources.indexOf(attrs, a.fromAttribute());
          if (from < 0) {
            return false;
          }
          v = attrs.get(from).getValue();
        }
        KeyValue kv = KeyValue.newBuilder().setKey(a.key()).setValue(v).build();
        if (i < 0) {
          attrs.add(kv);
        } else {
          attrs.set(i, kv);
        }
        return true;
      }
      case DELETE -> {
        return attrs.removeIf(kv -> a.matches(kv.getKey()));
      }
      case HASH -> {
        boolean changed = false;
        for (int i = 0; i < attrs.size(); i++) {
          KeyValue kv = attrs.get(i);
          if (a.matches(kv.getKey())) {
            attrs.set(i, kv.toBuilder().setValue(Resources.string(sha256(text(kv.getValue())))).build());
            changed = true;
          }
        }
        return changed;
      }
      default -> throw new IllegalStateException("unknown action " + a.action());
    }
  }

  /** The text form used for hashing: strings as they are, other values in a stable text form. */
  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> HexFormat.of().formatHex(v.getBytesValue().toByteArray());
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(ResourceProcessor::text)
          .collect(Collectors.joining(",", "[", "]"));
      case KVLIST_VALUE -> v.getKvlistValue().getValuesList().stream()
          .map(kv -> kv.getKey() + "=" + text(kv.getValue())).collect(Collectors.joining(",", "{", "}"));
      default -> "";
    };
  }

  static String sha256(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
