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
import java.util.Arrays;
import java.util.List;

/**
 * The ops that become crossbar MVMs, with ONNX semantics: matmul, gemm, conv1d, conv2d,
 * conv_transpose1d and conv_transpose2d. The f32 kernels run on {@link Sgemm} (convolutions through
 * {@link ConvKernels}); f64 and f16 run direct double-precision loops.
 */
final class LinalgOps {
  private LinalgOps() {}

  static List<OpDef> defs() {
    return List.of(
        OpDef.builder("graph", "matmul")
            .summary("matrix product with numpy semantics (batched, broadcasting, 1-D promotion)")
            .operands("a", "b")
            .traits(Trait.PURE)
            .infer(LinalgOps::inferMatmul)
            .kernel(LinalgOps::matmul)
            .build(),
        OpDef.builder("graph", "gemm")
            .summary("alpha·op(A)·op(B) + beta·C, op transposing when trans_a/trans_b; C broadcasts to the result")
            .operands("a", "b")
            .optionalOperands("c")
            .attr("alpha", AttrKind.FLOAT, Attribute.of(1.0))
            .attr("beta", AttrKind.FLOAT, Attribute.of(1.0))
            .attr("trans_a", AttrKind.INT, Attribute.of(0L))
            .attr("trans_b", AttrKind.INT, Attribute.of(0L))
            .optionalAttr(FusedOps.BN_STATS, AttrKind.TENSOR)
            .traits(Trait.PURE)
            .infer(LinalgOps::inferGemm)
            .kernel(LinalgOps::gemm)
            .build(),
        conv("conv1d", 1, false, "1-D convolution, NCL input, OIL weights (groups, strides, pads, dilations, auto_pad)"),
        conv("conv2d", 2, false,
            "2-D convolution, NCHW input, OIHW weights (groups, strides, pads, dilations, auto_pad)"),
        conv("conv_transpose1d", 1, true,
            "1-D transposed convolution, NCL input, C×(M/group)×L weights (output_padding, output_shape)"),
        conv("conv_transpose2d", 2, true,
            "2-D transposed convolution, NCHW input, C×(M/group)×kH×kW weights (output_padding, output_shape)"));
  }

  // ------------------------------------------------------------------------------------------ matmul

  private static List<TensorType> inferMatmul(InferContext ctx) {
    TensorType a = ctx.requireFloat(0);
    TensorType b = ctx.requireFloat(1);
    ElementType et = ctx.requireSameElementType();
    if (a.rank() == 0 || b.rank() == 0) {
      throw new InferenceException("matmul operands must have rank ≥ 1, got " + a + " and " + b);
    }
    int k1 = a.dim(a.rank() - 1);
    int k2 = b.rank() == 1 ? b.dim(0) : b.dim(b.rank() - 2);
    if (k1 != k2 && k1 != Shape.DYNAMIC && k2 != Shape.DYNAMIC) {
      throw new InferenceException("matmul contraction dimensions differ: " + a + " has " + k1 + ", " + b + " has " + k2);
    }
    Shape batchA = a.rank() > 2 ? Shape.of(Arrays.copyOf(a.shape().dims(), a.rank() - 2)) : Shape.SCALAR;
    Shape batchB = b.rank() > 2 ? Shape.of(Arrays.copyOf(b.shape().dims(), b.rank() - 2)) : Shape.SCALAR;
    int[] batch = Broadcast.shape(batchA, batchB).dims();
    int extra = (a.rank() > 1 ? 1 : 0) + (b.rank() > 1 ? 1 : 0);
    int[] out = Arrays.copyOf(batch, batch.length + extra);
    int i = batch.length;
    if (a.rank() > 1) {
      out[i++] = a.dim(a.rank() - 2);
    }
    if (b.rank() > 1) {
      out[i] = b.dim(b.rank() - 1);
    }
    return List.of(new TensorType(et, Shape.of(out), null));
  }

