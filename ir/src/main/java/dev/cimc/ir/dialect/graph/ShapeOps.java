package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape ops of the graph dialect (ONNX semantics): reshape, flatten, squeeze, unsqueeze, transpose, shape
 * and constant_of_shape. {@link #defs()} also brings in the other data-movement families (slice/concat/
 * split/gather, pad, resize, cast), so the dialect registers them all with one line.
 */
final class ShapeOps {
  private ShapeOps() {}

  static List<OpDef> defs() {
    OpDef reshape = OpDef.builder("graph", "reshape")
        .summary("same elements, new shape (0 copies a dimension, -1 is inferred)")
        .operands("x")
        .requiredAttr("shape", AttrKind.INTS)
        .attr("allowzero", AttrKind.INT, Attribute.of(0L))
        .traits(Trait.PURE)
        .infer(ctx -> {
          Shape out = reshapeTarget(ctx);
          return List.of(new TensorType(ctx.operand(0).elementType(), out,
              reshapedQuant("reshape", ctx.operand(0), out)));
        })
        .kernel((ctx, in) -> new Tensor[] {in[0].withType(resultTypes(ctx, in).get(0))})
        // reshape(x) = x when the shape does not change
        .folder(n -> n.result().type().equals(n.operand(0).type()) ? n.operand(0) : null)
        // reshape(reshape(x)) = reshape(x)
        .canonicalize(ShapeOps::foldReshapeChain)
        .build();
    var ops = new ArrayList<OpDef>(List.of(
        reshape,
        OpDef.builder("graph", "flatten")
            .summary("reshapes to 2-D: dimensions before `axis` form the rows, the rest the columns")
            .operands("x")
            .attr("axis", AttrKind.INT, Attribute.of(1L))
            .traits(Trait.PURE)
            .infer(ShapeOps::inferFlatten)
            .kernel((ctx, in) -> new Tensor[] {in[0].withType(resultTypes(ctx, in).get(0))})
            // flatten(x) = x when x already has the flattened shape
            .folder(n -> n.result().type().equals(n.operand(0).type()) ? n.operand(0) : null)
            // flatten(x) = reshape(x) to the static result shape (views canonicalize to reshape)
            .canonicalize(n -> viewToReshape(n, reshape))
            .build(),
        OpDef.builder("graph", "squeeze")
            .summary("removes size-1 dimensions: those in `axes`, or all of them when `axes` is absent")
            .operands("x")
            .optionalAttr("axes", AttrKind.INTS)
            .traits(Trait.PURE)
            .infer(ShapeOps::inferSqueeze)
            .kernel((ctx, in) -> new Tensor[] {in[0].withType(resultTypes(ctx, in).get(0))})
            // squeeze(x) = x when no dimension is removed
            .folder(n -> n.result().type().equals(n.operand(0).type()) ? n.operand(0) : null)
            // squeeze(unsqueeze(x, axes), axes) = x
            .folder(ShapeOps::foldSqueezeOfUnsqueeze)
            // squeeze(x) = reshape(x) to the static result shape
            .canonicalize(n -> viewToReshape(n, reshape))
            .build(),
        OpDef.builder("graph", "unsqueeze")
            .summary("inserts size-1 dimensions at `axes` (indices into the result's dimensions)")
            .operands("x")
            .requiredAttr("axes", AttrKind.INTS)
            .traits(Trait.PURE)
            .infer(ShapeOps::inferUnsqueeze)
            .kernel((ctx, in) -> new Tensor[] {in[0].withType(resultTypes(ctx, in).get(0))})
            // unsqueeze(x, []) = x
            .folder(n -> n.result().type().equals(n.operand(0).type()) ? n.operand(0) : null)
            // unsqueeze(x) = reshape(x) to the static result shape
            .canonicalize(n -> viewToReshape(n, reshape))
            .build(),
        OpDef.builder("graph", "transpose")
            .summary("permutes dimensions: result dim i is operand dim perm[i] (default: reversed)")
            .operands("x")
            .optionalAttr("perm", AttrKind.INTS)
            .traits(Trait.PURE)
            .infer(ctx -> {
              int[] p = perm(ctx.operand(0).rank(), ctx.hasAttr("perm") ? ctx.intsAttr("perm") : null);
              int[] d = new int[p.length];
              for (int i = 0; i < p.length; i++) {
                d[i] = ctx.operand(0).dim(p[i]);
              }
              TensorType t = ctx.operand(0);
              var q = t.quant();
              if (q != null && !q.isPerTensor()) {
                int axis = 0;
                while (p[axis] != q.axis()) {
                  axis++;
                }
                q = QuantParams.perAxis(axis, q.scales(), q.zeroPoints());
              }
              return List.of(new TensorType(t.elementType(), Shape.of(d), q));
            })
            .kernel((ctx, in) -> new Tensor[] {transpose(in[0],
                perm(in[0].shape().rank(), permOf(ctx.node())), resultTypes(ctx, in).get(0))})
            // transpose(x, identity) = x
            .folder(n -> isIdentity(perm(n.operand(0).type().rank(), permOf(n))) ? n.operand(0) : null)
            // transpose(transpose(x, p), q) = transpose(x, p∘q)
            .canonicalize(ShapeOps::foldTransposeChain)
            // transpose(x, p) = reshape(x) when p only moves size-1 dimensions (the element order stays)
            .canonicalize(n -> unitTransposeToReshape(n, reshape))
            .build(),
        OpDef.builder("graph", "shape")
            .summary("the operand's dimensions start..end as a 1-D i64 tensor")
            .operands("x")
            .attr("start", AttrKind.INT, Attribute.of(0L))
            .optionalAttr("end", AttrKind.INT)
            .traits(Trait.PURE)
            .infer(ctx -> {
              long[] dims = shapeOf(ctx.operand(0), ctx.intAttr("start"),
                  ctx.hasAttr("end") ? ctx.intAttr("end") : null);
              return List.of(TensorType.of(ElementType.I64, dims.length));
            })
            .kernel((ctx, in) -> {
              Attribute end = ctx.attr("end");
              long[] dims = shapeOf(in[0].type(), ctx.intAttr("start"),
                  end == null ? null : ((Attribute.IntAttr) end).value());
              return new Tensor[] {Tensor.ofLongs(new int[] {dims.length}, dims)};
            })
            // shape(x) = const when the dimensions read are static (inference requires them to be)
            .canonicalize(ShapeOps::shapeToConstant)
            .build(),
        OpDef.builder("graph", "constant_of_shape")
            .summary("a tensor of static shape `shape` filled with the one element of `value` (default f32 0)")
            .requiredAttr("shape", AttrKind.INTS)
            .optionalAttr("value", AttrKind.TENSOR)
            .traits(Trait.PURE)
            .infer(ctx -> {
              Tensor v = fillValue(ctx.attr("value"));
              long[] dims = ctx.intsAttr("shape");
              for (long d : dims) {
                if (d < 0 || d > Integer.MAX_VALUE) {
                  throw new InferenceException("shape " + Arrays.toString(dims) + " has an invalid dimension " + d);
                }
              }
              return List.of(new TensorType(v.elementType(), Shape.ofLongs(dims), null));
            })
            .kernel((ctx, in) -> {
              TensorType t = ctx.resultType(0);
              // compact: ConstantOfShape weights run to millions of elements nothing may ever read densely
              return new Tensor[] {Tensor.splat(t, fillValue(ctx.attr("value")))};
            })
            .build()));
    ops.addAll(SliceOps.defs());
    ops.add(PadOp.def());
    ops.add(ResizeOp.def());
    ops.add(CastOp.def());
    return ops;
  }

