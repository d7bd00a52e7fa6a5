package dev.cimc.ir.dialect.q;

import dev.cimc.ir.op.Dialect;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * The {@code q} dialect: integer tensors whose types carry quantization parameters. Semantics are exact
 * and documented per op so the interpreter runs them bit for bit: quantize/dequantize here, matrix products
 * in {@link QLinalgOps}, rescaling in {@link QRescaleOps}, elementwise ops and tables in
 * {@link QPointwiseOps}, pooling in {@link QPoolOps}, softmax and layer norm in {@link QNormOps}.
 */
public final class QDialect {
  private QDialect() {}

  /**
   * {@code q = clamp(round_half_even(x / s) + z, qmin, qmax)}, per tensor or per channel; the parameters
   * are those of the declared result type.
   */
  public static final OpDef QUANTIZE = OpDef.builder("q", "quantize")
      .summary("float to quantized integer: clamp(round_half_even(x / scale) + zp)")
      .operands("x")
      .traits(Trait.PURE)
      .infer(ctx -> {
        TensorType x = ctx.requireFloat(0);
        TensorType r = ctx.declaredResult(0);
        if (!r.isQuantized()) {
          throw new InferenceException("result type must be quantized, got " + r);
        }
        if (!r.shape().equals(x.shape())) {
          throw new InferenceException("result shape " + r.shape() + " differs from operand shape " + x.shape());
        }
        return List.of(r);
      })
      .kernel((ctx, in) -> new Tensor[] {quantize(in[0], ctx.resultType(0))})
      .build();

  /** {@code x = s · (q − z)} in f32, per tensor or per channel. */
  public static final OpDef DEQUANTIZE = OpDef.builder("q", "dequantize")
      .summary("quantized integer to f32: scale * (q - zp)")
      .operands("q")
      .traits(Trait.PURE)
      .infer(ctx -> {
        TensorType q = ctx.operand(0);
        if (!q.isQuantized()) {
          throw new InferenceException("operand must be quantized, got " + q);
        }
        return List.of(new TensorType(ElementType.F32, q.shape(), null));
      })
      .kernel((ctx, in) -> new Tensor[] {dequantize(in[0])})
      .build();

  /** Fractional bits of the normalized value inside {@code q.layer_norm} (its {@code beta} carries 2^(F + shift)). */
  public static final int LAYER_NORM_FRAC_BITS = QNormOps.FRAC_BITS;

  public static Dialect create() {
    var ops = new java.util.ArrayList<OpDef>(List.of(QUANTIZE, DEQUANTIZE));
    ops.addAll(QLinalgOps.defs());
    ops.addAll(QRescaleOps.defs());
    ops.addAll(QPointwiseOps.defs());
    ops.addAll(QPoolOps.defs());
    ops.addAll(QNormOps.defs());
    return new Dialect("q", "quantized integer ops", ops);
  }

  /** Quantizes a float tensor to {@code type}'s element type and parameters. */
  public static Tensor quantize(Tensor x, TensorType type) {
    QuantParams qp = type.quant();
    ElementType et = type.elementType();
    long lo = et.minValue();
    long hi = et.maxValue();
    int n = x.size();
    long[] out = new long[n];
    int inner = innerSize(type, qp);
    int channels = qp.channels();
    for (int i = 0; i < n; i++) {
      int c = qp.isPerTensor() ? 0 : (i / inner) % channels;
      double v = Math.rint(x.getDouble(i) / qp.scale(c)) + qp.zeroPoint(c);
      out[i] = Double.isNaN(v) ? qp.zeroPoint(c) : (long) Math.max(lo, Math.min(hi, v));
    }
    return Tensor.fromLongs(type, out);
  }

  /** Dequantizes to f32. */
  public static Tensor dequantize(Tensor q) {
    QuantParams qp = q.type().quant();
    int n = q.size();
    float[] out = new float[n];
    int inner = innerSize(q.type(), qp);
    int channels = qp.channels();
    for (int i = 0; i < n; i++) {
      int c = qp.isPerTensor() ? 0 : (i / inner) % channels;
      out[i] = (float) (qp.scale(c) * (q.getLong(i) - qp.zeroPoint(c)));
    }
    return Tensor.wrap(new TensorType(ElementType.F32, q.shape(), null), out);
  }

  private static int innerSize(TensorType t, QuantParams qp) {
    if (qp.isPerTensor()) {
      return 1;
    }
    int inner = 1;
    for (int d = qp.axis() + 1; d < t.rank(); d++) {
      inner *= t.dim(d);
    }
    return inner;
  }
}
