package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code graph.pad} (ONNX Pad, numpy semantics): {@code pads} = [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
 * over {@code axes} (default all); negative pads crop. Modes: constant ({@code value}, converted to the
 * element type; for quantized tensors it is the stored integer), reflect (mirror without repeating the
 * border), edge (repeat the border), wrap (periodic).
 */
final class PadOp {
  private PadOp() {}

  private static final List<String> MODES = List.of("constant", "reflect", "edge", "wrap");

  static OpDef def() {
    return OpDef.builder("graph", "pad")
        .summary("pads (or crops, for negative pads) each axis with a constant, a reflection, the edge or a wrap")
        .operands("x")
        .requiredAttr("pads", AttrKind.INTS)
        .attr("mode", AttrKind.STRING, Attribute.of("constant"))
        .attr("value", AttrKind.FLOAT, Attribute.of(0.0))
        .optionalAttr("axes", AttrKind.INTS)
        .traits(Trait.PURE)
        .infer(PadOp::infer)
        .kernel(PadOp::pad)
        // pad(x, 0) = x
        .folder(n -> allZero(n.intsAttr("pads")) ? n.operand(0) : null)
        .build();
  }

  /** Begin and end pads per dimension of a rank-r operand. */
  private record Pads(long[] begin, long[] end) {}

  private static Pads pads(int rank, long[] pads, long[] axesSpec) {
    int[] axes;
    if (axesSpec != null) {
      axes = ShapeOps.axes(axesSpec, rank);
    } else {
      axes = new int[rank];
      for (int i = 0; i < rank; i++) {
        axes[i] = i;
      }
    }
    if (pads.length != 2 * axes.length) {
      throw new InferenceException("pads has " + pads.length + " entries, expected " + 2 * axes.length
          + " (a begin and an end for each of " + axes.length + " axes)");
    }
    long[] begin = new long[rank];
    long[] end = new long[rank];
    for (int i = 0; i < axes.length; i++) {
      begin[axes[i]] = pads[i];
      end[axes[i]] = pads[i + axes.length];
    }
    return new Pads(begin, end);
  }

  private static List<TensorType> infer(InferContext ctx) {
    TensorType t = ctx.operand(0);
    int r = t.rank();
    String mode = ctx.stringAttr("mode");
    if (!MODES.contains(mode)) {
      throw new InferenceException("mode must be one of " + String.join(", ", MODES) + "; got '" + mode + "'");
    }
    long[] spec = ctx.intsAttr("pads");
    Pads p = pads(r, spec, ctx.hasAttr("axes") ? ctx.intsAttr("axes") : null);
    int[] out = new int[r];
    for (int d = 0; d < r; d++) {
      long b = p.begin[d];
      long e = p.end[d];
      if ((b != 0 || e != 0) && t.quant() != null && !t.quant().isPerTensor() && t.quant().axis() == d) {
        throw new InferenceException("cannot pad along axis " + d + ", the per-axis quantization axis of " + t);
      }
      int dim = t.dim(d);
      if (dim == Shape.DYNAMIC) {
        out[d] = Shape.DYNAMIC;
        continue;
      }
      long n = dim + b + e;
      if (n < 0) {
        throw new InferenceException("pads " + Arrays.toString(spec) + " remove more than the " + dim
            + " elements of axis " + d + " of " + t);
      }
      if (dim == 0 && (b > 0 || e > 0) && !mode.equals("constant")) {
        throw new InferenceException("cannot " + mode + "-pad axis " + d + " of " + t + ": it is empty");
      }
      out[d] = Math.toIntExact(n);
    }
    return List.of(t.withShape(Shape.of(out)));
  }

  private static Tensor[] pad(KernelContext ctx, Tensor[] in) {
    TensorType outType = ShapeOps.resultTypes(ctx, in).get(0);
    Tensor x = in[0];
    int r = x.shape().rank();
    Attribute axes = ctx.attr("axes");
    Pads p = pads(r, ctx.intsAttr("pads"), axes == null ? null : ((Attribute.IntsAttr) axes).values());
    int[] outDims = outType.shape().dims();
    int[] inDims = x.shape().dims();
    long[] inStrides = x.shape().strides();
    Object dst = StridedCopy.newArray(outType.elementType(), Math.toIntExact(outType.numel()));
    String mode = ctx.stringAttr("mode");
    if (mode.equals("constant")) {
      StridedCopy.fill(dst, outType.elementType(), ctx.floatAttr("value"));
      long[] outStrides = StridedCopy.strides(outDims);
      long srcPos = 0;
      long dstPos = 0;
      int[] box = new int[r];
      for (int d = 0; d < r; d++) {
        long srcFrom = Math.max(0, -p.begin[d]);
        long dstFrom = Math.max(0, p.begin[d]);
        box[d] = (int) Math.max(0, Math.min(inDims[d] - srcFrom, outDims[d] - dstFrom));
        srcPos += srcFrom * inStrides[d];
        dstPos += dstFrom * outStrides[d];
      }
      StridedCopy.copy(x.rawData(), srcPos, inStrides, dst, dstPos, outStrides, box);
    } else {
      int[][] offsets = new int[r][];
      for (int d = 0; d < r; d++) {
        int[] o = new int[outDims[d]];
        for (int i = 0; i < o.length; i++) {
          o[i] = (int) (source(i - p.begin[d], inDims[d], mode) * inStrides[d]);
        }
        offsets[d] = o;
      }
      StridedCopy.gather(x.rawData(), offsets, dst);
    }
    return new Tensor[] {Tensor.wrap(outType, dst)};
  }

  /** The source index read at (possibly out-of-range) index {@code i} of an axis of size {@code n}. */
  static long source(long i, int n, String mode) {
    if (i >= 0 && i < n) {
      return i;
    }
    switch (mode) {
      case "edge":
        return i < 0 ? 0 : n - 1;
      case "wrap":
        return Math.floorMod(i, (long) n);
      default: {
        // reflect: the periodic extension of 0, 1, ..., n-1, n-2, ..., 1
        if (n == 1) {
          return 0;
        }
        long period = 2L * (n - 1);
        long m = Math.floorMod(i, period);
        return m < n ? m : period - m;
      }
    }
  }

  private static boolean allZero(long[] v) {
    for (long x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
