package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise arithmetic of the graph dialect: binary ops with numpy broadcasting (add, sub, mul, div,
 * pow, variadic min and max) on float and integer tensors, and the unary math functions.
 */
final class ElementwiseOps {
  private ElementwiseOps() {}

  static List<OpDef> defs() {
    return List.of(
        arithmetic("add", "elementwise sum", Arith.ADD, Trait.COMMUTATIVE)
            // x + 0 = x and 0 + x = x when the result keeps x's type (up to the sign of a zero x)
            .folder(n -> foldNeutral(n, 0, true))
            .build(),
        arithmetic("sub", "elementwise difference", Arith.SUB)
            // x - 0 = x when the result keeps x's type
            .folder(n -> foldNeutral(n, 0, false))
            .build(),
        arithmetic("mul", "elementwise product", Arith.MUL, Trait.COMMUTATIVE)
            // x * 1 = x and 1 * x = x when the result keeps x's type
            .folder(n -> foldNeutral(n, 1, true))
            .build(),
        arithmetic("div", "elementwise quotient (integers truncate toward zero)", Arith.DIV)
            // x / 1 = x when the result keeps x's type
            .folder(n -> foldNeutral(n, 1, false))
            .build(),
        OpDef.builder("graph", "pow")
            .summary("elementwise power; the result has the base's element type")
            .operands("base", "exponent")
            .traits(Trait.PURE, Trait.ELEMENTWISE)
            .infer(ctx -> {
              TensorType base = TypeChecks.numeric(ctx, 0);
              TensorType exp = TypeChecks.numeric(ctx, 1);
              return List.of(new TensorType(base.elementType(), Broadcast.shape(base.shape(), exp.shape()), null));
            })
            .kernel((ctx, in) -> new Tensor[] {compute(ctx, Arith.POW, in[0], in[1], ctx.resultType(0))})
            // x ^ 1 = x when the result keeps x's type
            .folder(n -> foldNeutral(n, 1, false))
            .build(),
        variadic("min", "elementwise minimum of one or more operands (NaN wins)", Arith.MIN),
        variadic("max", "elementwise maximum of one or more operands (NaN wins)", Arith.MAX),
        OpDef.builder("graph", "abs")
            .summary("|x|")
            .operands("x")
            .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.IDEMPOTENT)
            .infer(ctx -> List.of(TypeChecks.numeric(ctx, 0)))
            .kernel((ctx, in) -> new Tensor[] {isFloat(in[0])
                ? FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
                  for (int i = from; i < to; i++) {
                    z[i] = Math.abs(x[i]);
                  }
                }, Math::abs, Broadcast.Chunks.CHEAP)
                : FloatUnary.mapLong(in[0], Math::abs)})
            // abs(abs(x)) = abs(x)
            .folder(ElementwiseOps::foldIdempotent)
            .build(),
        OpDef.builder("graph", "neg")
            .summary("-x")
            .operands("x")
            .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.INVOLUTION)
            .infer(ctx -> List.of(TypeChecks.signed(ctx, 0)))
            .kernel((ctx, in) -> new Tensor[] {isFloat(in[0])
                ? FloatUnary.map(ctx, in[0], (x, z, from, to) -> {
                  for (int i = from; i < to; i++) {
                    z[i] = -x[i];
                  }
                }, v -> -v, Broadcast.Chunks.CHEAP)
                : FloatUnary.mapLong(in[0], v -> -v)})
            // neg(neg(x)) = x
            .folder(ElementwiseOps::foldInvolution)
            .build(),
        floatUnary("sqrt", "square root (NaN below 0)", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = (float) Math.sqrt(x[i]);
          }
        }, Math::sqrt, Broadcast.Chunks.CHEAP).build(),
        floatUnary("exp", "e^x", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = (float) Math.exp(x[i]);
          }
        }, Math::exp, Broadcast.Chunks.COSTLY).build(),
        floatUnary("log", "natural logarithm (-inf at 0, NaN below)", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = (float) Math.log(x[i]);
          }
        }, Math::log, Broadcast.Chunks.COSTLY).build(),
        floatUnary("reciprocal", "1 / x", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = 1f / x[i];
          }
        }, v -> 1 / v, Broadcast.Chunks.CHEAP).build(),
        floatUnary("erf", "the error function", (x, z, from, to) -> {
          for (int i = from; i < to; i++) {
            z[i] = (float) ErrorFunction.erf(x[i]);
          }
        }, ErrorFunction::erf, Broadcast.Chunks.COSTLY).build(),
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

  /** A broadcasting binary op on float or integer operands of one element type. */
  private static OpDef.Builder arithmetic(String name, String summary, Arith fn, Trait... extra) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("lhs", "rhs")
        .traits(Trait.PURE, Trait.ELEMENTWISE)
        .traits(extra)
        .infer(ctx -> {
          TypeChecks.numeric(ctx, 0);
          TypeChecks.numeric(ctx, 1);
          var et = ctx.requireSameElementType();
          return List.of(new TensorType(et, Broadcast.shape(ctx.operand(0).shape(), ctx.operand(1).shape()), null));
        })
        .kernel((ctx, in) -> new Tensor[] {compute(ctx, fn, in[0], in[1], ctx.resultType(0))});
  }

  /** ONNX Min/Max: one or more operands of one element type, all broadcast together. */
  private static OpDef variadic(String name, String summary, Arith fn) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .variadicOperands("inputs", 1)
        .traits(Trait.PURE, Trait.ELEMENTWISE, Trait.COMMUTATIVE)
        .infer(ctx -> {
          Shape shape = TypeChecks.numeric(ctx, 0).shape();
          for (int i = 1; i < ctx.numOperands(); i++) {
            shape = Broadcast.shape(shape, TypeChecks.numeric(ctx, i).shape());
          }
          return List.of(new TensorType(ctx.requireSameElementType(), shape, null));
        })
        .kernel((ctx, in) -> {
          Tensor acc = in[0];
          for (int i = 1; i < in.length; i++) {
            TensorType t = i == in.length - 1 ? ctx.resultType(0)
                : new TensorType(acc.elementType(), Broadcast.shape(acc.shape(), in[i].shape()), null);
            acc = compute(ctx, fn, acc, in[i], t);
          }
          return new Tensor[] {acc};
        })
        // min(x) = x, max(x) = x
        .folder(n -> n.numOperands() == 1 ? n.operand(0) : null)
        .build();
  }

  /** A unary op on float tensors (result type = operand type). */
  static OpDef.Builder floatUnary(String name, String summary, FloatUnary.Loop f32, DoubleUnaryOperator ref,
      int grain) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("x")
        .traits(Trait.PURE, Trait.ELEMENTWISE)
        .infer(ElementwiseOps::sameAsFloatOperand)
        .kernel((ctx, in) -> new Tensor[] {FloatUnary.map(ctx, in[0], f32, ref, grain)});
  }

  /** Runs a binary function on float or integer operands broadcast to {@code out}. */
  static Tensor compute(KernelContext ctx, Arith fn, Tensor a, Tensor b, TensorType out) {
    return out.elementType().isFloat() ? FloatBinary.apply(ctx, fn, a, b, out) : IntBinary.apply(ctx, fn, a, b, out);
  }

  static boolean isFloat(Tensor t) {
    return t.elementType().isFloat();
  }

  static List<TensorType> sameAsFloatOperand(InferContext ctx) {
    return List.of(ctx.requireFloat(0));
  }

  /**
   * Folds {@code x op c} to x when c is a constant splat of {@code neutral} and the result has x's type
   * (so broadcasting changes nothing); with {@code commutative} also {@code c op x}.
   */
  private static Value foldNeutral(Node n, double neutral, boolean commutative) {
    TensorType t = n.result().type();
    if (n.operand(0).type().equals(t) && isSplatConstant(n.operand(1), neutral)) {
      return n.operand(0);
    }
    if (commutative && n.operand(1).type().equals(t) && isSplatConstant(n.operand(0), neutral)) {
      return n.operand(1);
    }
    return null;
  }

  /** True when {@code v} is a constant whose elements all equal {@code c}. */
  static boolean isSplatConstant(Value v, double c) {
    Node p = v.producer();
    if (p == null || !p.op().has(Trait.CONSTANT_LIKE) || !(p.attr("value") instanceof Attribute.TensorAttr ta)) {
      return false;
    }
    Tensor t = ta.value();
    return t.size() > 0 && t.isSplat() && t.getDouble(0) == c;
  }

  /** f(f(x)) = f(x): the operand already is the result when it comes from the same op with equal attributes. */
  static Value foldIdempotent(Node n) {
    Node p = n.operand(0).producer();
    return p != null && p.op() == n.op() && sameAttributes(p, n) && p.result().type().equals(n.result().type())
        ? n.operand(0) : null;
  }

  /** f(f(x)) = x for an involution with equal attributes. */
  static Value foldInvolution(Node n) {
    Node p = n.operand(0).producer();
    return p != null && p.op() == n.op() && sameAttributes(p, n) && p.operand(0).type().equals(n.result().type())
        ? p.operand(0) : null;
  }

  /** Equal effective attributes (defaults filled in) under the schema of their common op. */
  static boolean sameAttributes(Node a, Node b) {
    for (String name : a.op().attributeSchema().keySet()) {
      if (!java.util.Objects.equals(a.attr(name), b.attr(name))) {
        return false;
      }
    }
    return true;
  }
}
