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
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * {@code graph.resize} (ONNX Resize, also the target of the deprecated Upsample, which is resize with
 * {@code coordinate_transformation_mode = "asymmetric"} and {@code nearest_mode = "floor"}). The output
 * size comes from {@code scales} (floor(in · scale)) or {@code sizes}, over {@code axes} (default all).
 * Modes: nearest (any element type) and linear (separable 1-D interpolation per resized axis, float
 * types), with the ONNX coordinate transformations and nearest rounding modes; out-of-range source
 * coordinates clamp to the border as in the ONNX reference. Cubic and tf_crop_and_resize are rejected.
 */
final class ResizeOp {
  private ResizeOp() {}

  private static final List<String> MODES = List.of("nearest", "linear");
  private static final List<String> TRANSFORMS = List.of("half_pixel", "half_pixel_symmetric",
      "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn");
  private static final List<String> NEAREST = List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil");
  private static final List<String> POLICIES = List.of("stretch", "not_larger", "not_smaller");

  static OpDef def() {
    return OpDef.builder("graph", "resize")
        .summary("resizes by `scales` or to `sizes` with nearest or (multi-)linear interpolation")
        .operands("x")
        .attr("mode", AttrKind.STRING, Attribute.of("nearest"))
        .attr("coordinate_transformation_mode", AttrKind.STRING, Attribute.of("half_pixel"))
        .attr("nearest_mode", AttrKind.STRING, Attribute.of("round_prefer_floor"))
        .attr("keep_aspect_ratio_policy", AttrKind.STRING, Attribute.of("stretch"))
        .optionalAttr("scales", AttrKind.FLOATS)
        .optionalAttr("sizes", AttrKind.INTS)
        .optionalAttr("axes", AttrKind.INTS)
        .traits(Trait.PURE)
        .infer(ResizeOp::infer)
        .kernel(ResizeOp::resize)
        // resize(x) = x when every scale is 1 (all supported transformations but tf_half_pixel_for_nn map x to x)
        .folder(ResizeOp::foldIdentity)
        .build();
  }

  /** Where each axis goes: the scale used by the coordinate transformation, the output length, and the
   * (possibly fractional) resized length {@code scale · in} that align_corners and friends divide by. */
  private record Geometry(double[] scale, int[] out, double[] resized) {}

  private interface Attrs {
    Attribute get(String name);

    default String string(String name) {
      return ((Attribute.StringAttr) get(name)).value();
    }
  }

  private static Geometry geometry(TensorType t, Attrs attrs) {
    Geometry g = geometryOf(t, attrs);
    for (int d = 0; d < t.rank(); d++) {
      if (t.dim(d) == 0 && g.out[d] > 0) {
        throw new InferenceException("cannot resize the empty axis " + d + " of " + t + " to " + g.out[d]);
      }
    }
    return g;
  }

