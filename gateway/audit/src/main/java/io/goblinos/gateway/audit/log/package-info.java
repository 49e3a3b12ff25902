/**
 * The facade the gateway core calls: {@link io.goblinos.gateway.audit.log.AuditLog}.
 *
 * <pre>
 * AuditLog log = AuditLog.open(AuditLogConfig.builder(keysFile).directory(dir).origin(origin).build());
 * log.recoveryReport();           // log once at start if repaired()
 * log.gatewayVerifierKey();       // print at start when log.signingKeyGenerated()
 * List&lt;SubmitResult&gt; r = log.submit(AuditRequestBody.split(body), principal);   // worker thread
 * log.checkpointIfGrown();        // every audit.checkpoint_interval, then
 * log.selfCheck();                // problems -&gt; gateway_audit_verification_failures_total, degraded
 * log.latestCheckpoint(); log.proveInclusion(id); log.proveConsistency(from, to);   // read API
 * log.close();                    // at shutdown: final checkpoint, clean index
 * </pre>
 *
 * All methods block and are thread-safe; never call them on an event loop.
 */
package io.goblinos.gateway.audit.log;
