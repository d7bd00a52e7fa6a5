package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reductions over a set of axes (ONNX ReduceSum/Mean/Max, opset 18): {@code axes} absent or empty
 * means every axis, or no reduction at all with {@code noop_with_empty_axes = 1}; {@code keepdims}
 * keeps reduced axes as size 1. Float sums accumulate in double. Over an empty set the sum is 0, the
 * mean NaN and the max -inf (the type's minimum for integers).
 */
final class ReduceOps {
  private ReduceOps() {}

  private enum Kind {
    SUM,
    MEAN,
    MAX
  }

  static List<OpDef> defs() {
    return List.of(
        reduce("reduce_sum", "sum over axes", Kind.SUM),
        reduce("reduce_mean", "arithmetic mean over axes (integers truncate toward zero)", Kind.MEAN),
        reduce("reduce_max", "maximum over axes (NaN wins)", Kind.MAX));
  }

  private static OpDef reduce(String name, String summary, Kind kind) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("x")
        .optionalAttr("axes", AttrKind.INTS)
        .attr("keepdims", AttrKind.INT, Attribute.of(1L))
        .attr("noop_with_empty_axes", AttrKind.INT, Attribute.of(0L))
        .traits(Trait.PURE)
        .infer(ctx -> infer(ctx, kind))
        .kernel((ctx, in) -> new Tensor[] {reduce(ctx, kind, in[0])})
        // reducing nothing, or only axes of size 1 with keepdims, gives x back
        .folder(ReduceOps::foldTrivial)
        .build();
  }

  private static List<TensorType> infer(InferContext ctx, Kind kind) {
    TensorType x = ctx.operand(0);
    boolean bool = x.elementType() == ElementType.BOOL && !x.isQuantized();
    if (!(kind == Kind.MAX && bool)) {
      TypeChecks.numeric(ctx, 0);
    }
    long[] axes = ctx.hasAttr("axes") ? ctx.intsAttr("axes") : new long[0];
    boolean[] mask = mask(axes, x, ctx.intAttr("noop_with_empty_axes") != 0);
    if (mask == null) {
      return List.of(x);
    }
    return List.of(new TensorType(x.elementType(), reducedShape(x.shape(), mask, ctx.intAttr("keepdims") != 0), null));
  }

  /** The reduced axes of {@code x}, or null when nothing is reduced (noop with empty axes). */
  private static boolean[] mask(long[] axes, TensorType x, boolean noopWhenEmpty) {
    boolean[] mask = new boolean[x.rank()];
    if (axes.length == 0) {
      if (noopWhenEmpty) {
        return null;
      }
      Arrays.fill(mask, true);
      return mask;
    }
    for (long a : axes) {
      int d = TypeChecks.axis(a, x, "axis");
      if (mask[d]) {
        throw new InferenceException("axes " + Arrays.toString(axes) + " name dimension " + d + " twice");
      }
      mask[d] = true;
    }
    return mask;
  }

  private static Shape reducedShape(Shape s, boolean[] mask, boolean keepdims) {
    var dims = new ArrayList<Integer>();
    for (int d = 0; d < s.rank(); d++) {
      if (!mask[d]) {
        dims.add(s.dim(d));
      } else if (keepdims) {
        dims.add(1);
      }
    }
    int[] out = new int[dims.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims.get(i);
    }
    return Shape.of(out);
  }

  private static Value foldTrivial(Node n) {
    TensorType x = n.operand(0).type();
    if (!n.result().type().equals(x)) {
      return null;
    }
    Attribute axes = n.attr("axes");
    long[] list = axes == null ? new long[0] : ((Attribute.IntsAttr) axes).values();
    boolean[] mask = mask(list, x, n.intAttr("noop_with_empty_axes") != 0);
    if (mask == null) {
      return n.operand(0);
    }
    for (int d = 0; d < mask.length; d++) {
      if (mask[d] && x.dim(d) != 1) {
        return null;
      }
    }
    return n.operand(0);
  }

  private static Tensor reduce(KernelContext ctx, Kind kind, Tensor x) {
    Attribute axesAttr = ctx.attr("axes");
    long[] axes = axesAttr == null ? new long[0] : ((Attribute.IntsAttr) axesAttr).values();
    boolean[] mask = mask(axes, x.type(), ctx.intAttr("noop_with_empty_axes") != 0);
    if (mask == null) {
      return x;
    }
    Shape s = x.shape();
    Shape kept = reducedShape(s, mask, true);
    TensorType outType = ctx.resultType(0);
    int outSize = (int) kept.numel();
    int count = 1;
    for (int d = 0; d < s.rank(); d++) {
      count *= mask[d] ? s.dim(d) : 1;
    }
    if (x.elementType().isFloat()) {
      double[] acc = new double[outSize];
      if (kind == Kind.MAX) {
        Arrays.fill(acc, Double.NEGATIVE_INFINITY);
      }
      accumulate(ctx, kind, x, kept, mask, acc);
      if (kind == Kind.MEAN) {
        for (int i = 0; i < outSize; i++) {
          acc[i] /= count;
        }
      }
      if (outType.elementType() == ElementType.F32) {
        float[] z = new float[outSize];
        for (int i = 0; i < outSize; i++) {
          z[i] = (float) acc[i];
        }
        return Tensor.wrap(outType, z);
      }
      return Tensor.fromDoubles(outType, acc);
    }
    long[] acc = new long[outSize];
    if (kind == Kind.MAX) {
      Arrays.fill(acc, x.elementType().minValue());
    }
    long[] a = IntBinary.longs(x);
    var plan = Broadcast.Plan.of(s, kept, s);
    plan.forEach(0, plan.size(), (o, ia, sa, ib, sb, len) -> {
      for (int i = 0; i < len; i++) {
        int k = ib + i * sb;
        acc[k] = kind == Kind.MAX ? Math.max(acc[k], a[ia + i]) : acc[k] + a[ia + i];
      }
    });
    if (kind == Kind.MEAN && count > 0) {
      for (int i = 0; i < outSize; i++) {
        acc[i] /= count; // the mean of no integers is left at 0
      }
    }
    return IntBinary.pack(acc, outType);
  }

  /**
   * Adds (or maxes) every element of float {@code x} into {@code acc} (laid out as {@code kept}). When the
   * reduced axes are the innermost ones, each output owns a contiguous block and blocks run in parallel;
   * otherwise a serial broadcast walk accumulates rows.
   */
  private static void accumulate(KernelContext ctx, Kind kind, Tensor x, Shape kept, boolean[] mask, double[] acc) {
    boolean max = kind == Kind.MAX;
    float[] f = x.elementType() == ElementType.F32 ? x.floats() : null;
    double[] d = f == null ? FloatBinary.doubles(x) : null;
    Shape s = x.shape();
    if (reducesSuffix(s, mask) && acc.length > 0) {
      int block = x.size() / acc.length;
      int grain = Math.max(1, Broadcast.Chunks.CHEAP / Math.max(1, block));
      Broadcast.Chunks.run(ctx, acc.length, grain, (from, to) -> {
        for (int o = from; o < to; o++) {
          acc[o] = f != null ? fold(f, o * block, block, max) : fold(d, o * block, block, max);
        }
      });
      return;
    }
    var plan = Broadcast.Plan.of(s, kept, s);
    plan.forEach(0, plan.size(), (o, ia, sa, ib, sb, len) -> {
      if (sb == 0) {
        double v = f != null ? fold(f, ia, len, max) : fold(d, ia, len, max);
        acc[ib] = max ? Math.max(acc[ib], v) : acc[ib] + v;
      } else if (f != null) {
        for (int i = 0; i < len; i++) {
          acc[ib + i] = max ? Math.max(acc[ib + i], f[ia + i]) : acc[ib + i] + f[ia + i];
        }
      } else {
        for (int i = 0; i < len; i++) {
          acc[ib + i] = max ? Math.max(acc[ib + i], d[ia + i]) : acc[ib + i] + d[ia + i];
        }
      }
    });
  }

  /** True when no kept dimension of size > 1 lies inside a reduced one. */
  private static boolean reducesSuffix(Shape s, boolean[] mask) {
    boolean seenReduced = false;
    for (int d = 0; d < s.rank(); d++) {
      if (s.dim(d) == 1) {
        continue;
      }
      if (mask[d]) {
        seenReduced = true;
      } else if (seenReduced) {
        return false;
      }
    }
    return true;
  }

  private static double fold(float[] a, int off, int len, boolean max) {
    if (max) {
      float m = Float.NEGATIVE_INFINITY;
      for (int i = off; i < off + len; i++) {
        m = Math.max(m, a[i]);
      }
      return m;
    }
    double s = 0;
    for (int i = off; i < off + len; i++) {
      s += a[i];
    }
    return s;
  }

  private static double fold(double[] a, int off, int len, boolean max) {
    if (max) {
      double m = Double.NEGATIVE_INFINITY;
      for (int i = off; i < off + len; i++) {
        m = Math.max(m, a[i]);
      }
      return m;
    }
    double s = 0;
    for (int i = off; i < off + len; i++) {
      s += a[i];
    }
    return s;
  }
}