  private static Geometry geometryOf(TensorType t, Attrs attrs) {
    int r = t.rank();
    String mode = attrs.string("mode");
    if (mode.equals("cubic")) {
      throw new InferenceException("mode 'cubic' is not supported (use 'nearest' or 'linear')");
    }
    check("mode", mode, MODES);
    String ctm = attrs.string("coordinate_transformation_mode");
    if (ctm.equals("tf_crop_and_resize")) {
      throw new InferenceException("coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
    }
    check("coordinate_transformation_mode", ctm, TRANSFORMS);
    check("nearest_mode", attrs.string("nearest_mode"), NEAREST);
    String policy = attrs.string("keep_aspect_ratio_policy");
    check("keep_aspect_ratio_policy", policy, POLICIES);
    Attribute scalesAttr = attrs.get("scales");
    Attribute sizesAttr = attrs.get("sizes");
    if ((scalesAttr == null) == (sizesAttr == null)) {
      throw new InferenceException(scalesAttr == null ? "needs 'scales' or 'sizes'"
          : "takes 'scales' or 'sizes', not both");
    }
    Attribute axesAttr = attrs.get("axes");
    int[] axes;
    if (axesAttr != null) {
      axes = ShapeOps.axes(((Attribute.IntsAttr) axesAttr).values(), r);
    } else {
      axes = new int[r];
      for (int i = 0; i < r; i++) {
        axes[i] = i;
      }
    }
    int n = scalesAttr != null ? ((Attribute.FloatsAttr) scalesAttr).size() : ((Attribute.IntsAttr) sizesAttr).size();
    if (n != axes.length) {
      throw new InferenceException((scalesAttr != null ? "scales" : "sizes") + " has " + n + " entries, expected "
          + axes.length + " (one per " + (axesAttr != null ? "entry of axes" : "dimension of " + t) + ")");
    }
    double[] scale = new double[r];
    int[] out = t.shape().dims();
    double[] resized = new double[r];
    Arrays.fill(scale, 1.0);
    for (int d = 0; d < r; d++) {
      resized[d] = out[d];
    }
    if (scalesAttr != null) {
      double[] s = ((Attribute.FloatsAttr) scalesAttr).values();
      for (int i = 0; i < n; i++) {
        if (!(s[i] > 0) || Double.isInfinite(s[i])) {
          throw new InferenceException("scales must be positive, got " + Arrays.toString(s));
        }
        int a = axes[i];
        int in = t.dim(a);
        scale[a] = s[i];
        resized[a] = in * s[i];
        out[a] = in == Shape.DYNAMIC ? Shape.DYNAMIC : Math.toIntExact((long) Math.floor(in * s[i]));
      }
      return new Geometry(scale, out, resized);
    }
    long[] sizes = ((Attribute.IntsAttr) sizesAttr).values();
    for (long s : sizes) {
      if (s < 0 || s > Integer.MAX_VALUE) {
        throw new InferenceException("sizes must be non-negative, got " + Arrays.toString(sizes));
      }
    }
    if (policy.equals("stretch")) {
      for (int i = 0; i < n; i++) {
        int a = axes[i];
        out[a] = (int) sizes[i];
        scale[a] = t.dim(a) == Shape.DYNAMIC ? Double.NaN : (double) sizes[i] / t.dim(a);
        resized[a] = sizes[i];
      }
      return new Geometry(scale, out, resized);
    }
    double common = policy.equals("not_larger") ? Double.POSITIVE_INFINITY : 0;
    for (int i = 0; i < n; i++) {
      int in = t.dim(axes[i]);
      if (in == Shape.DYNAMIC) {
        throw new InferenceException("keep_aspect_ratio_policy '" + policy + "' needs static dimensions, but axis "
            + axes[i] + " of " + t + " is dynamic");
      }
      double s = (double) sizes[i] / in;
      common = policy.equals("not_larger") ? Math.min(common, s) : Math.max(common, s);
    }
    for (int a : axes) {
      scale[a] = common;
      resized[a] = common * t.dim(a);
      out[a] = (int) (common * t.dim(a) + 0.5);
    }
    return new Geometry(scale, out, resized);
  }

  private static void check(String what, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw new InferenceException(what + " must be one of " + String.join(", ", allowed) + "; got '" + value + "'");
    }
  }

  private static List<TensorType> infer(InferContext ctx) {
    TensorType t = ctx.operand(0);
    Geometry g = geometry(t, ctx::attr);
    if (ctx.stringAttr("mode").equals("linear") && !t.elementType().isFloat()) {
      throw new InferenceException("linear mode needs a float tensor, got " + t);
    }
    QuantParams q = t.quant();
    if (q != null && !q.isPerTensor() && (g.out[q.axis()] != t.dim(q.axis()) || g.scale[q.axis()] != 1.0)) {
      throw new InferenceException("cannot resize along axis " + q.axis() + ", the per-axis quantization axis of " + t);
    }
    return List.of(t.withShape(Shape.of(g.out)));
  }

  private static Value foldIdentity(Node n) {
    TensorType t = n.operand(0).type();
    if (!n.result().type().equals(t)
        || n.stringAttr("coordinate_transformation_mode").equals("tf_half_pixel_for_nn")) {
      return null;
    }
    Geometry g = geometry(t, n::attr);
    for (double s : g.scale) {
      if (s != 1.0) {
        return null;
      }
    }
    return n.operand(0);
  }

  /** The source coordinate of output index {@code x} along one axis (ONNX coordinate_transformation_mode). */
  static double original(int x, int in, int out, double scale, double resized, String ctm) {
    switch (ctm) {
      case "asymmetric":
        return x / scale;
      case "tf_half_pixel_for_nn":
        return (x + 0.5) / scale;
      case "align_corners":
        return resized == 1 ? 0 : x * (in - 1) / (resized - 1);
      case "pytorch_half_pixel":
        return resized == 1 ? 0 : (x + 0.5) / scale - 0.5;
      case "half_pixel_symmetric": {
        double adjustment = out / resized;
        double offset = in / 2.0 * (1 - adjustment);
        return offset + (x + 0.5) / scale - 0.5;
      }
      default:
        return (x + 0.5) / scale - 0.5;
    }
  }