  // ---- shared helpers of the data-movement ops ----

  /**
   * The result types of a node for the concrete operand tensors: the declared types when static, else
   * inferred again from the operands' actual types.
   */
  static List<TensorType> resultTypes(KernelContext ctx, Tensor[] in) {
    Node n = ctx.node();
    boolean allStatic = true;
    var declared = new ArrayList<TensorType>(n.numResults());
    for (Value r : n.results()) {
      declared.add(r.type());
      allStatic &= r.type().shape().isStatic();
    }
    if (allStatic) {
      return declared;
    }
    var types = new ArrayList<TensorType>(in.length);
    for (Tensor t : in) {
      types.add(t.type());
    }
    return n.op().inferTypes(types, n.attributes(), declared);
  }

  /** Normalizes a possibly negative axis for a given rank, or fails naming the valid range. */
  static int axis(long axis, int rank) {
    if (axis < -rank || axis >= rank) {
      throw new InferenceException("axis " + axis + " is out of range for rank " + rank
          + (rank == 0 ? "" : " (expected " + -rank + ".." + (rank - 1) + ")"));
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** Normalizes a list of distinct axes for a given rank. */
  static int[] axes(long[] spec, int rank) {
    int[] out = new int[spec.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < spec.length; i++) {
      out[i] = axis(spec[i], rank);
      if (seen[out[i]]) {
        throw new InferenceException("axes " + Arrays.toString(spec) + " name axis " + out[i] + " twice");
      }
      seen[out[i]] = true;
    }
    return out;
  }

  /** Product of dims[from..to), or {@link Shape#DYNAMIC} if one of them is dynamic. */
  static int product(Shape s, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      if (s.dim(i) == Shape.DYNAMIC) {
        return Shape.DYNAMIC;
      }
      p *= s.dim(i);
    }
    return Math.toIntExact(p);
  }

  /**
   * The quantization of a tensor viewed under a new shape with the same elements: per-tensor parameters
   * carry over; a per-axis axis survives only if it maps to a dimension of the same size at the same
   * element stride.
   */
  static QuantParams reshapedQuant(String op, TensorType in, Shape out) {
    QuantParams q = in.quant();
    if (q == null || q.isPerTensor()) {
      return q;
    }
    int a = q.axis();
    Shape s = in.shape();
    int prefix = product(s, 0, a);
    if (prefix != Shape.DYNAMIC && s.dim(a) != Shape.DYNAMIC) {
      if (a < out.rank() && out.dim(a) == s.dim(a) && product(out, 0, a) == prefix) {
        return q;
      }
      for (int b = 0; b < out.rank(); b++) {
        if (out.dim(b) == s.dim(a) && product(out, 0, b) == prefix) {
          return QuantParams.perAxis(b, q.scales(), q.zeroPoints());
        }
      }
    }
    throw new InferenceException("cannot " + op + " " + in + " to " + shapeText(out)
        + ": its per-axis quantization axis " + a + " does not survive");
  }

  /** Fails if {@code t} is quantized per axis along {@code axis} (which the op would scramble). */
  static void requireNotQuantAxis(String what, TensorType t, int axis) {
    QuantParams q = t.quant();
    if (q != null && !q.isPerTensor() && q.axis() == axis) {
      throw new InferenceException("cannot " + what + " along axis " + axis + ", the per-axis quantization axis of " + t);
    }
  }

  static String shapeText(Shape s) {
    return "[" + s.toString().replace("x", ", ").replace("?", "-1") + "]";
  }

  // ---- reshape ----

  static Shape reshapeTarget(InferContext ctx) {
    Shape in = ctx.operand(0).shape();
    long[] spec = ctx.intsAttr("shape");
    boolean allowZero = ctx.intAttr("allowzero") != 0;
    int[] out = new int[spec.length];
    int inferAt = -1;
    long known = 1;
    for (int i = 0; i < spec.length; i++) {
      long s = spec[i];
      if (s == -1) {
        if (inferAt >= 0) {
          throw new InferenceException("shape " + Arrays.toString(spec) + " has more than one -1");
        }
        inferAt = i;
        continue;
      }
      if (s < -1) {
        throw new InferenceException("shape " + Arrays.toString(spec) + " has a negative dimension " + s);
      }
      if (s == 0 && !allowZero) {
        if (i >= in.rank()) {
          throw new InferenceException("shape " + Arrays.toString(spec) + " copies dimension " + i
              + " (0) but the operand has rank " + in.rank());
        }
        out[i] = in.dim(i);
      } else {
        out[i] = Math.toIntExact(s);
      }
      if (out[i] == Shape.DYNAMIC) {
        known = -1;
      } else if (known >= 0) {
        known *= out[i];
      }
    }
    if (!in.isStatic() || known < 0) {
      if (inferAt >= 0) {
        out[inferAt] = Shape.DYNAMIC;
      }
      return Shape.of(out);
    }
    long total = in.numel();
    if (inferAt >= 0) {
      if (known == 0 || total % known != 0) {
        throw new InferenceException("cannot reshape " + in.numel() + " elements (" + ctx.operand(0)
            + ") to " + Arrays.toString(spec));
      }
      out[inferAt] = Math.toIntExact(total / known);
    } else if (known != total) {
      throw new InferenceException("cannot reshape " + ctx.operand(0) + " (" + total + " elements) to "
          + Arrays.toString(spec) + " (" + known + " elements)");
    }
    return Shape.of(out);
  }

  private static boolean foldReshapeChain(Node n) {
    Node inner = n.operand(0).producer();
    if (inner == null || inner.op() != n.op() || !n.result().type().shape().isStatic()) {
      return false;
    }
    n.setOperand(0, inner.operand(0));
    n.setAttributes(n.attributes().without("allowzero")
        .with("shape", Attribute.ints(n.result().type().shape().dims())));
    return true;
  }

  /**
   * Replaces a view op (flatten, squeeze, unsqueeze, a unit transpose) by a reshape to its static result
   * type, keeping the result name. Not for per-axis quantized or empty results.
   */
  private static boolean viewToReshape(Node n, OpDef reshape) {
    TensorType t = n.result().type();
    if (!t.shape().isStatic() || (t.quant() != null && !t.quant().isPerTensor())) {
      return false;
    }
    for (int d : t.shape().dims()) {
      if (d == 0) {
        return false;
      }
    }
    String name = n.result().name();
    Node r = n.graph().insertBefore(n, reshape, List.of(n.operand(0)),
        Attributes.of("shape", Attribute.ints(t.shape().dims())), List.of(t), null, n.location());
    n.graph().replaceNode(n, List.of(r.result()));
    r.result().rename(name);
    return true;
  }

  private static boolean unitTransposeToReshape(Node n, OpDef reshape) {
    TensorType in = n.operand(0).type();
    if (!in.shape().isStatic()) {
      return false;
    }
    int[] p = perm(in.rank(), permOf(n));
    int last = -1;
    for (int axis : p) {
      if (in.dim(axis) != 1) {
        if (axis < last) {
          return false;
        }
        last = axis;
      }
    }
    return viewToReshape(n, reshape);
  }

  // ---- flatten, squeeze, unsqueeze ----

  private static List<TensorType> inferFlatten(InferContext ctx) {
    TensorType t = ctx.operand(0);
    int r = t.rank();
    long a = ctx.intAttr("axis");
    if (a < -r || a > r) {
      throw new InferenceException("axis " + a + " is out of range for rank " + r + " (expected " + -r + ".." + r + ")");
    }
    int axis = (int) (a < 0 ? a + r : a);
    Shape out = Shape.of(product(t.shape(), 0, axis), product(t.shape(), axis, r));
    return List.of(new TensorType(t.elementType(), out, reshapedQuant("flatten", t, out)));
  }

  private static List<TensorType> inferSqueeze(InferContext ctx) {
    TensorType t = ctx.operand(0);
    int r = t.rank();
    boolean[] drop = new boolean[r];
    if (ctx.hasAttr("axes")) {
      for (int a : axes(ctx.intsAttr("axes"), r)) {
        int d = t.dim(a);
        if (d != 1 && d != Shape.DYNAMIC) {
          throw new InferenceException("cannot squeeze axis " + a + " of " + t + ": its size is " + d + ", not 1");
        }
        drop[a] = true;
      }
    } else {
      for (int i = 0; i < r; i++) {
        if (t.dim(i) == Shape.DYNAMIC) {
          throw new InferenceException("squeeze without axes needs static dimensions, but dimension " + i
              + " of " + t + " is dynamic");
        }
        drop[i] = t.dim(i) == 1;
      }
    }
    int[] out = new int[r];
    int[] newIndex = new int[r];
    int m = 0;
    for (int i = 0; i < r; i++) {
      newIndex[i] = m;
      if (!drop[i]) {
        out[m++] = t.dim(i);
      }
    }
    QuantParams q = t.quant();
    if (q != null && !q.isPerTensor()) {
      if (drop[q.axis()]) {
        throw new InferenceException("cannot squeeze axis " + q.axis() + ", the per-axis quantization axis of " + t);
      }
      q = QuantParams.perAxis(newIndex[q.axis()], q.scales(), q.zeroPoints());
    }
    return List.of(new TensorType(t.elementType(), Shape.of(Arrays.copyOf(out, m)), q));
  }

  private static List<TensorType> inferUnsqueeze(InferContext ctx) {
    TensorType t = ctx.operand(0);
    long[] spec = ctx.intsAttr("axes");
    int r = t.rank() + spec.length;
    boolean[] inserted = new boolean[r];
    for (int a : axes(spec, r)) {
      inserted[a] = true;
    }
    int[] out = new int[r];
    int[] newIndex = new int[t.rank()];
    int j = 0;
    for (int i = 0; i < r; i++) {
      if (inserted[i]) {
        out[i] = 1;
      } else {
        newIndex[j] = i;
        out[i] = t.dim(j++);
      }
    }
    QuantParams q = t.quant();
    if (q != null && !q.isPerTensor()) {
      q = QuantParams.perAxis(newIndex[q.axis()], q.scales(), q.zeroPoints());
    }
    return List.of(new TensorType(t.elementType(), Shape.of(out), q));
  }

  private static Value foldSqueezeOfUnsqueeze(Node n) {
    Node inner = n.operand(0).producer();
    if (inner == null || !inner.op().fullName().equals("graph.unsqueeze") || n.attr("axes") == null) {
      return null;
    }
    int r = inner.result().type().rank();
    int[] a = axes(n.intsAttr("axes"), r);
    int[] b = axes(inner.intsAttr("axes"), r);
    Arrays.sort(a);
    Arrays.sort(b);
    return Arrays.equals(a, b) ? inner.operand(0) : null;
  }

  // ---- transpose ----

  private static long[] permOf(Node n) {
    Attribute a = n.attr("perm");
    return a == null ? null : ((Attribute.IntsAttr) a).values();
  }

  private static boolean foldTransposeChain(Node n) {
    Node inner = n.operand(0).producer();
    if (inner == null || inner.op() != n.op()) {
      return false;
    }
    int rank = inner.operand(0).type().rank();
    int[] p = perm(rank, permOf(inner));
    int[] q = perm(rank, permOf(n));
    int[] composed = new int[rank];
    for (int i = 0; i < rank; i++) {
      composed[i] = p[q[i]];
    }
    n.setOperand(0, inner.operand(0));
    n.setAttribute("perm", Attribute.ints(composed));
    return true;
  }

  /** Validates a permutation for a given rank, or returns the reversed order when {@code spec} is null. */
  static int[] perm(int rank, long[] spec) {
    int[] p = new int[rank];
    if (spec == null) {
      for (int i = 0; i < rank; i++) {
        p[i] = rank - 1 - i;
      }
      return p;
    }
    if (spec.length != rank) {
      throw new InferenceException("perm " + Arrays.toString(spec) + " has " + spec.length
          + " entries but the operand has rank " + rank);
    }
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      long v = spec[i] < 0 ? spec[i] + rank : spec[i];
      if (v < 0 || v >= rank || seen[(int) v]) {
        throw new InferenceException("perm " + Arrays.toString(spec) + " is not a permutation of 0.." + (rank - 1));
      }
      seen[(int) v] = true;
      p[i] = (int) v;
    }
    return p;
  }

