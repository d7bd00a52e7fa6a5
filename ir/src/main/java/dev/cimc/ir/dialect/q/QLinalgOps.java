package dev.cimc.ir.dialect.q;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.dialect.graph.SlidingWindow;
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
 * Integer matrix products: the part of a quantized layer that runs on the crossbar. Each produces the exact
 * int32 accumulator (sums wrap modulo 2^32 like a 32-bit register; 8-bit operands need more than 2^15 terms
 * before that can happen), typed {@code i32} with scale {@code s_x · s_w} and zero point 0 so that
 * {@code q.requantize} can check its multiplier against the types.
 *
 * <ul>
 *   <li>{@code q.qconv2d(x, w[, bias])}: {@code acc[n,m,oh,ow] = bias[m] + Σ x_pad[n,c,ih,iw] · w[m,c,kh,kw]} over
 *       the window, on the raw codes. The input is padded with its zero point {@code z_x} (which stands for
 *       real 0), weights must be symmetric ({@code z_w = 0}), and the {@code −z_x · Σ w[m]} term of
 *       {@code Σ (x − z_x) · w} is folded into the bias offline, so only {@code x · w} runs at inference.
 *       Attributes as {@code graph.conv2d} (strides, pads, dilations, group, auto_pad, kernel_shape).</li>
 *   <li>{@code q.qgemm(a, b[, bias])}: {@code acc[..., i, j] = bias[j] + Σ_k a[..., i, k] · b[k, j]}
 *       ({@code b[j, k]} when {@code trans_b = 1}) on raw codes, the same folding of {@code z_a} into the bias;
 *       {@code a} of rank ≥ 2 (leading dimensions are rows), constant symmetric weights, per tensor or per output
 *       column (the accumulator is then per channel along its last axis).</li>
 *   <li>{@code q.qmatmul(a, b)}: activation × activation (attention), both per tensor, zero points subtracted
 *       at run time: {@code acc[..., i, j] = Σ_k (a[..., i, k] − z_a) · (b[..., k, j] − z_b)}; batch
 *       dimensions equal, or {@code b} of rank 2 shared by every batch.</li>
 * </ul>
 */
final class QLinalgOps {
  private QLinalgOps() {}

  static final OpDef QCONV2D = OpDef.builder("q", "qconv2d")
      .summary("int32 accumulator of a 2-D convolution on codes: bias + Σ x·w, x padded with its zero point")
      .operands("x", "w")
      .optionalOperands("bias")
      .attr("strides", AttrKind.INTS, Attribute.ints(new long[] {1, 1}))
      .attr("pads", AttrKind.INTS, Attribute.ints(new long[4]))
      .attr("dilations", AttrKind.INTS, Attribute.ints(new long[] {1, 1}))
      .attr("group", AttrKind.INT, Attribute.of(1L))
      .attr("auto_pad", AttrKind.STRING, Attribute.of("NOTSET"))
      .optionalAttr("kernel_shape", AttrKind.INTS)
      .traits(Trait.PURE)
      .infer(ctx -> List.of(inferConv(ctx).result))
      .kernel(QLinalgOps::conv)
      .build();

  static final OpDef QGEMM = OpDef.builder("q", "qgemm")
      .summary("int32 accumulator bias + a·op(b) on codes (a's zero point folded into the bias)")
      .operands("a", "b")
      .optionalOperands("bias")
      .attr("trans_b", AttrKind.INT, Attribute.of(0L))
      .traits(Trait.PURE)
      .infer(ctx -> List.of(inferGemm(ctx)))
      .kernel(QLinalgOps::gemm)
      .build();

  static final OpDef QMATMUL = OpDef.builder("q", "qmatmul")
      .summary("int32 accumulator Σ (a − z_a)(b − z_b) of two per-tensor quantized operands (batched)")
      .operands("a", "b")
      .traits(Trait.PURE)
      .infer(ctx -> List.of(inferMatmul(ctx)))
      .kernel(QLinalgOps::matmul)
      .build();

