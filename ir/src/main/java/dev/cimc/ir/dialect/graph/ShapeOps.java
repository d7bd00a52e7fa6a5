package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.List;

/** Data-movement ops of the graph dialect: reshape and transpose (ONNX semantics). */
final class ShapeOps {
  private ShapeOps() {}

  static List<OpDef> defs() {
    return List.of(
        OpDef.builder("graph", "reshape")
            .summary("same elements, new shape (0 copies a dimension, -1 is inferred)")
            .operands("x")
            .requiredAttr("shape", AttrKind.INTS)
            .attr("allowzero", AttrKind.INT, Attribute.of(0L))
            .traits(Trait.PURE)
            .infer(ctx -> {
              var q = ctx.operand(0).quant();
              if (q != null && !q.isPerTensor()) {
                throw new InferenceException("cannot reshape a per-axis quantized tensor " + ctx.operand(0));
              }
              return List.of(ctx.operand(0).withShape(reshapeTarget(ctx)));
            })
            .kernel((ctx, in) -> new Tensor[] {in[0].reshape(ctx.resultType(0).shape())})
            // reshape(x) = x when the shape does not change
            .folder(n -> n.result().type().shape().equals(n.operand(0).type().shape()) ? n.operand(0) : null)
            // reshape(reshape(x)) = reshape(x)
            .canonicalize(ShapeOps::foldReshapeChain)
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
                q = dev.cimc.ir.type.QuantParams.perAxis(axis, q.scales(), q.zeroPoints());
              }
              return List.of(new TensorType(t.elementType(), Shape.of(d), q));
            })
            .kernel((ctx, in) -> new Tensor[] {transpose(in[0],
                perm(in[0].shape().rank(), ctx.attr("perm") == null ? null : ctx.intsAttr("perm")), ctx.resultType(0))})
            // transpose(x, identity) = x
            .folder(n -> isIdentity(perm(n.operand(0).type().rank(), permOf(n))) ? n.operand(0) : null)
            // transpose(transpose(x, p), q) = transpose(x, p∘q)
            .canonicalize(ShapeOps::foldTransposeChain)
            .build());
  }

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
    Shape out = outType.shape();
    int n = x.size();
    long[] inStrides = x.shape().strides();
    long[] s = new long[r];
    for (int i = 0; i < r; i++) {
      s[i] = inStrides[perm[i]];
    }
    int[] src = new int[n];
    int[] idx = new int[r];
    long off = 0;
    for (int o = 0; o < n; o++) {
      src[o] = (int) off;
      for (int d = r - 1; d >= 0; d--) {
        idx[d]++;
        off += s[d];
        if (idx[d] < out.dim(d)) {
          break;
        }
        off -= s[d] * idx[d];
        idx[d] = 0;
      }
    }
    return Gather.gather(x, src, outType);
  }
}
