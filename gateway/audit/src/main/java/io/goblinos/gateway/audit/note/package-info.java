/** C2SP signed-note (Ed25519) and tlog-checkpoint bodies. */
package io.goblinos.gateway.audit.note;
