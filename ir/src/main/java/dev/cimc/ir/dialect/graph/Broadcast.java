package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.type.Shape;

/** Numpy (multidirectional) broadcasting: shapes and the strides that read a broadcast operand. */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast shape of two shapes, or an inference error naming the clashing dimension. */
  public static Shape shape(Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
      int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
      if (da == db || db == 1) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else if (da == Shape.DYNAMIC || db == Shape.DYNAMIC) {
        out[i] = Math.max(da, db);
      } else {
        throw new InferenceException("shapes " + a + " and " + b + " do not broadcast (dimension "
            + (i - r) + ": " + da + " vs " + db + ")");
      }
    }
    return Shape.of(out);
  }

  /**
   * Element strides for reading an operand of shape {@code in} at the indices of {@code out}: 0 along
   * broadcast dimensions, right-aligned.
   */
  public static long[] strides(Shape in, Shape out) {
    int r = out.rank();
    long[] s = new long[r];
    long[] inStrides = in.strides();
    int off = r - in.rank();
    for (int i = 0; i < in.rank(); i++) {
      s[i + off] = in.dim(i) == 1 && out.dim(i + off) != 1 ? 0 : inStrides[i];
    }
    return s;
  }
}
