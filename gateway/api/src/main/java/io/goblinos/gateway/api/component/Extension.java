package io.goblinos.gateway.api.component;

/** A service other components look up through {@link Host#extension}: authenticators, storage, ... */
public interface Extension extends Component {}
