/**
 * The audit event format: shape checks ({@link io.goblinos.gateway.audit.event.AuditEventParser}), signing
 * ({@link io.goblinos.gateway.audit.event.EventSigner}), verification against the key registry
 * ({@link io.goblinos.gateway.audit.event.EventVerifier}) and the stable reason codes
 * ({@link io.goblinos.gateway.audit.event.RejectReason}).
 */
package io.goblinos.gateway.audit.event;
