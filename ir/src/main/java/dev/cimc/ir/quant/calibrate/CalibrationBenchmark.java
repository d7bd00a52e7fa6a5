package dev.cimc.ir.quant.calibrate;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times calibration of a ResNet-18 shaped graph (random weights, batch norms folded into biases) on random
 * samples. Two input sizes: 224 (ImageNet: 7×7/2 stem and 3×3/2 max pool, 1000 classes) and 32 (CIFAR: a
 * 3×3/1 stem without pooling, 10 classes). Both have the 2-2-2-2 basic blocks of widths 64-128-256-512 with
 * projection shortcuts where the shape changes.
 */
public final class CalibrationBenchmark {
  private CalibrationBenchmark() {}

  /**
   * What to run.
   *
   * @param imageSize 224 or 32
   * @param samples calibration samples
   * @param threads interpreter and observer threads
   * @param method activation range method (logits always use cross-entropy)
   * @param seed seed of weights and samples
   */
  public record Settings(int imageSize, int samples, int threads, RangeMethod method, long seed) {
    public Settings {
      if (imageSize != 224 && imageSize != 32) {
        throw new IllegalArgumentException("image size must be 224 or 32, got " + imageSize);
      }
      if (samples < 1 || threads < 1) {
        throw new IllegalArgumentException("need samples ≥ 1 and threads ≥ 1");
      }
    }
  }

  /**
   * The measurement.
   *
   * @param values values observed per sample
   * @param seconds wall time of the whole calibration (including the final range searches)
   * @param samplesPerSecond samples / seconds
   */
  public record Report(Settings settings, int values, double seconds, double samplesPerSecond) {
    /** One line for people. */
    public String format() {
      return String.format(Locale.ROOT,
          "resnet18 (batch 1, 3x%dx%d, f32), %s observers, %d thread(s): %d samples, %d values each, %.1f s, %.2f samples/s%n",
          settings.imageSize(), settings.imageSize(), settings.method().text(), settings.threads(), settings.samples(),
          values, seconds, samplesPerSecond);
    }
  }

  /** Builds the graph and calibrates it on random samples. */
  public static Report run(Settings s) {
    Graph g = resnet18(s.seed(), s.imageSize());
    var data = CalibrationData.random(g, s.samples(), s.seed() + 1);
    var cs = Calibrator.Settings.defaults().withObservers(ObserverSpec.of(s.method())).withThreads(s.threads());
    long t0 = System.nanoTime();
    CalibrationResult r = Calibrator.calibrate(g, data, cs, Calibrator.Progress.NONE);
    double sec = (System.nanoTime() - t0) / 1e9;
    return new Report(s, r.ranges().size(), sec, s.samples() / sec);
  }

  /** The ResNet-18 graph for 3×size×size inputs (224 or 32) with random weights from {@code seed}. */
  public static Graph resnet18(long seed, int size) {
    var rnd = new SplittableRandom(seed);
    var b = new GraphBuilder("resnet18", Dialects.standard());
    Value x = b.input("image", TensorType.f32(1, 3, size, size));
    if (size == 224) {
      x = conv(b, rnd, "stem", x, 3, 64, 7, 2, 3, true);
      x = b.op("graph.max_pool", Attributes.of("kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2),
          "pads", Attribute.ints(1, 1, 1, 1)), x);
    } else {
      x = conv(b, rnd, "stem", x, 3, 64, 3, 1, 1, true);
    }
    int in = 64;
    for (int stage = 0; stage < 4; stage++) {
      int width = 64 << stage;
      for (int i = 0; i < 2; i++) {
        int stride = i == 0 && stage > 0 ? 2 : 1;
        String p = "s" + (stage + 1) + "b" + (i + 1);
        Value shortcut = in != width || stride != 1 ? conv(b, rnd, p + "_proj", x, in, width, 1, stride, 0, false) : x;
        Value y = conv(b, rnd, p + "_conv1", x, in, width, 3, stride, 1, true);
        y = conv(b, rnd, p + "_conv2", y, width, width, 3, 1, 1, false);
        x = b.op("graph.relu", b.op("graph.add", y, shortcut));
        in = width;
      }
    }
    int classes = size == 224 ? 1000 : 10;
    x = b.op("graph.global_average_pool", x);
    x = b.op("graph.reshape", Attributes.of("shape", Attribute.ints(1, 512)), x);
    Value fcW = b.constant("fc_w", uniform(rnd, TensorType.f32(classes, 512), (float) Math.sqrt(1.0 / 512)));
    Value fcB = b.constant("fc_b", uniform(rnd, TensorType.f32(classes), 0.01f));
    b.output(b.named("logits", "graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), x, fcW, fcB));
    return b.build();
  }

  private static Value conv(GraphBuilder b, SplittableRandom rnd, String name, Value x, int in, int out, int k,
      int stride, int pad, boolean relu) {
    float std = (float) Math.sqrt(2.0 / (in * k * k)) * (relu ? 1f : 0.5f);
    Value w = b.constant(name + "_w", uniform(rnd, TensorType.f32(out, in, k, k), std));
    Value bias = b.constant(name + "_b", uniform(rnd, TensorType.f32(out), 0.01f));
    Value y = b.op("graph.conv2d", Attributes.of("strides", Attribute.ints(stride, stride),
        "pads", Attribute.ints(pad, pad, pad, pad)), x, w, bias);
    return relu ? b.op("graph.relu", y) : y;
  }

  /** Zero-mean uniform values with standard deviation {@code std}. */
  private static Tensor uniform(SplittableRandom rnd, TensorType type, float std) {
    float[] v = new float[(int) type.numel()];
    float half = std * (float) Math.sqrt(3.0);
    for (int i = 0; i < v.length; i++) {
      v[i] = half * (float) (2 * rnd.nextDouble() - 1);
    }
    return Tensor.wrap(type, v);
  }

  /** {@code [--size 224|32] [--samples N] [--threads N] [--method minmax|ema|percentile|mse|kl] [--seed N]}. */
  public static void main(String[] args) {
    int size = 224;
    int samples = 256;
    int threads = 2;
    RangeMethod method = RangeMethod.MIN_MAX;
    long seed = 42;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--size" -> size = Integer.parseInt(args[i + 1]);
        case "--samples" -> samples = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--method" -> method = RangeMethod.fromText(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected --size, --samples, --threads, --method, --seed)");
      }
    }
    System.out.print(run(new Settings(size, samples, threads, method, seed)).format());
  }
}