  static List<OpDef> defs() {
    return List.of(QCONV2D, QGEMM, QMATMUL);
  }

  // ------------------------------------------------------------------------------------------ qconv2d

  private record ConvPlan(TensorType result, SlidingWindow window, int group) {}

  private static ConvPlan inferConv(InferContext ctx) {
    TensorType x = QTypes.perTensor(ctx, 0, "input");
    TensorType w = QTypes.narrow(ctx, 1, "weights");
    if (x.elementType().bits() > 16) {
      throw new InferenceException("input must hold codes of at most 16 bits, got " + x);
    }
    if (x.rank() != 4) {
      throw new InferenceException("input must have rank 4 (N×C×H×W), got " + x);
    }
    if (w.rank() != 4) {
      throw new InferenceException("weights must have rank 4 (M×C/group×kH×kW), got " + w);
    }
    QuantParams wq = w.quant();
    if (!wq.isSymmetric() || !(wq.isPerTensor() || wq.axis() == 0)) {
      throw new InferenceException("weights must be symmetric (zero points 0), per tensor or per output channel "
          + "(axis 0), got " + w);
    }
    long group = ctx.intAttr("group");
    int m = w.dim(0);
    if (group < 1 || m % group != 0) {
      throw new InferenceException("group " + group + " must be ≥ 1 and divide the output channels (" + m + ")");
    }
    if (x.dim(1) != Shape.DYNAMIC && w.dim(1) * group != x.dim(1)) {
      throw new InferenceException("weights " + w + " expect " + w.dim(1) * group + " input channels with group "
          + group + ", the input " + x + " has " + x.dim(1));
    }
    int[] kernel = {w.dim(2), w.dim(3)};
    if (ctx.hasAttr("kernel_shape") && !Arrays.equals(ctx.intsAttr("kernel_shape"), new long[] {kernel[0], kernel[1]})) {
      throw new InferenceException("kernel_shape " + Arrays.toString(ctx.intsAttr("kernel_shape"))
          + " does not match the weights " + w);
    }
    var win = SlidingWindow.resolve(new int[] {x.dim(2), x.dim(3)}, kernel, ctx.intsAttr("strides"),
        ctx.intsAttr("dilations"), ctx.intsAttr("pads"), ctx.stringAttr("auto_pad"), false);
    double[] scales = new double[wq.channels()];
    for (int c = 0; c < scales.length; c++) {
      scales[c] = x.quant().scale(0) * wq.scale(c);
    }
    checkBias(ctx, 2, m, scales);
    int axis = wq.isPerTensor() ? QuantParams.PER_TENSOR : 1;
    TensorType r = new TensorType(ElementType.I32, Shape.of(x.dim(0), m, win.output()[0], win.output()[1]),
        QTypes.accumulator(axis, scales));
    return new ConvPlan(r, win, (int) group);
  }

  /** The optional bias: i32 vector of {@code n} elements; if quantized, its scales must be those of the accumulator. */
  private static void checkBias(InferContext ctx, int i, int n, double[] accScales) {
    if (!ctx.hasOperand(i)) {
      return;
    }
    TensorType b = ctx.operand(i);
    if (b.elementType() != ElementType.I32 || b.rank() != 1 || (b.dim(0) != n && b.dim(0) != Shape.DYNAMIC)) {
      throw new InferenceException("bias must be an i32 vector of " + n + " elements, got " + b);
    }
    QuantParams bq = b.quant();
    if (bq == null) {
      return;
    }
    if (!bq.isSymmetric()) {
      throw new InferenceException("bias zero points must be 0, got " + b);
    }
    for (int c = 0; c < n; c++) {
      double want = accScales[accScales.length == 1 ? 0 : c];
      double got = bq.scale(bq.isPerTensor() ? 0 : c);
      if (!QTypes.sameScale(want, got)) {
        throw new InferenceException("bias scale " + got + " of channel " + c + " must be input scale × weight scale = "
            + want);
      }
    }
  }

