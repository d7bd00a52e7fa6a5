package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.tensor.Half;
import dev.cimc.ir.type.ElementType;
import java.util.Arrays;

/**
 * Storage-generic element copies for the data-movement kernels: strided boxes (transpose, slice, pad,
 * concat, split) and per-axis index maps (gather-like pad modes, nearest resize). Contiguous runs go
 * through {@link System#arraycopy}; the rest runs typed loops on the primitive arrays.
 */
final class StridedCopy {
  private StridedCopy() {}

  /** A fresh zeroed array of the storage kind of {@code et}. */
  static Object newArray(ElementType et, int n) {
    return switch (et.storage()) {
      case F64 -> new double[n];
      case F32 -> new float[n];
      case F16, I16 -> new short[n];
      case I64 -> new long[n];
      case I32 -> new int[n];
      case I8 -> new byte[n];
    };
  }

  /**
   * Fills {@code dst} with {@code value} converted to {@code et}: floats round to the type, integers
   * truncate toward zero, bool is {@code value != 0}.
   */
  static void fill(Object dst, ElementType et, double value) {
    if (dst instanceof float[] a) {
      Arrays.fill(a, (float) value);
    } else if (dst instanceof double[] a) {
      Arrays.fill(a, value);
    } else if (dst instanceof long[] a) {
      Arrays.fill(a, (long) value);
    } else if (dst instanceof int[] a) {
      Arrays.fill(a, (int) (long) value);
    } else if (dst instanceof short[] a) {
      Arrays.fill(a, et == ElementType.F16 ? Half.fromFloat((float) value) : (short) (long) value);
    } else {
      byte b = et == ElementType.BOOL ? (byte) (value != 0 ? 1 : 0) : (byte) (long) value;
      Arrays.fill((byte[]) dst, b);
    }
  }

  /**
   * Copies a box of shape {@code dims}: for every index i (row-major), {@code dst[dstPos + Σ i_d·dstStrides_d]
   * = src[srcPos + Σ i_d·srcStrides_d]}. Strides may be negative (reversed slices).
   */
  static void copy(Object src, long srcPos, long[] srcStrides, Object dst, long dstPos, long[] dstStrides,
      int[] dims) {
    int r = dims.length;
    // Drop unit dimensions and merge dimensions that are contiguous in both source and destination.
    int[] d = new int[r];
    long[] ss = new long[r];
    long[] ds = new long[r];
    int m = 0;
    for (int i = 0; i < r; i++) {
      if (dims[i] == 0) {
        return;
      }
      if (dims[i] == 1) {
        continue;
      }
      if (m > 0 && ss[m - 1] == srcStrides[i] * dims[i] && ds[m - 1] == dstStrides[i] * dims[i]) {
        d[m - 1] *= dims[i];
        ss[m - 1] = srcStrides[i];
        ds[m - 1] = dstStrides[i];
        continue;
      }
      d[m] = dims[i];
      ss[m] = srcStrides[i];
      ds[m] = dstStrides[i];
      m++;
    }
    if (m == 0) {
      line(src, (int) srcPos, 1, dst, (int) dstPos, 1, 1);
      return;
    }
    int n = d[m - 1];
    int sInner = (int) ss[m - 1];
    int dInner = (int) ds[m - 1];
    int[] idx = new int[m];
    long sp = srcPos;
    long dp = dstPos;
    while (true) {
      line(src, (int) sp, sInner, dst, (int) dp, dInner, n);
      int k = m - 2;
      while (k >= 0) {
        idx[k]++;
        sp += ss[k];
        dp += ds[k];
        if (idx[k] < d[k]) {
          break;
        }
        sp -= ss[k] * d[k];
        dp -= ds[k] * d[k];
        idx[k] = 0;
        k--;
      }
      if (k < 0) {
        return;
      }
    }
  }

