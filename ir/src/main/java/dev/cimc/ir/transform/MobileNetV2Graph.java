package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A MobileNetV2-shaped graph (Sandler et al. 2018) as an importer writes it, with random weights and
 * batch norms whose statistics are real: the stem 3×3/2 conv, the 17 inverted residual blocks
 * (1×1 expand → 3×3 depthwise → 1×1 linear projection, each conv followed by batch_norm, relu6 after the
 * first two, a residual add where shapes allow), the 1×1 conv to 1280 channels, global average pooling
 * and the classifier gemm.
 *
 * <p>Weights are He-initialized. The batch norms (epsilon 1e-3, as the TensorFlow original) are set from
 * a calibration run on Gaussian images, as training would leave them: mean and variance are those of
 * their input per channel, and the scale is the input's standard deviation times a gain
 * {@code exp(spread·N(0, 1))} (one in eight negative), so a folded layer multiplies its channels by gains
 * spread over orders of magnitude, as in trained MobileNets, without the noise amplification that
 * normalizing random activations brings; the bias is {@code |scale|·N(0.5, 1)}. Stand-in for a trained
 * MobileNetV2 where none is at hand.
 */
public final class MobileNetV2Graph {
  private MobileNetV2Graph() {}

  /**
   * What to build.
   *
   * @param resolution input height and width (224 for the real network)
   * @param widthMultiplier channel multiplier α (1.0 for the real network)
   * @param classes classifier outputs
   * @param scaleSpread standard deviation of the log of the batch-norm scales
   * @param calibrationBatch images whose statistics become the batch norms' mean and variance
   * @param seed seed of all random draws
   */
  public record Settings(int resolution, double widthMultiplier, int classes, double scaleSpread,
      int calibrationBatch, long seed) {
    /** The real network's shape: 224×224, α = 1, 1000 classes; scales spread by e^±1, 4 calibration images. */
    public static Settings defaults() {
      return new Settings(224, 1.0, 1000, 1.0, 4, 2019);
    }

    public Settings withResolution(int r) {
      return new Settings(r, widthMultiplier, classes, scaleSpread, calibrationBatch, seed);
    }

    public Settings withWidth(double alpha) {
      return new Settings(resolution, alpha, classes, scaleSpread, calibrationBatch, seed);
    }
  }

