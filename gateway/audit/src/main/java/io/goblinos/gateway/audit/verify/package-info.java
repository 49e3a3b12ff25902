/** Offline, read-only verification and proof building used by the {@code audit} CLI. */
package io.goblinos.gateway.audit.verify;
