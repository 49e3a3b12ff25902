package io.goblinos.gateway.receiver.otlp.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A bare HTTP/2 cleartext client (prior knowledge, RFC 9113 §3.3) writing and reading frames on a plain socket, so a
 * test can do what a well-behaved gRPC client never does: open more streams than the server allows, hold a call open
 * without its message, send garbage, truncated or lying gRPC frames, any {@code grpc-encoding}. Only header blocks go
 * through Netty's HPACK coder; framing, the SETTINGS exchange and flow control are done here.
 *
 * <p>A reader thread parses what the server sends: it acknowledges SETTINGS and PING, tracks the send windows, and
 * collects per stream the header blocks, DATA bytes, END_STREAM and RST_STREAM. Waits are bounded (20 s).
 */
final class RawH2c implements AutoCloseable {
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int CONTINUATION = 9;
  static final int FLAG_END_STREAM = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_HEADERS = 0x4;
  static final int FLAG_PADDED = 0x8;
  static final int FLAG_PRIORITY = 0x20;
  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
  /** RST_STREAM / GOAWAY error code REFUSED_STREAM (RFC 9113 §7). */
  static final long REFUSED_STREAM = 0x7;

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final long WAIT_SECONDS = 20;

  private final int port;
  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private final Map<Integer, StreamState> streams = new ConcurrentHashMap<>();
  private final CompletableFuture<Map<Integer, Long>> serverSettings = new CompletableFuture<>();
  private final CompletableFuture<Long> goAway = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Thread reader;
  private int nextStream = 1;
  // flow control of what we send, guarded by "this"
  private long connectionWindow = 65_535;
  private long initialStreamWindow = 65_535;
  private int maxFrameSize = 16_384;

  /** What the server sent on one stream. */
  private static final class StreamState {
    final List<Http2Headers> headerBlocks = new ArrayList<>();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Long rst;
    long window; // guarded by RawH2c.this
  }

  /** The outcome of one stream. */
  record Reply(List<Http2Headers> headerBlocks, byte[] data, Long rstCode, boolean ended) {
    /** {@code grpc-status} from the trailers (or a trailers-only answer); null when none came. */
    Integer grpcStatus() {
      String v = header("grpc-status");
      return v == null ? null : Integer.valueOf(v);
    }