  private static boolean isIdentity(int[] p) {
    for (int i = 0; i < p.length; i++) {
      if (p[i] != i) {
        return false;
      }
    }
    return true;
  }

  static Tensor transpose(Tensor x, int[] perm, TensorType outType) {
    int r = perm.length;
    long[] inStrides = x.shape().strides();
    long[] s = new long[r];
    for (int i = 0; i < r; i++) {
      s[i] = inStrides[perm[i]];
    }
    int[] dims = outType.shape().dims();
    Object out = StridedCopy.newArray(x.elementType(), x.size());
    StridedCopy.copy(x.rawData(), 0, s, out, 0, StridedCopy.strides(dims), dims);
    return Tensor.wrap(outType, out);
  }

  // ---- shape, constant_of_shape ----

  /** ONNX Shape: dimensions start..end (negative counts from the end, both clamped to [0, rank]). */
  static long[] shapeOf(TensorType t, long start, Long end) {
    int r = t.rank();
    long s = clampAxis(start, r);
    long e = end == null ? r : clampAxis(end, r);
    int n = (int) Math.max(0, e - s);
    long[] dims = new long[n];
    for (int i = 0; i < n; i++) {
      int d = t.dim((int) s + i);
      if (d == Shape.DYNAMIC) {
        throw new InferenceException("shape needs static dimensions, but dimension " + (s + i) + " of " + t
            + " is dynamic");
      }
      dims[i] = d;
    }
    return dims;
  }

