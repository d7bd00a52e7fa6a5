package dev.cimc.ir.interp;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Kernel;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times the reference interpreter on a ResNet-50 v1 shaped graph (batch 1, 3×224×224, random weights):
 * the stem (7×7/2 convolution, 3×3/2 max pool), 3-4-6-3 bottleneck blocks of 1×1/3×3/1×1 convolutions
 * with the stride on the first 1×1 and projection shortcuts, global average pool, flatten and a
 * 2048→1000 gemm. Batch norms are taken as folded into the convolution biases.
 *
 * <p>The CLI runs it as {@code cimc bench resnet50}; {@link #main} prints the same report.
 */
public final class ResNetBenchmark {
  private ResNetBenchmark() {}

  /**
   * What to run.
   *
   * @param threads interpreter worker threads
   * @param warmup untimed inferences first (JIT compilation)
   * @param iterations timed inferences
   * @param seed seed of the random weights and input
   */
  public record Settings(int threads, int warmup, int iterations, long seed) {
    public Settings {
      if (threads < 1 || warmup < 0 || iterations < 1) {
        throw new IllegalArgumentException("need threads ≥ 1, warmup ≥ 0 and iterations ≥ 1");
      }
    }

    /** Two threads, three warm-up and five timed inferences. */
    public static Settings defaults() {
      return new Settings(2, 3, 5, 42);
    }
  }

  /**
   * The measurements.
   *
   * @param totalGflop floating-point operations of one inference in convolutions and gemm (2 per MAC), 1e9
   * @param convGflop the part in conv2d
   * @param msPerInference mean wall time of one timed inference
   * @param convMsPerInference the part spent in conv2d kernels
   * @param gflops overall rate, totalGflop per second of inference
   * @param convGflops conv2d rate
   * @param peakHeapMb peak heap during the timed inferences (sum of the heap pools' peaks after a GC and
   *     reset: an upper bound), including the weights
   */
  public record Report(Settings settings, double totalGflop, double convGflop, double msPerInference,
      double convMsPerInference, double gflops, double convGflops, double peakHeapMb) {

    /** A few lines for people. */
    public String format() {
      return String.format(Locale.ROOT, """
          resnet50 (batch 1, 3x224x224, f32), %d thread(s), %d warm-up + %d timed inferences
            work       %.3f GFLOP per inference (conv2d %.3f, gemm %.3f)
            time       %.1f ms per inference (conv2d %.1f ms)
            rate       %.2f GFLOP/s overall, %.2f GFLOP/s in conv2d
            peak heap  %.0f MB
          """, settings.threads(), settings.warmup(), settings.iterations(), totalGflop, convGflop,
          totalGflop - convGflop, msPerInference, convMsPerInference, gflops, convGflops, peakHeapMb);
    }
  }

  /** Builds the graph, runs it and measures. */
  public static Report run(Settings s) {
    Graph g = resnet50(s.seed());
    double total = 0;
    double conv = 0;
    for (Node n : g.nodes()) {
      double f = flops(n);
      total += f;
      if (n.op().fullName().equals("graph.conv2d")) {
        conv += f;
      }
    }
    Tensor input = randomTensor(new SplittableRandom(s.seed() + 1), TensorType.f32(1, 3, 224, 224), 0.5f, 0.5f);
    Map<String, Tensor> inputs = Map.of("image", input);
    long[] convNanos = {0};
    try (Interpreter base = Interpreter.withThreads(s.threads());
        Interpreter it = base.withKernel("graph.conv2d", timed(g, convNanos))) {
      for (int i = 0; i < s.warmup(); i++) {
        it.run(g, inputs);
      }
      System.gc();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pool.resetPeakUsage();
        }
      }
      convNanos[0] = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < s.iterations(); i++) {
        it.run(g, inputs);
      }
      long wall = System.nanoTime() - t0;
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      double ms = wall / 1e6 / s.iterations();
      double convMs = convNanos[0] / 1e6 / s.iterations();
      return new Report(s, total / 1e9, conv / 1e9, ms, convMs, total / 1e6 / ms, conv / 1e6 / convMs,
          peak / (1024.0 * 1024.0));
    }
  }

  /** The conv2d kernel of the graph's registry, adding its wall time to {@code nanos[0]}. */
  private static Kernel timed(Graph g, long[] nanos) {
    Kernel conv = null;
    for (Node n : g.nodes()) {
      if (n.op().fullName().equals("graph.conv2d")) {
        conv = n.op().kernel();
        break;
      }
    }
    Kernel k = conv;
    return (ctx, in) -> {
      long t0 = System.nanoTime();
      Tensor[] r = k.run(ctx, in);
      nanos[0] += System.nanoTime() - t0;
      return r;
    };
  }

  /** 2 × multiply-accumulates of a conv2d or gemm node, 0 for other ops. */
  static double flops(Node n) {
    String op = n.op().fullName();
    if (op.equals("graph.conv2d")) {
      TensorType w = n.operand(1).type();
      TensorType y = n.result().type();
      return 2.0 * y.numel() * w.dim(1) * w.dim(2) * w.dim(3);
    }
    if (op.equals("graph.gemm")) {
      TensorType y = n.result().type();
      TensorType a = n.operand(0).type();
      int k = n.intAttr("trans_a") != 0 ? a.dim(0) : a.dim(1);
      return 2.0 * y.numel() * k;
    }
    return 0;
  }

  /** The ResNet-50 v1 graph with random weights drawn from {@code seed}. */
  public static Graph resnet50(long seed) {
    var rnd = new SplittableRandom(seed);
    var b = new GraphBuilder("resnet50", Dialects.standard());
    Value x = b.input("image", TensorType.f32(1, 3, 224, 224));
    x = conv(b, rnd, "stem", x, 3, 64, 7, 2, 3, true);
    x = b.op("graph.max_pool", Attributes.of("kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2),
        "pads", Attribute.ints(1, 1, 1, 1)), x);
    int[] blocks = {3, 4, 6, 3};
    int in = 64;
    for (int stage = 0; stage < 4; stage++) {
      int width = 64 << stage;
      int out = width * 4;
      for (int i = 0; i < blocks[stage]; i++) {
        int stride = i == 0 && stage > 0 ? 2 : 1;
        String p = "s" + (stage + 1) + "b" + (i + 1);
        Value shortcut = i == 0 ? conv(b, rnd, p + "_proj", x, in, out, 1, stride, 0, false) : x;
        Value y = conv(b, rnd, p + "_conv1", x, in, width, 1, stride, 0, true);
        y = conv(b, rnd, p + "_conv2", y, width, width, 3, 1, 1, true);
        y = conv(b, rnd, p + "_conv3", y, width, out, 1, 1, 0, false);
        x = b.op("graph.relu", b.op("graph.add", y, shortcut));
        in = out;
      }
    }
    x = b.op("graph.global_average_pool", x);
    x = b.op("graph.reshape", Attributes.of("shape", Attribute.ints(1, 2048)), x);
    Value fcW = b.constant("fc_w", randomTensor(rnd, TensorType.f32(1000, 2048), 0, (float) Math.sqrt(1.0 / 2048)));
    Value fcB = b.constant("fc_b", randomTensor(rnd, TensorType.f32(1000), 0, 0.01f));
    b.output(b.op("graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), x, fcW, fcB));
    return b.build();
  }

  private static Value conv(GraphBuilder b, SplittableRandom rnd, String name, Value x, int in, int out, int k,
      int stride, int pad, boolean relu) {
    float std = (float) Math.sqrt(2.0 / (in * k * k)) * (relu ? 1f : 0.3f);
    Value w = b.constant(name + "_w", randomTensor(rnd, TensorType.f32(out, in, k, k), 0, std));
    Value bias = b.constant(name + "_b", randomTensor(rnd, TensorType.f32(out), 0, 0.01f));
    Value y = b.op("graph.conv2d", Attributes.of("strides", Attribute.ints(stride, stride),
        "pads", Attribute.ints(pad, pad, pad, pad)), x, w, bias);
    return relu ? b.op("graph.relu", y) : y;
  }

  /** Uniform values with the given mean and standard deviation. */
  private static Tensor randomTensor(SplittableRandom rnd, TensorType type, float mean, float std) {
    float[] v = new float[(int) type.numel()];
    float half = std * (float) Math.sqrt(3.0);
    for (int i = 0; i < v.length; i++) {
      v[i] = mean + half * (float) (2 * rnd.nextDouble() - 1);
    }
    return Tensor.wrap(type, v);
  }

  /** Runs the benchmark: {@code [--threads N] [--warmup N] [--iterations N] [--seed N]}. */
  public static void main(String[] args) {
    Settings d = Settings.defaults();
    int threads = d.threads();
    int warmup = d.warmup();
    int iterations = d.iterations();
    long seed = d.seed();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--iterations" -> iterations = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected --threads, --warmup, --iterations, --seed)");
      }
    }
    System.out.print(run(new Settings(threads, warmup, iterations, seed)).format());
  }
}
