/** RFC 6962 Merkle tree: hasher, append-only tree with proof generation, pure proof verification with got/want errors. */
package io.goblinos.gateway.audit.merkle;