  /** The source index nearest to coordinate {@code c} by {@code mode}, clamped to [0, in). */
  static int nearest(double c, int in, String mode) {
    double f = Math.floor(c);
    double ratio = c - f;
    double pick;
    if (ratio == 0) {
      pick = f;
    } else {
      switch (mode) {
        case "round_prefer_ceil":
          pick = ratio < 0.5 ? f : f + 1;
          break;
        case "floor":
          pick = f;
          break;
        case "ceil":
          pick = f + 1;
          break;
        default:
          pick = ratio <= 0.5 ? f : f + 1;
          break;
      }
    }
    return (int) Math.max(0, Math.min(in - 1, pick));
  }

  private static Tensor[] resize(KernelContext ctx, Tensor[] in) {
    TensorType outType = ShapeOps.resultTypes(ctx, in).get(0);
    Tensor x = in[0];
    Geometry g = geometry(x.type(), ctx::attr);
    String ctm = ctx.stringAttr("coordinate_transformation_mode");
    int[] inDims = x.shape().dims();
    int r = inDims.length;
    if (ctx.stringAttr("mode").equals("nearest")) {
      String nearestMode = ctx.stringAttr("nearest_mode");
      long[] strides = x.shape().strides();
      int[][] offsets = new int[r][];
      for (int d = 0; d < r; d++) {
        int[] o = new int[g.out[d]];
        for (int i = 0; i < o.length; i++) {
          double c = original(i, inDims[d], g.out[d], g.scale[d], g.resized[d], ctm);
          o[i] = (int) (nearest(c, inDims[d], nearestMode) * strides[d]);
        }
        offsets[d] = o;
      }
      Object dst = StridedCopy.newArray(outType.elementType(), Math.toIntExact(outType.numel()));
      if (outType.numel() > 0) {
        StridedCopy.gather(x.rawData(), offsets, dst);
      }
      return new Tensor[] {Tensor.wrap(outType, dst)};
    }
    double[] cur = toDoubles(x);
    int[] dims = inDims.clone();
    // Interpolate one axis at a time, innermost first, as the ONNX reference nests its 1-D interpolations.
    for (int a = r - 1; a >= 0; a--) {
      cur = linearAxis(ctx, cur, dims, a, g, ctm);
      dims[a] = g.out[a];
    }
    return new Tensor[] {fromDoubles(outType, cur)};
  }

  private static double[] linearAxis(KernelContext ctx, double[] cur, int[] dims, int a, Geometry g, String ctm) {
    int in = dims[a];
    int out = g.out[a];
    int[] i0 = new int[out];
    int[] i1 = new int[out];
    double[] w1 = new double[out];
    boolean identity = in == out;
    for (int j = 0; j < out; j++) {
      double c = original(j, in, out, g.scale[a], g.resized[a], ctm);
      double f = Math.floor(c);
      double ratio = c - f;
      i0[j] = (int) Math.max(0, Math.min(in - 1, f));
      i1[j] = ratio == 0 ? i0[j] : (int) Math.max(0, Math.min(in - 1, f + 1));
      w1[j] = i1[j] == i0[j] ? 0 : ratio;
      identity &= i0[j] == j && w1[j] == 0;
    }
    if (identity) {
      return cur;
    }
    int outer = 1;
    for (int d = 0; d < a; d++) {
      outer *= dims[d];
    }
    int inner = 1;
    for (int d = a + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    int innerF = inner;
    double[] next = new double[outer * out * inner];
    ctx.parallelFor(outer, o -> {
      for (int j = 0; j < out; j++) {
        int s0 = (o * in + i0[j]) * innerF;
        int s1 = (o * in + i1[j]) * innerF;
        int dp = (o * out + j) * innerF;
        double b = w1[j];
        double w0 = 1 - b;
        if (b == 0) {
          System.arraycopy(cur, s0, next, dp, innerF);
        } else {
          for (int k = 0; k < innerF; k++) {
            next[dp + k] = w0 * cur[s0 + k] + b * cur[s1 + k];
          }
        }
      }
    });
    return next;
  }

  private static double[] toDoubles(Tensor x) {
    int n = x.size();
    double[] d = new double[n];
    if (x.elementType() == ElementType.F32) {
      float[] f = x.floats();
      for (int i = 0; i < n; i++) {
        d[i] = f[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        d[i] = x.getDouble(i);
      }
    }
    return d;
  }

  private static Tensor fromDoubles(TensorType t, double[] v) {
    if (t.elementType() == ElementType.F32) {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      return Tensor.wrap(t, f);
    }
    return Tensor.fromDoubles(t, v);
  }
}
