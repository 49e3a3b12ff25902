package io.goblinos.gateway.loadtest.payload;

/**
 * One pre-encoded request body.
 *
 * @param body the bytes to POST
 * @param items spans, data points or log records in it
 */
public record Payload(byte[] body, int items) {}
