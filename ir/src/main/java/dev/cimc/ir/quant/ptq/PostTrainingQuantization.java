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
   */
  public record Settings(QuantPlan plan, Calibrator.Settings calibrator, WeightRange weightRange,
      AdaRound.Settings adaRound, boolean biasCorrection, int ptqSamples) {
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
          WeightRange.MIN_MAX, null, false, 64);
    }

    public Settings withWeightRange(WeightRange w) {
      return new Settings(plan, calibrator, w, adaRound, biasCorrection, ptqSamples);
    }

    public Settings withAdaRound(AdaRound.Settings a) {
      return new Settings(plan, calibrator, weightRange, a, biasCorrection, ptqSamples);
    }

    public Settings withBiasCorrection(boolean b) {
      return new Settings(plan, calibrator, weightRange, adaRound, b, ptqSamples);
    }

    public Settings withCalibrator(Calibrator.Settings c) {
      return new Settings(plan, c, weightRange, adaRound, biasCorrection, ptqSamples);
    }

    public Settings withPlan(QuantPlan p) {
      return new Settings(p, calibrator, weightRange, adaRound, biasCorrection, ptqSamples);
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
   */
  public record LayerResult(String layer, String weight, QuantScheme scheme, QuantParams params, double biasShift) {}

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
    CalibrationData ptqData = data.size() <= s.ptqSamples() ? data : firstSamples(data, s.ptqSamples());
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
      ValueRange range = s.weightRange() == WeightRange.MSE ? WeightRanges.mse(layer.weight(), scheme, 100)
          : WeightRanges.minMax(layer.weight(), scheme);
      RoundedWeights rounded = s.adaRound() != null
          ? AdaRound.apply(g, layer, scheme, range, ptqData, s.adaRound(), threads)
          : WeightRanges.roundToNearest(layer.weight(), scheme, range);
      double shift = 0;
      if (s.biasCorrection() && layer.bias() != null && layer.bias().size() == layer.outChannels()) {
        double[] d = BiasCorrection.shift(g, layer, rounded.weights(), ptqData, threads);
        for (double v : d) {
          shift = Math.max(shift, Math.abs(v));
        }
        WeightUpdate.setBias(g, layer, BiasCorrection.correctedBias(layer, d));
      }
      plan = plan.withWeightCodes(wName, rounded.codes());
      layers.add(new LayerResult(n.result().name(), wName, scheme, rounded.params(), shift));
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
      case "graph.conv2d" -> n.operand(0).type().rank() == 4;
      case "graph.gemm" -> n.floatAttr("alpha") == 1 && n.floatAttr("beta") == 1 && n.intAttr("trans_a") == 0
          && n.operand(0).type().rank() == 2 && n.operand(1).type().rank() == 2;
      case "graph.matmul" -> n.operand(1).type().rank() == 2 && n.operand(0).type().rank() >= 2;
      default -> false;
    };
  }

  private static CalibrationData firstSamples(CalibrationData data, int n) {
    return new CalibrationData() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        return data.sample(i);
      }

      @Override
      public List<String> warnings() {
        return data.warnings();
      }
    };
  }
}
