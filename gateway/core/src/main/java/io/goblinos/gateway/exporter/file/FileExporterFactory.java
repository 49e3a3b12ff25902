package io.goblinos.gateway.exporter.file;

import com.google.protobuf.Message;
import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Exporter;
import io.goblinos.gateway.api.component.ExporterFactory;
import io.goblinos.gateway.api.config.ConfigNode;
import io.goblinos.gateway.api.signal.Signal;
import java.util.Set;

/** The {@code file} exporter: one line of OTLP/JSON per export request, per signal, with size-based rotation. */
public final class FileExporterFactory implements ExporterFactory<FileExporterConfig> {

  @Override
  public String type() {
    return "file";
  }

  @Override
  public Set<Signal<?>> signals() {
    return Set.of(Signal.TRACES, Signal.METRICS, Signal.LOGS);
  }

  @Override
  public FileExporterConfig parseConfig(ConfigNode node) {
    return FileExporterConfig.parse(node);
  }

  @Override
  public <T extends Message> Exporter<T> create(ComponentContext context, FileExporterConfig config, Signal<T> signal) {
    return new FileExporter<>(context, config, signal);
  }
}
