package io.goblinos.gateway.api.config;

import java.util.ArrayList;
import java.util.List;

/** Every config problem found, gathered so that all of them are printed at once. Thread-confined (start-up only). */
public final class ConfigErrors {
  private final List<String> messages = new ArrayList<>();

  /** Records "path: message". */
  public void add(String path, String message) {
    messages.add(path + ": " + message);
  }

  public boolean isEmpty() {
    return messages.isEmpty();
  }

  public List<String> messages() {
    return List.copyOf(messages);
  }

  @Override
  public String toString() {
    return String.join("\n", messages);
  }
}
