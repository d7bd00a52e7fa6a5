package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/** Activation functions of the graph dialect (ONNX semantics; NaN inputs give NaN outputs). */
final class ActivationOps {
  private ActivationOps() {}

  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);

  static List<OpDef> defs() {
    return List.of(
        OpDef.builder("graph", "relu")
            .summary("max(x, 0)")
            .operands("x")
            .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.IDEMPOTENT)
            .infer(ctx -> List.of(TypeChecks.numeric(ctx, 0)))
            .kernel((ctx, in) -> new Tensor[] {ElementwiseOps.isFloat(in[0])
                ? FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
                  for (int i = from; i < to; i++) {
                    z[i] = Math.max(x[i], 0f);
                  }
                }, v -> Math.max(v, 0), Broadcast.Chunks.CHEAP)
                : FloatUnary.mapLong(in[0], v -> Math.max(v, 0))})
            // relu(relu(x)) = relu(x)
            .folder(ElementwiseOps::foldIdempotent)
            .build(),
        OpDef.builder("graph", "leaky_relu")
            .summary("x for x ≥ 0, alpha·x below")
            .operands("x")
            .attr("alpha", AttrKind.FLOAT, Attribute.of(0.01))
            .traits(Trait.PURE, Trait.ELEMENTWISE)
            .infer(ElementwiseOps::sameAsFloatOperand)
            .kernel((ctx, in) -> {
              double alpha = ctx.floatAttr("alpha");
              float a = (float) alpha;
              return new Tensor[] {FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
                for (int i = from; i < to; i++) {
                  float v = x[i];
                  z[i] = v < 0 ? a * v : v;
                }
              }, v -> v < 0 ? alpha * v : v, Broadcast.Chunks.CHEAP)};
            })
            .build(),
        OpDef.builder("graph", "prelu")
            .summary("x for x ≥ 0, slope·x below; slope broadcasts to x")
            .operands("x", "slope")
            .traits(Trait.PURE, Trait.ELEMENTWISE)
            .infer(ctx -> {
              TensorType x = ctx.requireFloat(0);
              TensorType slope = ctx.requireFloat(1);
              ctx.requireSameElementType();
              if (!Broadcast.broadcastsTo(slope.shape(), x.shape())) {
                throw new InferenceException("slope " + slope + " does not broadcast to " + x);
              }
              return List.of(x);
            })
            .kernel((ctx, in) -> new Tensor[] {FloatBinary.apply(ctx, Arith.PRELU, in[0], in[1], ctx.resultType(0))})
            .build(),
        OpDef.builder("graph", "clip")
            .summary("clamps to [min, max] (each bound optional; min > max gives max)")
            .operands("x")
            .optionalAttr("min", AttrKind.FLOAT)
            .optionalAttr("max", AttrKind.FLOAT)
            .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.IDEMPOTENT)
            .infer(ctx -> List.of(TypeChecks.numeric(ctx, 0)))
            .kernel(ActivationOps::clip)
            // clip(x) without bounds = x
            .folder(n -> n.attr("min") == null && n.attr("max") == null ? n.operand(0) : null)
            // clip(clip(x)) = clip(x) with the same bounds
            .folder(ElementwiseOps::foldIdempotent)
            .build(),
        ElementwiseOps.floatUnary("sigmoid", "1 / (1 + e^-x)", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = (float) sigmoid(x[i]);
          }
        }, ActivationOps::sigmoid, Broadcast.Chunks.COSTLY).build(),
        OpDef.builder("graph", "hard_sigmoid")
            .summary("max(0, min(1, alpha·x + beta))")
            .operands("x")
            .attr("alpha", AttrKind.FLOAT, Attribute.of(0.2))
            .attr("beta", AttrKind.FLOAT, Attribute.of(0.5))
            .traits(Trait.PURE, Trait.ELEMENTWISE)
            .infer(ElementwiseOps::sameAsFloatOperand)
            .kernel((ctx, in) -> {
              double alpha = ctx.floatAttr("alpha");
              double beta = ctx.floatAttr("beta");
              float a = (float) alpha;
              float b = (float) beta;
              return new Tensor[] {FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
                for (int i = from; i < to; i++) {
                  z[i] = Math.max(0f, Math.min(1f, a * x[i] + b));
                }
              }, v -> Math.max(0, Math.min(1, alpha * v + beta)), Broadcast.Chunks.CHEAP)};
            })
            .build(),
        ElementwiseOps.floatUnary("hard_swish", "x · max(0, min(1, x/6 + 1/2))", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            float v = x[i];
            z[i] = v * Math.max(0f, Math.min(1f, v * (1f / 6) + 0.5f));
          }
        }, v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)), Broadcast.Chunks.CHEAP).build(),
        ElementwiseOps.floatUnary("tanh", "hyperbolic tangent", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = (float) Math.tanh(x[i]);
          }
        }, Math::tanh, Broadcast.Chunks.COSTLY).build(),
        OpDef.builder("graph", "gelu")
            .summary("x·Φ(x), exactly (approximate = \"none\") or by the tanh formula (\"tanh\")")
            .operands("x")
            .attr("approximate", AttrKind.STRING, Attribute.of("none"))
            .traits(Trait.PURE, Trait.ELEMENTWISE)
            .infer(ctx -> {
              String mode = ctx.stringAttr("approximate");
              if (!mode.equals("none") && !mode.equals("tanh")) {
                throw new InferenceException("approximate must be \"none\" or \"tanh\", got \"" + mode + "\"");
              }
              return List.of(ctx.requireFloat(0));
            })
            .kernel(ActivationOps::gelu)
            .build());
  }

  /** The logistic function, without overflow for large |x|. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  /** Exact gelu: x/2 · erfc(-x/√2), which keeps its relative accuracy for very negative x. */
  static double gelu(double x) {
    return 0.5 * x * ErrorFunction.erfc(-x * SQRT_HALF);
  }

  /** Tanh gelu: x/2 · (1 + tanh(u)) = x / (1 + e^(-2u)), u = √(2/π) (x + 0.044715 x³). */
  static double geluTanh(double x) {
    double u = SQRT_TWO_OVER_PI * (x + 0.044715 * x * x * x);
    return x / (1 + Math.exp(-2 * u));
  }

  private static Tensor[] gelu(KernelContext ctx, Tensor[] in) {
    if (ctx.stringAttr("approximate").equals("tanh")) {
      return new Tensor[] {FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
        for (int i = from; i < to; i++) {
          z[i] = (float) geluTanh(x[i]);
        }
      }, ActivationOps::geluTanh, Broadcast.Chunks.COSTLY)};
    }
    return new Tensor[] {FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
      for (int i = from; i < to; i++) {
        z[i] = (float) gelu(x[i]);
      }
    }, ActivationOps::gelu, Broadcast.Chunks.COSTLY)};
  }

  /** numpy clip: min(max(x, lo), hi), so hi wins when lo > hi; integer bounds round inward. */
  private static Tensor[] clip(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    boolean hasLo = ctx.attr("min") != null;
    boolean hasHi = ctx.attr("max") != null;
    double lo = hasLo ? ctx.floatAttr("min") : Double.NEGATIVE_INFINITY;
    double hi = hasHi ? ctx.floatAttr("max") : Double.POSITIVE_INFINITY;
    if (!x.elementType().isFloat()) {
      // Bounds are kept inside the element type's range so the result needs no wrapping.
      var et = x.elementType();
      long l = hasLo ? (long) Math.min(Math.max(Math.ceil(lo), et.minValue()), et.maxValue()) : et.minValue();
      long h = hasHi ? (long) Math.min(Math.max(Math.floor(hi), et.minValue()), et.maxValue()) : et.maxValue();
      return new Tensor[] {FloatUnary.mapLong(x, v -> Math.min(Math.max(v, l), h))};
    }
    float fl = (float) lo;
    float fh = (float) hi;
    return new Tensor[] {FloatUnary.map(ctx, x, (a, z, from, to) -> {
      for (int i = from; i < to; i++) {
        z[i] = Math.min(Math.max(a[i], fl), fh);
      }
    }, v -> Math.min(Math.max(v, lo), hi), Broadcast.Chunks.CHEAP)};
  }
}
