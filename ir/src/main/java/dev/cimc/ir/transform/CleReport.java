package dev.cimc.ir.transform;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.PassRun;
import dev.cimc.ir.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What cross-layer equalization buys on a network: for every conv and gemm, the ratio of the largest to
 * the smallest per-output-channel weight range (max |w|) with batch norms folded, before and after
 * equalization; and the output SQNR of the network when every weight tensor is quantized per tensor
 * (symmetric, round to nearest, {@code bits} bits, biases kept in float) before and after equalization,
 * each against the float network with folded batch norms, on Gaussian inputs. It also reports how far the
 * equalized float network (exact in theory) and the one with bias absorption (approximate) drift from it.
 *
 * <p>{@link #main} runs it on {@link MobileNetV2Graph} (the CLI exposes it as a bench command); {@link #run}
 * takes any graph, e.g. an imported model.
 */
public final class CleReport {
  private CleReport() {}

  /**
   * What to measure.
   *
   * @param bits weight bit width (per-tensor symmetric quantization)
   * @param inputs Gaussian inputs to measure the SQNR on
   * @param seed seed of the inputs
   */
  public record Settings(int bits, int inputs, long seed) {
    public static Settings defaults() {
      return new Settings(8, 2, 7);
    }
  }

  /**
   * One layer's per-channel weight ranges.
   *
   * @param layer result name of the conv or gemm
   * @param kind {@code conv}, {@code depthwise}, {@code grouped} or {@code gemm}
   * @param channels output channels
   * @param ratioBefore largest / smallest channel range with batch norms folded
   * @param ratioAfter the same after equalization
   */
  public record LayerRanges(String layer, String kind, int channels, double ratioBefore, double ratioAfter) {}

  /**
   * The measurements.
   *
   * @param layers every conv and gemm with constant weights, in graph order
   * @param pairs layer pairs equalized
   * @param sweeps equalization sweeps until the scales settled
   * @param sqnrBeforeDb output SQNR with per-tensor quantized weights, batch norms folded
   * @param sqnrAfterDb the same after equalization
   * @param equalizedError max |y_cle − y| / max |y| of the equalized float network
   * @param absorbedError the same with bias absorption after equalization
   * @param channelsAbsorbed channels whose bias moved in bias absorption
   */
  public record Result(Settings settings, List<LayerRanges> layers, long pairs, long sweeps, double sqnrBeforeDb,
      double sqnrAfterDb, double equalizedError, double absorbedError, long channelsAbsorbed) {

    /** A table for people. */
    public String format(String title) {
      var sb = new StringBuilder();
      sb.append(title).append('\n');
      int width = 5;
      for (LayerRanges l : layers) {
        width = Math.max(width, l.layer().length());
      }
      String row = "%-" + width + "s %-9s %6s %12s %12s%n";
      sb.append(String.format(Locale.ROOT, row, "layer", "kind", "chans", "range ratio", "after CLE"));
      double worstBefore = 0;
      double worstAfter = 0;
      for (LayerRanges l : layers) {
        sb.append(String.format(Locale.ROOT, row, l.layer(), l.kind(), l.channels(),
            String.format(Locale.ROOT, "%.1f", l.ratioBefore()), String.format(Locale.ROOT, "%.1f", l.ratioAfter())));
        worstBefore = Math.max(worstBefore, l.ratioBefore());
        worstAfter = Math.max(worstAfter, l.ratioAfter());
      }
      sb.append(String.format(Locale.ROOT, """
          largest ratio: %.1f before, %.1f after; %d pairs equalized in %d sweeps
          output SQNR, per-tensor %d-bit weights: %.2f dB before CLE, %.2f dB after (%+.2f dB)
          float drift: CLE %.2e (exact up to rounding), CLE + bias absorption %.2e (%d channels absorbed)
          """, worstBefore, worstAfter, pairs, sweeps, settings.bits(), sqnrBeforeDb, sqnrAfterDb,
          sqnrAfterDb - sqnrBeforeDb, equalizedError, absorbedError, channelsAbsorbed));
      return sb.toString();
    }
  }

  /** Folds batch norms, equalizes, quantizes and measures on Gaussian inputs; {@code model} is not changed. */
  public static Result run(Graph model, Settings s) {
    return run(model, s, null);
  }

  /**
   * The same on given inputs (e.g. real images, each a map from input name to tensor); null means
   * {@code s.inputs()} Gaussian inputs.
   */
  public static Result run(Graph model, Settings s, List<Map<String, Tensor>> inputs) {
    PassRegistry registry = PassRegistry.standard();
    Graph folded = model.copy();
    runPipeline(folded, "canonicalize,fold-constants,dce,fold-batch-norm,canonicalize", registry);
    Graph equalized = folded.copy();
    List<PassRun> runs = runPipeline(equalized, "fold-batch-norm,cross-layer-equalization", registry);
    Map<String, Long> cleStats = runs.get(1).statistics();
    Graph absorbed = equalized.copy();
    List<PassRun> absorbRuns = runPipeline(absorbed, "fold-batch-norm,bias-absorption", registry);

    Map<String, double[]> after = new LinkedHashMap<>();
    for (Node n = equalized.first(); n != null; n = n.next()) {
      ChannelLayer l = ChannelLayer.of(n);
      if (l != null) {
        after.put(n.result().name(), l.outRanges());
      }
    }
    var layers = new ArrayList<LayerRanges>();
    for (Node n = folded.first(); n != null; n = n.next()) {
      ChannelLayer l = ChannelLayer.of(n);
      if (l == null) {
        continue;
      }
      double[] a = after.get(n.result().name());
      layers.add(new LayerRanges(n.result().name(), kind(n), l.outChannels(), ratio(l.outRanges()),
          a == null ? Double.NaN : ratio(a)));
    }

    Graph quantBefore = quantizeWeights(folded, s.bits());
    Graph quantAfter = quantizeWeights(equalized, s.bits());
    double signal = 0;
    double noiseBefore = 0;
    double noiseAfter = 0;
    double equalizedError = 0;
    double absorbedError = 0;
    if (inputs == null) {
      var rnd = new SplittableRandom(s.seed());
      inputs = new ArrayList<>();
      for (int i = 0; i < s.inputs(); i++) {
        var feed = new LinkedHashMap<String, Tensor>();
        for (Value in : folded.inputs()) {
          feed.put(in.name(), MobileNetV2Graph.gaussian(rnd, in.type(), 1.0));
        }
        inputs.add(feed);
      }
    }
    try (var interp = Interpreter.withThreads(Math.max(1, Runtime.getRuntime().availableProcessors()))) {
      for (Map<String, Tensor> feed : inputs) {
        double[] y = outputs(interp, folded, feed);
        double[] qb = outputs(interp, quantBefore, feed);
        double[] qa = outputs(interp, quantAfter, feed);
        double[] ye = outputs(interp, equalized, feed);
        double[] ya = outputs(interp, absorbed, feed);
        double maxAbs = 0;
        double maxE = 0;
        double maxA = 0;
        for (int k = 0; k < y.length; k++) {
          signal += y[k] * y[k];
          noiseBefore += (y[k] - qb[k]) * (y[k] - qb[k]);
          noiseAfter += (y[k] - qa[k]) * (y[k] - qa[k]);
          maxAbs = Math.max(maxAbs, Math.abs(y[k]));
          maxE = Math.max(maxE, Math.abs(y[k] - ye[k]));
          maxA = Math.max(maxA, Math.abs(y[k] - ya[k]));
        }
        equalizedError = Math.max(equalizedError, maxE / maxAbs);
        absorbedError = Math.max(absorbedError, maxA / maxAbs);
      }
    }
    return new Result(s, layers, cleStats.get("pairs-equalized"), cleStats.get("sweeps"),
        10 * Math.log10(signal / noiseBefore), 10 * Math.log10(signal / noiseAfter), equalizedError, absorbedError,
        absorbRuns.get(1).statistics().get("channels-absorbed"));
  }

  private static List<PassRun> runPipeline(Graph g, String pipeline, PassRegistry registry) {
    return new PassManager(PassPipeline.parse(pipeline, registry), PassManager.Options.defaults()).run(g).runs();
  }

  private static String kind(Node n) {
    if (n.op().fullName().equals("graph.gemm")) {
      return "gemm";
    }
    long group = n.intAttr("group");
    if (group == 1) {
      return "conv";
    }
    return group == n.operand(0).type().dim(1) && n.operand(1).type().dim(1) == 1 ? "depthwise" : "grouped";
  }

  /** Largest over smallest positive entry (channels with all-zero weights do not count); 1 if none is positive. */
  public static double ratio(double[] ranges) {
    double max = 0;
    double min = Double.POSITIVE_INFINITY;
    for (double r : ranges) {
      if (r > 0) {
        max = Math.max(max, r);
        min = Math.min(min, r);
      }
    }
    return max == 0 ? 1 : max / min;
  }

  /**
   * A copy whose conv and gemm weights are quantized per tensor: {@code s = max|w| / (2^(bits−1) − 1)},
   * {@code w ← s · clamp(round(w / s))}, the values the integer network would multiply with.
   */
  static Graph quantizeWeights(Graph g, int bits) {
    Graph q = g.copy();
    double levels = (1L << (bits - 1)) - 1;
    for (Node n = q.first(); n != null; n = n.next()) {
      if (ChannelLayer.of(n) == null) {
        continue;
      }
      Tensor w = Rewrites.of(n.operand(1));
      double[] v = Rewrites.doubles(w);
      double max = 0;
      for (double x : v) {
        max = Math.max(max, Math.abs(x));
      }
      if (max == 0) {
        continue;
      }
      double scale = max / levels;
      for (int i = 0; i < v.length; i++) {
        v[i] = scale * Math.max(-levels, Math.min(levels, Math.rint(v[i] / scale)));
      }
      Rewrites.replaceOperand(n, 1, Rewrites.tensor(w.type(), v));
    }
    return q;
  }

  private static double[] outputs(Interpreter interp, Graph g, Map<String, Tensor> inputs) {
    Map<String, Tensor> out = interp.run(g, inputs);
    int n = 0;
    for (Tensor t : out.values()) {
      n += t.size();
    }
    double[] r = new double[n];
    int k = 0;
    for (Value o : g.outputs()) {
      Tensor t = out.get(o.name());
      for (int i = 0; i < t.size(); i++) {
        r[k++] = t.getDouble(i);
      }
    }
    return r;
  }

  /**
   * Prints the report for the MobileNetV2-shaped graph. Arguments (all optional): {@code --resolution N}
   * (default 224), {@code --width α} (default 1.0), {@code --bits B} (default 8), {@code --seed S}.
   */
  public static void main(String[] args) {
    MobileNetV2Graph.Settings m = MobileNetV2Graph.Settings.defaults();
    Settings s = Settings.defaults();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--resolution" -> m = m.withResolution(Integer.parseInt(args[i + 1]));
        case "--width" -> m = m.withWidth(Double.parseDouble(args[i + 1]));
        case "--bits" -> s = new Settings(Integer.parseInt(args[i + 1]), s.inputs(), s.seed());
        case "--seed" -> s = new Settings(s.bits(), s.inputs(), Long.parseLong(args[i + 1]));
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected --resolution, --width, --bits or --seed)");
      }
    }
    long t0 = System.nanoTime();
    Graph g = MobileNetV2Graph.build(m);
    Result r = run(g, s);
    System.out.print(r.format(String.format(Locale.ROOT,
        "cross-layer equalization on a MobileNetV2-shaped graph (random weights, calibrated batch norms with "
            + "scales spread by e^±%.1f; %dx%d, width %.2f)", m.scaleSpread(), m.resolution(), m.resolution(),
        m.widthMultiplier())));
    System.out.printf(Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - t0) / 1e9);
  }
}
