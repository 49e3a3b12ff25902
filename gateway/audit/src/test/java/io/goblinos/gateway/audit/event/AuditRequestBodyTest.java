package io.goblinos.gateway.audit.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import org.junit.jupiter.api.Test;

class AuditRequestBodyTest {
    @Test
    void singleArrayAndNdjson() {
        assertThat(AuditRequestBody.split(" {\"a\":1} ")).containsExactly("{\"a\":1}");
        assertThat(AuditRequestBody.split("[{\"a\":1},{\"b\":2}, 3]")).containsExactly("{\"a\":1}", "{\"b\":2}", "3");
        assertThat(AuditRequestBody.split("{\"a\":1}\n\n{\"b\":2}\r\n")).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThatThrownBy(() -> AuditRequestBody.split("{\"a\":1}\n{oops")).isInstanceOf(InvalidJsonException.class).hasMessageStartingWith("NDJSON line 2: ");
        assertThatThrownBy(() -> AuditRequestBody.split("  ")).hasMessageContaining("body is empty");
    }
}
