package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.CalibrationResult;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The post-training quantization pipeline of the white paper (Nagel et al. 2021, DESIGN.md section 4),
 * after the graph passes (BN folding, CLE, bias absorption) ran: for every weight layer, weight range
 * setting (min-max or MSE), optionally AdaRound, optionally empirical bias correction; then activation
 * ranges from calibration data. The result is a {@link QuantPlan} that the {@code quantize} pass
 * ({@code dev.cimc.ir.quant.fakequant.Quantize}) applies, weight codes included; the pass runs this pipeline
 * itself, and library users may call the two steps separately to inspect or edit the plan.
 *
 * <p>Bias correction changes float biases in place; weight constants keep their float values (the chosen
 * codes travel in the plan), so the graph stays comparable with the float model layer by layer.
 */
public final class PostTrainingQuantization {
  private PostTrainingQuantization() {}

  /** How weight ranges are set. */
  public enum WeightRange {
    MIN_MAX("minmax"),
    MSE("mse");

    private final String text;

    WeightRange(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * Settings of one run.
   *
   * @param plan default schemes and per-layer schemes (mixed precision); its ranges are replaced by calibration
   * @param calibrator activation observers and threads
   * @param weightRange min-max or MSE weight ranges
   * @param adaRound AdaRound settings, or null to round to nearest
   * @param biasCorrection empirical bias correction on the calibration data
   * @param ptqSamples at most this many calibration samples feed AdaRound and bias correction (they run the
   *     graph once per layer, so they are the expensive steps)
   * @param bitSearch per-layer weight bit-width search, or null to keep the plan's bits
   */
  public record Settings(QuantPlan plan, Calibrator.Settings calibrator, WeightRange weightRange,
      AdaRound.Settings adaRound, boolean biasCorrection, int ptqSamples, BitSearch bitSearch) {
    public Settings {
      Objects.requireNonNull(plan, "plan");
      Objects.requireNonNull(calibrator, "calibrator");
      Objects.requireNonNull(weightRange, "weightRange");
      if (ptqSamples < 1) {
        throw new IllegalArgumentException("ptqSamples must be ≥ 1, got " + ptqSamples);
      }
    }

    /** Min-max weights, min-max activations (cross-entropy for the logits), no AdaRound or bias correction. */
    public static Settings defaults(QuantPlan plan) {
      return new Settings(plan, Calibrator.Settings.defaults().withObservers(ObserverSpec.of(RangeMethod.MIN_MAX)),
          WeightRange.MIN_MAX, null, false, 64, null);
    }

    public Settings withBitSearch(BitSearch b) {
      return new Settings(plan, calibrator, weightRange, adaRound, biasCorrection, ptqSamples, b);
    }

    public Settings withWeightRange(WeightRange w) {
      return new Settings(plan, calibrator, w, adaRound, biasCorrection, ptqSamples, bitSearch);
    }

    public Settings withAdaRound(AdaRound.Settings a) {
      return new Settings(plan, calibrator, weightRange, a, biasCorrection, ptqSamples, bitSearch);
    }

    public Settings withBiasCorrection(boolean b) {
      return new Settings(plan, calibrator, weightRange, adaRound, b, ptqSamples, bitSearch);
    }

    public Settings withCalibrator(Calibrator.Settings c) {
      return new Settings(plan, c, weightRange, adaRound, biasCorrection, ptqSamples, bitSearch);
    }

    public Settings withPlan(QuantPlan p) {
      return new Settings(p, calibrator, weightRange, adaRound, biasCorrection, ptqSamples, bitSearch);
    }
  }

  /**
   * Per-layer weight bit widths for crossbars (fewer bits: fewer cell slices and columns): each layer gets the
   * fewest bits in [minBits, the plan's bits] whose quantized weights keep the layer's output SQNR on the
   * calibration inputs (weight-only quantization, round to nearest) at or above {@code minSqnrDb}. Layers whose
   * inputs are not sampled (grouped convolutions) are judged on the SQNR of the weights themselves.
   *
   * @param minBits fewest bits a layer may get (2 to 8)
   * @param minSqnrDb the SQNR a layer's output must keep, in dB
   */
  public record BitSearch(int minBits, double minSqnrDb) {
    public BitSearch {
      if (minBits < 2 || minBits > 8 || !(minSqnrDb > 0)) {
        throw new IllegalArgumentException("bit search needs minBits in 2..8 and a positive SQNR, got " + minBits
            + " and " + minSqnrDb);
      }
    }
  }

  /**
   * What one layer got.
   *
   * @param layer the layer's result value name
   * @param weight the weight constant's value name
   * @param scheme the weight scheme applied (axis resolved to the layer's output channels)
   * @param params the weight parameters chosen
   * @param biasShift largest absolute bias correction applied (0 without bias correction)
   * @param searchedSqnrDb with bit search, the SQNR (dB) the chosen bits keep; NaN otherwise
   */
  public record LayerResult(String layer, String weight, QuantScheme scheme, QuantParams params, double biasShift,
      double searchedSqnrDb) {}

  /**
   * The outcome.
   *
   * @param plan the plan for the quantize pass (ranges and weight codes included)
   * @param calibration the activation ranges observed
   * @param layers what each weight layer got, in graph order
   */
  public record Result(QuantPlan plan, CalibrationResult calibration, List<LayerResult> layers) {
    public Result {
      layers = List.copyOf(layers);
    }
  }

  /**
   * Runs the pipeline on {@code g} (biases change in place with bias correction) and returns the plan;
   * {@code progress} hears about calibration samples.
   */
  public static Result plan(Graph g, CalibrationData data, Settings s,
      Calibrator.Progress progress) {
    QuantPlan plan = s.plan();
    var layers = new ArrayList<LayerResult>();
    var corrected = new ArrayList<Layer>();
    var roundedByNode = new java.util.IdentityHashMap<Node, Tensor>();
    CalibrationData ptqData = data.first(s.ptqSamples());
    int threads = s.calibrator().threads();
    for (Node n : g.nodes()) {
      if (n.isErased() || !isWeightLayer(n)) {
        continue;
      }
      Layer layer = Layer.of(n);
      String wName = n.operand(1).name();
      QuantScheme declared = plan.weightScheme(wName);
      if (declared.kind() != QuantScheme.Kind.AFFINE || !declared.symmetric() || !declared.signed()) {
        continue; // the quantize pass decides what other schemes become
      }
      QuantScheme scheme = new QuantScheme(declared.kind(), declared.bits(), true, true,
          declared.perTensor() ? QuantParams.PER_TENSOR : layer.weightAxis(), declared.powerOfTwoScale());
      double searched = Double.NaN;
      if (s.bitSearch() != null) {
        double[] rows = sampledRows(n) ? inputRows(g, layer, ptqData, threads) : null;
        for (int b = Math.min(s.bitSearch().minBits(), scheme.bits()); b <= scheme.bits(); b++) {
          QuantScheme candidate = withBits(scheme, b);
          RoundedWeights r = WeightRanges.roundToNearest(layer.weight(), candidate, range(layer, candidate, s));
          searched = outputSqnrDb(layer, r.weights(), rows);
          if (searched >= s.bitSearch().minSqnrDb() || b == scheme.bits()) {
            scheme = candidate;
            break;
          }
        }
      }
      ValueRange range = range(layer, scheme, s);
      RoundedWeights rounded = s.adaRound() != null && sampledRows(n)
          ? AdaRound.apply(g, layer, scheme, range, ptqData, s.adaRound(), threads)
          : WeightRanges.roundToNearest(layer.weight(), scheme, range);
      if (s.biasCorrection() && layer.bias() != null && layer.bias().size() == layer.outChannels()) {
        corrected.add(layer);
        roundedByNode.put(n, rounded.weights());
      }
      plan = plan.withWeightCodes(wName, rounded.codes());
      if (scheme.bits() != declared.bits()) {
        plan = plan.withWeightScheme(wName, withBits(declared, scheme.bits()));
      }
      layers.add(new LayerResult(n.result().name(), wName, scheme, rounded.params(), 0, searched));
    }
    if (!corrected.isEmpty()) {
      // One pass over the data for every layer: each correction is measured on the float graph's inputs.
      Map<Node, double[]> shifts = BiasCorrection.shifts(g, corrected, roundedByNode, ptqData, threads);
      var byName = new java.util.HashMap<String, Double>();
      for (Layer layer : corrected) {
        double[] d = shifts.get(layer.node());
        double largest = 0;
        for (double v : d) {
          largest = Math.max(largest, Math.abs(v));
        }
        WeightUpdate.setBias(g, layer, BiasCorrection.correctedBias(layer, d));
        byName.put(layer.node().result().name(), largest);
      }
      for (int i = 0; i < layers.size(); i++) {
        LayerResult l = layers.get(i);
        Double shift = byName.get(l.layer());
        if (shift != null) {
          layers.set(i, new LayerResult(l.layer(), l.weight(), l.scheme(), l.params(), shift, l.searchedSqnrDb()));
        }
      }
    }
    CalibrationResult calibration = Calibrator.calibrate(g, data,
        s.calibrator().withScheme(plan.defaultActivation()), progress);
    return new Result(calibration.toPlan(plan), calibration, layers);
  }

  /**
   * A weight layer the quantize pass gives integer weights: conv2d on 4-D inputs, gemm with α = β = 1 and
   * untransposed A, matmul with 2-D weights; the weight (and bias) constant.
   */
  static boolean isWeightLayer(Node n) {
    String op = n.op().fullName();
    if (n.numOperands() < 2 || Layer.constant(n.operand(1)) == null
        || (n.numOperands() > 2 && Layer.constant(n.operand(2)) == null)) {
      return false;
    }
    return switch (op) {
      case "graph.conv2d", "graph.fused_conv2d" -> n.operand(0).type().rank() == 4;
      case "graph.gemm", "graph.fused_gemm" -> n.floatAttr("alpha") == 1 && n.floatAttr("beta") == 1 && n.intAttr("trans_a") == 0
          && n.operand(0).type().rank() == 2 && n.operand(1).type().rank() == 2;
      case "graph.matmul" -> n.operand(1).type().rank() == 2 && n.operand(0).type().rank() >= 2;
      default -> false;
    };
  }

  private static double[] inputRows(Graph g, Layer layer, CalibrationData data, int threads) {
    try (var interp = dev.cimc.ir.interp.Interpreter.withThreads(threads)) {
      return LayerInputs.collect(g, layer, data, 256, 0, interp);
    }
  }

  private static ValueRange range(Layer layer, QuantScheme scheme, Settings s) {
    return s.weightRange() == WeightRange.MSE ? WeightRanges.mse(layer.weight(), scheme, 100)
        : WeightRanges.minMax(layer.weight(), scheme);
  }

  private static QuantScheme withBits(QuantScheme s, int bits) {
    return new QuantScheme(s.kind(), bits, s.signed(), s.symmetric(), s.axis(), s.powerOfTwoScale());
  }

  /** Layers whose input rows {@link LayerInputs} samples (AdaRound, bit search): all but grouped convolutions. */
  static boolean sampledRows(Node n) {
    return !Layer.of(n).isConv() || n.intAttr("group") == 1;
  }

  /**
   * 10·log10(Σ (W x)² / Σ ((W − Q) x)²) over the input rows (N × K), or over the weights themselves
   * (Σ W² / Σ (W − Q)²) without rows; +inf when Q = W.
   */
  static double outputSqnrDb(Layer layer, Tensor quantized, double[] rows) {
    double[] w = layer.weightMatrix();
    double[] q = new Layer(layer.node(), quantized, layer.weightAxis(), layer.outputAxis()).weightMatrix();
    double signal = 0;
    double noise = 0;
    if (rows == null || rows.length == 0) {
      for (int i = 0; i < w.length; i++) {
        signal += w[i] * w[i];
        noise += (w[i] - q[i]) * (w[i] - q[i]);
      }
    } else {
      int o = layer.outChannels();
      int k = w.length / o;
      int n = rows.length / k;
      double[] d = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        d[i] = w[i] - q[i];
      }
      for (int r = 0; r < n; r++) {
        int base = r * k;
        for (int c = 0; c < o; c++) {
          double y = 0;
          double e = 0;
          int wb = c * k;
          for (int j = 0; j < k; j++) {
            double x = rows[base + j];
            y += w[wb + j] * x;
            e += d[wb + j] * x;
          }
          signal += y * y;
          noise += e * e;
        }
      }
    }
    return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
  }

}
