package dev.cimc.ir.npy;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream with, when known, the number of bytes it holds, so a reader can check a header's
 * claims before allocating for them. Reads go in slices of at most {@link #CHUNK} bytes: a file channel
 * copies through a temporary direct buffer as large as the request, and it should stay small.
 */
final class ByteSource {
  static final int CHUNK = 1 << 20;

  private final InputStream in;
  private final long size;
  private long consumed;

  /** A source of {@code size} bytes, or of an unknown number when {@code size} is negative. */
  ByteSource(InputStream in, long size) {
    this.in = in;
    this.size = size;
  }

  /** Reads {@code len} bytes, fewer only at the end of the input; returns the count read. */
  int read(byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int want = Math.min(CHUNK, len - done);
      int n = in.readNBytes(b, off + done, want);
      done += n;
      if (n < want) {
        break;
      }
    }
    consumed += done;
    return done;
  }

  boolean sizeKnown() {
    return size >= 0;
  }

  /** Bytes not yet read; only meaningful when {@link #sizeKnown()}. */
  long remaining() {
    return size - consumed;
  }
}