  private static Tensor[] conv(KernelContext ctx, Tensor[] in) {
    var node = ctx.node();
    var types = new java.util.ArrayList<TensorType>();
    for (var v : node.operands()) {
      types.add(v.type());
    }
    ConvPlan p = inferConv(new InferContext(node.op(), types, node.attributes(), null));
    SlidingWindow win = p.window();
    TensorType rt = ctx.resultType(0);
    int n = rt.dim(0);
    int m = rt.dim(1);
    int oh = rt.dim(2);
    int ow = rt.dim(3);
    TensorType xt = in[0].type();
    int c = xt.dim(1);
    int h = xt.dim(2);
    int wd = xt.dim(3);
    int cg = c / p.group();
    int mg = m / p.group();
    int kh = win.kernel()[0];
    int kw = win.kernel()[1];
    int sh = win.strides()[0];
    int sw = win.strides()[1];
    int dh = win.dilations()[0];
    int dw = win.dilations()[1];
    int ph = win.padsBegin()[0];
    int pw = win.padsBegin()[1];
    int zx = (int) xt.quant().zeroPoint(0);
    int[] x = QTypes.codes(in[0]);
    int[] w = QTypes.codes(in[1]);
    int[] bias = in.length > 2 ? QTypes.codes(in[2]) : new int[m];
    int[] out = new int[n * m * oh * ow];
    ctx.parallelFor(n * m, nm -> {
      int b = nm / m;
      int oc = nm % m;
      int g = oc / mg;
      int outBase = nm * oh * ow;
      for (int y = 0; y < oh; y++) {
        for (int xo = 0; xo < ow; xo++) {
          int acc = bias[oc];
          for (int ci = 0; ci < cg; ci++) {
            int xBase = (b * c + g * cg + ci) * h * wd;
            int wBase = ((oc * cg) + ci) * kh * kw;
            for (int i = 0; i < kh; i++) {
              int iy = y * sh - ph + i * dh;
              boolean rowIn = iy >= 0 && iy < h;
              for (int j = 0; j < kw; j++) {
                int ix = xo * sw - pw + j * dw;
                int xv = rowIn && ix >= 0 && ix < wd ? x[xBase + iy * wd + ix] : zx;
                acc += xv * w[wBase + i * kw + j];
              }
            }
          }
          out[outBase + y * ow + xo] = acc;
        }
      }
    });
    return new Tensor[] {Tensor.wrap(rt, out)};
  }

  // ------------------------------------------------------------------------------------------ qgemm

  private static TensorType inferGemm(InferContext ctx) {
    TensorType a = QTypes.perTensor(ctx, 0, "operand a");
    TensorType b = QTypes.narrow(ctx, 1, "operand b");
    if (a.elementType().bits() > 16) {
      throw new InferenceException("operand a must hold codes of at most 16 bits, got " + a);
    }
    if (a.rank() < 2 || b.rank() != 2) {
      throw new InferenceException("operand a must have rank ≥ 2 and b be a matrix, got " + a + " and " + b);
    }
    boolean tb = ctx.intAttr("trans_b") != 0;
    int k = tb ? b.dim(1) : b.dim(0);
    int n = tb ? b.dim(0) : b.dim(1);
    int ka = a.dim(a.rank() - 1);
    if (ka != Shape.DYNAMIC && k != Shape.DYNAMIC && ka != k) {
      throw new InferenceException("inner dimensions differ: " + a + " and " + b + (tb ? " (transposed)" : ""));
    }
    QuantParams bq = b.quant();
    int outAxis = tb ? 0 : 1;
    if (!bq.isSymmetric() || !(bq.isPerTensor() || bq.axis() == outAxis)) {
      throw new InferenceException("operand b must be symmetric (zero points 0), per tensor or per output column (axis "
          + outAxis + "), got " + b);
    }
    double[] scales = new double[bq.channels()];
    for (int c = 0; c < scales.length; c++) {
      scales[c] = a.quant().scale(0) * bq.scale(c);
    }
    checkBias(ctx, 2, n, scales);
    int[] dims = a.shape().dims().clone();
    dims[dims.length - 1] = n;
    return new TensorType(ElementType.I32, Shape.of(dims),
        QTypes.accumulator(bq.isPerTensor() ? QuantParams.PER_TENSOR : dims.length - 1, scales));
  }

