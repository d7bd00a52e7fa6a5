package dev.cimc.ir.text;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;

/**
 * Throughput of the text printer and parser on a synthetic network ({@code cimc bench text}). The graph repeats
 * a block of nine nodes (a conv weight blob and an inline bias, conv2d, a residual add, relu, reshape, a matmul
 * with a weight blob, a reshape back). Weight tensors come from a small pool, so blobs are shared as in a
 * network with tied weights and memory stays small. Run with
 * {@code java -cp ir/target/classes dev.cimc.ir.text.TextBenchmark [nodes] [warmups] [iterations]}.
 *
 * <p>Parse time includes building the graph and verifying it; most of it is allocating and collecting the
 * new graph, not reading text. On a small, busy machine the default collector (G1) adds concurrent marking
 * to every parse of a large graph; {@code -XX:+UseParallelGC} shows the throughput without it.
 */
public final class TextBenchmark {
  private static final int CHANNELS = 8;
  private static final int SIDE = 8;
  private static final int POOL = 16;

  private TextBenchmark() {}

  /**
   * One measurement. Medians describe a typical run; the best runs show the cost with the least interference
   * from other processes and collections (useful on a shared machine).
   *
   * @param nodes nodes in the graph
   * @param textChars characters of the printed text
   * @param printMillis median time of one print
   * @param parseMillis median time of one parse (including verification)
   * @param printNodesPerSecond nodes printed per second (median run)
   * @param parseNodesPerSecond nodes parsed per second (median run)
   * @param bestPrintNodesPerSecond nodes printed per second (fastest run)
   * @param bestParseNodesPerSecond nodes parsed per second (fastest run)
   */
  public record Result(int nodes, long textChars, double printMillis, double parseMillis,
      double printNodesPerSecond, double parseNodesPerSecond, double bestPrintNodesPerSecond,
      double bestParseNodesPerSecond) {
    /** One line for a terminal. */
    public String summary() {
      return nodes + " nodes, " + textChars / 1024 + " KiB of text: print " + Math.round(printNodesPerSecond)
          + " nodes/s (" + round2(printMillis) + " ms, best " + Math.round(bestPrintNodesPerSecond)
          + " nodes/s), parse " + Math.round(parseNodesPerSecond) + " nodes/s (" + round2(parseMillis)
          + " ms, best " + Math.round(bestParseNodesPerSecond) + " nodes/s)";
    }

    private static String round2(double v) {
      return Double.toString(Math.round(v * 100) / 100.0);
    }
  }

  /** 100,000 nodes, 3 warm-up and 5 measured iterations. */
  public static Result run() {
    return run(100_000, 3, 5);
  }

  /** Builds a graph of {@code nodes} nodes and times print and parse over the measured iterations. */
  public static Result run(int nodes, int warmups, int iterations) {
    if (nodes < 1 || warmups < 0 || iterations < 1) {
      throw new IllegalArgumentException("need nodes ≥ 1, warmups ≥ 0, iterations ≥ 1");
    }
    OpRegistry registry = Dialects.standard();
    Graph g = syntheticGraph(nodes, registry);
    IrPrinter.Printed printed = IrPrinter.print(g);
    long[] printNanos = new long[iterations];
    long[] parseNanos = new long[iterations];
    for (int i = 0; i < warmups + iterations; i++) {
      // Start each timed section on a clean heap, as a real print or parse does: otherwise the previous
      // iteration's garbage is collected, and charged, inside the next measurement.
      System.gc();
      long t0 = System.nanoTime();
      IrPrinter.Printed p = IrPrinter.print(g);
      long t1 = System.nanoTime();
      System.gc();
      long t2 = System.nanoTime();
      Graph back = IrParser.parse(p.text(), "bench.cir", registry, p.blobs());
      long t3 = System.nanoTime();
      if (back.size() != g.size() || p.text().length() != printed.text().length()) {
        throw new IllegalStateException("print/parse round trip changed the graph");
      }
      if (i >= warmups) {
        printNanos[i - warmups] = t1 - t0;
        parseNanos[i - warmups] = t3 - t2;
      }
    }
    double printMs = median(printNanos) / 1e6;
    double parseMs = median(parseNanos) / 1e6;
    int n = g.size();
    return new Result(n, printed.text().length(), printMs, parseMs, n / (printMs / 1e3), n / (parseMs / 1e3),
        n / (min(printNanos) / 1e9), n / (min(parseNanos) / 1e9));
  }

  private static double min(long[] v) {
    long m = Long.MAX_VALUE;
    for (long x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }

  /** The benchmark graph: {@code nodes} nodes, in blocks of nine, padded with relus. */
  public static Graph syntheticGraph(int nodes, OpRegistry registry) {
    var b = new GraphBuilder("bench", registry);
    var rnd = new java.util.SplittableRandom(7);
    Tensor[] convW = new Tensor[POOL];
    Tensor[] mmW = new Tensor[POOL];
    for (int i = 0; i < POOL; i++) {
      convW[i] = randomFloats(rnd, CHANNELS, CHANNELS, 3, 3);
      mmW[i] = randomFloats(rnd, SIDE * SIDE, SIDE * SIDE);
    }
    Value h = b.input("x", TensorType.f32(1, CHANNELS, SIDE, SIDE));
    Attributes convAttrs = Attributes.of("pads", Attribute.ints(1, 1, 1, 1));
    Attributes flat = Attributes.of("shape", Attribute.ints(CHANNELS, SIDE * SIDE));
    Attributes back = Attributes.of("shape", Attribute.ints(1, CHANNELS, SIDE, SIDE));
    int blocks = nodes / 9;
    for (int i = 0; i < blocks; i++) {
      Value w = b.constant("w" + i, convW[i % POOL]);
      Value bias = b.constant("b" + i, randomFloats(rnd, CHANNELS));
      Value c = b.op("graph.conv2d", convAttrs, h, w, bias);
      Value a = b.op("graph.add", c, h);
      Value r = b.op("graph.relu", a);
      Value s = b.op("graph.reshape", flat, r);
      Value m = b.constant("m" + i, mmW[i % POOL]);
      Value mm = b.op("graph.matmul", s, m);
      h = b.op("graph.reshape", back, mm);
    }
    while (b.graph().size() < nodes) {
      h = b.op("graph.relu", h);
    }
    b.output(h);
    return b.build();
  }

  private static Tensor randomFloats(java.util.SplittableRandom rnd, int... dims) {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return Tensor.ofFloats(dims, v);
  }

  /** Prints one summary line; arguments: nodes, warm-ups, measured iterations. */
  public static void main(String[] args) {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    System.out.println(run(nodes, warmups, iterations).summary());
  }
}