  private static Tensor[] matmul(KernelContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    // Shapes come from the operands, so the kernel does not depend on the declared (maybe dynamic) result.
    TensorType outType = inferMatmul(new InferContext(ctx.node().op(), List.of(a.type(), b.type()),
        ctx.node().attributes(), null)).get(0);
    // Promote 1-D operands to matrices, as numpy does.
    int[] ad = a.shape().rank() == 1 ? new int[] {1, a.shape().dim(0)} : a.shape().dims();
    int[] bd = b.shape().rank() == 1 ? new int[] {b.shape().dim(0), 1} : b.shape().dims();
    int m = ad[ad.length - 2];
    int k = ad[ad.length - 1];
    int n = bd[bd.length - 1];
    Shape batchA = Shape.of(Arrays.copyOf(ad, ad.length - 2));
    Shape batchB = Shape.of(Arrays.copyOf(bd, bd.length - 2));
    Shape batch = Broadcast.shape(batchA, batchB);
    int nb = (int) batch.numel();
    int[] offA = new int[nb];
    int[] offB = new int[nb];
    int[] offC = new int[nb];
    FloatBinary.forEachIndex(batch, Broadcast.strides(batchA, batch), Broadcast.strides(batchB, batch),
        (o, ia, ib) -> {
          offA[o] = ia * m * k;
          offB[o] = ib * k * n;
          offC[o] = o * m * n;
        });
    if (isF32(outType, in)) {
      float[] z = new float[nb * m * n];
      Sgemm.multiply(ctx::parallelFor, nb, m, n, k, a.floats(), offA, k, b.floats(), offB, n, z, offC, n);
      return new Tensor[] {Tensor.wrap(outType, z)};
    }
    double[] x = doubles(a);
    double[] y = doubles(b);
    double[] z = new double[nb * m * n];
    for (int t = 0; t < nb; t++) {
      gemmDouble(m, n, k, 1.0, x, offA[t], k, 1, y, offB[t], n, 1, z, offC[t]);
    }
    return new Tensor[] {Tensor.fromDoubles(outType, z)};
  }

  // ------------------------------------------------------------------------------------------ gemm

  static List<TensorType> inferGemm(InferContext ctx) {
    TensorType a = ctx.requireFloat(0);
    TensorType b = ctx.requireFloat(1);
    if (ctx.hasOperand(2)) {
      ctx.requireFloat(2);
    }
    ElementType et = ctx.requireSameElementType();
    if (a.rank() != 2 || b.rank() != 2) {
      throw new InferenceException("A and B must be matrices, got " + a + " and " + b);
    }
    boolean ta = ctx.intAttr("trans_a") != 0;
    boolean tb = ctx.intAttr("trans_b") != 0;
    int m = a.dim(ta ? 1 : 0);
    int ka = a.dim(ta ? 0 : 1);
    int kb = b.dim(tb ? 1 : 0);
    int n = b.dim(tb ? 0 : 1);
    if (ka != kb && ka != Shape.DYNAMIC && kb != Shape.DYNAMIC) {
      throw new InferenceException("op(A) is " + SlidingWindow.dims(new int[] {m, ka}) + " but op(B) is "
          + SlidingWindow.dims(new int[] {kb, n}) + " (trans_a = " + (ta ? 1 : 0) + ", trans_b = " + (tb ? 1 : 0)
          + "): inner dimensions " + ka + " and " + kb + " differ");
    }
    if (ctx.hasOperand(2)) {
      TensorType c = ctx.operand(2);
      boolean ok = c.rank() <= 2;
      int[] target = {m, n};
      for (int i = 0; ok && i < c.rank(); i++) {
        int cd = c.dim(i);
        int td = target[2 - c.rank() + i];
        ok = cd == 1 || cd == td || cd == Shape.DYNAMIC || td == Shape.DYNAMIC;
      }
      if (!ok) {
        throw new InferenceException("C " + c + " does not broadcast to the result shape " + SlidingWindow.dims(target));
      }
    }
    FusedOps.checkBnStats(ctx, n);
    return List.of(new TensorType(et, Shape.of(m, n), null));
  }

