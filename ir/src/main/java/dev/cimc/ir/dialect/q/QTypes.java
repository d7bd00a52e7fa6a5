package dev.cimc.ir.dialect.q;

import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.quant.FixedPointMultiplier;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;

/** Type checks and code access shared by the integer ops of the q dialect. */
final class QTypes {
  private QTypes() {}

  /** Relative tolerance when a scale is compared with the product or quotient of others. */
  static final double SCALE_TOLERANCE = 1e-9;

  static TensorType quantized(InferContext ctx, int i, String what) {
    TensorType t = ctx.operand(i);
    if (!t.isQuantized()) {
      throw new InferenceException(what + " must be a quantized integer tensor, got " + t);
    }
    return t;
  }

  static TensorType perTensor(InferContext ctx, int i, String what) {
    TensorType t = quantized(ctx, i, what);
    if (!t.quant().isPerTensor()) {
      throw new InferenceException(what + " must be quantized per tensor, got " + t);
    }
    return t;
  }

  /** A quantized code type of at most 16 bits (activations and weights, not accumulators). */
  static TensorType narrow(InferContext ctx, int i, String what) {
    TensorType t = quantized(ctx, i, what);
    if (t.elementType().bits() > 16) {
      throw new InferenceException(what + " must hold codes of at most 16 bits, got " + t);
    }
    return t;
  }

  /** The declared result, which must be quantized with at most 16-bit codes. */
  static TensorType declaredCodes(InferContext ctx) {
    TensorType r = ctx.declaredResult(0);
    if (!r.isQuantized() || r.elementType().bits() > 16) {
      throw new InferenceException("result type must be quantized with at most 16-bit codes, got " + r);
    }
    return r;
  }

  /** The declared result must be quantized per tensor. */
  static TensorType declaredPerTensor(InferContext ctx) {
    TensorType r = declaredCodes(ctx);
    if (!r.quant().isPerTensor()) {
      throw new InferenceException("result type must be quantized per tensor, got " + r);
    }
    return r;
  }

  static boolean sameScale(double a, double b) {
    return Math.abs(a - b) <= SCALE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }

  /**
   * Checks that {@code multiplier · 2^−(31 + shift)} is the fixed-point form of {@code real} to within one unit
   * of the mantissa.
   */
  static void checkMultiplier(String what, long multiplier, long shift, double real) {
    if (multiplier < 0 || multiplier > Integer.MAX_VALUE) {
      throw new InferenceException(what + ": multiplier " + multiplier + " is not a non-negative int32");
    }
    if (shift < FixedPointMultiplier.MIN_SHIFT || shift > FixedPointMultiplier.MAX_SHIFT) {
      throw new InferenceException(what + ": shift " + shift + " is outside [" + FixedPointMultiplier.MIN_SHIFT + ", "
          + FixedPointMultiplier.MAX_SHIFT + "]");
    }
    double unit = Math.scalb(1.0, (int) -(31 + shift));
    double got = multiplier * unit;
    if (Math.abs(got - real) > unit * (1 + 1e-6)) {
      throw new InferenceException(what + ": multiplier " + multiplier + " with shift " + shift + " is " + got
          + " but the scales give " + real + " (expected " + FixedPointMultiplier.of(real) + ")");
    }
  }

  /** The codes of an integer tensor, widened to int. */
  static int[] codes(Tensor t) {
    if (t.elementType() == ElementType.I32) {
      return t.ints();
    }
    int n = t.size();
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = (int) t.getLong(i);
    }
    return r;
  }

  /** Product of the dimensions after {@code axis}: how many consecutive elements share a channel. */
  static int inner(TensorType t, int axis) {
    int inner = 1;
    for (int d = axis + 1; d < t.rank(); d++) {
      inner *= t.dim(d);
    }
    return inner;
  }

  /** Saturates {@code v} to the range of {@code et}. */
  static long saturate(long v, ElementType et) {
    return Math.max(et.minValue(), Math.min(et.maxValue(), v));
  }

  /** Per-axis or per-tensor parameters of an i32 accumulator with these scales and zero points 0. */
  static QuantParams accumulator(int axis, double[] scales) {
    return axis == QuantParams.PER_TENSOR ? QuantParams.perTensor(scales[0], 0)
        : QuantParams.perAxis(axis, scales, new long[scales.length]);
  }
}
