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

/** The ops that become crossbar MVMs: matmul and conv2d (ONNX semantics). */
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
        OpDef.builder("graph", "conv2d")
            .summary("2-D convolution, NCHW input, OIHW weights (groups, strides, pads, dilations)")
            .operands("x", "w")
            .optionalOperands("b")
            .attr("strides", AttrKind.INTS, Attribute.ints(1, 1))
            .attr("pads", AttrKind.INTS, Attribute.ints(0, 0, 0, 0))
            .attr("dilations", AttrKind.INTS, Attribute.ints(1, 1))
            .attr("group", AttrKind.INT, Attribute.of(1L))
            .traits(Trait.PURE)
            .infer(LinalgOps::inferConv)
            .kernel(LinalgOps::conv2d)
            .build());
  }

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
    TensorType outType = ctx.resultType(0);
    // Promote 1-D operands to matrices, as numpy does.
    int[] ad = a.shape().rank() == 1 ? new int[] {1, a.shape().dim(0)} : a.shape().dims();
    int[] bd = b.shape().rank() == 1 ? new int[] {b.shape().dim(0), 1} : b.shape().dims();
    int m = ad[ad.length - 2];
    int k = ad[ad.length - 1];
    int n = bd[bd.length - 1];
    Shape batchA = Shape.of(Arrays.copyOf(ad, ad.length - 2));
    Shape batchB = Shape.of(Arrays.copyOf(bd, bd.length - 2));
    Shape batch = Broadcast.shape(batchA, batchB);
    long[] sa = Broadcast.strides(batchA, batch);
    long[] sb = Broadcast.strides(batchB, batch);
    int nb = (int) batch.numel();
    int[] offA = new int[nb];
    int[] offB = new int[nb];
    int[] count = {0};
    FloatBinary.forEachIndex(batch, sa, sb, (o, ia, ib) -> {
      offA[o] = ia * m * k;
      offB[o] = ib * k * n;
      count[0]++;
    });
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    float[] z = new float[nb * m * n];
    ctx.parallelFor(nb * m, row -> {
      int bi = row / m;
      int i = row % m;
      int xa = offA[bi] + i * k;
      int yb = offB[bi];
      int zo = (bi * m + i) * n;
      for (int p = 0; p < k; p++) {
        float av = x[xa + p];
        int yr = yb + p * n;
        for (int j = 0; j < n; j++) {
          z[zo + j] += av * y[yr + j];
        }
      }
    });
    return new Tensor[] {toType(z, outType)};
  }

  private static List<TensorType> inferConv(InferContext ctx) {
    TensorType x = ctx.requireFloat(0);
    TensorType w = ctx.requireFloat(1);
    ElementType et = ctx.requireSameElementType();
    ctx.requireRank(0, 4);
    ctx.requireRank(1, 4);
    long group = ctx.intAttr("group");
    long[] strides = ctx.intsAttr("strides");
    long[] pads = ctx.intsAttr("pads");
    long[] dil = ctx.intsAttr("dilations");
    if (strides.length != 2 || dil.length != 2 || pads.length != 4) {
      throw new InferenceException("conv2d needs 2 strides, 2 dilations and 4 pads, got "
          + strides.length + ", " + dil.length + " and " + pads.length);
    }
    for (int i = 0; i < 2; i++) {
      if (strides[i] < 1 || dil[i] < 1) {
        throw new InferenceException("strides and dilations must be ≥ 1, got strides "
            + Arrays.toString(strides) + " and dilations " + Arrays.toString(dil));
      }
    }
    for (long p : pads) {
      if (p < 0) {
        throw new InferenceException("pads must be ≥ 0, got " + Arrays.toString(pads));
      }
    }
    int c = x.dim(1);
    int oc = w.dim(0);
    if (group < 1 || (c != Shape.DYNAMIC && c % group != 0) || oc % group != 0) {
      throw new InferenceException("group " + group + " must divide the input channels (" + c
          + ") and the output channels (" + oc + ")");
    }
    if (c != Shape.DYNAMIC && w.dim(1) * group != c) {
      throw new InferenceException("weights " + w + " expect " + w.dim(1) * group + " input channels with group "
          + group + ", the input " + x + " has " + c);
    }
    if (ctx.hasOperand(2)) {
      TensorType b = ctx.operand(2);
      if (b.rank() != 1 || (b.dim(0) != oc && b.dim(0) != Shape.DYNAMIC && oc != Shape.DYNAMIC)) {
        throw new InferenceException("bias must be a vector of " + oc + " elements, got " + b);
      }
    }
    int[] out = new int[4];
    out[0] = x.dim(0);
    out[1] = oc;
    for (int i = 0; i < 2; i++) {
      int in = x.dim(2 + i);
      if (in == Shape.DYNAMIC) {
        out[2 + i] = Shape.DYNAMIC;
        continue;
      }
      long eff = dil[i] * (w.dim(2 + i) - 1) + 1;
      long span = in + pads[i] + pads[i + 2] - eff;
      if (span < 0) {
        throw new InferenceException("kernel " + w.dim(2) + "x" + w.dim(3) + " with dilations "
            + Arrays.toString(dil) + " does not fit the padded input " + x);
      }
      out[2 + i] = Math.toIntExact(span / strides[i] + 1);
    }
    return List.of(new TensorType(et, Shape.of(out), null));
  }

  /** A direct reference convolution (the fast blocked version arrives with the full op set). */
  private static Tensor[] conv2d(KernelContext ctx, Tensor[] in) {
    Tensor xt = in[0];
    Tensor wt = in[1];
    TensorType outType = ctx.resultType(0);
    int[] s = toInts(ctx.intsAttr("strides"));
    int[] p = toInts(ctx.intsAttr("pads"));
    int[] d = toInts(ctx.intsAttr("dilations"));
    int group = (int) ctx.intAttr("group");
    int n = xt.shape().dim(0);
    int c = xt.shape().dim(1);
    int h = xt.shape().dim(2);
    int w = xt.shape().dim(3);
    int oc = wt.shape().dim(0);
    int icg = wt.shape().dim(1);
    int kh = wt.shape().dim(2);
    int kw = wt.shape().dim(3);
    int oh = outType.dim(2);
    int ow = outType.dim(3);
    int ocg = oc / group;
    float[] x = xt.toFloatArray();
    float[] wv = wt.toFloatArray();
    float[] bias = in.length > 2 ? in[2].toFloatArray() : null;
    float[] z = new float[n * oc * oh * ow];
    ctx.parallelFor(n * oc, job -> {
      int b = job / oc;
      int o = job % oc;
      int g = o / ocg;
      int zo = (b * oc + o) * oh * ow;
      float bv = bias == null ? 0f : bias[o];
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          float acc = bv;
          for (int ci = 0; ci < icg; ci++) {
            int xc = ((b * c) + g * icg + ci) * h * w;
            int wo = ((o * icg) + ci) * kh * kw;
            for (int ky = 0; ky < kh; ky++) {
              int iy = y * s[0] - p[0] + ky * d[0];
              if (iy < 0 || iy >= h) {
                continue;
              }
              for (int kx = 0; kx < kw; kx++) {
                int ix = xx * s[1] - p[1] + kx * d[1];
                if (ix >= 0 && ix < w) {
                  acc += x[xc + iy * w + ix] * wv[wo + ky * kw + kx];
                }
              }
            }
          }
          z[zo + y * ow + xx] = acc;
        }
      }
    });
    return new Tensor[] {toType(z, outType)};
  }

  private static int[] toInts(long[] v) {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = (int) v[i];
    }
    return r;
  }

  static Tensor toType(float[] z, TensorType outType) {
    if (outType.elementType() == ElementType.F32) {
      return Tensor.wrap(outType, z);
    }
    double[] dz = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      dz[i] = z[i];
    }
    return Tensor.fromDoubles(outType, dz);
  }
}
