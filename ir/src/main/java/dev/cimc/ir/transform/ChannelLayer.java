package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * A convolution (conv1d or conv2d, any group count, depthwise included) or a gemm with constant float
 * weights, seen as a linear map from input channels to output channels: the shape that cross-layer
 * equalization and bias absorption rescale and shift. Weights stay as they are, with a factor per output
 * channel and one per input channel beside them (so rescaling a channel costs O(channels) and the weights
 * are rounded once, in {@link #writeBack}); the bias is a double copy. {@link #writeBack} puts the
 * rescaled weights and the bias into the graph as new constants.
 *
 * <p>Conv weights are {@code O × I/group × k...}; output channel o reads input channels of its group.
 * Gemm weights are {@code op(B)}, K × N (stored N × K when trans_b): output channel n is column n of the
 * result, input channel k is column k of {@code op(A)}. The gemm bias is {@code beta · C}, per column
 * ({@code [N]}) or per element ({@code [M, N]}).
 */
final class ChannelLayer {
  private Node node;
  private final boolean gemm;
  private final int outChannels;
  private final int inChannels;
  private final int inPerGroup;
  private final int outPerGroup;
  private final int kernel;
  private final boolean transB;
  /**
   * The original weights: f32 in {@code floats}, other float types in {@code doubles}; both stay null while
   * the weights are a splat, read through {@code splatValue}, until {@link #weightTensor} needs them dense.
   */
  private float[] floats;
  private double[] doubles;
  private final Tensor original;
  private final boolean splat;
  private final double splatValue;
  private final double[] outScale;
  private final double[] inScale;
  private final TensorType weightType;
  /** Bias rows × outChannels (rows = 1 except for a gemm C that varies along M); null = zero. */
  private double[] bias;
  private int biasRows = 1;
  private boolean biasChanged;
  private boolean weightsChanged;
  private boolean inputsScaled;
  private double[] kernelMax;

  private ChannelLayer(Node node, boolean gemm, int out, int in, int inPerGroup, int outPerGroup, int kernel,
      boolean transB, Tensor w) {
    this.node = node;
    this.gemm = gemm;
    this.outChannels = out;
    this.inChannels = in;
    this.inPerGroup = inPerGroup;
    this.outPerGroup = outPerGroup;
    this.kernel = kernel;
    this.transB = transB;
    boolean f32 = w.elementType() == dev.cimc.ir.type.ElementType.F32;
    this.original = w;
    this.splat = w.size() > 0 && w.isSplat();
    this.splatValue = splat ? w.getDouble(0) : 0;
    this.floats = f32 && !splat ? w.floats() : null;
    this.doubles = f32 || splat ? null : Rewrites.doubles(w);
    this.outScale = ones(out);
    this.inScale = ones(in);
    this.weightType = w.type();
  }

  /**
   * The layer view of {@code n}, or null when {@code n} is not a conv1d/conv2d/gemm with constant float
   * weights (and constant float bias, if any) of static shape.
   */
  static ChannelLayer of(Node n) {
    String op = n.op().fullName();
    boolean conv = op.equals("graph.conv2d") || op.equals("graph.conv1d");
    if (!conv && !op.equals("graph.gemm")) {
      return null;
    }
    if (!Rewrites.isFloat(n.operand(1)) || (n.numOperands() > 2 && !Rewrites.isFloat(n.operand(2)))
        || !n.operand(0).type().shape().isStatic() || !n.result().type().shape().isStatic()) {
      return null;
    }
    Tensor w = Rewrites.of(n.operand(1));
    ChannelLayer l;
    if (conv) {
      int group = (int) n.intAttr("group");
      int out = w.shape().dim(0);
      int ipg = w.shape().dim(1);
      int k = 1;
      for (int i = 2; i < w.shape().rank(); i++) {
        k *= w.shape().dim(i);
      }
      l = new ChannelLayer(n, false, out, ipg * group, ipg, out / group, k, false, w);
      if (n.numOperands() > 2) {
        l.bias = Rewrites.doubles(Rewrites.of(n.operand(2)));
      }
    } else {
      boolean tb = n.intAttr("trans_b") != 0;
      int rows = w.shape().dim(0);
      int cols = w.shape().dim(1);
      int k = tb ? cols : rows;
      int out = tb ? rows : cols;
      l = new ChannelLayer(n, true, out, k, k, out, 1, tb, w);
      if (n.numOperands() > 2 && n.floatAttr("beta") != 0) {
        l.readGemmBias(Rewrites.of(n.operand(2)), n.floatAttr("beta"), n.result().type().dim(0));
      }
    }
    return l;
  }

  private void readGemmBias(Tensor c, double beta, int m) {
    int n = outChannels;
    // C broadcasts to M × N; keep one row unless it varies along M.
    boolean perRow = c.shape().rank() == 2 && c.shape().dim(0) != 1;
    biasRows = perRow ? m : 1;
    bias = new double[biasRows * n];
    long[] st = broadcastStrides(c.shape(), m, n);
    for (int i = 0; i < biasRows; i++) {
      for (int j = 0; j < n; j++) {
        bias[i * n + j] = beta * c.getDouble((int) (i * st[0] + j * st[1]));
      }
    }
  }

  /** Strides of {@code s} read as an M × N matrix under numpy broadcasting (0 along broadcast dims). */
  private static long[] broadcastStrides(Shape s, int m, int n) {
    int r = s.rank();
    long sj = r >= 1 && s.dim(r - 1) != 1 ? 1 : 0;
    long si = r == 2 && s.dim(0) != 1 ? s.dim(1) : 0;
    return new long[] {si, sj};
  }

  Node node() {
    return node;
  }

  boolean isGemm() {
    return gemm;
  }

  int outChannels() {
    return outChannels;
  }

  int inChannels() {
    return inChannels;
  }

  /** True for a convolution with padding, whose borders read zeros instead of shifted inputs. */
  boolean isPadded() {
    if (gemm) {
      return false;
    }
    String autoPad = node.stringAttr("auto_pad");
    if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
      return true;
    }
    if (autoPad.equals("VALID")) {
      return false;
    }
    for (long p : node.intsAttr("pads")) {
      if (p != 0) {
        return true;
      }
    }
    return false;
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  private int index(int o, int i, int k) {
    if (gemm) {
      return transB ? o * inChannels + i : i * outChannels + o;
    }
    return (o * inPerGroup + i) * kernel + k;
  }

  /** An original weight. */
  private double w(int index) {
    return splat ? splatValue : floats != null ? floats[index] : doubles[index];
  }

  /**
   * max |w| over the kernel of each (output channel, input channel of its group) pair, computed once: the
   * ranges under any channel factors follow from it without reading the weights again.
   */
  private double[] kernelMax() {
    if (kernelMax == null) {
      double[] m = new double[outChannels * inPerGroup];
      for (int o = 0; o < outChannels; o++) {
        for (int i = 0; i < inPerGroup; i++) {
          double km = 0;
          for (int k = 0; k < kernel; k++) {
            km = Math.max(km, Math.abs(w(index(o, i, k))));
          }
          m[o * inPerGroup + i] = km;
        }
      }
      kernelMax = m;
    }
    return kernelMax;
  }

  /** max |w| over the (rescaled) weights of each output channel. */
  double[] outRanges() {
    double[] km = kernelMax();
    double[] r = new double[outChannels];
    for (int o = 0; o < outChannels; o++) {
      int first = (o / outPerGroup) * inPerGroup;
      double m = 0;
      for (int i = 0; i < inPerGroup; i++) {
        m = Math.max(m, km[o * inPerGroup + i] * Math.abs(inScale[first + i]));
      }
      r[o] = m * Math.abs(outScale[o]);
    }
    return r;
  }

  /** max |w| over the (rescaled) weights that read each input channel. */
  double[] inRanges() {
    double[] km = kernelMax();
    double[] r = new double[inChannels];
    for (int c = 0; c < inChannels; c++) {
      int g = c / inPerGroup;
      int i = c % inPerGroup;
      double m = 0;
      for (int o = g * outPerGroup; o < (g + 1) * outPerGroup; o++) {
        m = Math.max(m, km[o * inPerGroup + i] * Math.abs(outScale[o]));
      }
      r[c] = m * Math.abs(inScale[c]);
    }
    return r;
  }

  /** Multiplies output channel {@code o} (its weights and bias) by {@code f}. */
  void scaleOut(int o, double f) {
    weightsChanged = true;
    outScale[o] *= f;
    if (bias != null) {
      for (int row = 0; row < biasRows; row++) {
        bias[row * outChannels + o] *= f;
      }
      biasChanged = true;
    }
  }

  /** Multiplies the weights reading input channel {@code c} by {@code f}. */
  void scaleIn(int c, double f) {
    weightsChanged = true;
    inputsScaled = true;
    inScale[c] *= f;
  }

  /** Adds {@code delta[o]} to the bias of each output channel (creating a bias if there is none). */
  void addToBias(double[] delta) {
    boolean zero = true;
    for (double d : delta) {
      zero &= d == 0;
    }
    if (zero) {
      return;
    }
    if (bias == null) {
      bias = new double[outChannels];
      biasRows = 1;
    }
    for (int row = 0; row < biasRows; row++) {
      for (int o = 0; o < outChannels; o++) {
        bias[row * outChannels + o] += delta[o];
      }
    }
    biasChanged = true;
  }

  /**
   * For a constant input {@code c} per input channel: what each output channel adds, Σ w·c over its
   * weights (times gemm's alpha). Exact for unpadded convolutions and gemms.
   */
  double[] responseTo(double[] c) {
    double[] r = new double[outChannels];
    for (int o = 0; o < outChannels; o++) {
      int g = o / outPerGroup;
      double s = 0;
      for (int i = 0; i < inPerGroup; i++) {
        double ci = c[g * inPerGroup + i];
        if (ci == 0) {
          continue;
        }
        double wi = outScale[o] * inScale[g * inPerGroup + i];
        for (int k = 0; k < kernel; k++) {
          s += w(index(o, i, k)) * wi * ci;
        }
      }
      r[o] = gemm ? s * node.floatAttr("alpha") : s;
    }
    return r;
  }

  /** The weights as they are now (each rounded once), in the weight constant's type. */
  Tensor weightTensor() {
    if (splat) {
      Tensor s = uniformSplat();
      if (s != null) {
        return s;
      }
      if (original.elementType() == dev.cimc.ir.type.ElementType.F32) {
        floats = original.floats();
      } else {
        doubles = Rewrites.doubles(original);
      }
    }
    int n = floats != null ? floats.length : doubles.length;
    double[] v = new double[0];
    float[] f = floats != null ? new float[n] : null;
    if (f == null) {
      v = new double[n];
    }
    if (f != null && !gemm && !inputsScaled) {
      // only output channels rescaled: one factor per contiguous block
      int block = inPerGroup * kernel;
      for (int o = 0; o < outChannels; o++) {
        float scale = (float) outScale[o];
        double ds = outScale[o];
        boolean exact = scale == ds;
        for (int k = o * block, e = k + block; k < e; k++) {
          f[k] = exact ? floats[k] * scale : (float) (floats[k] * ds);
        }
      }
      return Tensor.wrap(weightType, f);
    }
    for (int o = 0; o < outChannels; o++) {
      int first = (o / outPerGroup) * inPerGroup;
      for (int i = 0; i < inPerGroup; i++) {
        double scale = outScale[o] * inScale[first + i];
        if (!gemm && f != null) {
          for (int k = (o * inPerGroup + i) * kernel, e = k + kernel; k < e; k++) {
            f[k] = (float) (floats[k] * scale);
          }
          continue;
        }
        for (int k = 0; k < kernel; k++) {
          int idx = index(o, i, k);
          if (f != null) {
            f[idx] = (float) (floats[idx] * scale);
          } else {
            v[idx] = doubles[idx] * scale;
          }
        }
      }
    }
    return f != null ? Tensor.wrap(weightType, f) : Rewrites.tensor(weightType, v);
  }

  /**
   * Splat weights under one factor for every channel stay a (compact) splat: the element the dense loops
   * below would compute, by the same arithmetic. Null when the factors differ between channels.
   */
  private Tensor uniformSplat() {
    for (double s : outScale) {
      if (s != outScale[0]) {
        return null;
      }
    }
    for (double s : inScale) {
      if (s != inScale[0]) {
        return null;
      }
    }
    TensorType one = weightType.withShape(Shape.of(1));
    if (original.elementType() == dev.cimc.ir.type.ElementType.F32) {
      float w = (float) splatValue;
      float v;
      if (!gemm && !inputsScaled) {
        float scale = (float) outScale[0];
        v = scale == outScale[0] ? w * scale : (float) (w * outScale[0]);
      } else {
        v = (float) (w * (outScale[0] * inScale[0]));
      }
      return Tensor.splat(weightType, Tensor.wrap(one, new float[] {v}));
    }
    return Tensor.splat(weightType, Rewrites.tensor(one, new double[] {splatValue * (outScale[0] * inScale[0])}));
  }

  /**
   * Replaces the weight constant and the bias in the graph, each if it changed. A missing bias is added as
   * a new operand, which rebuilds the node; a gemm's bias is written as {@code C} with beta = 1.
   */
  void writeBack() {
    if (weightsChanged) {
      Rewrites.replaceOperand(node, 1, weightTensor());
    }
    if (!biasChanged) {
      return;
    }
    TensorType biasType = gemm && biasRows > 1 ? weightType.withShape(Shape.of(biasRows, outChannels))
        : weightType.withShape(Shape.of(outChannels));
    Tensor b = Rewrites.tensor(biasType, bias);
    if (node.numOperands() > 2 && (!gemm || node.floatAttr("beta") == 1.0)) {
      if (Rewrites.of(node.operand(2)).type().equals(biasType)) {
        Rewrites.replaceOperand(node, 2, b);
        return;
      }
    }
    String hint = biasName(node);
    Value bv = Rewrites.insert(node, hint, b);
    List<Value> operands = new ArrayList<>(node.operands().subList(0, 2));
    operands.add(bv);
    Value oldBias = node.numOperands() > 2 ? node.operand(2) : null;
    Attributes attrs = gemm ? node.attributes().without("beta") : node.attributes();
    node = Rewrites.rebuild(node, node.op(), operands, attrs);
    if (oldBias != null) {
      String name = oldBias.name();
      if (Rewrites.eraseIfDead(oldBias)) {
        bv.rename(name);
      }
    }
  }

  /**
   * The name hint of a bias made for {@code layer}: {@code conv1.weight} → {@code conv1.bias}, else the
   * layer's result name with {@code _bias}.
   */
  static String biasName(Node layer) {
    String w = layer.operand(1).name();
    return w.endsWith("weight") ? w.substring(0, w.length() - 6) + "bias" : layer.result().name() + "_bias";
  }

  /** The output statistics recorded by fold-batch-norm (mean row, std row), or null. */
  double[][] bnStats() {
    Attribute a = node.attr(FoldBatchNorm.BN_STATS);
    if (!(a instanceof Attribute.TensorAttr ta)) {
      return null;
    }
    double[] v = Rewrites.doubles(ta.value());
    double[][] s = new double[2][outChannels];
    System.arraycopy(v, 0, s[0], 0, outChannels);
    System.arraycopy(v, outChannels, s[1], 0, outChannels);
    return s;
  }

  /** Sets the output statistics (after they were shifted or scaled along with the layer). */
  void setBnStats(double[][] s) {
    double[] v = new double[2 * outChannels];
    System.arraycopy(s[0], 0, v, 0, outChannels);
    System.arraycopy(s[1], 0, v, outChannels, outChannels);
    node.setAttribute(FoldBatchNorm.BN_STATS,
        new Attribute.TensorAttr(Rewrites.tensor(TensorType.f32(2, outChannels), v)));
  }
}