  /**
   * Gathers by per-axis offsets into a contiguous row-major {@code dst}: the element at output index
   * (i_0, ..., i_{r-1}) is {@code src[Σ offsets[d][i_d]]} (offsets already multiplied by the strides).
   */
  static void gather(Object src, int[][] offsets, Object dst) {
    int r = offsets.length;
    if (r == 0) {
      line(src, 0, 1, dst, 0, 1, 1);
      return;
    }
    for (int[] o : offsets) {
      if (o.length == 0) {
        return;
      }
    }
    int[] last = offsets[r - 1];
    int n = last.length;
    boolean contiguous = true;
    for (int j = 1; j < n && contiguous; j++) {
      contiguous = last[j] == last[0] + j;
    }
    int[] idx = new int[r];
    int base = 0;
    for (int k = 0; k < r - 1; k++) {
      base += offsets[k][0];
    }
    int dp = 0;
    while (true) {
      if (contiguous) {
        System.arraycopy(src, base + last[0], dst, dp, n);
      } else {
        gatherLine(src, base, last, dst, dp);
      }
      dp += n;
      int k = r - 2;
      while (k >= 0) {
        int[] ok = offsets[k];
        base -= ok[idx[k]];
        idx[k]++;
        if (idx[k] < ok.length) {
          base += ok[idx[k]];
          break;
        }
        idx[k] = 0;
        base += ok[0];
        k--;
      }
      if (k < 0) {
        return;
      }
    }
  }

  private static void line(Object src, int sp, int ss, Object dst, int dp, int ds, int n) {
    if (ss == 1 && ds == 1) {
      System.arraycopy(src, sp, dst, dp, n);
    } else if (src instanceof float[] a) {
      float[] z = (float[]) dst;
      for (int j = 0; j < n; j++, sp += ss, dp += ds) {
        z[dp] = a[sp];
      }
    } else if (src instanceof double[] a) {
      double[] z = (double[]) dst;
      for (int j = 0; j < n; j++, sp += ss, dp += ds) {
        z[dp] = a[sp];
      }
    } else if (src instanceof long[] a) {
      long[] z = (long[]) dst;
      for (int j = 0; j < n; j++, sp += ss, dp += ds) {
        z[dp] = a[sp];
      }
    } else if (src instanceof int[] a) {
      int[] z = (int[]) dst;
      for (int j = 0; j < n; j++, sp += ss, dp += ds) {
        z[dp] = a[sp];
      }
    } else if (src instanceof short[] a) {
      short[] z = (short[]) dst;
      for (int j = 0; j < n; j++, sp += ss, dp += ds) {
        z[dp] = a[sp];
      }
    } else {
      byte[] a = (byte[]) src;
      byte[] z = (byte[]) dst;
      for (int j = 0; j < n; j++, sp += ss, dp += ds) {
        z[dp] = a[sp];
      }
    }
  }

  private static void gatherLine(Object src, int base, int[] offs, Object dst, int dp) {
    int n = offs.length;
    if (src instanceof float[] a) {
      float[] z = (float[]) dst;
      for (int j = 0; j < n; j++) {
        z[dp + j] = a[base + offs[j]];
      }
    } else if (src instanceof double[] a) {
      double[] z = (double[]) dst;
      for (int j = 0; j < n; j++) {
        z[dp + j] = a[base + offs[j]];
      }
    } else if (src instanceof long[] a) {
      long[] z = (long[]) dst;
      for (int j = 0; j < n; j++) {
        z[dp + j] = a[base + offs[j]];
      }
    } else if (src instanceof int[] a) {
      int[] z = (int[]) dst;
      for (int j = 0; j < n; j++) {
        z[dp + j] = a[base + offs[j]];
      }
    } else if (src instanceof short[] a) {
      short[] z = (short[]) dst;
      for (int j = 0; j < n; j++) {
        z[dp + j] = a[base + offs[j]];
      }
    } else {
      byte[] a = (byte[]) src;
      byte[] z = (byte[]) dst;
      for (int j = 0; j < n; j++) {
        z[dp + j] = a[base + offs[j]];
      }
    }
  }

  /** Row-major strides of {@code dims} as longs. */
  static long[] strides(int[] dims) {
    long[] s = new long[dims.length];
    long acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }
}
