package io.goblinos.gateway.processor.resourcedetection;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the detectors look: environment variables, JVM system properties, the host name and the process. The
 * gateway uses {@link #system()}; tests inject their own with {@link #of}. Methods may block (host name lookup):
 * they are only called on a worker thread.
 */
public interface DetectionSource {

  /** The environment variables. */
  Map<String, String> env();

  /** A JVM system property such as {@code os.name}, or null. */
  String systemProperty(String name);

  /** The host name, or null when it cannot be found. May block on a DNS lookup. */
  String hostname();

  /** The process id. */
  long pid();

  /** The path of the process's executable, when known. */
  Optional<String> executablePath();

  /** The real process and host. */
  static DetectionSource system() {
    return new DetectionSource() {
      @Override
      public Map<String, String> env() {
        return System.getenv();
      }

      @Override
      public String systemProperty(String name) {
        return System.getProperty(name);
      }

      @Override
      public String hostname() {
        try {
          return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
          String env = System.getenv("HOSTNAME");
          return env != null && !env.isBlank() ? env : System.getenv("COMPUTERNAME");
        }
      }

      @Override
      public long pid() {
        return ProcessHandle.current().pid();
      }

      @Override
      public Optional<String> executablePath() {
        return ProcessHandle.current().info().command();
      }
    };
  }

  /**
   * A source for tests: the environment from {@code env}, system properties from {@code properties} (falling back
   * to nothing), a fixed host name, pid and executable path.
   */
  static DetectionSource of(
      Supplier<Map<String, String>> env, Map<String, String> properties, String hostname, long pid,
      String executablePath) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(properties, "properties");
    return new DetectionSource() {
      @Override
      public Map<String, String> env() {
        return env.get();
      }

      @Override
      public String systemProperty(String name) {
        return properties.get(name);
      }

      @Override
      public String hostname() {
        return hostname;
      }

      @Override
      public long pid() {
        return pid;
      }

      @Override
      public Optional<String> executablePath() {
        return Optional.ofNullable(executablePath);
      }
    };
  }
}
