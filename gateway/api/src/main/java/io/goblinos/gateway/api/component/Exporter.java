package io.goblinos.gateway.api.component;

import io.goblinos.gateway.api.consumer.Consumer;

/** Sends data out of the gateway. {@link #consume} completes once the data is queued or delivered. */
public interface Exporter<T> extends Component, Consumer<T> {}