  private static long clampAxis(long a, int rank) {
    if (a < 0) {
      a += rank;
    }
    return Math.max(0, Math.min(rank, a));
  }

  private static boolean shapeToConstant(Node n) {
    Attribute end = n.attr("end");
    long[] dims;
    try {
      dims = shapeOf(n.operand(0).type(), n.intAttr("start"), end == null ? null : ((Attribute.IntAttr) end).value());
    } catch (InferenceException e) {
      return false;
    }
    Tensor t = Tensor.ofLongs(new int[] {dims.length}, dims);
    Value old = n.result();
    String name = old.name();
    Node c = n.graph().insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(t)),
        List.of(t.type()), null, n.location());
    n.graph().replaceNode(n, List.of(c.result()));
    c.result().rename(name);
    return true;
  }

  /** The fill value of constant_of_shape: a one-element tensor, f32 0 when absent. */
  static Tensor fillValue(Attribute a) {
    if (a == null) {
      return Tensor.scalar(0f);
    }
    Tensor v = ((Attribute.TensorAttr) a).value();
    if (v.size() != 1) {
      throw new InferenceException("value must hold exactly one element, got " + v.type());
    }
    if (v.type().isQuantized()) {
      throw new InferenceException("value must not be quantized, got " + v.type());
    }
    return v;
  }
}
