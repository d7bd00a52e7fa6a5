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
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Ops that cut and join tensors (ONNX semantics, constant parameters as attributes): concat, split, slice
 * and gather. They move elements of every type; per-axis quantization follows the elements (scales are
 * concatenated, split or sliced along with their axis).
 */
final class SliceOps {
  private SliceOps() {}

  static List<OpDef> defs() {
    return List.of(
        OpDef.builder("graph", "concat")
            .summary("joins tensors along `axis`; the other dimensions must agree")
            .variadicOperands("inputs", 1)
            .requiredAttr("axis", AttrKind.INT)
            .traits(Trait.PURE)
            .infer(SliceOps::inferConcat)
            .kernel(SliceOps::concat)
            // concat(x) = x
            .folder(n -> n.numOperands() == 1 ? n.operand(0) : null)
            .build(),
        OpDef.builder("graph", "split")
            .summary("cuts a tensor along `axis` into parts of sizes `split`, or into equal parts "
                + "(the last one smaller when uneven)")
            .operands("x")
            .attr("axis", AttrKind.INT, Attribute.of(0L))
            .optionalAttr("split", AttrKind.INTS)
            .optionalAttr("num_outputs", AttrKind.INT)
            .variadicResults()
            .traits(Trait.PURE)
            .infer(SliceOps::inferSplit)
            .kernel(SliceOps::split)
            // split(x) into one part = x
            .folder(n -> n.numResults() == 1 ? n.operand(0) : null)
            .build(),
        OpDef.builder("graph", "slice")
            .summary("elements start..end by step along `axes` (negative indices count from the end, "
                + "out-of-range ones are clamped)")
            .operands("x")
            .requiredAttr("starts", AttrKind.INTS)
            .requiredAttr("ends", AttrKind.INTS)
            .optionalAttr("axes", AttrKind.INTS)
            .optionalAttr("steps", AttrKind.INTS)
            .traits(Trait.PURE)
            .infer(SliceOps::inferSlice)
            .kernel(SliceOps::slice)
            // slice(x) = x when it takes every element in order
            .folder(n -> n.result().type().equals(n.operand(0).type()) && n.result().type().shape().isStatic()
                && allOnes(n.attr("steps")) ? n.operand(0) : null)
            .build(),
        OpDef.builder("graph", "gather")
            .summary("picks entries of `data` along `axis` by `indices` (i64 or i32, negative from the end); "
                + "the result has rank r + q - 1")
            .operands("data", "indices")
            .attr("axis", AttrKind.INT, Attribute.of(0L))
            .traits(Trait.PURE)
            .infer(SliceOps::inferGather)
            .kernel(SliceOps::gather)
            .build());
  }

  // ---- concat ----

  private static List<TensorType> inferConcat(InferContext ctx) {
    TensorType t0 = ctx.operand(0);
    int r = t0.rank();
    if (r == 0) {
      throw new InferenceException("cannot concatenate rank-0 tensors");
    }
    int axis = ShapeOps.axis(ctx.intAttr("axis"), r);
    ElementType et = ctx.requireSameElementType();
    int[] out = t0.shape().dims();
    long sum = 0;
    boolean dynamic = false;
    for (int i = 0; i < ctx.numOperands(); i++) {
      TensorType t = ctx.operand(i);
      if (t.rank() != r) {
        throw new InferenceException("operand " + i + " " + t + " has rank " + t.rank() + " but operand 0 "
            + t0 + " has rank " + r);
      }
      for (int d = 0; d < r; d++) {
        if (d == axis) {
          continue;
        }
        int a = out[d];
        int b = t.dim(d);
        if (a == Shape.DYNAMIC) {
          out[d] = b;
        } else if (b != Shape.DYNAMIC && a != b) {
          throw new InferenceException("operand " + i + " " + t + " does not match operand 0 " + t0
              + " in dimension " + d + " (" + b + " vs " + a + ")");
        }
      }
      if (t.dim(axis) == Shape.DYNAMIC) {
        dynamic = true;
      } else {
        sum += t.dim(axis);
      }
    }
    out[axis] = dynamic ? Shape.DYNAMIC : Math.toIntExact(sum);
    return List.of(new TensorType(et, Shape.of(out), concatQuant(ctx, axis)));
  }

