package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;

/**
 * Broadcasting elementwise kernels for binary float ops. f32 runs on float arrays with one tight loop
 * per op and operand layout (so the JIT vectorizes it); f16 and f64 go through doubles.
 */
final class FloatBinary {
  private FloatBinary() {}

  /** The scalar function of a binary op. */
  interface Fn {
    double apply(double a, double b);
  }

  /**
   * Applies {@code op} to float operands broadcast to {@code outType} (whose element type is {@code a}'s).
   * {@code b} may have another numeric type only for {@link Arith#POW}.
   */
  static Tensor apply(KernelContext ctx, Arith op, Tensor a, Tensor b, TensorType outType) {
    var plan = Broadcast.Plan.of(a.shape(), b.shape(), outType.shape());
    int n = plan.size();
    int grain = op == Arith.POW ? Broadcast.Chunks.COSTLY : Broadcast.Chunks.CHEAP;
    if (outType.elementType() == ElementType.F32 && a.elementType() == ElementType.F32) {
      float[] x = a.floats();
      float[] y = b.elementType() == ElementType.F32 ? b.floats() : b.toFloatArray();
      float[] z = new float[n];
      plan.run(ctx, grain, (o, ia, sa, ib, sb, len) -> f32(op, x, ia, sa, y, ib, sb, z, o, len));
      return Tensor.wrap(outType, z);
    }
    double[] x = doubles(a);
    double[] y = doubles(b);
    double[] z = new double[n];
    plan.run(ctx, grain, (o, ia, sa, ib, sb, len) -> {
      for (int i = 0; i < len; i++) {
        z[o + i] = op.apply(x[ia + i * sa], y[ib + i * sb]);
      }
    });
    return Tensor.fromDoubles(outType, z);
  }

  /** A general binary function on any float types (computed in double), for ops without a fast path. */
  static Tensor apply(Tensor a, Tensor b, TensorType outType, Fn fn) {
    var plan = Broadcast.Plan.of(a.shape(), b.shape(), outType.shape());
    double[] x = doubles(a);
    double[] y = doubles(b);
    double[] z = new double[plan.size()];
    plan.forEach(0, plan.size(), (o, ia, sa, ib, sb, len) -> {
      for (int i = 0; i < len; i++) {
        z[o + i] = fn.apply(x[ia + i * sa], y[ib + i * sb]);
      }
    });
    return Tensor.fromDoubles(outType, z);
  }

  /** The elements as doubles: the backing array of an f64 tensor, else a converted copy. */
  static double[] doubles(Tensor t) {
    if (t.rawData() instanceof double[] d) {
      return d;
    }
    double[] d = new double[t.size()];
    if (t.rawData() instanceof float[] f) {
      for (int i = 0; i < d.length; i++) {
        d[i] = f[i];
      }
    } else {
      for (int i = 0; i < d.length; i++) {
        d[i] = t.getDouble(i);
      }
    }
    return d;
  }

  /** One run of f32 elements; steps are 0 (broadcast scalar) or 1. */
  private static void f32(Arith op, float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo, int n) {
    if (xs == 1 && ys == 1) {
      switch (op) {
        case ADD -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] + y[yo + i];
          }
        }
        case SUB -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] - y[yo + i];
          }
        }
        case MUL -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] * y[yo + i];
          }
        }
        case DIV -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] / y[yo + i];
          }
        }
        case POW -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = (float) Math.pow(x[xo + i], y[yo + i]);
          }
        }
        case MIN -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = Math.min(x[xo + i], y[yo + i]);
          }
        }
        case MAX -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = Math.max(x[xo + i], y[yo + i]);
          }
        }
        case PRELU -> {
          for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            z[zo + i] = v < 0 ? v * y[yo + i] : v;
          }
        }
      }
    } else if (xs == 1) {
      float c = y[yo];
      switch (op) {
        case ADD -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] + c;
          }
        }
        case SUB -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] - c;
          }
        }
        case MUL -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] * c;
          }
        }
        case DIV -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = x[xo + i] / c;
          }
        }
        case POW -> {
          if (c == 2f) {
            for (int i = 0; i < n; i++) {
              z[zo + i] = x[xo + i] * x[xo + i];
            }
          } else {
            for (int i = 0; i < n; i++) {
              z[zo + i] = (float) Math.pow(x[xo + i], c);
            }
          }
        }
        case MIN -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = Math.min(x[xo + i], c);
          }
        }
        case MAX -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = Math.max(x[xo + i], c);
          }
        }
        case PRELU -> {
          for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            z[zo + i] = v < 0 ? v * c : v;
          }
        }
      }
    } else if (ys == 1) {
      float c = x[xo];
      switch (op) {
        case ADD -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = c + y[yo + i];
          }
        }
        case SUB -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = c - y[yo + i];
          }
        }
        case MUL -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = c * y[yo + i];
          }
        }
        case DIV -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = c / y[yo + i];
          }
        }
        case POW -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = (float) Math.pow(c, y[yo + i]);
          }
        }
        case MIN -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = Math.min(c, y[yo + i]);
          }
        }
        case MAX -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = Math.max(c, y[yo + i]);
          }
        }
        case PRELU -> {
          for (int i = 0; i < n; i++) {
            z[zo + i] = c < 0 ? c * y[yo + i] : c;
          }
        }
      }
    } else {
      // Float +, -, *, / computed in double and rounded once equal the float operations.
      Arrays.fill(z, zo, zo + n, (float) op.apply(x[xo], y[yo]));
    }
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
