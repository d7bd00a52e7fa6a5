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
 * Softmax and the normalizations of the graph dialect (inference forms, ONNX semantics). Statistics
 * are accumulated in double whatever the element type.
 */
final class NormOps {
  private NormOps() {}

  private static final Attribute DEFAULT_EPSILON = Attribute.of(1e-5);

  static List<OpDef> defs() {
    return List.of(
        softmax("softmax", "e^(x - max) / Σ e^(x - max) along one axis", false),
        softmax("log_softmax", "x - max - log Σ e^(x - max) along one axis", true),
        OpDef.builder("graph", "batch_norm")
            .summary("inference batch normalization: (x - mean) / √(var + epsilon) · scale + bias per channel (axis 1)")
            .operands("x", "scale", "bias", "mean", "var")
            .attr("epsilon", AttrKind.FLOAT, DEFAULT_EPSILON)
            .traits(Trait.PURE)
            .infer(ctx -> {
              TensorType x = channelled(ctx, 2);
              String[] names = {"scale", "bias", "mean", "var"};
              for (int i = 1; i < 5; i++) {
                requireChannelVector(ctx.operand(i), names[i - 1], x);
              }
              return List.of(x);
            })
            .kernel(NormOps::batchNorm)
            .build(),
        OpDef.builder("graph", "layer_norm")
            .summary("normalizes over the dimensions axis.. (mean 0, variance 1), then · scale + bias")
            .operands("x", "scale")
            .optionalOperands("bias")
            .attr("axis", AttrKind.INT, Attribute.of(-1L))
            .attr("epsilon", AttrKind.FLOAT, DEFAULT_EPSILON)
            .traits(Trait.PURE)
            .infer(NormOps::inferLayerNorm)
            .kernel(NormOps::layerNorm)
            .build(),
        OpDef.builder("graph", "instance_norm")
            .summary("normalizes each channel of each sample over its spatial dimensions, then · scale + bias")
            .operands("x", "scale", "bias")
            .attr("epsilon", AttrKind.FLOAT, DEFAULT_EPSILON)
            .traits(Trait.PURE)
            .infer(ctx -> {
              TensorType x = channelled(ctx, 3);
              requireChannelVector(ctx.operand(1), "scale", x);
              requireChannelVector(ctx.operand(2), "bias", x);
              return List.of(x);
            })
            .kernel(NormOps::instanceNorm)
            .build());
  }

  // ---- softmax ----

  private static OpDef softmax(String name, String summary, boolean log) {
    return OpDef.builder("graph", name)
        .summary(summary)
        .operands("x")
        .attr("axis", AttrKind.INT, Attribute.of(-1L))
        .traits(Trait.PURE)
        .infer(ctx -> {
          TensorType x = ctx.requireFloat(0);
          TypeChecks.axis(ctx.intAttr("axis"), x, "axis");
          return List.of(x);
        })
        .kernel((ctx, in) -> new Tensor[] {softmax(ctx, in[0], (int) ctx.intAttr("axis"), log)})
        .build();
  }

  private static Tensor softmax(KernelContext ctx, Tensor x, int axisAttr, boolean log) {
    Shape s = x.shape();
    int axis = TypeChecks.axis(axisAttr, x.type(), "axis");
    int len = s.dim(axis);
    int inner = (int) product(s, axis + 1, s.rank());
    int outer = (int) product(s, 0, axis);
    int block = len * inner;
    int grain = Math.max(1, Broadcast.Chunks.COSTLY / Math.max(1, block));
    if (x.elementType() == ElementType.F32) {
      float[] a = x.floats();
      float[] z = new float[a.length];
      Broadcast.Chunks.run(ctx, outer, grain, (from, to) -> {
        for (int b = from; b < to; b++) {
          softmaxBlock(a, z, b * block, len, inner, log);
        }
      });
      return Tensor.wrap(x.type(), z);
    }
    double[] a = FloatBinary.doubles(x);
    double[] z = new double[a.length];
    Broadcast.Chunks.run(ctx, outer, grain, (from, to) -> {
      for (int b = from; b < to; b++) {
        softmaxBlock(a, z, b * block, len, inner, log);
      }
    });
    return Tensor.fromDoubles(x.type(), z);
  }