  static Tensor[] gemm(KernelContext ctx, Tensor[] in) {
    boolean ta = ctx.intAttr("trans_a") != 0;
    boolean tb = ctx.intAttr("trans_b") != 0;
    double alpha = ctx.floatAttr("alpha");
    double beta = ctx.floatAttr("beta");
    int m = in[0].shape().dim(ta ? 1 : 0);
    int n = in[1].shape().dim(tb ? 0 : 1);
    int k = in[0].shape().dim(ta ? 0 : 1);
    TensorType outType = new TensorType(in[0].elementType(), Shape.of(m, n), null);
    Tensor c = in.length > 2 && beta != 0 ? in[2] : null;
    long[] cs = c == null ? null : Broadcast.strides(c.shape(), Shape.of(m, n));
    // Row and column strides of op(A) and op(B) in their stored arrays.
    int ars = ta ? 1 : k;
    int acs = ta ? m : 1;
    int brs = tb ? 1 : n;
    int bcs = tb ? k : 1;
    if (isF32(outType, in)) {
      float[] z = new float[m * n];
      if (c != null) {
        float[] cv = c.floats();
        float fb = (float) beta;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            z[i * n + j] = fb * cv[(int) (i * cs[0] + j * cs[1])];
          }
        }
      }
      int[] zero = {0};
      Sgemm.multiply(ctx::parallelFor, 1, m, n, k, (float) alpha, new Sgemm.Operand(in[0].floats(), zero, ars, acs),
          new Sgemm.Operand(in[1].floats(), zero, brs, bcs), new Sgemm.Operand(z, zero, n, 1));
      return new Tensor[] {Tensor.wrap(outType, z)};
    }
    double[] z = new double[m * n];
    if (c != null) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          z[i * n + j] = beta * c.getDouble((int) (i * cs[0] + j * cs[1]));
        }
      }
    }
    gemmDouble(m, n, k, alpha, doubles(in[0]), 0, ars, acs, doubles(in[1]), 0, brs, bcs, z, 0);
    return new Tensor[] {Tensor.fromDoubles(outType, z)};
  }

  /** {@code z[zo + i*n + j] += alpha · Σ_p x[xo + i*xr + p*xc] · y[yo + p*yr + j*yc]} in double precision. */
  private static void gemmDouble(int m, int n, int k, double alpha, double[] x, int xo, int xr, int xc, double[] y,
      int yo, int yr, int yc, double[] z, int zo) {
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        double av = alpha * x[xo + i * xr + p * xc];
        int yb = yo + p * yr;
        int zb = zo + i * n;
        for (int j = 0; j < n; j++) {
          z[zb + j] += av * y[yb + j * yc];
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------ convolutions

  private static OpDef conv(String name, int rank, boolean transposed, String summary) {
    long[] ones = new long[rank];
    Arrays.fill(ones, 1);
    var b = OpDef.builder("graph", name)
        .summary(summary)
        .operands("x", "w")
        .optionalOperands("b")
        .attr("strides", AttrKind.INTS, Attribute.ints(ones))
        .attr("pads", AttrKind.INTS, Attribute.ints(new long[2 * rank]))
        .attr("dilations", AttrKind.INTS, Attribute.ints(ones))
        .attr("group", AttrKind.INT, Attribute.of(1L))
        .attr("auto_pad", AttrKind.STRING, Attribute.of("NOTSET"))
        .optionalAttr("kernel_shape", AttrKind.INTS)
        .optionalAttr(FusedOps.BN_STATS, AttrKind.TENSOR);
    if (transposed) {
      b.attr("output_padding", AttrKind.INTS, Attribute.ints(new long[rank]))
          .optionalAttr("output_shape", AttrKind.INTS);
    }
    return b.traits(Trait.PURE)
        .infer(ctx -> inferConv(ctx, rank, transposed))
        .kernel((ctx, in) -> new Tensor[] {runConv(ctx, in, rank, transposed)})
        .build();
  }

  /** The result type of a convolution (also of {@code graph.fused_conv2d}). */
  static List<TensorType> inferConv(InferContext ctx, int rank, boolean transposed) {
    int[] dims = convShape(ConvAttrs.of(ctx, transposed), rank, ctx.operandTypes()).outputDims();
    FusedOps.checkBnStats(ctx, dims[1]);
    return List.of(new TensorType(ctx.requireSameElementType(), Shape.of(dims), null));
  }

  /** The attributes of a convolution, read the same way by inference and kernels. */
  private record ConvAttrs(long[] strides, long[] pads, long[] dilations, long group, String autoPad,
      long[] kernelShape, long[] outputPadding, long[] outputShape, boolean transposed) {

    static ConvAttrs of(InferContext ctx, boolean transposed) {
      return new ConvAttrs(ctx.intsAttr("strides"), ctx.intsAttr("pads"), ctx.intsAttr("dilations"),
          ctx.intAttr("group"), ctx.stringAttr("auto_pad"),
          ctx.hasAttr("kernel_shape") ? ctx.intsAttr("kernel_shape") : null,
          transposed ? ctx.intsAttr("output_padding") : null,
          transposed && ctx.hasAttr("output_shape") ? ctx.intsAttr("output_shape") : null, transposed);
    }

    static ConvAttrs of(KernelContext ctx, boolean transposed) {
      return new ConvAttrs(ctx.intsAttr("strides"), ctx.intsAttr("pads"), ctx.intsAttr("dilations"),
          ctx.intAttr("group"), ctx.stringAttr("auto_pad"),
          ctx.attr("kernel_shape") != null ? ctx.intsAttr("kernel_shape") : null,
          transposed ? ctx.intsAttr("output_padding") : null,
          transposed && ctx.attr("output_shape") != null ? ctx.intsAttr("output_shape") : null, transposed);
    }
  }

  /**
   * A resolved convolution: the output dims and the kernel geometry (with spatial rank 1 mapped to 2-D
   * with a height of one). {@code geometry} is null when some extent is dynamic.
   */
  private record ConvShape(int[] outputDims, ConvKernels.Geometry geometry) {}

  /** Checks operand types against the attributes and resolves the output shape and geometry. */
  private static ConvShape convShape(ConvAttrs at, int r, List<TensorType> operands) {
    TensorType x = operands.get(0);
    TensorType w = operands.get(1);
    String[] axes = r == 1 ? new String[] {"L"} : new String[] {"H", "W"};
    if (!x.elementType().isFloat()) {
      throw new InferenceException("operand 0 must be a float tensor, got " + x);
    }
    if (!w.elementType().isFloat()) {
      throw new InferenceException("operand 1 must be a float tensor, got " + w);
    }
    if (x.rank() != r + 2) {
      throw new InferenceException("input must have rank " + (r + 2) + " (N×C×" + String.join("×", axes)
          + "), got " + x);
    }
    if (w.rank() != r + 2) {
      String k = r == 1 ? "kL" : "kH×kW";
      throw new InferenceException("weights must have rank " + (r + 2) + " ("
          + (at.transposed() ? "C×M/group×" : "M×C/group×") + k + "), got " + w);
    }
    long group = at.group();
    int c = x.dim(1);
    int oc;
    if (group < 1) {
      throw new InferenceException("group must be ≥ 1, got " + group);
    }
    if (at.transposed()) {
      if (c != Shape.DYNAMIC && c != w.dim(0)) {
        throw new InferenceException("weights " + w + " expect " + w.dim(0) + " input channels, the input " + x
            + " has " + c);
      }
      if (w.dim(0) % group != 0) {
        throw new InferenceException("group " + group + " must divide the input channels (" + w.dim(0) + ")");
      }
      oc = Math.toIntExact(w.dim(1) * group);
    } else {
      oc = w.dim(0);
      if (oc % group != 0) {
        throw new InferenceException("group " + group + " must divide the output channels (" + oc + ")");
      }
      if (c != Shape.DYNAMIC && w.dim(1) * group != c) {
        throw new InferenceException("weights " + w + " expect " + w.dim(1) * group + " input channels with group "
            + group + ", the input " + x + " has " + c);
      }
    }
    int[] kernel = Arrays.copyOfRange(w.shape().dims(), 2, r + 2);
    if (at.kernelShape() != null && !Arrays.equals(at.kernelShape(), toLongs(kernel))) {
      throw new InferenceException("kernel_shape " + Arrays.toString(at.kernelShape()) + " does not match the weights "
          + w);
    }
    if (operands.size() > 2) {
      TensorType b = operands.get(2);
      if (b.rank() != 1 || (b.dim(0) != oc && b.dim(0) != Shape.DYNAMIC)) {
        throw new InferenceException("bias must be a vector of " + oc + " elements, got " + b);
      }
    }
    int[] input = Arrays.copyOfRange(x.shape().dims(), 2, r + 2);
    int[] out = new int[r + 2];
    out[0] = x.dim(0);
    out[1] = oc;
    int[] padsBegin;
    int[] strides;
    int[] dil;
    if (at.transposed()) {
      SlidingWindow.checkAutoPad(at.autoPad());
      strides = SlidingWindow.checked("strides", at.strides(), r, 1, 1);
      dil = SlidingWindow.checked("dilations", at.dilations(), r, 1, 1);
      int[] pads = SlidingWindow.checked("pads", at.pads(), 2 * r, 0, 0);
      int[] outPad = SlidingWindow.checked("output_padding", at.outputPadding(), r, 0, 0);
      padsBegin = transposedGeometry(input, kernel, strides, dil, pads, outPad, at.outputShape(), at.autoPad(), out);
    } else {
      var win = SlidingWindow.resolve(input, kernel, at.strides(), at.dilations(), at.pads(), at.autoPad(), false);
      System.arraycopy(win.output(), 0, out, 2, r);
      padsBegin = win.padsBegin();
      strides = win.strides();
      dil = win.dilations();
    }
    boolean known = true;
    for (int d : x.shape().dims()) {
      known &= d != Shape.DYNAMIC;
    }
    for (int d : out) {
      known &= d != Shape.DYNAMIC;
    }
    if (!known) {
      return new ConvShape(out, null);
    }
    ConvKernels.Geometry g;
    if (r == 1) {
      g = new ConvKernels.Geometry(x.dim(0), c, 1, x.dim(2), oc, (int) group, 1, kernel[0], 1, strides[0], 1, dil[0],
          0, padsBegin[0], 1, out[2]);
    } else {
      g = new ConvKernels.Geometry(x.dim(0), c, x.dim(2), x.dim(3), oc, (int) group, kernel[0], kernel[1],
          strides[0], strides[1], dil[0], dil[1], padsBegin[0], padsBegin[1], out[2], out[3]);
    }
    return new ConvShape(out, g);
  }

  /**
   * The output extents of a transposed convolution (written to {@code out[2..]}) and its leading pads.
   * Without output_shape or SAME padding the extent is {@code s·(in−1) + output_padding + dilated kernel −
   * pads}; with them the pads follow from the requested extent (SAME: {@code in·s}), the odd unit going to
   * the end except for SAME_LOWER.
   */
  private static int[] transposedGeometry(int[] in, int[] k, int[] s, int[] d, int[] pads, int[] outPad,
      long[] outputShape, String autoPad, int[] out) {
    int r = in.length;
    for (int i = 0; i < r; i++) {
      if (outPad[i] >= Math.max(s[i], d[i])) {
        throw new InferenceException("output_padding " + Arrays.toString(outPad)
            + " must be smaller than the strides or the dilations");
      }
    }
    long[] target = null;
    if (outputShape != null) {
      if (outputShape.length != r && outputShape.length != r + 2) {
        throw new InferenceException("output_shape needs " + r + " (or " + (r + 2) + ") values, got "
            + Arrays.toString(outputShape));
      }
      target = Arrays.copyOfRange(outputShape, outputShape.length - r, outputShape.length);
      for (long t : target) {
        if (t < 1) {
          throw new InferenceException("output_shape must be positive, got " + Arrays.toString(outputShape));
        }
      }
    }
    boolean same = autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER");
    if ((target != null || same || autoPad.equals("VALID")) && Arrays.stream(pads).anyMatch(p -> p != 0)) {
      throw new InferenceException("pads " + Arrays.toString(pads) + " cannot be combined with "
          + (target != null ? "output_shape" : "auto_pad = " + autoPad));
    }
    int[] begin = new int[r];
    for (int i = 0; i < r; i++) {
      if (in[i] == Shape.DYNAMIC) {
        out[2 + i] = target != null ? (int) target[i] : Shape.DYNAMIC;
        continue;
      }
      long natural = (long) s[i] * (in[i] - 1) + outPad[i] + (long) (k[i] - 1) * d[i] + 1;
      if (target != null || same) {
        long want = target != null ? target[i] : (long) in[i] * s[i];
        long total = Math.max(0, natural - want);
        begin[i] = Math.toIntExact(autoPad.equals("SAME_LOWER") ? total - total / 2 : total / 2);
        out[2 + i] = Math.toIntExact(want);
      } else {
        begin[i] = autoPad.equals("VALID") ? 0 : pads[i];
        long o = natural - (autoPad.equals("VALID") ? 0 : pads[i] + pads[r + i]);
        if (o < 1) {
          throw new InferenceException("pads " + Arrays.toString(pads) + " leave no output along spatial dimension "
              + i + " (unpadded extent " + natural + ")");
        }
        out[2 + i] = Math.toIntExact(o);
      }
    }
    return begin;
  }

  static Tensor runConv(KernelContext ctx, Tensor[] in, int rank, boolean transposed) {
    List<TensorType> types = in.length > 2 ? List.of(in[0].type(), in[1].type(), in[2].type())
        : List.of(in[0].type(), in[1].type());
    ConvShape shape = convShape(ConvAttrs.of(ctx, transposed), rank, types);
    ConvKernels.Geometry g = shape.geometry();
    TensorType outType = new TensorType(in[0].elementType(), Shape.of(shape.outputDims()), null);
    if (isF32(outType, in)) {
      float[] bias = in.length > 2 ? in[2].floats() : null;
      float[] z = transposed
          ? ConvKernels.convTranspose2d(ctx::parallelFor, g, in[0].floats(), in[1].floats(), bias)
          : ConvKernels.conv2d(ctx::parallelFor, g, in[0].floats(), in[1].floats(), bias);
      return Tensor.wrap(outType, z);
    }
    double[] bias = in.length > 2 ? doubles(in[2]) : null;
    double[] z = transposed
        ? ConvKernels.convTranspose2d(g, doubles(in[0]), doubles(in[1]), bias)
        : ConvKernels.conv2d(g, doubles(in[0]), doubles(in[1]), bias);
    return Tensor.fromDoubles(outType, z);
  }

  // ------------------------------------------------------------------------------------------ shared

  /** True when the result and every operand are f32 (the fast path). */
  static boolean isF32(TensorType outType, Tensor[] in) {
    if (outType.elementType() != ElementType.F32) {
      return false;
    }
    for (Tensor t : in) {
      if (t.elementType() != ElementType.F32) {
        return false;
      }
    }
    return true;
  }

  /** The elements of a float tensor as doubles (the backing array for f64). */
  static double[] doubles(Tensor t) {
    if (t.elementType() == ElementType.F64) {
      return t.doubles();
    }
    double[] r = new double[t.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = t.getDouble(i);
    }
    return r;
  }

  private static long[] toLongs(int[] v) {
    long[] r = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = v[i];
    }
    return r;
  }
}
