package io.goblinos.gateway.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.goblinos.gateway.api.signal.Signal;
import io.goblinos.gateway.audit.event.AuditEventParser;
import io.goblinos.gateway.audit.event.AuditRequestBody;
import io.goblinos.gateway.audit.event.EventRejectedException;
import io.goblinos.gateway.audit.jcs.InvalidJsonException;
import io.goblinos.gateway.auth.Principal;
import io.goblinos.gateway.auth.ResourcePrincipal;
import io.goblinos.gateway.auth.SpiffeId;
import io.goblinos.gateway.auth.SpiffeIdPattern;
import io.goblinos.gateway.otlp.OtlpJson;
import io.goblinos.gateway.otlp.OtlpValidation;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz targets over everything that parses untrusted input: OTLP protobuf decoding and validation, OTLP/JSON
 * decoding, request-body decompression, audit request bodies and events, SPIFFE IDs. Each target may only fail with
 * the exception that input documents as bad (answered 400/413/415 or refused); anything else is a crash.
 *
 * <p>In a normal {@code mvn test} run each {@code @FuzzTest} runs in Jazzer's regression mode (short and
 * deterministic), and {@link #seedCorpus} runs every target over the committed seed corpus in
 * {@code src/test/resources/fuzz/<target>/}. To fuzz for real:
 * {@code JAZZER_FUZZ=1 mvn -DbuildDir=target-x test -Dtest=InputFuzzTest#otlpProtobuf} (add an interesting input to
 * the corpus directory when it finds one).
 */
class InputFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void otlpProtobuf(byte[] data) {
    protobuf(data);
  }

  @FuzzTest(maxDuration = "10s")
  void otlpJson(byte[] data) {
    json(data);
  }

  @FuzzTest(maxDuration = "10s")
  void requestBody(byte[] data) {
    body(data);
  }

  @FuzzTest(maxDuration = "10s")
  void auditEvents(byte[] data) {
    audit(data);
  }

  @FuzzTest(maxDuration = "10s")
  void spiffeIds(byte[] data) {
    spiffe(data);
  }

  // ---------------------------------------------------------------- targets

  static void protobuf(byte[] data) {
    for (Signal<?> s : Signal.all()) {
      protobuf(s, data);
    }
  }

  private static <T extends Message> void protobuf(Signal<T> signal, byte[] data) {
    T request;
    try {
      request = signal.parse(data);
    } catch (InvalidProtocolBufferException expected) {
      return;
    }
    OtlpValidation.Validated<T> v = OtlpValidation.validate(signal, request);
    int items = signal.itemCount(v.request());
    assertThat(items).isGreaterThanOrEqualTo(0);
    assertThat(v.rejected()).isGreaterThanOrEqualTo(0);
    T tagged = ResourcePrincipal.apply(signal, v.request(), "fuzz");
    assertThat(signal.itemCount(tagged)).isEqualTo(items);
    T stripped = ResourcePrincipal.apply(signal, tagged, null);
    assertThat(stripped.toString()).doesNotContain(Principal.RESOURCE_ATTRIBUTE);
    if (items > 0) {
      assertThat(signal.split(v.request(), 10)).isNotEmpty();
    }
  }

  static void json(byte[] data) {
    for (Signal<?> s : Signal.all()) {
      try {
        Message m = OtlpJson.decode(data, s.empty().newBuilderForType());
        OtlpJson.encode(m); // what was accepted can be written back
      } catch (OtlpJson.OtlpJsonException expected) {
        // documented: answered 400
      }
    }
  }

  static void body(byte[] data) {
    for (String encoding : List.of("gzip", "deflate", "zstd", "identity")) {
      try {
        byte[] out = BoundedBody.decode(Buffer.buffer(data), encoding, 64 * 1024, 100);
        assertThat(out.length).isLessThanOrEqualTo(64 * 1024);
      } catch (BoundedBody.TooLargeException | BoundedBody.BadEncodingException expected) {
        // documented: 413 / 400
      }
    }
  }

  static void audit(byte[] data) {
    List<String> events;
    try {
      events = AuditRequestBody.split(new String(data, StandardCharsets.UTF_8));
    } catch (InvalidJsonException expected) {
      return; // documented: answered 400
    }
    AuditEventParser parser = new AuditEventParser();
    for (String raw : events) {
      try {
        parser.parse(raw);
      } catch (EventRejectedException expected) {
        assertThat(expected.reason()).isNotNull();
      }
    }
  }

  static void spiffe(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    try {
      SpiffeId id = SpiffeId.parse(text);
      assertThat(SpiffeId.parse(id.toString())).isEqualTo(id);
    } catch (SpiffeId.InvalidSpiffeIdException expected) {
      // refused
    }
    try {
      SpiffeIdPattern.parse(text).matches(new SpiffeId("goblinos.internal", "/ns/a/sa/b"));
    } catch (SpiffeId.InvalidSpiffeIdException expected) {
      // refused
    }
  }

  // ---------------------------------------------------------------- committed corpus, every run

  static Stream<Arguments> seeds() throws IOException, URISyntaxException {
    Path root = Path.of(InputFuzzTest.class.getResource("/fuzz").toURI());
    try (Stream<Path> files = Files.walk(root)) {
      List<Arguments> all = files.filter(Files::isRegularFile).sorted()
          .map(p -> Arguments.of(root.relativize(p).getName(0).toString(), root.relativize(p).toString(), p))
          .toList();
      assertThat(all).hasSizeGreaterThan(30);
      return all.stream();
    }
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("seeds")
  void seedCorpus(String target, String name, Path file) throws IOException {
    byte[] data = Files.readAllBytes(file);
    switch (target) {
      case "protobuf" -> protobuf(data);
      case "json" -> json(data);
      case "body" -> body(data);
      case "audit" -> audit(data);
      case "spiffe" -> spiffe(data);
      default -> throw new IllegalStateException("seed " + name + " has no target: put it under one of"
          + " protobuf, json, body, audit, spiffe");
    }
  }
}