  /** One [len, inner] block: softmax along len for each of the inner columns. */
  private static void softmaxBlock(float[] a, float[] z, int base, int len, int inner, boolean log) {
    if (inner == 1) {
      float m = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < len; k++) {
        m = Math.max(m, a[base + k]);
      }
      double sum = 0;
      for (int k = 0; k < len; k++) {
        double e = Math.exp((double) a[base + k] - m);
        sum += e;
        z[base + k] = (float) e;
      }
      if (log) {
        double shift = m + Math.log(sum);
        for (int k = 0; k < len; k++) {
          z[base + k] = (float) (a[base + k] - shift);
        }
      } else {
        for (int k = 0; k < len; k++) {
          z[base + k] = (float) (z[base + k] / sum);
        }
      }
      return;
    }
    double[] m = new double[inner];
    Arrays.fill(m, Double.NEGATIVE_INFINITY);
    for (int k = 0; k < len; k++) {
      int off = base + k * inner;
      for (int j = 0; j < inner; j++) {
        m[j] = Math.max(m[j], a[off + j]);
      }
    }
    double[] sum = new double[inner];
    for (int k = 0; k < len; k++) {
      int off = base + k * inner;
      for (int j = 0; j < inner; j++) {
        double e = Math.exp(a[off + j] - m[j]);
        sum[j] += e;
        z[off + j] = (float) e;
      }
    }
    for (int j = 0; j < inner; j++) {
      sum[j] = log ? m[j] + Math.log(sum[j]) : 1 / sum[j];
    }
    for (int k = 0; k < len; k++) {
      int off = base + k * inner;
      for (int j = 0; j < inner; j++) {
        z[off + j] = log ? (float) (a[off + j] - sum[j]) : (float) (z[off + j] * sum[j]);
      }
    }
  }

  /** The same on doubles (f64, f16). */
  private static void softmaxBlock(double[] a, double[] z, int base, int len, int inner, boolean log) {
    for (int j = 0; j < inner; j++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < len; k++) {
        m = Math.max(m, a[base + k * inner + j]);
      }
      double sum = 0;
      for (int k = 0; k < len; k++) {
        double e = Math.exp(a[base + k * inner + j] - m);
        sum += e;
        z[base + k * inner + j] = e;
      }
      double shift = m + Math.log(sum);
      for (int k = 0; k < len; k++) {
        int i = base + k * inner + j;
        z[i] = log ? a[i] - shift : z[i] / sum;
      }
    }
  }

  // ---- batch_norm, instance_norm ----

  /** Requires a float operand 0 of rank ≥ {@code minRank} laid out (N, C, ...) and one element type. */
  private static TensorType channelled(InferContext ctx, int minRank) {
    TensorType x = ctx.requireFloat(0);
    ctx.requireSameElementType();
    if (x.rank() < minRank) {
      throw new InferenceException("operand 0 must have rank ≥ " + minRank + " (N, C"
          + (minRank > 2 ? ", D1" : "") + ", ...), got " + x);
    }
    return x;
  }

  private static void requireChannelVector(TensorType t, String name, TensorType x) {
    int c = x.dim(1);
    if (t.rank() != 1 || (c != Shape.DYNAMIC && t.dim(0) != Shape.DYNAMIC && t.dim(0) != c)) {
      throw new InferenceException(name + " must be a vector of " + (c == Shape.DYNAMIC ? "?" : c)
          + " elements (one per channel of " + x + "), got " + t);
    }
  }

  private static Tensor[] batchNorm(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int channels = x.shape().dim(1);
    int planes = x.shape().dim(0) * channels;
    int plane = planes == 0 ? 0 : x.size() / planes;
    double eps = ctx.floatAttr("epsilon");
    double[] scale = FloatBinary.doubles(in[1]);
    double[] bias = FloatBinary.doubles(in[2]);
    double[] mean = FloatBinary.doubles(in[3]);
    double[] var = FloatBinary.doubles(in[4]);
    // y = x · mul + add with mul = scale / √(var + ε), add = bias - mean · mul
    double[] mul = new double[channels];
    double[] add = new double[channels];
    for (int c = 0; c < channels; c++) {
      mul[c] = scale[c] / Math.sqrt(var[c] + eps);
      add[c] = bias[c] - mean[c] * mul[c];
    }
    int grain = Math.max(1, Broadcast.Chunks.CHEAP / Math.max(1, plane));
    if (x.elementType() == ElementType.F32) {
      float[] a = x.floats();
      float[] z = new float[a.length];
      Broadcast.Chunks.run(ctx, planes, grain, (from, to) -> {
        for (int p = from; p < to; p++) {
          double m = mul[p % channels];
          double d = add[p % channels];
          for (int i = p * plane, e = i + plane; i < e; i++) {
            z[i] = (float) (a[i] * m + d);
          }
        }
      });
      return new Tensor[] {Tensor.wrap(x.type(), z)};
    }
    double[] a = FloatBinary.doubles(x);
    double[] z = new double[a.length];
    for (int p = 0; p < planes; p++) {
      for (int i = p * plane, e = i + plane; i < e; i++) {
        z[i] = a[i] * mul[p % channels] + add[p % channels];
      }
    }
    return new Tensor[] {Tensor.fromDoubles(x.type(), z)};
  }

  private static Tensor[] instanceNorm(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int channels = x.shape().dim(1);
    int planes = x.shape().dim(0) * channels;
    int plane = planes == 0 ? 0 : x.size() / planes;
    // Each (sample, channel) plane is a row normalized on its own, with its channel's scale and bias.
    return new Tensor[] {normalizeRows(ctx, x, planes, plane, ctx.floatAttr("epsilon"),
        FloatBinary.doubles(in[1]), FloatBinary.doubles(in[2]), channels)};
  }

  // ---- layer_norm ----

  private static List<TensorType> inferLayerNorm(InferContext ctx) {
    TensorType x = ctx.requireFloat(0);
    ctx.requireSameElementType();
    int axis = TypeChecks.axis(ctx.intAttr("axis"), x, "axis");
    Shape norm = Shape.of(Arrays.copyOfRange(x.shape().dims(), axis, x.rank()));
    String[] names = {"scale", "bias"};
    for (int i = 1; i < ctx.numOperands(); i++) {
      TensorType t = ctx.operand(i);
      if (!Broadcast.broadcastsTo(t.shape(), norm)) {
        throw new InferenceException(names[i - 1] + " " + t + " does not broadcast to the normalized shape ["
            + norm + "] of " + x + " (axis " + axis + ")");
      }
    }
    return List.of(x);
  }

  private static Tensor[] layerNorm(KernelContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Shape s = x.shape();
    int axis = TypeChecks.axis(ctx.intAttr("axis"), x.type(), "axis");
    Shape norm = Shape.of(Arrays.copyOfRange(s.dims(), axis, s.rank()));
    int width = (int) norm.numel();
    int rows = (int) product(s, 0, axis);
    double[] scale = expand(in[1], norm);
    double[] bias = in.length > 2 ? expand(in[2], norm) : new double[width];
    return new Tensor[] {normalizeRows(ctx, x, rows, width, ctx.floatAttr("epsilon"), scale, bias, 0)};
  }

  /**
   * Normalizes each contiguous row of {@code width} elements to mean 0 and variance 1 (two passes in
   * double), then scales and shifts: by row {@code r % channels} when {@code channels > 0}
   * (instance_norm), else by column (layer_norm).
   */
  private static Tensor normalizeRows(KernelContext ctx, Tensor x, int rows, int width, double eps,
      double[] scale, double[] bias, int channels) {
    int grain = Math.max(1, Broadcast.Chunks.CHEAP / Math.max(1, width));
    if (x.elementType() == ElementType.F32) {
      float[] a = x.floats();
      float[] z = new float[a.length];
      Broadcast.Chunks.run(ctx, rows, grain, (from, to) -> {
        for (int r = from; r < to; r++) {
          normalizeRow(a, z, r * width, width, eps, scale, bias, channels > 0 ? r % channels : -1);
        }
      });
      return Tensor.wrap(x.type(), z);
    }
    double[] a = FloatBinary.doubles(x);
    double[] z = new double[a.length];
    for (int r = 0; r < rows; r++) {
      normalizeRow(a, z, r * width, width, eps, scale, bias, channels > 0 ? r % channels : -1);
    }
    return Tensor.fromDoubles(x.type(), z);
  }

  /** One row; {@code channel} ≥ 0 selects one scale and bias for the row, -1 a scale and bias per column. */
  private static void normalizeRow(float[] a, float[] z, int off, int width, double eps, double[] scale,
      double[] bias, int channel) {
    double sum = 0;
    for (int j = off; j < off + width; j++) {
      sum += a[j];
    }
    double mean = sum / width;
    double sq = 0;
    for (int j = off; j < off + width; j++) {
      double d = a[j] - mean;
      sq += d * d;
    }
    double inv = 1 / Math.sqrt(sq / width + eps);
    if (channel >= 0) {
      double g = scale[channel] * inv;
      double b = bias[channel] - mean * g;
      for (int j = off; j < off + width; j++) {
        z[j] = (float) (a[j] * g + b);
      }
    } else {
      for (int j = 0; j < width; j++) {
        z[off + j] = (float) ((a[off + j] - mean) * inv * scale[j] + bias[j]);
      }
    }
  }

  /** The same on doubles (f64, f16). */
  private static void normalizeRow(double[] a, double[] z, int off, int width, double eps, double[] scale,
      double[] bias, int channel) {
    double sum = 0;
    for (int j = off; j < off + width; j++) {
      sum += a[j];
    }
    double mean = sum / width;
    double sq = 0;
    for (int j = off; j < off + width; j++) {
      double d = a[j] - mean;
      sq += d * d;
    }
    double inv = 1 / Math.sqrt(sq / width + eps);
    for (int j = 0; j < width; j++) {
      double g = channel >= 0 ? scale[channel] : scale[j];
      double b = channel >= 0 ? bias[channel] : bias[j];
      z[off + j] = (a[off + j] - mean) * inv * g + b;
    }
  }

  /** The elements of {@code t} broadcast to {@code target}, as doubles. */
  private static double[] expand(Tensor t, Shape target) {
    var plan = Broadcast.Plan.of(t.shape(), target, target);
    double[] src = FloatBinary.doubles(t);
    double[] out = new double[plan.size()];
    plan.forEach(0, plan.size(), (o, ia, sa, ib, sb, len) -> {
      for (int i = 0; i < len; i++) {
        out[o + i] = src[ia + i * sa];
      }
    });
    return out;
  }

  static long product(Shape s, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= s.dim(i);
    }
    return p;
  }
}
