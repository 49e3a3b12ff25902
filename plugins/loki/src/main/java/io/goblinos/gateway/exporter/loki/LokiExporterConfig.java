package io.goblinos.gateway.exporter.loki;

import io.goblinos.gateway.exporter.sending.ClientTlsSettings;
import io.goblinos.gateway.exporter.sending.ExporterHelperConfig;
import java.util.List;
import java.util.Map;

/**
 * Config of the {@code loki} exporter.
 *
 * @param endpoint the push URL; {@code /loki/api/v1/push} is appended when the URL has no path
 * @param headers sent with every request (values may hold credentials: never logged)
 * @param tenantId sent as {@code X-Scope-OrgID} when not null
 * @param encoding "protobuf" (logproto.PushRequest, snappy) or "json"
 * @param resourceLabels resource attribute keys that become stream labels (sanitized: service.name to service_name)
 * @param attributeLabels log record attribute keys that become stream labels
 */
public record LokiExporterConfig(
    String endpoint,
    Map<String, String> headers,
    String tenantId,
    String encoding,
    List<String> resourceLabels,
    List<String> attributeLabels,
    ClientTlsSettings tls,
    ExporterHelperConfig helper) {

  public static final String PUSH_PATH = "/loki/api/v1/push";
  public static final List<String> DEFAULT_RESOURCE_LABELS =
      List.of("service.name", "service.namespace", "deployment.environment");

  public LokiExporterConfig {
    headers = Map.copyOf(headers);
    resourceLabels = List.copyOf(resourceLabels);
    attributeLabels = List.copyOf(attributeLabels);
  }

  public boolean json() {
    return encoding.equals("json");
  }

  @Override
  public String toString() {
    // header values and the tenant may be credentials: names only
    return "LokiExporterConfig[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", tenant_id="
        + (tenantId == null ? "none" : "set") + ", encoding=" + encoding + ", labels.resource=" + resourceLabels
        + ", labels.attributes=" + attributeLabels + ", tls=" + tls + ", " + helper + "]";
  }
}
