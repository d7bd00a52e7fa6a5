package dev.cimc.ir.dialect.q;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * Elementwise ops on codes that need no multiplier.
 *
 * <ul>
 *   <li>{@code q.relu(x)}: {@code max(x, z_x)} per element (z_x per channel for per-axis types); the result
 *       has the operand's type, since relu commutes with a monotone quantizer whose zero point codes 0.</li>
 *   <li>{@code q.clip(x) {min, max}}: {@code min(max(x, min), max)} with bounds given as codes of the operand's
 *       type (the real bounds quantized offline); result type = operand type.</li>
 *   <li>{@code q.lut(x) {table}}: {@code out = table[x − min(type of x)]} with one entry per code of the
 *       operand (2^bits entries, in the range of the declared result type): any unary function of an
 *       intN input (sigmoid, tanh, hard_swish, exp, gelu, ...) tabulated offline as
 *       {@code quantize_out(f(dequantize_in(code)))}. {@code function} names what was tabulated (informative).</li>
 *   <li>{@code q.min(x, bound)} and {@code q.max(x, bound)}: the elementwise minimum (maximum) of the codes,
 *       {@code bound} holding codes of the same element type and parameters as {@code x} and broadcasting to
 *       its shape (numpy rules); the result has x's type. One monotone quantizer maps both operands, so
 *       {@code min(Q(a), Q(u)) = Q(min(a, u))}: a clip to per-channel bounds (what cross-layer equalization
 *       makes of relu6) is exact on codes.</li>
 *   <li>{@code q.log2_expand(c) {bits}}: log2 weight codes to the power-of-two integers they stand for,
 *       {@code out = sign(c) · 2^(|c| − 1)} (0 for 0), with {@code |c| ≤ 2^(bits−1) − 1}
 *       ({@link dev.cimc.ir.quant.Log2Codes}); the operand and the declared result carry the same parameters
 *       (the unit scale per channel, zero points 0), so the result feeds q.qconv2d/q.qgemm or q.dequantize
 *       as uniform codes. Weights are stored as log2 codes and expanded on load.</li>
 * </ul>
 */
final class QPointwiseOps {
  private QPointwiseOps() {}

