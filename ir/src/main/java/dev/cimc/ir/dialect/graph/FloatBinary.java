package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;

/** Broadcasting elementwise kernels for binary float ops; f32 runs on float arrays, other types via double. */
final class FloatBinary {
  private FloatBinary() {}

  /** The scalar function of a binary op. */
  interface Fn {
    double apply(double a, double b);
  }

  static Tensor apply(Tensor a, Tensor b, TensorType outType, Fn fn) {
    Shape out = outType.shape();
    int n = (int) out.numel();
    long[] sa = Broadcast.strides(a.shape(), out);
    long[] sb = Broadcast.strides(b.shape(), out);
    boolean f32 = outType.elementType() == ElementType.F32 && a.elementType() == ElementType.F32
        && b.elementType() == ElementType.F32;
    if (f32) {
      float[] x = a.floats();
      float[] y = b.floats();
      float[] z = new float[n];
      if (x.length == n && y.length == n) {
        for (int i = 0; i < n; i++) {
          z[i] = (float) fn.apply(x[i], y[i]);
        }
      } else if (y.length == 1 && x.length == n) {
        double c = y[0];
        for (int i = 0; i < n; i++) {
          z[i] = (float) fn.apply(x[i], c);
        }
      } else {
        forEachIndex(out, sa, sb, (i, ia, ib) -> z[i] = (float) fn.apply(x[ia], y[ib]));
      }
      return Tensor.wrap(outType, z);
    }
    double[] z = new double[n];
    forEachIndex(out, sa, sb, (i, ia, ib) -> z[i] = fn.apply(a.getDouble(ia), b.getDouble(ib)));
    return Tensor.fromDoubles(outType, z);
  }

  interface IndexVisitor {
    void visit(int out, int ia, int ib);
  }

  /** Visits every output index with the matching offsets into two broadcast operands. */
  static void forEachIndex(Shape out, long[] sa, long[] sb, IndexVisitor v) {
    int r = out.rank();
    int n = (int) out.numel();
    if (n == 0) {
      return;
    }
    if (r == 0) {
      v.visit(0, 0, 0);
      return;
    }
    int[] idx = new int[r];
    int inner = out.dim(r - 1);
    int sai = (int) sa[r - 1];
    int sbi = (int) sb[r - 1];
    int ia = 0;
    int ib = 0;
    for (int o = 0; o < n; o += inner) {
      int pa = ia;
      int pb = ib;
      for (int j = 0; j < inner; j++) {
        v.visit(o + j, pa, pb);
        pa += sai;
        pb += sbi;
      }
      // odometer over the outer dimensions
      for (int d = r - 2; d >= 0; d--) {
        idx[d]++;
        ia += (int) sa[d];
        ib += (int) sb[d];
        if (idx[d] < out.dim(d)) {
          break;
        }
        ia -= (int) (sa[d] * idx[d]);
        ib -= (int) (sb[d] * idx[d]);
        idx[d] = 0;
      }
    }
  }
}
