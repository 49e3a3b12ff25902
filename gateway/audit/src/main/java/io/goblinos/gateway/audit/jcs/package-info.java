/** RFC 8785 JSON Canonicalization Scheme: strict parsing, UTF-16 key order, ECMAScript number and string serialization. */
package io.goblinos.gateway.audit.jcs;
