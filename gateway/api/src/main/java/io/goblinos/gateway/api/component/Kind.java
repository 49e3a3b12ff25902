package io.goblinos.gateway.api.component;

/** The four kinds of component, with their top-level config section. */
public enum Kind {
  RECEIVER("receivers"),
  PROCESSOR("processors"),
  EXPORTER("exporters"),
  EXTENSION("extensions");

  private final String section;

  Kind(String section) {
    this.section = section;
  }

  /** The top-level config key that holds components of this kind, e.g. "receivers". */
  public String section() {
    return section;
  }
}
