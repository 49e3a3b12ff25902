/** Ed25519 keys (BouncyCastle, fast path) and PKCS#8 PEM reading and writing. */
package io.goblinos.gateway.audit.crypto;
