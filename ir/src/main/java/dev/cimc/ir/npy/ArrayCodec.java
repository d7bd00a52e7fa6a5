package dev.cimc.ir.npy;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongFunction;

/** Converts between the raw bytes of a {@code .npy} payload and the primitive arrays of a {@link Tensor}, in bulk. */
final class ArrayCodec {
  private ArrayCodec() {}

  /**
   * Reads {@code count} elements. When the source size is known (and was checked to hold them) the array is
   * allocated at once; otherwise it grows as data arrives, so a header claiming a huge shape over a short
   * stream fails with {@code truncated} instead of allocating for the claim.
   *
   * @param truncated builds the error for an input that ends early, given the data bytes read
   */
  static Object decode(ByteSource src, NpyDtype dtype, int count, LongFunction<CimcException> truncated)
      throws IOException {
    ElementType.Storage storage = dtype.elementType().storage();
    int item = dtype.itemSize();
    int capacity = src.sizeKnown() ? count : Math.min(count, ByteSource.CHUNK / item);
    Object array = newArray(storage, capacity);
    byte[] buf = item == 1 ? null : new byte[(int) Math.min((long) count * item, ByteSource.CHUNK)];
    int filled = 0;
    while (filled < count) {
      if (filled == capacity) {
        capacity = (int) Math.min(count, capacity * 2L);
        array = grow(array, capacity);
      }
      if (item == 1) {
        int want = capacity - filled;
        int got = src.read((byte[]) array, filled, want);
        if (got < want) {
          throw truncated.apply(filled + (long) got);
        }
        filled += want;
        continue;
      }
      int n = Math.min(capacity - filled, buf.length / item);
      int got = src.read(buf, 0, n * item);
      if (got < n * item) {
        throw truncated.apply((long) filled * item + got);
      }
      ByteBuffer bb = ByteBuffer.wrap(buf, 0, n * item).order(dtype.order());
      switch (storage) {
        case F64 -> bb.asDoubleBuffer().get((double[]) array, filled, n);
        case F32 -> bb.asFloatBuffer().get((float[]) array, filled, n);
        case I64 -> bb.asLongBuffer().get((long[]) array, filled, n);
        case I32 -> bb.asIntBuffer().get((int[]) array, filled, n);
        case F16, I16 -> bb.asShortBuffer().get((short[]) array, filled, n);
        case I8 -> throw new IllegalStateException("one-byte types are read without a buffer");
      }
      filled += n;
    }
    if (dtype.elementType() == ElementType.BOOL) {
      // NumPy reads any nonzero byte as True; cimc bool tensors hold 0 or 1.
      byte[] b = (byte[]) array;
      for (int i = 0; i < b.length; i++) {
        b[i] = b[i] != 0 ? (byte) 1 : 0;
      }
    }
    return array;
  }

  /** Writes the elements of {@code t} little-endian, one byte per element for the byte-stored types. */
  static void encode(Tensor t, OutputStream out) throws IOException {
    Object data = t.rawData();
    if (data instanceof byte[] b) {
      out.write(b);
      return;
    }
    int count = t.size();
    int item = t.elementType().storageBytes();
    byte[] buf = new byte[(int) Math.min((long) count * item, ByteSource.CHUNK)];
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, buf.length / item);
      ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
      switch (t.elementType().storage()) {
        case F64 -> bb.asDoubleBuffer().put((double[]) data, done, n);
        case F32 -> bb.asFloatBuffer().put((float[]) data, done, n);
        case I64 -> bb.asLongBuffer().put((long[]) data, done, n);
        case I32 -> bb.asIntBuffer().put((int[]) data, done, n);
        case F16, I16 -> bb.asShortBuffer().put((short[]) data, done, n);
        case I8 -> throw new IllegalStateException("one-byte types are written without a buffer");
      }
      out.write(buf, 0, n * item);
      done += n;
    }
  }

  private static Object newArray(ElementType.Storage s, int n) {
    return switch (s) {
      case F64 -> new double[n];
      case F32 -> new float[n];
      case F16, I16 -> new short[n];
      case I64 -> new long[n];
      case I32 -> new int[n];
      case I8 -> new byte[n];
    };
  }

  private static Object grow(Object a, int n) {
    if (a instanceof double[] d) {
      return Arrays.copyOf(d, n);
    } else if (a instanceof float[] f) {
      return Arrays.copyOf(f, n);
    } else if (a instanceof short[] s) {
      return Arrays.copyOf(s, n);
    } else if (a instanceof long[] l) {
      return Arrays.copyOf(l, n);
    } else if (a instanceof int[] i) {
      return Arrays.copyOf(i, n);
    }
    return Arrays.copyOf((byte[]) a, n);
  }
}
