package io.goblinos.gateway.receiver;

import com.github.luben.zstd.ZstdInputStream;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Request-body decompression that stops at a size limit, so that a compression bomb costs at most {@code limit}
 * bytes of memory. Supported encodings: identity, gzip, deflate (zlib), zstd.
 */
public final class BoundedBody {

  /** Thrown when the decompressed body would exceed the limit (answered 413). */
  public static final class TooLargeException extends Exception {
    public TooLargeException(String message) {
      super(message);
    }
  }

  /** Thrown for an unknown encoding (415) or corrupt compressed data (400). */
  public static final class BadEncodingException extends Exception {
    private final boolean unsupported;

    public BadEncodingException(String message, boolean unsupported) {
      super(message);
      this.unsupported = unsupported;
    }

    public boolean unsupported() {
      return unsupported;
    }
  }

  private BoundedBody() {}

  /** True for the Content-Encoding values this receiver decodes (null means identity). */
  public static boolean supported(String contentEncoding) {
    String e = normalize(contentEncoding);
    return e.equals("identity") || e.equals("gzip") || e.equals("deflate") || e.equals("zstd");
  }

  /**
   * Decodes {@code body} per {@code contentEncoding}.
   *
   * @param limit the largest decompressed size accepted, in bytes
   * @param maxRatio the largest decompressed/compressed ratio accepted (0 = no ratio check)
   */
  public static byte[] decode(Buffer body, String contentEncoding, long limit, int maxRatio)
      throws TooLargeException, BadEncodingException {
    return decode(body.getBytes(), contentEncoding, limit, maxRatio);
  }

  /**
   * As {@link #decode(Buffer, String, long, int)}, for a body already in an array: an identity body is returned as
   * is (not copied).
   */
  public static byte[] decode(byte[] body, String contentEncoding, long limit, int maxRatio)
      throws TooLargeException, BadEncodingException {
    String encoding = normalize(contentEncoding);
    if (encoding.equals("identity")) {
      if (body.length > limit) {
        throw new TooLargeException("request body of " + body.length + " bytes is over the limit of " + limit + " bytes");
      }
      return body;
    }
    byte[] compressed = body;
    long ratioLimit = maxRatio <= 0 ? Long.MAX_VALUE : Math.max(1024L, (long) compressed.length * maxRatio);
    long effective = Math.min(limit, ratioLimit);
    try (InputStream in = open(encoding, new ByteArrayInputStream(compressed))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(compressed.length * 4 + 64, 1 << 20));
      byte[] chunk = new byte[16 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(chunk)) > 0) {
        total += n;
        if (total > effective) {
          throw new TooLargeException(total > limit || effective == limit
              ? "decompressed request body is over the limit of " + limit + " bytes"
              : "decompressed request body exceeds " + maxRatio + " times its compressed size of " + compressed.length + " bytes");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new BadEncodingException("cannot decompress " + encoding + " request body: " + e.getMessage(), false);
    }
  }

  private static InputStream open(String encoding, InputStream raw) throws IOException, BadEncodingException {
    return switch (encoding) {
      case "gzip" -> new GZIPInputStream(raw, 16 * 1024);
      case "deflate" -> new InflaterInputStream(raw);
      case "zstd" -> new ZstdInputStream(raw);
      default -> throw new BadEncodingException("unsupported Content-Encoding '" + encoding + "' (supported: gzip, deflate, zstd, identity)", true);
    };
  }

  private static String normalize(String contentEncoding) {
    if (contentEncoding == null || contentEncoding.isBlank()) {
      return "identity";
    }
    return contentEncoding.trim().toLowerCase(Locale.ROOT);
  }
}
