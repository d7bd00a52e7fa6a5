package dev.cimc.ir.npy;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} files (one array each).
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, C-order arrays of the dtypes {@code |b1 |i1 |u1
 * <i2 <i4 <i8 <f2 <f4 <f8} and their big-endian twins ({@code >f4}, ..., converted on read), and maps them
 * to {@code bool, i8, u8, i16, i32, i64, f16, f32, f64}. Fortran order is accepted only where it lays out
 * the same bytes as C order (at most one dimension above 1). Anything else, including pickled object
 * arrays, is a {@link CimcException} located at the file. The header's shape is checked against the bytes
 * that follow before anything is allocated for it.
 *
 * <p>Writing produces the bytes {@code numpy.save} produces: format 1.0 (2.0 when the header outgrows
 * 64 KiB), little-endian, C order, header padded to 64 bytes. Element types NumPy lacks are widened to one
 * byte per element: {@code i4}, {@code i2} are written as {@code |i1} and {@code u4}, {@code u2} as
 * {@code |u1}, so they read back as {@code i8} and {@code u8}. Quantization parameters are not stored.
 *
 * <p>Trailing bytes after the data: a file read from a {@link Path} must end where the data ends (extra
 * bytes mean the header's shape does not describe the data, and are an error); reading from an
 * {@link InputStream} consumes exactly one array and leaves the stream after it, so arrays saved one after
 * another can be read in turn, as with {@code numpy.load} on an open file.
 */
public final class NpyFormat {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** The longest header accepted; NumPy itself stops at 10000 characters. */
  static final int MAX_HEADER_BYTES = 1 << 20;

  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private NpyFormat() {}

  /** Reads the one array in {@code file}. */
  public static Tensor read(Path file) {
    Origin origin = Origin.file(file.toString());
    checkReadable(file, origin);
    try (InputStream in = Files.newInputStream(file)) {
      return read(new ByteSource(in, Files.size(file)), origin, true);
    } catch (IOException e) {
      throw readError(origin, e);
    }
  }

  /**
   * Reads one array from {@code in}, leaving the stream just after its data. {@code sourceName} names the
   * input in error messages.
   */
  public static Tensor read(InputStream in, String sourceName) {
    Origin origin = Origin.file(sourceName);
    try {
      return read(new ByteSource(in, -1), origin, false);
    } catch (IOException e) {
      throw readError(origin, e);
    }
  }

  /** Writes {@code t} to {@code file} atomically: either the whole file appears or nothing changes. */
  public static void write(Path file, Tensor t) {
    AtomicFile.write(file, out -> write(out, t));
  }

  /** Writes {@code t} as {@code .npy} bytes to {@code out} (which stays open). */
  public static void write(OutputStream out, Tensor t) throws IOException {
    out.write(NpyHeader.encode(NpyDtype.descrFor(t.elementType()), t.shape()));
    ArrayCodec.encode(t, out);
  }

  /** The {@code .npy} bytes of {@code t}. */
  public static byte[] toBytes(Tensor t) {
    long size = NpyHeader.encode(NpyDtype.descrFor(t.elementType()), t.shape()).length + t.byteSize();
    if (size > NpyHeader.MAX_ELEMENTS) {
      throw new IllegalArgumentException("the .npy bytes of " + t.type() + " take " + size + " bytes, more than an array holds");
    }
    var out = new ByteArrayOutputStream((int) size);
    try {
      write(out, t);
    } catch (IOException e) {
      throw new IllegalStateException("a ByteArrayOutputStream does not fail", e);
    }
    return out.toByteArray();
  }

  /**
   * Reads one array from {@code src}. With {@code wholeInput} and a known size, bytes left after the data
   * are an error.
   */
  static Tensor read(ByteSource src, Origin origin, boolean wholeInput) throws IOException {
    byte[] prefix = new byte[8];
    int n = src.read(prefix, 0, prefix.length);
    if (n == 0) {
      throw origin.error("empty file, expected a NumPy .npy array", null);
    }
    int m = Math.min(n, MAGIC.length);
    if (!Arrays.equals(prefix, 0, m, MAGIC, 0, m)) {
      boolean zip = n >= 4 && Arrays.equals(prefix, 0, 4, ZIP_MAGIC, 0, 4);
      throw origin.error("not a .npy file: bad magic bytes",
          zip ? "this looks like a zip archive; an .npz file must be named *.npz"
              : "a .npy file starts with \\x93NUMPY; write it with numpy.save");
    }
    if (n < prefix.length) {
      throw origin.error("truncated header: the input ends after " + n + " bytes", null);
    }
    int major = prefix[6] & 0xFF;
    int minor = prefix[7] & 0xFF;
    if (minor != 0 || major < 1 || major > 3) {
      throw origin.error("unsupported .npy format version " + major + "." + minor, "cimc reads versions 1.0, 2.0 and 3.0");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] lb = new byte[4];
    int got = src.read(lb, 0, lengthBytes);
    if (got < lengthBytes) {
      throw origin.error("truncated header: the input ends after " + (prefix.length + got) + " bytes", null);
    }
    long headerLength = (lb[0] & 0xFF) | (lb[1] & 0xFF) << 8 | (long) (lb[2] & 0xFF) << 16 | (long) (lb[3] & 0xFF) << 24;
    if (headerLength > MAX_HEADER_BYTES) {
      throw origin.error("header of " + headerLength + " bytes exceeds the limit of " + MAX_HEADER_BYTES + " bytes", null);
    }
    if (src.sizeKnown() && src.remaining() < headerLength) {
      throw origin.error("truncated header: expected " + headerLength + " bytes, got " + src.remaining(), null);
    }
    byte[] hb = new byte[(int) headerLength];
    got = src.read(hb, 0, hb.length);
    if (got < hb.length) {
      throw origin.error("truncated header: expected " + headerLength + " bytes, got " + got, null);
    }
    NpyHeader h = NpyHeader.parse(headerText(hb, major, origin), origin);
    long need = h.dataBytes();
    if (src.sizeKnown()) {
      long have = src.remaining();
      if (have < need) {
        throw truncatedData(origin, h, have);
      }
      if (wholeInput && have > need) {
        throw origin.error("unexpected " + (have - need) + " bytes after the array data",
            "the header's shape " + h.shapeText() + " and dtype '" + h.dtype().descr() + "' account for " + need + " bytes");
      }
    }
    Object data = ArrayCodec.decode(src, h.dtype(), (int) h.numel(), have -> truncatedData(origin, h, have));
    return Tensor.wrap(new TensorType(h.dtype().elementType(), h.shape(), null), data);
  }

  private static CimcException truncatedData(Origin origin, NpyHeader h, long have) {
    return origin.error("truncated data: shape " + h.shapeText() + " of '" + h.dtype().descr() + "' needs "
        + h.dataBytes() + " bytes, got " + have, null);
  }

  // Versions 1.0 and 2.0 spell the header in Latin-1, 3.0 in UTF-8.
  private static String headerText(byte[] hb, int major, Origin origin) {
    if (major < 3) {
      return new String(hb, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(hb))
          .toString();
    } catch (CharacterCodingException e) {
      throw origin.error("malformed header: not valid UTF-8", null);
    }
  }

  static void checkReadable(Path file, Origin origin) {
    if (!Files.exists(file)) {
      throw origin.error("cannot read: no such file", null);
    }
    if (Files.isDirectory(file)) {
      throw origin.error("cannot read: is a folder, not a file", null);
    }
  }

  static CimcException readError(Origin origin, IOException e) {
    return origin.error("cannot read: " + AtomicFile.describe(e), null, null, e);
  }
}
