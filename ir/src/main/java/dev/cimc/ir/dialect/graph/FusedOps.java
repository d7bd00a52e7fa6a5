package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * Fused ops: a convolution, gemm or addition with the activation that follows it, the unit a later level
 * maps as one (an MVM whose results pass through the activation on the way out of the crossbar). Their
 * kernels run the unfused op's kernel and apply the activation in place, with the same arithmetic as the
 * activation ops, so fusing changes no bit of the result.
 *
 * <p>The activation is the STRING attribute {@code activation}: {@code none}, {@code relu}, {@code relu6}
 * (clamp to [0, 6]), {@code clip} (bounds {@code min} and {@code max}, each optional, as graph.clip),
 * {@code leaky_relu} (slope {@code alpha}, default 0.01), {@code hard_swish} or {@code sigmoid}.
 *
 * <p>Also here: the optional {@code bn_stats} attribute shared with conv/gemm, a 2×C f32 tensor holding the
 * per-channel mean (row 0) and standard deviation (row 1) of the op's output as recorded by the batch norm
 * that fold-batch-norm folded into it; bias absorption and bias correction read it.
 */
final class FusedOps {
  private FusedOps() {}

  /** Attribute name of the folded batch norm's output statistics. */
  static final String BN_STATS = "bn_stats";

  /** The activations a fused op can apply. */
  static final List<String> ACTIVATIONS =
      List.of("none", "relu", "relu6", "clip", "leaky_relu", "hard_swish", "sigmoid");

  static List<OpDef> defs() {
    return List.of(
        withActivation(OpDef.builder("graph", "fused_conv2d")
            .summary("graph.conv2d followed by `activation`, one unit")
            .operands("x", "w")
            .optionalOperands("b")
            .attr("strides", AttrKind.INTS, Attribute.ints(1L, 1L))
            .attr("pads", AttrKind.INTS, Attribute.ints(0L, 0L, 0L, 0L))
            .attr("dilations", AttrKind.INTS, Attribute.ints(1L, 1L))
            .attr("group", AttrKind.INT, Attribute.of(1L))
            .attr("auto_pad", AttrKind.STRING, Attribute.of("NOTSET"))
            .optionalAttr("kernel_shape", AttrKind.INTS)
            .optionalAttr(BN_STATS, AttrKind.TENSOR))
            .infer(ctx -> checkActivation(ctx, LinalgOps.inferConv(ctx, 2, false)))
            .kernel((ctx, in) -> new Tensor[] {activate(ctx, LinalgOps.runConv(ctx, in, 2, false), in)})
            .build(),
        withActivation(OpDef.builder("graph", "fused_gemm")
            .summary("graph.gemm followed by `activation`, one unit")
            .operands("a", "b")
            .optionalOperands("c")
            .attr("alpha", AttrKind.FLOAT, Attribute.of(1.0))
            .attr("beta", AttrKind.FLOAT, Attribute.of(1.0))
            .attr("trans_a", AttrKind.INT, Attribute.of(0L))
            .attr("trans_b", AttrKind.INT, Attribute.of(0L))
            .optionalAttr(BN_STATS, AttrKind.TENSOR))
            .infer(ctx -> checkActivation(ctx, LinalgOps.inferGemm(ctx)))
            .kernel((ctx, in) -> new Tensor[] {activate(ctx, LinalgOps.gemm(ctx, in)[0], in)})
            .build(),
        withActivation(OpDef.builder("graph", "fused_add")
            .summary("graph.add (float, broadcasting) followed by `activation`, one unit")
            .operands("lhs", "rhs")
            .traits(Trait.COMMUTATIVE))
            .infer(ctx -> {
              ctx.requireFloat(0);
              ctx.requireFloat(1);
              ElementType et = ctx.requireSameElementType();
              return checkActivation(ctx, List.of(new TensorType(et,
                  Broadcast.shape(ctx.operand(0).shape(), ctx.operand(1).shape()), null)));
            })
            .kernel((ctx, in) -> new Tensor[] {activate(ctx,
                FloatBinary.apply(ctx, Arith.ADD, in[0], in[1], ctx.resultType(0)), in)})
            .build());
  }

  /** The activation attributes; the leaky_relu slope is {@code slope} so it never clashes with gemm's alpha. */
  private static OpDef.Builder withActivation(OpDef.Builder b) {
    return b.attr("activation", AttrKind.STRING, Attribute.of("none"))
        .attr("slope", AttrKind.FLOAT, Attribute.of(0.01))
        .optionalAttr("min", AttrKind.FLOAT)
        .optionalAttr("max", AttrKind.FLOAT)
        .traits(Trait.PURE);
  }