  private static QuantParams concatQuant(InferContext ctx, int axis) {
    QuantParams q0 = ctx.operand(0).quant();
    boolean allEqual = true;
    boolean allOnAxis = true;
    for (TensorType t : ctx.operandTypes()) {
      allEqual &= Objects.equals(t.quant(), q0);
      allOnAxis &= t.quant() != null && !t.quant().isPerTensor() && t.quant().axis() == axis;
    }
    if (allOnAxis) {
      var scales = new double[0];
      var zps = new long[0];
      for (TensorType t : ctx.operandTypes()) {
        scales = concat(scales, t.quant().scales());
        zps = concat(zps, t.quant().zeroPoints());
      }
      return QuantParams.perAxis(axis, scales, zps);
    }
    if (!allEqual) {
      for (int i = 1; i < ctx.numOperands(); i++) {
        if (!Objects.equals(ctx.operand(i).quant(), q0)) {
          throw new InferenceException("operand " + i + " " + ctx.operand(i) + " is quantized differently from operand 0 "
              + ctx.operand(0));
        }
      }
    }
    return q0;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static Tensor[] concat(KernelContext ctx, Tensor[] in) {
    TensorType outType = ShapeOps.resultTypes(ctx, in).get(0);
    Shape out = outType.shape();
    int r = out.rank();
    int axis = ShapeOps.axis(ctx.intAttr("axis"), r);
    int outer = ShapeOps.product(out, 0, axis);
    int inner = ShapeOps.product(out, axis + 1, r);
    int outChunk = out.dim(axis) * inner;
    Object dst = StridedCopy.newArray(outType.elementType(), Math.toIntExact(out.numel()));
    int off = 0;
    for (Tensor t : in) {
      int chunk = t.shape().dim(axis) * inner;
      StridedCopy.copy(t.rawData(), 0, new long[] {chunk, 1}, dst, off, new long[] {outChunk, 1},
          new int[] {outer, chunk});
      off += chunk;
    }
    return new Tensor[] {Tensor.wrap(outType, dst)};
  }

  // ---- split ----

  private static List<TensorType> inferSplit(InferContext ctx) {
    TensorType t = ctx.operand(0);
    int r = t.rank();
    if (r == 0) {
      throw new InferenceException("cannot split a rank-0 tensor");
    }
    int axis = ShapeOps.axis(ctx.intAttr("axis"), r);
    int dim = t.dim(axis);
    long[] split = ctx.hasAttr("split") ? ctx.intsAttr("split") : null;
    Long numOutputs = ctx.hasAttr("num_outputs") ? ctx.intAttr("num_outputs") : null;
    int declared = ctx.numResults();
    int n;
    if (split != null) {
      n = split.length;
      if (n == 0) {
        throw new InferenceException("split must not be empty");
      }
      long sum = 0;
      for (long s : split) {
        if (s < 0) {
          throw new InferenceException("split " + Arrays.toString(split) + " has a negative size " + s);
        }
        sum += s;
      }
      if (dim != Shape.DYNAMIC && sum != dim) {
        throw new InferenceException("split " + Arrays.toString(split) + " adds up to " + sum + ", but axis "
            + axis + " of " + t + " has size " + dim);
      }
      if (numOutputs != null && numOutputs != n) {
        throw new InferenceException("num_outputs " + numOutputs + " disagrees with split "
            + Arrays.toString(split) + " (" + n + " parts)");
      }
    } else if (numOutputs != null) {
      if (numOutputs < 1 || numOutputs > Integer.MAX_VALUE) {
        throw new InferenceException("num_outputs must be at least 1, got " + numOutputs);
      }
      n = numOutputs.intValue();
    } else if (declared >= 1) {
      n = declared;
    } else {
      throw new InferenceException("the number of parts is unknown: give 'split' or 'num_outputs', "
          + "or declare the results");
    }
    if (declared >= 0 && declared != n) {
      throw new InferenceException("splits into " + n + " parts but the node has " + declared + " results");
    }
    int[] sizes = new int[n];
    if (split != null) {
      for (int i = 0; i < n; i++) {
        sizes[i] = Math.toIntExact(split[i]);
      }
    } else if (dim == Shape.DYNAMIC) {
      Arrays.fill(sizes, Shape.DYNAMIC);
    } else {
      int chunk = (dim + n - 1) / n;
      int last = dim - chunk * (n - 1);
      if (last < 0) {
        throw new InferenceException("cannot split axis " + axis + " of " + t + " into " + n
            + " parts: " + (n - 1) + " chunks of " + chunk + " already exceed its size " + dim);
      }
      Arrays.fill(sizes, chunk);
      sizes[n - 1] = last;
    }
    var types = new ArrayList<TensorType>(n);
    int start = 0;
    for (int i = 0; i < n; i++) {
      int[] d = t.shape().dims();
      d[axis] = sizes[i];
      QuantParams q = t.quant();
      if (q != null && !q.isPerTensor() && q.axis() == axis) {
        if (sizes[i] == Shape.DYNAMIC) {
          throw new InferenceException("cannot split " + t + " along its quantization axis into parts of unknown size");
        }
        q = QuantParams.perAxis(axis, Arrays.copyOfRange(q.scales(), start, start + sizes[i]),
            Arrays.copyOfRange(q.zeroPoints(), start, start + sizes[i]));
        start += sizes[i];
      }
      types.add(new TensorType(t.elementType(), Shape.of(d), q));
    }
    return types;
  }

  private static Tensor[] split(KernelContext ctx, Tensor[] in) {
    List<TensorType> types = ShapeOps.resultTypes(ctx, in);
    Tensor x = in[0];
    Shape s = x.shape();
    int r = s.rank();
    int axis = ShapeOps.axis(ctx.intAttr("axis"), r);
    int outer = ShapeOps.product(s, 0, axis);
    int inner = ShapeOps.product(s, axis + 1, r);
    int inChunk = s.dim(axis) * inner;
    var out = new Tensor[types.size()];
    int off = 0;
    for (int i = 0; i < out.length; i++) {
      TensorType t = types.get(i);
      int chunk = t.dim(axis) * inner;
      Object dst = StridedCopy.newArray(t.elementType(), Math.toIntExact(t.numel()));
      StridedCopy.copy(x.rawData(), off, new long[] {inChunk, 1}, dst, 0, new long[] {chunk, 1},
          new int[] {outer, chunk});
      off += chunk;
      out[i] = Tensor.wrap(t, dst);
    }
    return out;
  }

  // ---- slice ----

  /** Per-axis slice of a shape: first index, step and length (length DYNAMIC when the dimension is). */
  record Plan(int[] start, int[] step, int[] len) {}

  static Plan plan(Shape s, long[] starts, long[] ends, long[] axesSpec, long[] steps) {
    int r = s.rank();
    if (starts.length != ends.length) {
      throw new InferenceException("starts has " + starts.length + " entries but ends has " + ends.length);
    }
    if (axesSpec != null && axesSpec.length != starts.length) {
      throw new InferenceException("axes has " + axesSpec.length + " entries but starts has " + starts.length);
    }
    if (steps != null && steps.length != starts.length) {
      throw new InferenceException("steps has " + steps.length + " entries but starts has " + starts.length);
    }
    if (axesSpec == null && starts.length > r) {
      throw new InferenceException("starts has " + starts.length + " entries but the operand has rank " + r);
    }
    int[] axes;
    if (axesSpec != null) {
      axes = ShapeOps.axes(axesSpec, r);
    } else {
      axes = new int[starts.length];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i;
      }
    }
    int[] start = new int[r];
    int[] step = new int[r];
    int[] len = s.dims();
    Arrays.fill(step, 1);
    for (int i = 0; i < axes.length; i++) {
      int a = axes[i];
      long st = steps == null ? 1 : steps[i];
      if (st == 0) {
        throw new InferenceException("steps must be non-zero, got " + Arrays.toString(steps));
      }
      step[a] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, st));
      long dim = s.dim(a);
      if (dim == Shape.DYNAMIC) {
        len[a] = Shape.DYNAMIC;
        continue;
      }
      long b = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      long count;
      if (dim == 0) {
        count = 0;
      } else if (st > 0) {
        b = clamp(b, 0, dim);
        e = clamp(e, 0, dim);
        count = e > b ? (e - b + st - 1) / st : 0;
      } else {
        b = clamp(b, 0, dim - 1);
        e = clamp(e, -1, dim - 1);
        count = b > e ? (b - e + (-st) - 1) / (-st) : 0;
      }
      start[a] = (int) Math.max(0, b);
      len[a] = (int) count;
    }
    return new Plan(start, step, len);
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static Plan plan(Shape s, AttrSource attrs) {
    return plan(s, attrs.ints("starts"), attrs.ints("ends"), attrs.ints("axes"), attrs.ints("steps"));
  }

  /** Reads optional int-list attributes from an inference or kernel context. */
  private interface AttrSource {
    Attribute get(String name);

    default long[] ints(String name) {
      Attribute a = get(name);
      return a == null ? null : ((Attribute.IntsAttr) a).values();
    }
  }

  private static List<TensorType> inferSlice(InferContext ctx) {
    TensorType t = ctx.operand(0);
    Plan p = plan(t.shape(), ctx::attr);
    QuantParams q = t.quant();
    if (q != null && !q.isPerTensor()) {
      int a = q.axis();
      if (p.len[a] == Shape.DYNAMIC) {
        throw new InferenceException("cannot slice " + t + " along its quantization axis " + a
            + " with a dynamic size");
      }
      double[] scales = new double[p.len[a]];
      long[] zps = new long[p.len[a]];
      for (int k = 0; k < scales.length; k++) {
        int c = p.start[a] + k * p.step[a];
        scales[k] = q.scale(c);
        zps[k] = q.zeroPoint(c);
      }
      q = QuantParams.perAxis(a, scales, zps);
    }
    return List.of(new TensorType(t.elementType(), Shape.of(p.len), q));
  }

  private static Tensor[] slice(KernelContext ctx, Tensor[] in) {
    TensorType outType = ShapeOps.resultTypes(ctx, in).get(0);
    Tensor x = in[0];
    Plan p = plan(x.shape(), ctx::attr);
    long[] strides = x.shape().strides();
    long pos = 0;
    long[] ss = new long[strides.length];
    for (int d = 0; d < strides.length; d++) {
      pos += p.start[d] * strides[d];
      ss[d] = strides[d] * p.step[d];
    }
    Object dst = StridedCopy.newArray(outType.elementType(), Math.toIntExact(outType.numel()));
    StridedCopy.copy(x.rawData(), pos, ss, dst, 0, StridedCopy.strides(p.len), p.len);
    return new Tensor[] {Tensor.wrap(outType, dst)};
  }

  private static boolean allOnes(Attribute steps) {
    if (steps == null) {
      return true;
    }
    for (long s : ((Attribute.IntsAttr) steps).values()) {
      if (s != 1) {
        return false;
      }
    }
    return true;
  }

  // ---- gather ----

  private static List<TensorType> inferGather(InferContext ctx) {
    TensorType data = ctx.operand(0);
    TensorType idx = ctx.operand(1);
    if (idx.elementType() != ElementType.I64 && idx.elementType() != ElementType.I32) {
      throw new InferenceException("indices must be i64 or i32, got " + idx);
    }
    int r = data.rank();
    if (r == 0) {
      throw new InferenceException("cannot gather from a rank-0 tensor");
    }
    int axis = ShapeOps.axis(ctx.intAttr("axis"), r);
    int q = idx.rank();
    int[] out = new int[r + q - 1];
    for (int i = 0; i < axis; i++) {
      out[i] = data.dim(i);
    }
    for (int i = 0; i < q; i++) {
      out[axis + i] = idx.dim(i);
    }
    for (int i = axis + 1; i < r; i++) {
      out[i + q - 1] = data.dim(i);
    }
    ShapeOps.requireNotQuantAxis("gather", data, axis);
    QuantParams qp = data.quant();
    if (qp != null && !qp.isPerTensor() && qp.axis() > axis) {
      qp = QuantParams.perAxis(qp.axis() + q - 1, qp.scales(), qp.zeroPoints());
    }
    return List.of(new TensorType(data.elementType(), Shape.of(out), qp));
  }

  private static Tensor[] gather(KernelContext ctx, Tensor[] in) {
    TensorType outType = ShapeOps.resultTypes(ctx, in).get(0);
    Tensor data = in[0];
    Shape s = data.shape();
    int r = s.rank();
    int axis = ShapeOps.axis(ctx.intAttr("axis"), r);
    int dim = s.dim(axis);
    int outer = ShapeOps.product(s, 0, axis);
    int inner = ShapeOps.product(s, axis + 1, r);
    long[] idx = in[1].toLongArray();
    int[] o0 = new int[outer];
    int[] o1 = new int[idx.length];
    int[] o2 = new int[inner];
    for (int i = 0; i < outer; i++) {
      o0[i] = i * dim * inner;
    }
    for (int j = 0; j < idx.length; j++) {
      long v = idx[j];
      if (v < -dim || v >= dim) {
        throw new InferenceException("index " + v + " is out of range for axis " + axis + " of size " + dim);
      }
      o1[j] = (int) (v < 0 ? v + dim : v) * inner;
    }
    for (int k = 0; k < inner; k++) {
      o2[k] = k;
    }
    Object dst = StridedCopy.newArray(outType.elementType(), Math.toIntExact(outType.numel()));
    StridedCopy.gather(data.rawData(), new int[][] {o0, o1, o2}, dst);
    return new Tensor[] {Tensor.wrap(outType, dst)};
  }
}
