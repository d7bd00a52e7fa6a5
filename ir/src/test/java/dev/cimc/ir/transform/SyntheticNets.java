package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.Random;

/**
 * Small random networks for the numerical tests: conv, gemm and batch-norm layers with random weights and
 * batch norms with non-trivial statistics (scales spread over two orders of magnitude, some negative;
 * nonzero means; variances from 0.01 to 10).
 */
final class SyntheticNets {
  private final GraphBuilder b;
  private final Random rnd;
  private int count;

  SyntheticNets(String name, long seed) {
    this.b = new GraphBuilder(name, TransformTesting.OPS);
    this.rnd = new Random(seed);
  }

  GraphBuilder builder() {
    return b;
  }

  Tensor gaussian(double std, int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (std * rnd.nextGaussian());
    }
    return Tensor.ofFloats(dims, v);
  }

  private String name(String kind) {
    return kind + count++;
  }

  /** conv2d with {@code out} channels, k×k kernel, stride, symmetric padding, group and optional bias. */
  Value conv(Value x, int out, int k, int stride, int pad, int group, boolean bias) {
    int in = x.type().dim(1);
    String n = name("conv");
    Value w = b.constant(n + ".weight", gaussian(Math.sqrt(2.0 / (in / group * k * k)), out, in / group, k, k));
    Attributes a = Attributes.of("strides", Attribute.ints(stride, stride), "pads", Attribute.ints(pad, pad, pad, pad),
        "group", Attribute.of((long) group));
    return bias ? b.named(n, "graph.conv2d", a, x, w, b.constant(n + ".bias", gaussian(0.5, out)))
        : b.named(n, "graph.conv2d", a, x, w);
  }

  /** A batch norm over axis 1 with random non-trivial parameters. */
  Value batchNorm(Value x) {
    int c = x.type().dim(1);
    String n = name("bn");
    float[] scale = new float[c];
    float[] var = new float[c];
    for (int i = 0; i < c; i++) {
      scale[i] = (float) ((rnd.nextInt(5) == 0 ? -1 : 1) * Math.exp(rnd.nextGaussian() * 1.2));
      var[i] = (float) Math.exp(rnd.nextGaussian() * 1.5);
    }
    return b.named(n, "graph.batch_norm", Attributes.of("epsilon", Attribute.of(1e-3)), x,
        b.constant(n + ".weight", Tensor.ofFloats(new int[] {c}, scale)),
        b.constant(n + ".bias", gaussian(1.0, c)), b.constant(n + ".running_mean", gaussian(1.0, c)),
        b.constant(n + ".running_var", Tensor.ofFloats(new int[] {c}, var)));
  }

  Value relu6(Value x) {
    return b.named(name("relu6"), "graph.clip", Attributes.of("min", Attribute.of(0.0), "max", Attribute.of(6.0)), x);
  }

  Value relu(Value x) {
    return b.named(name("relu"), "graph.relu", Attributes.EMPTY, x);
  }

  /** gemm with trans_b and a bias, {@code out} columns. */
  Value gemm(Value x, int out) {
    int in = x.type().dim(1);
    String n = name("fc");
    return b.named(n, "graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), x,
        b.constant(n + ".weight", gaussian(Math.sqrt(1.0 / in), out, in)), b.constant(n + ".bias", gaussian(0.5, out)));
  }

  Value input(String name, int... dims) {
    return b.input(name, TensorType.f32(dims));
  }
}