  private static List<TensorType> checkActivation(InferContext ctx, List<TensorType> result) {
    String act = ctx.stringAttr("activation");
    if (!ACTIVATIONS.contains(act)) {
      throw new InferenceException("unknown activation \"" + act + "\" (expected one of: "
          + String.join(", ", ACTIVATIONS) + ")");
    }
    if (!act.equals("clip") && (ctx.hasAttr("min") || ctx.hasAttr("max"))) {
      throw new InferenceException("min and max apply only to activation \"clip\", not \"" + act + "\"");
    }
    if (!act.equals("leaky_relu") && !ctx.attr("slope").equals(ctx.op().defaultOf("slope"))) {
      throw new InferenceException("slope applies only to activation \"leaky_relu\", not \"" + act + "\"");
    }
    return result;
  }

  /**
   * Checks an optional {@code bn_stats} attribute: a 2×{@code channels} f32 tensor (mean row, std row).
   * Called by the inference of every op that may carry it.
   */
  static void checkBnStats(InferContext ctx, int channels) {
    Attribute a = ctx.attr(BN_STATS);
    if (a == null) {
      return;
    }
    TensorType t = ((Attribute.TensorAttr) a).value().type();
    if (t.elementType() != ElementType.F32 || t.rank() != 2 || t.dim(0) != 2
        || (channels != Shape.DYNAMIC && t.dim(1) != channels)) {
      throw new InferenceException("bn_stats must be a tensor<2x" + (channels == Shape.DYNAMIC ? "?" : channels)
          + "xf32> (mean and std per output channel), got " + t);
    }
  }

  /**
   * Applies the node's activation to {@code r}, a tensor the unfused kernel just made. Writes in place unless
   * the kernel handed back an operand's storage. The f32 arithmetic is that of the activation ops' loops.
   */
  private static Tensor activate(KernelContext ctx, Tensor r, Tensor[] operands) {
    String act = ctx.stringAttr("activation");
    if (act.equals("none")) {
      return r;
    }
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    if (act.equals("relu6")) {
      lo = 0;
      hi = 6;
    } else if (act.equals("clip")) {
      lo = ctx.attr("min") != null ? ctx.floatAttr("min") : lo;
      hi = ctx.attr("max") != null ? ctx.floatAttr("max") : hi;
    }
    double slope = ctx.floatAttr("slope");
    if (r.elementType() == ElementType.F32) {
      float[] z = r.floats();
      for (Tensor t : operands) {
        if (t.rawData() == z) {
          z = z.clone();
          break;
        }
      }
      activateF32(act, z, (float) lo, (float) hi, (float) slope);
      return Tensor.wrap(r.type(), z);
    }
    double[] z = new double[r.size()];
    for (int i = 0; i < z.length; i++) {
      z[i] = activate(act, r.getDouble(i), lo, hi, slope);
    }
    return Tensor.fromDoubles(r.type(), z);
  }

  private static void activateF32(String act, float[] z, float lo, float hi, float slope) {
    switch (act) {
      case "relu" -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = Math.max(z[i], 0f);
        }
      }
      case "relu6", "clip" -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = Math.min(Math.max(z[i], lo), hi);
        }
      }
      case "leaky_relu" -> {
        for (int i = 0; i < z.length; i++) {
          float v = z[i];
          z[i] = v < 0 ? slope * v : v;
        }
      }
      case "hard_swish" -> {
        for (int i = 0; i < z.length; i++) {
          float v = z[i];
          z[i] = v * Math.max(0f, Math.min(1f, v * (1f / 6) + 0.5f));
        }
      }
      case "sigmoid" -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = (float) ActivationOps.sigmoid(z[i]);
        }
      }
      default -> throw new IllegalStateException("activation " + act + " passed inference");
    }
  }

  private static double activate(String act, double v, double lo, double hi, double slope) {
    return switch (act) {
      case "relu" -> Math.max(v, 0);
      case "relu6", "clip" -> Math.min(Math.max(v, lo), hi);
      case "leaky_relu" -> v < 0 ? slope * v : v;
      case "hard_swish" -> v * Math.max(0, Math.min(1, v / 6 + 0.5));
      case "sigmoid" -> ActivationOps.sigmoid(v);
      default -> throw new IllegalStateException("activation " + act + " passed inference");
    };
  }
}