  private static Tensor[] gemm(KernelContext ctx, Tensor[] in) {
    TensorType rt = ctx.resultType(0);
    boolean tb = ctx.intAttr("trans_b") != 0;
    int n = rt.dim(rt.rank() - 1);
    int m = (int) (rt.numel() / n);
    int k = in[0].type().dim(in[0].type().rank() - 1);
    int[] a = QTypes.codes(in[0]);
    int[] b = QTypes.codes(in[1]);
    int[] bias = in.length > 2 ? QTypes.codes(in[2]) : new int[n];
    int[] out = new int[m * n];
    int bj = tb ? k : 1;
    int bk = tb ? 1 : n;
    ctx.parallelFor(m, i -> {
      for (int j = 0; j < n; j++) {
        int acc = bias[j];
        for (int p = 0; p < k; p++) {
          acc += a[i * k + p] * b[p * bk + j * bj];
        }
        out[i * n + j] = acc;
      }
    });
    return new Tensor[] {Tensor.wrap(rt, out)};
  }

  // ------------------------------------------------------------------------------------------ qmatmul

  private static TensorType inferMatmul(InferContext ctx) {
    TensorType a = QTypes.perTensor(ctx, 0, "operand a");
    TensorType b = QTypes.perTensor(ctx, 1, "operand b");
    if (a.elementType().bits() > 16 || b.elementType().bits() > 16) {
      throw new InferenceException("operands must hold codes of at most 16 bits, got " + a + " and " + b);
    }
    if (a.rank() < 2 || b.rank() < 2) {
      throw new InferenceException("operands must have rank ≥ 2, got " + a + " and " + b);
    }
    int ra = a.rank();
    int rb = b.rank();
    if (rb != 2 && !Arrays.equals(Arrays.copyOf(a.shape().dims(), ra - 2), Arrays.copyOf(b.shape().dims(), rb - 2))) {
      throw new InferenceException("batch dimensions must be equal (or b a matrix), got " + a + " and " + b);
    }
    if (a.dim(ra - 1) != b.dim(rb - 2)) {
      throw new InferenceException("inner dimensions differ: " + a + " and " + b);
    }
    int[] dims = Arrays.copyOf(a.shape().dims(), ra);
    dims[ra - 1] = b.dim(rb - 1);
    return new TensorType(ElementType.I32, Shape.of(dims),
        QuantParams.perTensor(a.quant().scale(0) * b.quant().scale(0), 0));
  }

  private static Tensor[] matmul(KernelContext ctx, Tensor[] in) {
    TensorType rt = ctx.resultType(0);
    TensorType at = in[0].type();
    TensorType bt = in[1].type();
    int m = at.dim(at.rank() - 2);
    int k = at.dim(at.rank() - 1);
    int n = bt.dim(bt.rank() - 1);
    int batches = (int) (at.numel() / ((long) m * k));
    boolean shared = bt.rank() == 2;
    int za = (int) at.quant().zeroPoint(0);
    int zb = (int) bt.quant().zeroPoint(0);
    int[] a = QTypes.codes(in[0]);
    int[] b = QTypes.codes(in[1]);
    int[] out = new int[batches * m * n];
    ctx.parallelFor(batches * m, row -> {
      int bi = row / m;
      int aBase = row * k;
      int bBase = shared ? 0 : bi * k * n;
      for (int j = 0; j < n; j++) {
        int acc = 0;
        for (int p = 0; p < k; p++) {
          acc += (a[aBase + p] - za) * (b[bBase + p * n + j] - zb);
        }
        out[row * n + j] = acc;
      }
    });
    return new Tensor[] {Tensor.wrap(rt, out)};
  }
}
