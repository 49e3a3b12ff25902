/** The goblin key registry: YAML parsing with path-named errors and reloading on file change. */
package io.goblinos.gateway.audit.keys;
