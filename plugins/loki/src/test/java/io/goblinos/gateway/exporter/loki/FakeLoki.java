package io.goblinos.gateway.exporter.loki;

import com.google.protobuf.CodedInputStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.xerial.snappy.Snappy;

/**
 * A stand-in for Loki's push endpoint ({@code POST /loki/api/v1/push}) on 127.0.0.1: decodes the published
 * formats independently of the exporter — {@code logproto.PushRequest} by field number as in grafana/loki
 * pkg/push/push.proto (snappy block compressed), and the JSON body of the HTTP API docs — records what arrived
 * with its tenant, and answers with the status scripted per request (204 by default). Can be stopped and started
 * again on the same port.
 */
final class FakeLoki implements AutoCloseable {
  record Entry(long timeUnixNano, String line, Map<String, String> structuredMetadata) {}

  record Stream(String labels, List<Entry> entries) {}

  record Push(String tenant, String contentType, String contentEncoding, List<Stream> streams) {}

  record Answer(int status, String retryAfter) {
    static final Answer OK = new Answer(204, null);
  }

  private final Vertx vertx = Vertx.vertx();
  private volatile HttpServer server;
  private volatile int port;
  private final AtomicInteger count = new AtomicInteger();
  final List<Push> pushes = new CopyOnWriteArrayList<>();
  final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private volatile IntFunction<Answer> script = n -> Answer.OK;

  FakeLoki() throws Exception {
    start(0);
  }

  synchronized void start(int onPort) throws Exception {
    server = vertx.createHttpServer(new HttpServerOptions().setReuseAddress(true)).requestHandler(this::handle)
        .listen(onPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  synchronized void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  void restart() throws Exception {
    start(port);
  }

  void script(IntFunction<Answer> script) {
    this.script = script;
  }

  int port() {
    return port;
  }

  String url() {
    return "http://127.0.0.1:" + port + "/loki/api/v1/push";
  }

  /** Every entry accepted (2xx), stream by stream. */
  List<Stream> acceptedStreams() {
    List<Stream> out = new ArrayList<>();
    pushes.forEach(p -> out.addAll(p.streams()));
    return out;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      int n = count.getAndIncrement();
      arrivals.add(System.nanoTime());
      if (!req.path().equals("/loki/api/v1/push")) {
        req.response().setStatusCode(404).end("404 page not found");
        return;
      }
      Answer a = script.apply(n);
      if (a.status() >= 300) {
        if (a.retryAfter() != null) {
          req.response().putHeader("Retry-After", a.retryAfter());
        }
        req.response().setStatusCode(a.status()).end("scripted " + a.status());
        return;
      }
      try {
        String type = req.getHeader("Content-Type");
        List<Stream> streams = type != null && type.startsWith("application/json")
            ? json(body) : protobuf(Snappy.uncompress(body.getBytes()));
        pushes.add(new Push(req.getHeader("X-Scope-OrgID"), type, req.getHeader("Content-Encoding"), streams));
        req.response().setStatusCode(a.status()).end();
      } catch (Exception e) {
        req.response().setStatusCode(400).end("cannot decode: " + e);
      }
    });
  }

  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  static List<Stream> protobuf(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    List<Stream> streams = new ArrayList<>();
    int t;
    while ((t = in.readTag()) != 0) {
      if (t != tag(1, 2)) {
        throw new IOException("PushRequest: unexpected tag " + t);
      }
      CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
      String labels = null;
      List<Entry> entries = new ArrayList<>();
      int st;
      while ((st = s.readTag()) != 0) {
        if (st == tag(1, 2)) {
          labels = s.readStringRequireUtf8();
        } else if (st == tag(2, 2)) {
          entries.add(entry(s.readByteArray()));
        } else if (st == tag(3, 0)) {
          s.readUInt64(); // hash: clients do not set it
        } else {
          throw new IOException("StreamAdapter: unexpected tag " + st);
        }
      }
      streams.add(new Stream(labels, entries));
    }
    return streams;
  }

  private static Entry entry(byte[] bytes) throws IOException {
    CodedInputStream e = CodedInputStream.newInstance(bytes);
    long seconds = 0;
    int nanos = 0;
    String line = "";
    Map<String, String> md = new LinkedHashMap<>();
    int t;
    while ((t = e.readTag()) != 0) {
      if (t == tag(1, 2)) {
        CodedInputStream ts = CodedInputStream.newInstance(e.readByteArray());
        int tt;
        while ((tt = ts.readTag()) != 0) {
          if (tt == tag(1, 0)) {
            seconds = ts.readInt64();
          } else if (tt == tag(2, 0)) {
            nanos = ts.readInt32();
          } else {
            throw new IOException("Timestamp: unexpected tag " + tt);
          }
        }
      } else if (t == tag(2, 2)) {
        line = e.readStringRequireUtf8();
      } else if (t == tag(3, 2)) {
        CodedInputStream p = CodedInputStream.newInstance(e.readByteArray());
        String name = "";
        String value = "";
        int pt;
        while ((pt = p.readTag()) != 0) {
          if (pt == tag(1, 2)) {
            name = p.readStringRequireUtf8();
          } else if (pt == tag(2, 2)) {
            value = p.readStringRequireUtf8();
          } else {
            throw new IOException("LabelPairAdapter: unexpected tag " + pt);
          }
        }
        md.put(name, value);
      } else {
        throw new IOException("EntryAdapter: unexpected tag " + t);
      }
    }
    return new Entry(seconds * 1_000_000_000L + nanos, line, md);
  }

  /** {"streams":[{"stream":{...},"values":[["ns","line",{md}]]}]}; labels rendered as Loki would print them. */
  static List<Stream> json(Buffer body) {
    List<Stream> out = new ArrayList<>();
    JsonArray streams = new JsonObject(body).getJsonArray("streams");
    for (int i = 0; i < streams.size(); i++) {
      JsonObject s = streams.getJsonObject(i);
      StringBuilder labels = new StringBuilder("{");
      s.getJsonObject("stream").getMap().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        if (labels.length() > 1) {
          labels.append(", ");
        }
        labels.append(e.getKey()).append("=").append(new JsonArray().add(e.getValue()).encode(), 1,
            new JsonArray().add(e.getValue()).encode().length() - 1);
      });
      labels.append('}');
      List<Entry> entries = new ArrayList<>();
      JsonArray values = s.getJsonArray("values");
      for (int j = 0; j < values.size(); j++) {
        JsonArray v = values.getJsonArray(j);
        Map<String, String> md = new LinkedHashMap<>();
        if (v.size() > 2) {
          v.getJsonObject(2).forEach(e -> md.put(e.getKey(), (String) e.getValue()));
        }
        entries.add(new Entry(Long.parseLong(v.getString(0)), v.getString(1), md));
      }
      out.add(new Stream(labels.toString(), entries));
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
