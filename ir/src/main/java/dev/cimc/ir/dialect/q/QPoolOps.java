package dev.cimc.ir.dialect.q;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.dialect.graph.SlidingWindow;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.quant.FixedPointMultiplier;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * 2-D pooling on per-tensor quantized codes (N×C×H×W). Windows follow
 * {@code graph.max_pool}/{@code graph.average_pool} (kernel_shape, strides, pads; explicit padding only).
 *
 * <ul>
 *   <li>{@code q.max_pool}: the largest code of each window (padding never wins); the result keeps the
 *       operand's type, since max commutes with a monotone quantizer.</li>
 *   <li>{@code q.average_pool}: to the declared per-tensor result type,
 *       {@code out = sat(z_out + M(count).apply(Σ (x − z_x)))} where {@code M(count) =
 *       FixedPointMultiplier.of(s_x / (count · s_out))} (so one rounding, ties to even) and {@code count}
 *       is the number of input positions in the window, or the whole window when {@code count_include_pad =
 *       1} (padding then counts as real 0, code z_x). The multipliers are a deterministic function of the
 *       types and the count (hardware holds one per distinct count). A global average pool is this op with
 *       the window covering the spatial extent.</li>
 * </ul>
 */
final class QPoolOps {
  private QPoolOps() {}

  static final OpDef MAX_POOL = pool("max_pool", "largest code in each window (per-tensor codes, same type)", false)
      .kernel((ctx, in) -> new Tensor[] {run(ctx, in[0], true)})
      .build();

  static final OpDef AVERAGE_POOL = pool("average_pool",
      "z_out + round(Σ (x − z_x) · s_x / (count · s_out)) by a fixed-point multiplier per count", true)
      .attr("count_include_pad", AttrKind.INT, Attribute.of(0L))
      .kernel((ctx, in) -> new Tensor[] {run(ctx, in[0], false)})
      .build();

  static List<OpDef> defs() {
    return List.of(MAX_POOL, AVERAGE_POOL);
  }

  private static OpDef.Builder pool(String name, String summary, boolean declared) {
    return OpDef.builder("q", name)
        .summary(summary)
        .operands("x")
        .requiredAttr("kernel_shape", AttrKind.INTS)
        .optionalAttr("strides", AttrKind.INTS)
        .optionalAttr("pads", AttrKind.INTS)
        .traits(Trait.PURE)
        .infer(ctx -> {
          TensorType x = QTypes.perTensor(ctx, 0, "operand");
          if (x.rank() != 4) {
            throw new InferenceException("operand must have rank 4 (N×C×H×W), got " + x);
          }
          int[] out = window(ctx, x).output();
          Shape shape = Shape.of(x.dim(0), x.dim(1), out[0], out[1]);
          if (!declared) {
            return List.of(x.withShape(shape));
          }
          TensorType r = QTypes.declaredPerTensor(ctx);
          if (!r.shape().equals(shape)) {
            throw new InferenceException("result shape " + r.shape() + " differs from the pooled shape " + shape);
          }
          return List.of(r);
        });
  }

  private static SlidingWindow window(InferContext ctx, TensorType x) {
    long[] k = ctx.intsAttr("kernel_shape");
    if (k.length != 2) {
      throw new InferenceException("kernel_shape needs 2 values, got " + java.util.Arrays.toString(k));
    }
    return SlidingWindow.resolve(new int[] {x.dim(2), x.dim(3)}, new int[] {(int) k[0], (int) k[1]},
        ctx.hasAttr("strides") ? ctx.intsAttr("strides") : null, null,
        ctx.hasAttr("pads") ? ctx.intsAttr("pads") : null, "NOTSET", false);
  }

  private static Tensor run(KernelContext ctx, Tensor xt, boolean max) {
    var node = ctx.node();
    SlidingWindow win = window(new InferContext(node.op(), List.of(xt.type()), node.attributes(), null), xt.type());
    TensorType rt = ctx.resultType(0);
    int nc = rt.dim(0) * rt.dim(1);
    int h = xt.type().dim(2);
    int w = xt.type().dim(3);
    int oh = rt.dim(2);
    int ow = rt.dim(3);
    int kh = win.kernel()[0];
    int kw = win.kernel()[1];
    int sh = win.strides()[0];
    int sw = win.strides()[1];
    int ph = win.padsBegin()[0];
    int pw = win.padsBegin()[1];
    boolean includePad = !max && ctx.intAttr("count_include_pad") != 0;
    long z = xt.type().quant().zeroPoint(0);
    long zo = rt.quant().zeroPoint(0);
    var et = rt.elementType();
    FixedPointMultiplier[] perCount = new FixedPointMultiplier[kh * kw + 1];
    if (!max) {
      for (int c = 1; c < perCount.length; c++) {
        perCount[c] = FixedPointMultiplier.of(xt.type().quant().scale(0) / (c * rt.quant().scale(0)));
      }
    }
    int[] x = QTypes.codes(xt);
    long[] out = new long[nc * oh * ow];
    ctx.parallelFor(nc, p -> {
      int base = p * h * w;
      for (int y = 0; y < oh; y++) {
        for (int xo = 0; xo < ow; xo++) {
          long best = Long.MIN_VALUE;
          long sum = 0;
          int count = 0;
          for (int i = 0; i < kh; i++) {
            int iy = y * sh - ph + i;
            for (int j = 0; j < kw; j++) {
              int ix = xo * sw - pw + j;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                int v = x[base + iy * w + ix];
                best = Math.max(best, v);
                sum += v - z;
                count++;
              } else if (includePad && iy < h + win.padsEnd()[0] && ix < w + win.padsEnd()[1]) {
                count++;
              }
            }
          }
          out[(p * oh + y) * ow + xo] = max ? (count == 0 ? z : best)
              : count == 0 ? zo : QTypes.saturate(zo + perCount[count].apply(sum), et);
        }
      }
    });
    return Tensor.fromLongs(rt, out);
  }
}