    /** The last value of a header or trailer, searching the trailers first. */
    String header(String name) {
      for (int i = headerBlocks.size() - 1; i >= 0; i--) {
        CharSequence v = headerBlocks.get(i).get(name);
        if (v != null) {
          return v.toString();
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return "Reply[headers=" + headerBlocks + ", data=" + data.length + " bytes, rst=" + rstCode + ", ended=" + ended + "]";
    }
  }

  private RawH2c(int port) throws IOException {
    this.port = port;
    this.socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
    this.reader = new Thread(this::readLoop, "raw-h2c-" + port);
    reader.setDaemon(true);
  }

  /** Connects and sends the connection preface and an empty SETTINGS frame. */
  static RawH2c connect(int port) throws IOException {
    RawH2c c = new RawH2c(port);
    synchronized (c.out) {
      c.out.write(PREFACE);
      c.writeFrame(SETTINGS, 0, 0, new byte[0]);
    }
    c.reader.start();
    return c;
  }

  /** The server's first SETTINGS (already acknowledged), identifier to value. */
  Map<Integer, Long> awaitSettings() throws Exception {
    return serverSettings.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Waits until the server closed the connection; the GOAWAY error code it sent first, or null. */
  Long awaitClosed() throws Exception {
    closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    return goAway.getNow(null);
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** True while the server has neither ended nor reset the stream. */
  boolean isOpen(int stream) {
    return !streams.get(stream).done.isDone();
  }

  /**
   * Opens a gRPC call: the request HEADERS (with {@code extra} metadata, e.g. {@code grpc-encoding}), END_STREAM
   * only when {@code endStream}. Returns the stream id.
   */
  int openCall(String path, Map<String, String> extra, boolean endStream) throws IOException {
    Http2Headers h = new DefaultHttp2Headers()
        .method("POST").scheme("http").path(path).authority("127.0.0.1:" + port)
        .add("content-type", "application/grpc").add("te", "trailers");
    extra.forEach(h::add);
    synchronized (out) {
      int id = nextStream;
      nextStream += 2;
      StreamState s = new StreamState();
      synchronized (this) {
        s.window = initialStreamWindow;
      }
      streams.put(id, s);
      ByteBuf block = Unpooled.buffer();
      try {
        encoder.encodeHeaders(id, h, block);
      } catch (Http2Exception e) {
        throw new IOException(e);
      }
      byte[] bytes = ByteBufUtil.getBytes(block);
      block.release();
      int first = Math.min(bytes.length, maxFrameSize);
      int flags = (endStream ? FLAG_END_STREAM : 0) | (first == bytes.length ? FLAG_END_HEADERS : 0);
      writeFrame(HEADERS, flags, id, java.util.Arrays.copyOfRange(bytes, 0, first));
      for (int off = first; off < bytes.length; off += maxFrameSize) {
        int end = Math.min(bytes.length, off + maxFrameSize);
        writeFrame(CONTINUATION, end == bytes.length ? FLAG_END_HEADERS : 0, id, java.util.Arrays.copyOfRange(bytes, off, end));
      }
      return id;
    }
  }

  /**
   * Sends {@code bytes} as DATA within the server's flow-control windows. Stops early (returning false) when the
   * server ends or resets the stream or closes the connection first, as it may when it refuses a message.
   */
  boolean sendData(int stream, byte[] bytes, boolean endStream) throws Exception {
    StreamState s = streams.get(stream);
    int off = 0;
    do {
      int n;
      synchronized (this) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (bytes.length > off && (connectionWindow <= 0 || s.window <= 0) && !s.done.isDone() && !closed.isDone()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IllegalStateException("no flow-control window on stream " + stream + " within " + WAIT_SECONDS + "s");
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (s.done.isDone() || closed.isDone()) {
          return false;
        }
        n = (int) Math.min(Math.min(bytes.length - off, maxFrameSize), Math.min(connectionWindow, s.window));
        connectionWindow -= n;
        s.window -= n;
      }
      boolean last = off + n == bytes.length;
      synchronized (out) {
        writeFrame(DATA, last && endStream ? FLAG_END_STREAM : 0, stream, java.util.Arrays.copyOfRange(bytes, off, off + n));
      }
      off += n;
    } while (off < bytes.length);
    return true;
  }

  /** A whole unary call: headers, the DATA (ending the stream), then the reply. */
  Reply call(String path, Map<String, String> extra, byte[] body) throws Exception {
    int id = openCall(path, extra, false);
    sendData(id, body, true);
    return awaitEnd(id);
  }

  /** Waits until the server ends or resets the stream, or the connection closes. */
  Reply awaitEnd(int stream) throws Exception {
    StreamState s = streams.get(stream);
    CompletableFuture.anyOf(s.done, closed).get(WAIT_SECONDS, TimeUnit.SECONDS);
    synchronized (s) {
      return new Reply(List.copyOf(s.headerBlocks), s.data.toByteArray(), s.rst, s.done.isDone() && s.rst == null);
    }
  }

  /** A gRPC length-prefixed message (compressed flag, 4-byte big-endian length, bytes). */
  static byte[] grpcFrame(boolean compressed, byte[] message) {
    return ByteBuffer.allocate(5 + message.length).put((byte) (compressed ? 1 : 0)).putInt(message.length).put(message).array();
  }

  // ------------------------------------------------------------------ wire

  private void writeFrame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] header = new byte[9];
    header[0] = (byte) (payload.length >>> 16);
    header[1] = (byte) (payload.length >>> 8);
    header[2] = (byte) payload.length;
    header[3] = (byte) type;
    header[4] = (byte) flags;
    ByteBuffer.wrap(header, 5, 4).putInt(stream);
    synchronized (out) {
      out.write(header);
      out.write(payload);
      out.flush();
    }
  }

  private void readLoop() {
    int headersStream = 0;
    int headersFlags = 0;
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    try {
      while (true) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        ByteBuffer p = ByteBuffer.wrap(payload);
        StreamState s = stream == 0 ? null : streams.get(stream);
        switch (type) {
          case SETTINGS -> {
            if ((flags & FLAG_ACK) == 0) {
              Map<Integer, Long> settings = new TreeMap<>();
              while (p.remaining() >= 6) {
                settings.put(p.getShort() & 0xffff, p.getInt() & 0xffffffffL);
              }
              applySettings(settings);
              writeFrame(SETTINGS, FLAG_ACK, 0, new byte[0]);
              serverSettings.complete(settings);
            }
          }
          case PING -> {
            if ((flags & FLAG_ACK) == 0) {
              writeFrame(PING, FLAG_ACK, 0, payload);
            }
          }
          case WINDOW_UPDATE -> {
            int increment = p.getInt() & 0x7fffffff;
            synchronized (this) {
              if (stream == 0) {
                connectionWindow += increment;
              } else if (s != null) {
                s.window += increment;
              }
              notifyAll();
            }
          }
          case HEADERS, CONTINUATION -> {
            if (type == HEADERS) {
              headersStream = stream;
              headersFlags = flags;
              block.reset();
              int pad = (flags & FLAG_PADDED) != 0 ? p.get() & 0xff : 0;
              if ((flags & FLAG_PRIORITY) != 0) {
                p.position(p.position() + 5);
              }
              block.write(payload, p.position(), p.remaining() - pad);
            } else {
              block.write(payload, 0, payload.length);
            }
            if ((flags & FLAG_END_HEADERS) != 0) {
              // decoded in order even for unknown streams: the HPACK table is per connection
              Http2Headers h = decoder.decodeHeaders(headersStream, Unpooled.wrappedBuffer(block.toByteArray()));
              StreamState hs = streams.get(headersStream);
              if (hs != null) {
                synchronized (hs) {
                  hs.headerBlocks.add(h);
                }
                if ((headersFlags & FLAG_END_STREAM) != 0) {
                  hs.done.complete(null);
                  wake();
                }
              }
            }
          }
          case DATA -> {
            int pad = (flags & FLAG_PADDED) != 0 ? p.get() & 0xff : 0;
            if (s != null) {
              synchronized (s) {
                s.data.write(payload, p.position(), p.remaining() - pad);
              }
            }
            if (length > 0) { // give the window back so the server is never stalled by us
              byte[] inc = ByteBuffer.allocate(4).putInt(length).array();
              writeFrame(WINDOW_UPDATE, 0, 0, inc);
              if ((flags & FLAG_END_STREAM) == 0) {
                writeFrame(WINDOW_UPDATE, 0, stream, inc);
              }
            }
            if (s != null && (flags & FLAG_END_STREAM) != 0) {
              s.done.complete(null);
              wake();
            }
          }
          case RST_STREAM -> {
            if (s != null) {
              s.rst = p.getInt() & 0xffffffffL;
              s.done.complete(null);
              wake();
            }
          }
          case GOAWAY -> {
            p.getInt(); // last stream id
            goAway.complete(p.getInt() & 0xffffffffL);
          }
          default -> {
            // PRIORITY, PUSH_PROMISE (disabled by default on servers), unknown extension frames: ignored
          }
        }
      }
    } catch (IOException | Http2Exception | RuntimeException e) {
      // EOF or reset: the connection is over
    } finally {
      closed.complete(null);
      wake();
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void applySettings(Map<Integer, Long> settings) {
    synchronized (this) {
      Long window = settings.get(SETTINGS_INITIAL_WINDOW_SIZE);
      if (window != null) {
        long delta = window - initialStreamWindow;
        initialStreamWindow = window;
        streams.values().forEach(st -> st.window += delta);
      }
      Long frame = settings.get(SETTINGS_MAX_FRAME_SIZE);
      if (frame != null) {
        maxFrameSize = frame.intValue();
      }
      notifyAll();
    }
  }

  private synchronized void wake() {
    notifyAll();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
