package io.goblinos.gateway.extension.filestorage;

import io.goblinos.gateway.api.component.ComponentContext;
import io.goblinos.gateway.api.component.Extension;
import io.goblinos.gateway.api.component.ExtensionFactory;
import io.goblinos.gateway.api.config.ConfigNode;

/**
 * The {@code file_storage} extension: persistent sending queues (write-ahead logs) for exporters that say
 * {@code sending_queue: {storage: file_storage}}. See {@link FileStorageExtension}.
 */
public final class FileStorageExtensionFactory implements ExtensionFactory<FileStorageConfig> {

  @Override
  public String type() {
    return "file_storage";
  }

  @Override
  public FileStorageConfig parseConfig(ConfigNode node) {
    return FileStorageConfig.parse(node);
  }

  @Override
  public Extension create(ComponentContext context, FileStorageConfig config) {
    return new FileStorageExtension(context, config);
  }
}