  static final OpDef RELU = OpDef.builder("q", "relu")
      .summary("max(x, zero point): relu on codes, same type")
      .operands("x")
      .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.IDEMPOTENT)
      .infer(ctx -> List.of(QTypes.quantized(ctx, 0, "operand")))
      .kernel(QPointwiseOps::relu)
      .build();

  static final OpDef CLIP = OpDef.builder("q", "clip")
      .summary("min(max(x, min), max) on codes, bounds given as codes of the operand type")
      .operands("x")
      .requiredAttr("min", AttrKind.INT)
      .requiredAttr("max", AttrKind.INT)
      .traits(Trait.PURE, Trait.ELEMENTWISE)
      .infer(QPointwiseOps::inferClip)
      .kernel(QPointwiseOps::clip)
      .build();

  static final OpDef LUT = OpDef.builder("q", "lut")
      .summary("table lookup: out = table[x − min code], one entry per input code")
      .operands("x")
      .requiredAttr("table", AttrKind.INTS)
      .attr("function", AttrKind.STRING, Attribute.of("custom"))
      .traits(Trait.PURE, Trait.ELEMENTWISE)
      .infer(QPointwiseOps::inferLut)
      .kernel(QPointwiseOps::lut)
      .build();

  static final OpDef LOG2_EXPAND = OpDef.builder("q", "log2_expand")
      .summary("log2 weight codes to power-of-two integers: sign(c) · 2^(|c| − 1), 0 for 0")
      .operands("codes")
      .requiredAttr("bits", AttrKind.INT)
      .traits(Trait.PURE, Trait.ELEMENTWISE)
      .infer(QPointwiseOps::inferLog2Expand)
      .kernel((ctx, in) -> {
        Tensor c = in[0];
        long[] out = new long[c.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = dev.cimc.ir.quant.Log2Codes.expand(c.getLong(i));
        }
        return new Tensor[] {Tensor.fromLongs(ctx.resultType(0), out)};
      })
      .build();

  static final OpDef MIN = bound("min", "elementwise minimum of codes and bound codes of the same type", true);

  static final OpDef MAX = bound("max", "elementwise maximum of codes and bound codes of the same type", false);

  static List<OpDef> defs() {
    return List.of(RELU, CLIP, LUT, LOG2_EXPAND, MIN, MAX);
  }

  private static OpDef bound(String name, String summary, boolean min) {
    return OpDef.builder("q", name)
        .summary(summary)
        .operands("x", "bound")
        .traits(Trait.PURE, Trait.ELEMENTWISE)
        .infer(ctx -> {
          TensorType x = QTypes.quantized(ctx, 0, "operand x");
          TensorType b = QTypes.quantized(ctx, 1, "bound");
          if (b.elementType() != x.elementType() || !b.quant().equals(x.quant())) {
            throw new InferenceException("bound must have the element type and parameters of x (" + x + "), got " + b);
          }
          if (!QRescaleOps.broadcast(x.shape(), b.shape()).equals(x.shape())) {
            throw new InferenceException("bound " + b.shape() + " must broadcast to the shape of x " + x.shape());
          }
          return List.of(x);
        })
        .kernel((ctx, in) -> {
          Tensor x = in[0];
          int[] ib = QRescaleOps.broadcastIndex(in[1].shape(), x.shape());
          long[] out = new long[x.size()];
          for (int i = 0; i < out.length; i++) {
            long a = x.getLong(i);
            long c = in[1].getLong(ib[i]);
            out[i] = min ? Math.min(a, c) : Math.max(a, c);
          }
          return new Tensor[] {Tensor.fromLongs(x.type(), out)};
        })
        .build();
  }

  private static List<TensorType> inferLog2Expand(InferContext ctx) {
    TensorType c = QTypes.quantized(ctx, 0, "operand");
    long bits = ctx.intAttr("bits");
    if (bits < 3 || bits > 5) {
      throw new InferenceException("bits must be 3 to 5, got " + bits);
    }
    if (c.elementType() != ElementType.I8 || !c.quant().isSymmetric()) {
      throw new InferenceException("log2 codes must be symmetric i8, got " + c);
    }
    TensorType r = ctx.declaredResult(0);
    ElementType want = dev.cimc.ir.quant.Log2Codes.expandedType((int) bits);
    if (r.elementType() != want || !c.quant().equals(r.quant()) || !r.shape().equals(c.shape())) {
      throw new InferenceException("result must be " + c.withElementType(want) + ", got " + r);
    }
    return List.of(r);
  }

  private static Tensor[] relu(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    QuantParams q = x.type().quant();
    int inner = q.isPerTensor() ? 1 : QTypes.inner(x.type(), q.axis());
    long[] out = new long[x.size()];
    for (int i = 0; i < out.length; i++) {
      int c = q.isPerTensor() ? 0 : (i / inner) % q.channels();
      out[i] = Math.max(x.getLong(i), q.zeroPoint(c));
    }
    return new Tensor[] {Tensor.fromLongs(x.type(), out)};
  }

  private static List<TensorType> inferClip(InferContext ctx) {
    TensorType x = QTypes.quantized(ctx, 0, "operand");
    long lo = ctx.intAttr("min");
    long hi = ctx.intAttr("max");
    ElementType et = x.elementType();
    if (lo > hi || lo < et.minValue() || hi > et.maxValue()) {
      throw new InferenceException("bounds [" + lo + ", " + hi + "] must be ordered codes of " + et + " ["
          + et.minValue() + ", " + et.maxValue() + "]");
    }
    return List.of(x);
  }

  private static Tensor[] clip(KernelContext ctx, Tensor[] in) {
    long lo = ctx.intAttr("min");
    long hi = ctx.intAttr("max");
    Tensor x = in[0];
    long[] out = new long[x.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(Math.max(x.getLong(i), lo), hi);
    }
    return new Tensor[] {Tensor.fromLongs(x.type(), out)};
  }

  private static List<TensorType> inferLut(InferContext ctx) {
    TensorType x = QTypes.quantized(ctx, 0, "operand");
    if (x.elementType().bits() > 8) {
      throw new InferenceException("operand must hold codes of at most 8 bits, got " + x);
    }
    TensorType r = QTypes.declaredCodes(ctx);
    if (!r.shape().equals(x.shape())) {
      throw new InferenceException("result shape " + r.shape() + " differs from operand shape " + x.shape());
    }
    long[] table = ctx.intsAttr("table");
    int entries = 1 << x.elementType().bits();
    if (table.length != entries) {
      throw new InferenceException("table needs " + entries + " entries (one per code of " + x.elementType()
          + "), got " + table.length);
    }
    ElementType et = r.elementType();
    for (int i = 0; i < table.length; i++) {
      if (table[i] < et.minValue() || table[i] > et.maxValue()) {
        throw new InferenceException("table entry " + i + " = " + table[i] + " is out of range for " + et);
      }
    }
    return List.of(r);
  }

  private static Tensor[] lut(KernelContext ctx, Tensor[] in) {
    long[] table = ctx.intsAttr("table");
    Tensor x = in[0];
    long base = x.elementType().minValue();
    long[] out = new long[x.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = table[(int) (x.getLong(i) - base)];
    }
    return new Tensor[] {Tensor.fromLongs(ctx.resultType(0), out)};
  }
}
