package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/** Elementwise ops of the graph dialect (numpy broadcasting for binary ops). */
final class ElementwiseOps {
  private ElementwiseOps() {}

  static List<OpDef> defs() {
    return List.of(
        binary("add", "elementwise sum", (a, b) -> a + b, Trait.COMMUTATIVE),
        binary("sub", "elementwise difference", (a, b) -> a - b),
        binary("mul", "elementwise product", (a, b) -> a * b, Trait.COMMUTATIVE),
        binary("div", "elementwise quotient", (a, b) -> a / b),
        OpDef.builder("graph", "relu")
            .summary("max(x, 0)")
            .operands("x")
            .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.IDEMPOTENT)
            .infer(ElementwiseOps::sameAsFloatOperand)
            .kernel((ctx, in) -> new Tensor[] {unary(in[0], x -> x > 0 ? x : (x == x ? 0 : x))})
            .build(),
        OpDef.builder("graph", "identity")
            .summary("returns its operand")
            .operands("x")
            .traits(Trait.PURE, Trait.IDEMPOTENT)
            .infer(ctx -> List.of(ctx.operand(0)))
            .kernel((ctx, in) -> new Tensor[] {in[0]})
            // identity(x) = x
            .folder(n -> n.operand(0))
            .build());
  }

  private static OpDef binary(String name, String summary, FloatBinary.Fn fn, Trait... extra) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("lhs", "rhs")
        .traits(Trait.PURE, Trait.ELEMENTWISE)
        .traits(extra)
        .infer(ctx -> {
          ctx.requireFloat(0);
          ctx.requireFloat(1);
          var et = ctx.requireSameElementType();
          return List.of(new TensorType(et, Broadcast.shape(ctx.operand(0).shape(), ctx.operand(1).shape()), null));
        })
        .kernel((ctx, in) -> new Tensor[] {FloatBinary.apply(in[0], in[1], ctx.resultType(0), fn)})
        .build();
  }

  static List<TensorType> sameAsFloatOperand(InferContext ctx) {
    return List.of(ctx.requireFloat(0));
  }

  interface UnaryFn {
    double apply(double x);
  }

  static Tensor unary(Tensor x, UnaryFn fn) {
    int n = x.size();
    if (x.elementType() == dev.cimc.ir.type.ElementType.F32) {
      float[] a = x.floats();
      float[] z = new float[n];
      for (int i = 0; i < n; i++) {
        z[i] = (float) fn.apply(a[i]);
      }
      return Tensor.wrap(x.type(), z);
    }
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      z[i] = fn.apply(x.getDouble(i));
    }
    return Tensor.fromDoubles(x.type(), z);
  }
}
