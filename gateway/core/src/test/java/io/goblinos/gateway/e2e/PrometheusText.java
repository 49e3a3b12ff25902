package io.goblinos.gateway.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A minimal reader of the Prometheus text exposition format: samples with their labels, comments skipped. */
final class PrometheusText {
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = samples;
  }

  static PrometheusText parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      String rest;
      if (brace >= 0 && (space < 0 || brace < space)) {
        name = line.substring(0, brace);
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq).trim();
          StringBuilder value = new StringBuilder();
          int j = eq + 2; // past ="
          while (line.charAt(j) != '"') {
            char c = line.charAt(j);
            if (c == '\\') {
              char n = line.charAt(++j);
              value.append(n == 'n' ? '\n' : n);
            } else {
              value.append(c);
            }
            j++;
          }
          labels.put(key, value.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        rest = line.substring(i + 1).trim();
      } else {
        name = line.substring(0, space);
        rest = line.substring(space + 1).trim();
      }
      String number = rest.split("\\s+")[0];
      double value = switch (number) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(number);
      };
      out.add(new Sample(name, Map.copyOf(labels), value));
    }
    return new PrometheusText(out);
  }

  /** Samples of {@code name} whose labels include every given pair ({@code "k", "v", ...}). */
  List<Sample> find(String name, String... labelPairs) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i + 1 < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
          match = false;
          break;
        }
      }
      if (match) {
        out.add(s);
      }
    }
    return out;
  }

  /** The value of the one sample of {@code name} with the given labels, if there is one. */
  Optional<Double> value(String name, String... labelPairs) {
    List<Sample> found = find(name, labelPairs);
    if (found.size() > 1) {
      throw new AssertionError("more than one sample of " + name + " " + List.of(labelPairs) + ": " + found);
    }
    return found.stream().findFirst().map(Sample::value);
  }

  /** The histogram bucket of {@code name}_bucket with upper bound {@code le} and the given labels. */
  Optional<Double> bucket(String name, double le, String... labelPairs) {
    for (Sample s : find(name + "_bucket", labelPairs)) {
      String bound = s.labels().get("le");
      double b = "+Inf".equals(bound) ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      if (b == le) {
        return Optional.of(s.value());
      }
    }
    return Optional.empty();
  }
}
