/** The {@code audit} picocli command and its subcommands keygen, sign, verify and prove. */
package io.goblinos.gateway.audit.cli;