  /** The expansion factor, output channels, repeats and first stride of each stage. */
  private static final int[][] STAGES = {
    {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

  /** The graph for batch 1, its batch norms calibrated on {@code calibrationBatch} images. */
  public static Graph build(Settings s) {
    Graph calibration = construct(s, s.calibrationBatch(), null);
    List<Tensor[]> stats = calibrate(calibration, s);
    return construct(s, 1, stats);
  }

  /** Channels scaled by α and rounded to a multiple of 8, as the reference implementation does. */
  private static int channels(int c, double alpha) {
    int v = (int) Math.max(8, Math.round(c * alpha / 8) * 8);
    return v < 0.9 * c * alpha ? v + 8 : v;
  }

  /** Builds the network; batch norms get {@link #placeholder} parameters unless {@code stats} gives them. */
  private static Graph construct(Settings s, int batch, List<Tensor[]> stats) {
    var rnd = new SplittableRandom(s.seed());
    var b = new GraphBuilder("mobilenet_v2", Dialects.standard());
    var net = new Builder(b, rnd, s, stats);
    Value x = b.input("image", TensorType.f32(batch, 3, s.resolution(), s.resolution()));
    int in = channels(32, s.widthMultiplier());
    x = net.convBn("stem", x, 3, in, 3, 2, 1, true);
    int block = 0;
    for (int[] st : STAGES) {
      int out = channels(st[1], s.widthMultiplier());
      for (int i = 0; i < st[2]; i++) {
        int stride = i == 0 ? st[3] : 1;
        String p = "block" + block++;
        int hidden = in * st[0];
        Value y = x;
        if (st[0] != 1) {
          y = net.convBn(p + ".expand", y, in, hidden, 1, 1, 0, true);
        }
        y = net.convBn(p + ".depthwise", y, hidden, hidden, 3, stride, 1, true);
        y = net.convBn(p + ".project", y, hidden, out, 1, 1, 0, false);
        x = stride == 1 && in == out ? b.named(p + ".add", "graph.add", Attributes.EMPTY, y, x) : y;
        in = out;
      }
    }
    int last = channels(1280, Math.max(1.0, s.widthMultiplier()));
    x = net.convBn("head", x, in, last, 1, 1, 0, true);
    x = b.named("pool", "graph.global_average_pool", Attributes.EMPTY, x);
    x = b.named("flat", "graph.flatten", Attributes.EMPTY, x);
    Value w = b.constant("classifier.weight", gaussian(rnd, TensorType.f32(s.classes(), last),
        Math.sqrt(1.0 / last)));
    Value bias = b.constant("classifier.bias", gaussian(rnd, TensorType.f32(s.classes()), 0.01));
    b.output(b.named("logits", "graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), x, w, bias));
    return b.build();
  }

  /** Adds conv → batch_norm (→ relu6) blocks, drawing weights and batch-norm parameters in a fixed order. */
  private static final class Builder {
    private final GraphBuilder b;
    private final SplittableRandom rnd;
    private final Settings s;
    private final List<Tensor[]> stats;
    private int norms;

    Builder(GraphBuilder b, SplittableRandom rnd, Settings s, List<Tensor[]> stats) {
      this.b = b;
      this.rnd = rnd;
      this.s = s;
      this.stats = stats;
    }

    Value convBn(String name, Value x, int in, int out, int k, int stride, int pad, boolean relu6) {
      boolean depthwise = name.endsWith("depthwise");
      int perGroup = depthwise ? 1 : in;
      Value w = b.constant(name + ".weight", gaussian(rnd, TensorType.f32(out, perGroup, k, k),
          Math.sqrt(2.0 / (perGroup * k * k))));
      Attributes attrs = Attributes.of("strides", Attribute.ints(stride, stride),
          "pads", Attribute.ints(pad, pad, pad, pad));
      if (depthwise) {
        attrs = attrs.with("group", Attribute.of((long) in));
      }
      Value y = b.named(name, "graph.conv2d", attrs, x, w);
      Tensor[] p = stats == null ? placeholder(out) : stats.get(norms);
      norms++;
      Value n = b.named(name + ".bn", "graph.batch_norm", Attributes.of("epsilon", Attribute.of(1e-3)), y,
          b.constant(name + ".bn.weight", p[0]), b.constant(name + ".bn.bias", p[1]),
          b.constant(name + ".bn.running_mean", p[2]), b.constant(name + ".bn.running_var", p[3]));
      if (!relu6) {
        return n;
      }
      return b.named(name + ".relu6", "graph.clip", Attributes.of("min", Attribute.of(0.0), "max", Attribute.of(6.0)),
          n);
    }
  }

  /** Scale 1, bias 0, mean 0, variance 1: the batch norms of the calibration run until they are set. */
  private static Tensor[] placeholder(int c) {
    float[] ones = new float[c];
    java.util.Arrays.fill(ones, 1f);
    Tensor zero = Tensor.zeros(TensorType.f32(c));
    Tensor one = Tensor.ofFloats(new int[] {c}, ones);
    return new Tensor[] {one, zero, zero, one};
  }

  /**
   * Runs the calibration graph node by node on Gaussian images. Before each batch norm runs, its mean and
   * variance become those of its input per channel (σ² the variance), its scale {@code ±σ·s} with
   * {@code s = exp(spread·N(0, 1))} normalized to unit mean square over the channels (so the layer's output
   * keeps its overall magnitude while its channels spread apart), and its bias {@code |scale|·N(0.5, 1)}.
   * Returns scale, bias, mean and variance per batch norm, in order.
   */
  private static List<Tensor[]> calibrate(Graph g, Settings s) {
    var rnd = new SplittableRandom(s.seed() + 1);
    var bnRnd = new SplittableRandom(s.seed() + 2);
    var env = new IdentityHashMap<Value, Tensor>();
    Value image = g.input(0);
    env.put(image, gaussian(rnd, image.type(), 1.0));
    var stats = new ArrayList<Tensor[]>();
    try (var interp = Interpreter.withThreads(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
      for (Node n = g.first(); n != null; n = n.next()) {
        Tensor[] args = new Tensor[n.numOperands()];
        for (int i = 0; i < args.length; i++) {
          args[i] = env.get(n.operand(i));
        }
        if (n.op().fullName().equals("graph.batch_norm")) {
          Tensor[] p = parameters(channelMoments(args[0]), bnRnd, s.scaleSpread());
          System.arraycopy(p, 0, args, 1, 4);
          stats.add(p);
        }
        Tensor[] r = interp.execute(n, args);
        for (int i = 0; i < r.length; i++) {
          env.put(n.result(i), r[i]);
        }
        for (Value v : n.operands()) {
          if (v.producer() != null && !v.producer().op().fullName().equals("const") && lastUse(v, n)) {
            env.remove(v);
          }
        }
      }
    }
    return stats;
  }

  private static boolean lastUse(Value v, Node n) {
    for (Node u : v.users()) {
      for (Node m = n.next(); m != null; m = m.next()) {
        if (m == u) {
          return false;
        }
      }
    }
    return true;
  }

  private static Tensor[] parameters(Tensor[] moments, SplittableRandom rnd, double spread) {
    float[] mean = moments[0].floats();
    float[] var = moments[1].floats();
    int c = mean.length;
    double[] gain = new double[c];
    double sq = 0;
    for (int i = 0; i < c; i++) {
      gain[i] = Math.exp(spread * rnd.nextGaussian());
      sq += gain[i] * gain[i];
    }
    double norm = Math.sqrt(sq / c);
    float[] scale = new float[c];
    float[] bias = new float[c];
    for (int i = 0; i < c; i++) {
      double sigma = Math.sqrt(var[i] + 1e-3);
      scale[i] = (float) ((rnd.nextInt(8) == 0 ? -1 : 1) * sigma * gain[i] / norm);
      bias[i] = (float) (Math.abs(scale[i]) * (0.5 + rnd.nextGaussian()));
    }
    return new Tensor[] {Tensor.ofFloats(new int[] {c}, scale), Tensor.ofFloats(new int[] {c}, bias), moments[0],
        moments[1]};
  }

  /** Per-channel mean and (population) variance of an N×C×H×W tensor. */
  private static Tensor[] channelMoments(Tensor x) {
    int n = x.shape().dim(0);
    int c = x.shape().dim(1);
    int plane = x.size() / (n * c);
    float[] v = x.floats();
    float[] mean = new float[c];
    float[] var = new float[c];
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      double sq = 0;
      for (int b = 0; b < n; b++) {
        int base = (b * c + ch) * plane;
        for (int i = 0; i < plane; i++) {
          double e = v[base + i];
          sum += e;
          sq += e * e;
        }
      }
      double m = sum / (n * plane);
      mean[ch] = (float) m;
      var[ch] = (float) Math.max(sq / (n * plane) - m * m, 0);
    }
    return new Tensor[] {Tensor.ofFloats(new int[] {c}, mean), Tensor.ofFloats(new int[] {c}, var)};
  }

  static Tensor gaussian(SplittableRandom rnd, TensorType t, double std) {
    float[] v = new float[(int) t.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (std * rnd.nextGaussian());
    }
    return Tensor.wrap(t, v);
  }
}
