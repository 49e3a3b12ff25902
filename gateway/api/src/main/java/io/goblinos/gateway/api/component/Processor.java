package io.goblinos.gateway.api.component;

import io.goblinos.gateway.api.consumer.Consumer;

/** Transforms, filters or batches data between receivers and exporters; passes its output to its next consumer. */
public interface Processor<T> extends Component, Consumer<T> {}
