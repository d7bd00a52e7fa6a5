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
 * Pooling ops with ONNX semantics over 1 to 3 spatial dimensions (NC followed by spatial extents):
 * max_pool, average_pool, global_max_pool and global_average_pool. Kernels accumulate in double.
 */
final class PoolOps {
  private PoolOps() {}

  static List<OpDef> defs() {
    return List.of(
        windowed("max_pool", "maximum over each window (padding never wins); float, i8 and u8", true)
            .build(),
        windowed("average_pool", "mean over each window; count_include_pad counts the padding in the divisor", false)
            .attr("count_include_pad", AttrKind.INT, Attribute.of(0L))
            .build(),
        global("global_max_pool", "maximum over all spatial positions of each channel", true),
        global("global_average_pool", "mean over all spatial positions of each channel", false));
  }

  private static OpDef.Builder windowed(String name, String summary, boolean max) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("x")
        .requiredAttr("kernel_shape", AttrKind.INTS)
        .optionalAttr("strides", AttrKind.INTS)
        .optionalAttr("pads", AttrKind.INTS)
        .optionalAttr("dilations", AttrKind.INTS)
        .attr("ceil_mode", AttrKind.INT, Attribute.of(0L))
        .attr("auto_pad", AttrKind.STRING, Attribute.of("NOTSET"))
        .traits(Trait.PURE)
        .infer(ctx -> {
          TensorType x = checkInput(ctx, max);
          var win = window(x.shape(), ctx.intsAttr("kernel_shape"), optional(ctx, "strides"), optional(ctx, "pads"),
              optional(ctx, "dilations"), ctx.stringAttr("auto_pad"), ctx.intAttr("ceil_mode") != 0);
          return List.of(x.withShape(outShape(x.shape(), win.output())));
        })
        .kernel((ctx, in) -> new Tensor[] {runWindowed(ctx, in[0], max)})
        // a pool over 1-element windows with unit strides and no padding is the identity
        .folder(PoolOps::foldUnitWindow);
  }

  private static OpDef global(String name, String summary, boolean max) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("x")
        .traits(Trait.PURE)
        .infer(ctx -> {
          TensorType x = checkInput(ctx, false);
          int[] ones = new int[x.rank() - 2];
          Arrays.fill(ones, 1);
          return List.of(x.withShape(outShape(x.shape(), ones)));
        })
        .kernel((ctx, in) -> new Tensor[] {runGlobal(ctx, in[0], max)})
        // a global pool over a single spatial position is the identity
        .folder(n -> n.result().type().equals(n.operand(0).type()) ? n.operand(0) : null)
        .build();
  }

  private static TensorType checkInput(InferContext ctx, boolean allowBytes) {
    TensorType x = ctx.operand(0);
    ElementType et = x.elementType();
    boolean ok = et.isFloat() || (allowBytes && (et == ElementType.I8 || et == ElementType.U8));
    if (!ok) {
      throw new InferenceException("operand 0 must be a float" + (allowBytes ? ", i8 or u8" : "") + " tensor, got " + x);
    }
    QuantParams q = x.quant();
    if (q != null && !q.isPerTensor() && q.axis() != 1) {
      throw new InferenceException("pooling keeps quantization per tensor or per channel (axis 1), got " + x);
    }
    if (x.rank() < 3 || x.rank() > 5) {
      throw new InferenceException("input must have rank 3 to 5 (N×C and 1 to 3 spatial dimensions), got " + x);
    }
    return x;
  }

  private static long[] optional(InferContext ctx, String name) {
    return ctx.hasAttr(name) ? ctx.intsAttr(name) : null;
  }

  private static long[] optional(KernelContext ctx, String name) {
    return ctx.attr(name) != null ? ctx.intsAttr(name) : null;
  }

  private static SlidingWindow window(Shape x, long[] kernelShape, long[] strides, long[] pads, long[] dilations,
      String autoPad, boolean ceilMode) {
    int r = x.rank() - 2;
    int[] kernel = SlidingWindow.checked("kernel_shape", kernelShape, r, 1, 1);
    // ceil_mode only rounds explicit padding; with auto_pad the extents are fixed by the padding rule.
    return SlidingWindow.resolve(Arrays.copyOfRange(x.dims(), 2, x.rank()), kernel, strides, dilations, pads,
        autoPad, ceilMode && autoPad.equals("NOTSET"));
  }

  private static Shape outShape(Shape x, int[] spatial) {
    int[] d = Arrays.copyOf(x.dims(), x.rank());
    System.arraycopy(spatial, 0, d, 2, spatial.length);
    return Shape.of(d);
  }

  private static Value foldUnitWindow(Node n) {
    if (!n.result().type().equals(n.operand(0).type())) {
      return null;
    }
    for (long k : n.intsAttr("kernel_shape")) {
      if (k != 1) {
        return null;
      }
    }
    if (n.attr("strides") != null) {
      for (long s : n.intsAttr("strides")) {
        if (s != 1) {
          return null;
        }
      }
    }
    return n.operand(0);
  }

  // ------------------------------------------------------------------------------------------ kernels

  private static Tensor runWindowed(KernelContext ctx, Tensor x, boolean max) {
    SlidingWindow win = window(x.shape(), ctx.intsAttr("kernel_shape"), optional(ctx, "strides"),
        optional(ctx, "pads"), optional(ctx, "dilations"), ctx.stringAttr("auto_pad"), ctx.intAttr("ceil_mode") != 0);
    TensorType outType = x.type().withShape(outShape(x.shape(), win.output()));
    boolean countPad = !max && ctx.intAttr("count_include_pad") != 0;
    // Pad the geometry to three spatial dimensions with leading unit extents.
    int r = win.rank();
    int[] in = lead(win.input(), r, 1);
    int[] k = lead(win.kernel(), r, 1);
    int[] s = lead(win.strides(), r, 1);
    int[] d = lead(win.dilations(), r, 1);
    int[] pb = lead(win.padsBegin(), r, 0);
    int[] pe = lead(win.padsEnd(), r, 0);
    int[] out = lead(win.output(), r, 1);
    int planeIn = in[0] * in[1] * in[2];
    int planeOut = out[0] * out[1] * out[2];
    int planes = x.shape().dim(0) * x.shape().dim(1);
    double[] xv = values(x);
    double[] z = new double[planes * planeOut];
    ctx.parallelFor(planes, p -> {
      int xb = p * planeIn;
      int o = p * planeOut;
      int[] lo = new int[3];
      int[] hi = new int[3];
      int[] base = new int[3];
      for (int o0 = 0; o0 < out[0]; o0++) {
        int cnt0 = taps(o0, 0, in, k, s, d, pb, pe, lo, hi, base);
        for (int o1 = 0; o1 < out[1]; o1++) {
          int cnt1 = taps(o1, 1, in, k, s, d, pb, pe, lo, hi, base);
          for (int o2 = 0; o2 < out[2]; o2++) {
            int cnt2 = taps(o2, 2, in, k, s, d, pb, pe, lo, hi, base);
            double acc = max ? Double.NEGATIVE_INFINITY : 0;
            for (int t0 = lo[0]; t0 < hi[0]; t0++) {
              int i0 = (base[0] + t0 * d[0]) * in[1];
              for (int t1 = lo[1]; t1 < hi[1]; t1++) {
                int i1 = (i0 + base[1] + t1 * d[1]) * in[2];
                for (int t2 = lo[2]; t2 < hi[2]; t2++) {
                  double v = xv[xb + i1 + base[2] + t2 * d[2]];
                  acc = max ? Math.max(acc, v) : acc + v;
                }
              }
            }
            if (!max) {
              int count = countPad ? cnt0 * cnt1 * cnt2
                  : (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
              acc /= count;
            }
            z[o++] = acc;
          }
        }
      }
    });
    return tensor(outType, z);
  }

  /**
   * For output position {@code o} along dimension {@code i}: sets the taps that land inside the input,
   * {@code [lo[i], hi[i])}, and the first input position {@code base[i]}; returns how many taps land
   * inside the padded input (the divisor with count_include_pad).
   */
  private static int taps(int o, int i, int[] in, int[] k, int[] s, int[] d, int[] pb, int[] pe, int[] lo, int[] hi,
      int[] base) {
    int start = o * s[i] - pb[i];
    base[i] = start;
    lo[i] = Math.min(k[i], Math.max(0, SlidingWindow.ceilDiv(-start, d[i])));
    hi[i] = Math.max(lo[i], Math.min(k[i], Math.floorDiv(in[i] - 1 - start, d[i]) + 1));
    return Math.max(0, Math.min(k[i], Math.floorDiv(in[i] + pe[i] - 1 - start, d[i]) + 1));
  }

  private static Tensor runGlobal(KernelContext ctx, Tensor x, boolean max) {
    int[] ones = new int[x.shape().rank() - 2];
    Arrays.fill(ones, 1);
    TensorType outType = x.type().withShape(outShape(x.shape(), ones));
    int planes = x.shape().dim(0) * x.shape().dim(1);
    int plane = planes == 0 ? 0 : x.size() / planes;
    double[] xv = values(x);
    double[] z = new double[planes];
    ctx.parallelFor(planes, p -> {
      double acc = max ? Double.NEGATIVE_INFINITY : 0;
      for (int i = p * plane, e = i + plane; i < e; i++) {
        acc = max ? Math.max(acc, xv[i]) : acc + xv[i];
      }
      z[p] = max ? acc : acc / plane;
    });
    return tensor(outType, z);
  }

  /** The result tensor; an i8/u8 max over a window of padding only is the type's minimum. */
  private static Tensor tensor(TensorType type, double[] z) {
    ElementType et = type.elementType();
    if (et == ElementType.F32) {
      float[] f = new float[z.length];
      for (int i = 0; i < z.length; i++) {
        f[i] = (float) z[i];
      }
      return Tensor.wrap(type, f);
    }
    if (!et.isFloat()) {
      for (int i = 0; i < z.length; i++) {
        z[i] = Math.max(z[i], et.minValue());
      }
    }
    return Tensor.fromDoubles(type, z);
  }

  private static double[] values(Tensor t) {
    if (t.elementType() == ElementType.F32) {
      float[] f = t.floats();
      double[] r = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        r[i] = f[i];
      }
      return r;
    }
    return LinalgOps.doubles(t);
  }

  /** {@code v} preceded by {@code fill} values up to length 3. */
  private static int[] lead(int[] v, int r, int fill) {
    int[] out = new int[3];
    Arrays.fill(out, 0, 3 - r, fill);
    System.arraycopy(v, 0, out, 3 - r, r);
    return out;
  }
}
