/**
 * Write-once storage: the {@link io.goblinos.gateway.audit.store.AuditStore} contract (group commit via
 * append/awaitDurable), the file implementation, the record and checkpoint line formats, and the on-disk
 * dedupe index.
 */
package io.goblinos.gateway.audit.store;
