package io.goblinos.gateway.api.component;

import io.vertx.core.Future;

/**
 * Lifecycle shared by receivers, processors, exporters and extensions.
 *
 * <p>Contract (checked for every component by the component contract test): {@link #shutdown()} is safe without
 * {@link #start(Host)} and safe twice; {@code start} is called at most once; after {@code shutdown} completes the
 * component holds no thread, socket or file.
 */
public interface Component {

  /** Opens what the component needs (ports, files, timers). Fails the future on error; never throws. */
  Future<Void> start(Host host);

  /** Stops accepting, flushes what it holds to its next consumer, releases resources. Idempotent. */
  Future<Void> shutdown();
}
