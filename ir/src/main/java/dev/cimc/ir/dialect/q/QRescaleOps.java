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
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * Integer rescaling to an output scale (the vector unit's {@code VRQ}). Every product below is exact in 64
 * bits and is rounded once, by {@link FixedPointMultiplier#roundingRightShift} (nearest, ties to even, like {@code q.quantize});
 * results saturate to the result's element type.
 *
 * <ul>
 *   <li>{@code q.requantize(acc)}: {@code out = sat(z_out + roundingRightShift((acc − z_acc) · M0[c], 31 + n[c]))}
 *       with attributes {@code multiplier = [M0...]} and {@code shift = [n...]}, one entry per channel of the
 *       operand (or one for all). The verifier checks {@code M0 · 2^−(31+n) = s_acc[c] / s_out} to one unit of
 *       {@code M0}. When the scales are powers of two {@code M0 = 2^30} and the op is a rounding shift.</li>
 *   <li>{@code q.qadd(a, b)}: {@code out = sat(z_out + roundingRightShift((a − z_a) · Ma + (b − z_b) · Mb, shift))}
 *       with {@code multipliers = [Ma, Mb]} and a common {@code shift}, {@code Ma · 2^−shift = s_a / s_out};
 *       numpy broadcasting.</li>
 * </ul>
 *
 * <p>Both take optional INT attributes {@code min} and {@code max}, codes of the result type: after saturation
 * the result is clamped to {@code [min, max]} ({@code out = min(max(sat(...), min), max)}). This realizes a
 * fused relu, relu6 or clip exactly: a quantizer {@code Q} is monotone, so {@code Q(clamp(v, lo, hi)) =
 * clamp(Q(v), Q(lo), Q(hi))}, and {@code lower-to-integer} sets {@code min = Q(lo)}, {@code max = Q(hi)} with
 * the result's parameters (relu: {@code min = z_out}).
 */
final class QRescaleOps {
  private QRescaleOps() {}

  static final OpDef REQUANTIZE = OpDef.builder("q", "requantize")
      .summary("rescale codes to the declared result type: z_out + round((acc − z_acc) · M0 · 2^−(31+shift))")
      .operands("acc")
      .requiredAttr("multiplier", AttrKind.INTS)
      .requiredAttr("shift", AttrKind.INTS)
      .optionalAttr("min", AttrKind.INT)
      .optionalAttr("max", AttrKind.INT)
      .traits(Trait.PURE)
      .infer(QRescaleOps::inferRequantize)
      .kernel(QRescaleOps::requantize)
      .build();

  static final OpDef QADD = OpDef.builder("q", "qadd")
      .summary("sum (or with subtract = 1, difference) of two quantized tensors rescaled to the declared result: "
          + "z + round(((a−z_a)·Ma ± (b−z_b)·Mb) · 2^−shift)")
      .operands("a", "b")
      .requiredAttr("multipliers", AttrKind.INTS)
      .requiredAttr("shift", AttrKind.INT)
      .attr("subtract", AttrKind.INT, Attribute.of(0L))
      .optionalAttr("min", AttrKind.INT)
      .optionalAttr("max", AttrKind.INT)
      .traits(Trait.PURE, Trait.ELEMENTWISE)
      .infer(QRescaleOps::inferAdd)
      .kernel(QRescaleOps::add)
      .build();

  /** Elementwise product of two activations (x·sigmoid(x), gating): the int32 product, then q.requantize. */
  static final OpDef QMUL = OpDef.builder("q", "qmul")
      .summary("int32 elementwise product (a − z_a)(b − z_b) of two per-tensor quantized operands (broadcasting), "
          + "scale s_a·s_b")
      .operands("a", "b")
      .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.COMMUTATIVE)
      .infer(QRescaleOps::inferMul)
      .kernel(QRescaleOps::mul)
      .build();

  static List<OpDef> defs() {
    return List.of(REQUANTIZE, QADD, QMUL);
  }

  private static List<TensorType> inferMul(InferContext ctx) {
    TensorType a = QTypes.perTensor(ctx, 0, "operand a");
    TensorType b = QTypes.perTensor(ctx, 1, "operand b");
    if (a.elementType().bits() > 8 || b.elementType().bits() > 8) {
      throw new InferenceException("operands must hold codes of at most 8 bits (the product fits int32), got " + a
          + " and " + b);
    }
    return List.of(new TensorType(ElementType.I32, broadcast(a.shape(), b.shape()),
        QuantParams.perTensor(a.quant().scale(0) * b.quant().scale(0), 0)));
  }

  private static Tensor[] mul(KernelContext ctx, Tensor[] in) {
    TensorType rt = ctx.resultType(0);
    long za = in[0].type().quant().zeroPoint(0);
    long zb = in[1].type().quant().zeroPoint(0);
    int[] ia = broadcastIndex(in[0].shape(), rt.shape());
    int[] ib = broadcastIndex(in[1].shape(), rt.shape());
    long[] out = new long[ia.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (in[0].getLong(ia[i]) - za) * (in[1].getLong(ib[i]) - zb); // |·| ≤ 2^16 for 8-bit codes
    }
    return new Tensor[] {Tensor.fromLongs(rt, out)};
  }

  private static List<TensorType> inferRequantize(InferContext ctx) {
    TensorType acc = QTypes.quantized(ctx, 0, "operand");
    TensorType r = QTypes.declaredPerTensor(ctx);
    if (!r.shape().equals(acc.shape())) {
      throw new InferenceException("result shape " + r.shape() + " differs from operand shape " + acc.shape());
    }
    long[] m = ctx.intsAttr("multiplier");
    long[] s = ctx.intsAttr("shift");
    QuantParams aq = acc.quant();
    int channels = aq.channels();
    if (m.length != s.length || (m.length != 1 && m.length != channels)) {
      throw new InferenceException("multiplier and shift need one entry per channel of the operand (" + channels
          + ") or a single one, got " + m.length + " and " + s.length);
    }
    double so = r.quant().scale(0);
    for (int c = 0; c < Math.max(channels, m.length); c++) {
      int k = m.length == 1 ? 0 : c;
      QTypes.checkMultiplier("channel " + c, m[k], s[k], aq.scale(channels == 1 ? 0 : c) / so);
    }
    checkClamp(ctx, r);
    return List.of(r);
  }

  /** The optional clamp bounds must be ordered codes of the result type. */
  private static void checkClamp(InferContext ctx, TensorType r) {
    ElementType et = r.elementType();
    long lo = ctx.hasAttr("min") ? ctx.intAttr("min") : et.minValue();
    long hi = ctx.hasAttr("max") ? ctx.intAttr("max") : et.maxValue();
    if (lo > hi || lo < et.minValue() || hi > et.maxValue()) {
      throw new InferenceException("clamp bounds [" + lo + ", " + hi + "] must be ordered codes of " + et + " ["
          + et.minValue() + ", " + et.maxValue() + "]");
    }
  }

  /** The result range: the clamp bounds if given, else the element type's. */
  private static long[] bounds(KernelContext ctx, ElementType et) {
    return new long[] {ctx.attr("min") != null ? ctx.intAttr("min") : et.minValue(),
        ctx.attr("max") != null ? ctx.intAttr("max") : et.maxValue()};
  }

  private static Tensor[] requantize(KernelContext ctx, Tensor[] in) {
    TensorType at = in[0].type();
    TensorType rt = ctx.resultType(0);
    QuantParams aq = at.quant();
    long[] m = ctx.intsAttr("multiplier");
    long[] s = ctx.intsAttr("shift");
    int channels = m.length;
    int innerA = aq.isPerTensor() ? 1 : QTypes.inner(at, aq.axis());
    long zo = rt.quant().zeroPoint(0);
    long[] lim = bounds(ctx, rt.elementType());
    int n = in[0].size();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      int ca = aq.isPerTensor() ? 0 : (i / innerA) % aq.channels();
      int c = channels == 1 ? 0 : ca;
      long v = (in[0].getLong(i) - aq.zeroPoint(ca)) * m[c];
      out[i] = Math.max(lim[0], Math.min(lim[1], zo + FixedPointMultiplier.roundingRightShift(v, (int) (31 + s[c]))));
    }
    return new Tensor[] {Tensor.fromLongs(rt, out)};
  }

  private static List<TensorType> inferAdd(InferContext ctx) {
    TensorType a = QTypes.perTensor(ctx, 0, "operand a");
    TensorType b = QTypes.perTensor(ctx, 1, "operand b");
    TensorType r = QTypes.declaredPerTensor(ctx);
    Shape shape = broadcast(a.shape(), b.shape());
    if (!r.shape().equals(shape)) {
      throw new InferenceException("result shape " + r.shape() + " differs from the broadcast shape " + shape);
    }
    long[] m = ctx.intsAttr("multipliers");
    long shift = ctx.intAttr("shift");
    if (m.length != 2) {
      throw new InferenceException("multipliers needs 2 entries (for a and b), got " + m.length);
    }
    if (shift < 0 || shift > 62) {
      throw new InferenceException("shift must be in [0, 62], got " + shift);
    }
    long subtract = ctx.intAttr("subtract");
    if (subtract != 0 && subtract != 1) {
      throw new InferenceException("subtract must be 0 or 1, got " + subtract);
    }
    double so = r.quant().scale(0);
    QTypes.checkMultiplier("operand a", m[0], shift - 31, a.quant().scale(0) / so);
    QTypes.checkMultiplier("operand b", m[1], shift - 31, b.quant().scale(0) / so);
    checkClamp(ctx, r);
    return List.of(r);
  }

  private static Tensor[] add(KernelContext ctx, Tensor[] in) {
    TensorType rt = ctx.resultType(0);
    long[] m = ctx.intsAttr("multipliers");
    int shift = (int) ctx.intAttr("shift");
    long za = in[0].type().quant().zeroPoint(0);
    long zb = in[1].type().quant().zeroPoint(0);
    long zo = rt.quant().zeroPoint(0);
    int[] ia = broadcastIndex(in[0].shape(), rt.shape());
    int[] ib = broadcastIndex(in[1].shape(), rt.shape());
    long[] lim = bounds(ctx, rt.elementType());
    long[] out = new long[ia.length];
    long mb = ctx.intAttr("subtract") != 0 ? -m[1] : m[1];
    for (int i = 0; i < out.length; i++) {
      long v = (in[0].getLong(ia[i]) - za) * m[0] + (in[1].getLong(ib[i]) - zb) * mb;
      out[i] = Math.max(lim[0], Math.min(lim[1], zo + FixedPointMultiplier.roundingRightShift(v, shift)));
    }
    return new Tensor[] {Tensor.fromLongs(rt, out)};
  }

  /** numpy broadcasting of two static or dynamic shapes. */
  static Shape broadcast(Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    int[] d = new int[r];
    for (int i = 0; i < r; i++) {
      int x = i - (r - a.rank()) >= 0 ? a.dim(i - (r - a.rank())) : 1;
      int y = i - (r - b.rank()) >= 0 ? b.dim(i - (r - b.rank())) : 1;
      if (x != y && x != 1 && y != 1) {
        throw new InferenceException("shapes " + a + " and " + b + " do not broadcast");
      }
      d[i] = x == 1 ? y : x;
    }
    return Shape.of(d);
  }

  /** For every element of {@code out} (row-major), the index of the element of {@code in} broadcast to it. */
  static int[] broadcastIndex(Shape in, Shape out) {
    int r = out.rank();
    int[] strides = new int[r];
    int s = 1;
    for (int i = in.rank() - 1; i >= 0; i--) {
      int o = i + r - in.rank();
      strides[o] = in.dim(i) == 1 ? 0 : s;
      s *= in.dim(i);
    }
    int n = (int) out.numel();
    int[] idx = new int[n];
    int[] pos = new int[r];
    int cur = 0;
    for (int i = 0; i < n; i++) {
      idx[i] = cur;
      for (int d = r - 1; d >= 0; d--) {
        pos[d]++;
        cur += strides[d];
        if (pos[d] < out.dim(d)) {
          break;
        }
        cur -= strides[d] * pos[d];
        pos[d] = 0;
      }
    }
    return idx;
  }
}
