package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;

/** Copies elements by source index into a new tensor of the same storage, for any element type. */
final class Gather {
  private Gather() {}

  static Tensor gather(Tensor x, int[] src, TensorType outType) {
    int n = src.length;
    Object data = x.rawData();
    Object out;
    if (data instanceof float[] a) {
      float[] z = new float[n];
      for (int i = 0; i < n; i++) {
        z[i] = a[src[i]];
      }
      out = z;
    } else if (data instanceof double[] a) {
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = a[src[i]];
      }
      out = z;
    } else if (data instanceof long[] a) {
      long[] z = new long[n];
      for (int i = 0; i < n; i++) {
        z[i] = a[src[i]];
      }
      out = z;
    } else if (data instanceof int[] a) {
      int[] z = new int[n];
      for (int i = 0; i < n; i++) {
        z[i] = a[src[i]];
      }
      out = z;
    } else if (data instanceof short[] a) {
      short[] z = new short[n];
      for (int i = 0; i < n; i++) {
        z[i] = a[src[i]];
      }
      out = z;
    } else {
      byte[] a = (byte[]) data;
      byte[] z = new byte[n];
      for (int i = 0; i < n; i++) {
        z[i] = a[src[i]];
      }
      out = z;
    }
    return Tensor.wrap(outType, out);
  }
}
