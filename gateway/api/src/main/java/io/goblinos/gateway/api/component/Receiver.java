package io.goblinos.gateway.api.component;

/** Brings data into the gateway and hands it to its {@link NextConsumers}. */
public interface Receiver extends Component {}
