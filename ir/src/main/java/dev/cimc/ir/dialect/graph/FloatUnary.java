package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Elementwise unary kernels. Each op hands in its own f32 loop (a separate lambda, so the JIT compiles
 * and vectorizes one loop per op instead of calling through an interface per element) and a scalar
 * double function for f16 and f64.
 */
final class FloatUnary {
  private FloatUnary() {}

  /** An f32 loop writing {@code z[i] = f(x[i])} for i in [from, to). */
  interface Loop {
    void apply(float[] x, float[] z, int from, int to);
  }

  /** Maps a float tensor; {@code grain} is the per-thread chunk that makes a fork worth it. */
  static Tensor map(KernelContext ctx, Tensor x, Loop f32, DoubleUnaryOperator ref, int grain) {
    int n = x.size();
    TensorType type = x.type();
    if (type.elementType() == ElementType.F32) {
      float[] a = x.floats();
      float[] z = new float[n];
      Broadcast.Chunks.run(ctx, n, grain, (from, to) -> f32.apply(a, z, from, to));
      return Tensor.wrap(type, z);
    }
    double[] a = FloatBinary.doubles(x);
    double[] z = new double[n];
    Broadcast.Chunks.run(ctx, n, grain, (from, to) -> {
      for (int i = from; i < to; i++) {
        z[i] = ref.applyAsDouble(a[i]);
      }
    });
    return Tensor.fromDoubles(type, z);
  }

  /** Maps an integer tensor through longs, wrapping results to the element type. */
  static Tensor mapLong(Tensor x, LongUnaryOperator f) {
    long[] a = IntBinary.longs(x);
    long[] z = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      z[i] = f.applyAsLong(a[i]);
    }
    return IntBinary.pack(z, x.type());
  }
}
