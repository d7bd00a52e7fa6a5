package dev.cimc.ir.dialect.q;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.quant.FixedPointMultiplier;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * Integer softmax and layer normalization over the last axis (or {@code axis} for softmax), with exact
 * integer semantics.
 *
 * <p><b>{@code q.softmax(x) {axis, exp_table, multiplier}}</b>, x per tensor with at most 8-bit codes. Along
 * the axis: {@code m = max_k x_k}; {@code e_k = exp_table[m − x_k]} where {@code exp_table[d] =
 * round(2^24 · exp(−s_x · d))} (so {@code exp_table[0] = 2^24}, one entry per code difference); {@code S =
 * Σ e_k}; {@code out_k = sat(z_out + roundingDivide(e_k · N, S · 2^24))} with {@code N = multiplier =
 * round(2^24 / s_out)}. Subtracting the maximum makes every exponent ≤ 0, so the table never overflows;
 * the only approximations are the 24-bit table entries and the 24-bit {@code N}, about 2^−25 relative (a
 * few thousandths of an output LSB for 8-bit outputs, the level of f32 rounding): the codes agree with a
 * float softmax except at near-ties. Every product stays below 2^62: {@code N ≤ 2^38} (output scales down to
 * 2^−14) and rows of at most 2^13 elements.
 *
 * <p><b>{@code q.layer_norm(x) {gamma, beta, shift, epsilon}}</b>, x per tensor, over the last axis of n
 * elements: {@code d_i = x_i − z_x}, {@code S1 = Σ d_i}, {@code S2 = Σ d_i²} and {@code V = n·S2 − S1² +
 * epsilon} (all exact in 64 bits; {@code epsilon = round(n² · ε / s_x²)}, so {@code V = n² (var + ε) / s_x²}).
 * The normalized value {@code (x_i − μ)/σ = (n·d_i − S1)/√V} is computed at {@value #FRAC_BITS} fractional
 * bits as {@code u_i = roundingDivide((n·d_i − S1) · 2^(F+P), isqrt(V · 4^P))} with the exact floor square
 * root and the largest P that keeps every intermediate below 2^62 (P is a function of V and the row, so
 * the result is deterministic); then {@code out_i = sat(z_out + roundingRightShift(u_i · gamma_i + beta_i,
 * F + shift))} with {@code gamma_i = round(γ_i / s_out · 2^shift)} and {@code beta_i = round(β_i / s_out ·
 * 2^(F+shift))}. The approximations: the floor square root (relative error below 2^−P/√V) and the
 * fixed-point γ, β (relative 2^−31 for the largest γ).
 */
final class QNormOps {
  private QNormOps() {}

  /** Fractional bits F of the normalized value inside q.layer_norm. */
  static final int FRAC_BITS = 22;

  /** The scale of the exponentials of q.softmax: exp_table[0] = 2^24. */
  static final int EXP_ONE = 1 << 24;

  /** Longest softmax row: S · 2^24 stays below 2^62. */
  static final int MAX_ROW = 1 << 13;

  static final OpDef SOFTMAX = OpDef.builder("q", "softmax")
      .summary("integer softmax: exp by table of 2^24·exp(−s·d), integer normalization to the declared type")
      .operands("x")
      .attr("axis", AttrKind.INT, Attribute.of(-1L))
      .requiredAttr("exp_table", AttrKind.INTS)
      .requiredAttr("multiplier", AttrKind.INT)
      .traits(Trait.PURE)
      .infer(QNormOps::inferSoftmax)
      .kernel(QNormOps::softmax)
      .build();

  static final OpDef LAYER_NORM = OpDef.builder("q", "layer_norm")
      .summary("integer layer normalization over the last axis: exact moments, floor square root, fixed-point γ and β")
      .operands("x")
      .requiredAttr("gamma", AttrKind.INTS)
      .requiredAttr("beta", AttrKind.INTS)
      .requiredAttr("shift", AttrKind.INT)
      .attr("epsilon", AttrKind.INT, Attribute.of(0L))
      .traits(Trait.PURE)
      .infer(QNormOps::inferLayerNorm)
      .kernel(QNormOps::layerNorm)
      .build();

  static List<OpDef> defs() {
    return List.of(SOFTMAX, LAYER_NORM);
  }

  private static int axis(long axis, TensorType x) {
    long a = axis < 0 ? axis + x.rank() : axis;
    if (a < 0 || a >= x.rank()) {
      throw new InferenceException("axis " + axis + " is out of range for " + x);
    }
    return (int) a;
  }

  private static List<TensorType> inferSoftmax(InferContext ctx) {
    TensorType x = QTypes.perTensor(ctx, 0, "operand");
    if (x.elementType().bits() > 8) {
      throw new InferenceException("operand must hold codes of at most 8 bits, got " + x);
    }
    int ax = axis(ctx.intAttr("axis"), x);
    if (x.dim(ax) > MAX_ROW) {
      throw new InferenceException("softmax rows of more than " + MAX_ROW + " elements overflow the 64-bit sums, got "
          + x.dim(ax));
    }
    TensorType r = QTypes.declaredPerTensor(ctx);
    if (!r.shape().equals(x.shape())) {
      throw new InferenceException("result shape " + r.shape() + " differs from operand shape " + x.shape());
    }
    long[] table = ctx.intsAttr("exp_table");
    int entries = 1 << x.elementType().bits();
    if (table.length != entries) {
      throw new InferenceException("exp_table needs " + entries + " entries (one per code difference), got "
          + table.length);
    }
    if (table[0] != EXP_ONE) {
      throw new InferenceException("exp_table[0] must be 2^24 = " + EXP_ONE + " (exp 0), got " + table[0]);
    }
    for (int i = 1; i < table.length; i++) {
      if (table[i] < 0 || table[i] > table[i - 1]) {
        throw new InferenceException("exp_table must be non-negative and non-increasing, entry " + i + " is "
            + table[i]);
      }
    }
    long n = ctx.intAttr("multiplier");
    double want = EXP_ONE / r.quant().scale(0);
    if (n < 1 || n > (1L << 38) || Math.abs(n - want) > 0.5 + 1e-9 * want) {
      throw new InferenceException("multiplier must be round(2^24 / output scale) = " + Math.round(want) + " (at most 2^38)"
          + ", got " + n);
    }
    return List.of(r);
  }

  private static Tensor[] softmax(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    TensorType rt = ctx.resultType(0);
    int axis = axis(ctx.intAttr("axis"), x.type());
    long[] table = ctx.intsAttr("exp_table");
    long mult = ctx.intAttr("multiplier");
    long zo = rt.quant().zeroPoint(0);
    ElementType et = rt.elementType();
    int len = x.type().dim(axis);
    int inner = QTypes.inner(x.type(), axis);
    int outer = (int) (x.size() / ((long) len * inner));
    int[] v = QTypes.codes(x);
    long[] out = new long[v.length];
    ctx.parallelFor(outer * inner, row -> {
      int base = (row / inner) * len * inner + row % inner;
      int m = Integer.MIN_VALUE;
      for (int k = 0; k < len; k++) {
        m = Math.max(m, v[base + k * inner]);
      }
      long sum = 0;
      for (int k = 0; k < len; k++) {
        sum += table[m - v[base + k * inner]];
      }
      long den = sum * EXP_ONE;
      for (int k = 0; k < len; k++) {
        long e = table[m - v[base + k * inner]];
        out[base + k * inner] = QTypes.saturate(zo + FixedPointMultiplier.roundingDivide(e * mult, den), et);
      }
    });
    return new Tensor[] {Tensor.fromLongs(rt, out)};
  }

  private static List<TensorType> inferLayerNorm(InferContext ctx) {
    TensorType x = QTypes.perTensor(ctx, 0, "operand");
    if (x.elementType().bits() > 16) {
      throw new InferenceException("operand must hold codes of at most 16 bits, got " + x);
    }
    TensorType r = QTypes.declaredPerTensor(ctx);
    if (!r.shape().equals(x.shape())) {
      throw new InferenceException("result shape " + r.shape() + " differs from operand shape " + x.shape());
    }
    int n = x.dim(x.rank() - 1);
    long[] g = ctx.intsAttr("gamma");
    long[] b = ctx.intsAttr("beta");
    if (g.length != n || b.length != n) {
      throw new InferenceException("gamma and beta need " + n + " entries (the last axis), got " + g.length + " and "
          + b.length);
    }
    long shift = ctx.intAttr("shift");
    if (shift < 0 || shift + FRAC_BITS > 62) {
      throw new InferenceException("shift must be in [0, " + (62 - FRAC_BITS) + "], got " + shift);
    }
    for (long gi : g) {
      if (Math.abs(gi) > Integer.MAX_VALUE) {
        throw new InferenceException("gamma entries must fit in 32 bits, got " + gi);
      }
    }
    for (long bi : b) {
      if (Math.abs(bi) >= 1L << 60) {
        throw new InferenceException("beta entries must be below 2^60 in magnitude, got " + bi);
      }
    }
    if (ctx.intAttr("epsilon") < 0) {
      throw new InferenceException("epsilon must be ≥ 0, got " + ctx.intAttr("epsilon"));
    }
    return List.of(r);
  }

  private static Tensor[] layerNorm(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    TensorType rt = ctx.resultType(0);
    long[] g = ctx.intsAttr("gamma");
    long[] b = ctx.intsAttr("beta");
    int shift = (int) ctx.intAttr("shift");
    long eps = ctx.intAttr("epsilon");
    long zx = x.type().quant().zeroPoint(0);
    long zo = rt.quant().zeroPoint(0);
    ElementType et = rt.elementType();
    int n = x.type().dim(x.type().rank() - 1);
    int rows = x.size() / Math.max(1, n);
    int[] v = QTypes.codes(x);
    long[] out = new long[v.length];
    ctx.parallelFor(rows, row -> {
      int base = row * n;
      long s1 = 0;
      long s2 = 0;
      long maxDev = 0;
      for (int i = 0; i < n; i++) {
        long d = v[base + i] - zx;
        s1 += d;
        s2 += d * d;
      }
      for (int i = 0; i < n; i++) {
        maxDev = Math.max(maxDev, Math.abs(n * (v[base + i] - zx) - s1));
      }
      long var = n * s2 - s1 * s1 + eps;
      if (var <= 0) {
        for (int i = 0; i < n; i++) {
          out[base + i] = QTypes.saturate(zo + FixedPointMultiplier.roundingRightShift(b[i], FRAC_BITS + shift), et);
        }
        return;
      }
      int p = Math.max(0, Math.min((62 - bitLength(var)) / 2, 61 - FRAC_BITS - bitLength(maxDev)));
      long root = isqrt(var << (2 * p));
      for (int i = 0; i < n; i++) {
        long num = (n * (v[base + i] - zx) - s1) << (FRAC_BITS + p);
        long u = FixedPointMultiplier.roundingDivide(num, root);
        out[base + i] = QTypes.saturate(zo + FixedPointMultiplier.roundingRightShift(u * g[i] + b[i], FRAC_BITS + shift),
            et);
      }
    });
    return new Tensor[] {Tensor.fromLongs(rt, out)};
  }

  private static int bitLength(long v) {
    return 64 - Long.numberOfLeadingZeros(v);
  }

  /** The exact floor square root of {@code v ≥ 0}. */
  static long isqrt(long v) {
    long r = (long) Math.sqrt((double) v);
    while (r * r > v) {
      r--;
    }
    while ((r + 1) * (r + 1) <= v) {
      r++;
    }
    return r;
  }
}
