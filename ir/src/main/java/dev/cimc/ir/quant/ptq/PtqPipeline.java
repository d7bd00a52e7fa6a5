package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.PassRun;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.CalibrationResult;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The standard post-training quantization pipeline of Nagel et al. 2021 (section 4), from a float model to
 * an integer graph: the -O1 passes (batch norms folded), optionally cross-layer equalization and bias
 * absorption, weight range setting and round-to-nearest, empirical bias correction, activation range
 * setting on calibration data with quantizers after the activation functions ({@link ActivationPlacement}),
 * then {@code quantize} and {@code lower-to-integer}. The input model is not changed.
 *
 * <p>Weights are rounded in the float graph (each conv/gemm weight becomes {@code s·q}), so the
 * {@code quantize} pass's min-max quantizes them back to the same codes; biases absorb the corrections.
 */
public final class PtqPipeline {
  private PtqPipeline() {}

  /**
   * How to quantize.
   *
   * @param equalize run cross-layer equalization and bias absorption after -O1
   * @param weights weight scheme (symmetric signed; per tensor or per channel along the output axis)
   * @param activationBits bits of the unsigned asymmetric per-tensor activations
   * @param weightRanges {@link RangeMethod#MIN_MAX} or {@link RangeMethod#MSE}
   * @param activations observer of activation ranges
   * @param classifier observer of the classifier's logits, or null to treat them like other activations
   * @param fuseActivations quantize a layer's output to its activation's range ({@link ActivationPlacement})
   * @param biasCorrection empirical bias correction of weight rounding
   * @param biasCorrectionSamples calibration samples the bias correction averages over (at most all)
   * @param threads interpreter threads
   */
  public record Settings(boolean equalize, QuantScheme weights, int activationBits, RangeMethod weightRanges,
      ObserverSpec activations, ObserverSpec classifier, boolean fuseActivations, boolean biasCorrection,
      int biasCorrectionSamples, int threads) {
    public Settings {
      if (weights.kind() != QuantScheme.Kind.AFFINE || !weights.symmetric() || !weights.signed()) {
        throw new IllegalArgumentException("weights must be signed symmetric affine, got " + weights);
      }
      if (weightRanges != RangeMethod.MIN_MAX && weightRanges != RangeMethod.MSE) {
        throw new IllegalArgumentException("weight ranges are min-max or MSE, got " + weightRanges);
      }
    }

    /**
     * Per-tensor 8-bit weights and 8-bit activations, min-max ranges (the logits too: SQNR, not argmax, is
     * what is measured), quantizers after activations, bias correction on 32 samples, no equalization.
     */
    public static Settings perTensorW8A8() {
      return new Settings(false, new QuantScheme(QuantScheme.Kind.AFFINE, 8, true, true, QuantParams.PER_TENSOR,
          false), 8, RangeMethod.MIN_MAX, ObserverSpec.of(RangeMethod.MIN_MAX), null, true, true, 32, 2);
    }

    public Settings withEqualization(boolean on) {
      return new Settings(on, weights, activationBits, weightRanges, activations, classifier, fuseActivations,
          biasCorrection, biasCorrectionSamples, threads);
    }

    public Settings withBiasCorrection(boolean on) {
      return new Settings(equalize, weights, activationBits, weightRanges, activations, classifier, fuseActivations,
          on, biasCorrectionSamples, threads);
    }

    public Settings withFusedActivations(boolean on) {
      return new Settings(equalize, weights, activationBits, weightRanges, activations, classifier, on,
          biasCorrection, biasCorrectionSamples, threads);
    }

    public Settings withWeights(QuantScheme scheme, RangeMethod ranges) {
      return new Settings(equalize, scheme, activationBits, ranges, activations, classifier, fuseActivations,
          biasCorrection, biasCorrectionSamples, threads);
    }

    public Settings withActivations(ObserverSpec observer, ObserverSpec logits) {
      return new Settings(equalize, weights, activationBits, weightRanges, observer, logits, fuseActivations,
          biasCorrection, biasCorrectionSamples, threads);
    }

    public Settings withThreads(int n) {
      return new Settings(equalize, weights, activationBits, weightRanges, activations, classifier, fuseActivations,
          biasCorrection, biasCorrectionSamples, n);
    }
  }

  /**
   * What the pipeline made.
   *
   * @param prepared the float graph after the graph passes, weight rounding and bias correction (what was
   *     calibrated and quantized)
   * @param integer the lowered graph
   * @param passStatistics non-zero statistics of the graph passes, as {@code pass.statistic → value}
   * @param layersRounded conv/gemm layers whose weights were rounded
   * @param biasesCorrected layers whose bias took a correction
   * @param opsLowered float ops turned into integer ops
   * @param opsLeftInFloat fake-quantized ops left in float (no integer form)
   */
  public record Result(Graph prepared, Graph integer, Map<String, Long> passStatistics, int layersRounded,
      int biasesCorrected, long opsLowered, long opsLeftInFloat) {}

  /** A copy of {@code model} after the graph passes of {@code s} (-O1, then equalization if asked). */
  public static Graph prepare(Graph model, Settings s) {
    Graph g = model.copy();
    runPasses(g, s, new TreeMap<>());
    return g;
  }

  private static void runPasses(Graph g, Settings s, Map<String, Long> stats) {
    String passes = Pipelines.text(OptLevel.O1) + (s.equalize() ? ",cross-layer-equalization,bias-absorption" : "");
    for (PassRun r : new PassManager(PassPipeline.parse(passes, PassRegistry.standard()),
        PassManager.Options.defaults()).run(g).runs()) {
      r.statistics().forEach((k, v) -> {
        if (v != 0) {
          stats.merge(r.pass().name() + "." + k, v, Long::sum);
        }
      });
    }
  }

  /** Quantizes a copy of {@code model} calibrated on {@code calibration}. */
  public static Result run(Graph model, CalibrationData calibration, Settings s) {
    OpRegistry registry = Dialects.standard();
    Graph g = model.copy();
    var stats = new TreeMap<String, Long>();
    runPasses(g, s, stats);

    // Weight range setting and rounding, with the bias correction measured against the float weights.
    var layers = new ArrayList<Layer>();
    Map<Node, Tensor> rounded = new IdentityHashMap<>();
    for (Node n = g.first(); n != null; n = n.next()) {
      String op = n.op().fullName();
      if ((!op.equals("graph.conv2d") && !op.equals("graph.gemm")) || Layer.constant(n.operand(1)) == null) {
        continue;
      }
      Layer layer = Layer.of(n);
      QuantScheme scheme = s.weights().perTensor() ? s.weights()
          : QuantScheme.weights(s.weights().bits(), layer.weightAxis());
      ValueRange range = s.weightRanges() == RangeMethod.MSE ? WeightRanges.mse(layer.weight(), scheme, 100)
          : WeightRanges.minMax(layer.weight(), scheme);
      layers.add(layer);
      rounded.put(n, WeightRanges.roundToNearest(layer.weight(), scheme, range).weights());
    }
    Map<Node, double[]> shifts = Map.of();
    var corrected = new ArrayList<Layer>();
    if (s.biasCorrection()) {
      for (Layer l : layers) {
        if (l.bias() != null && l.bias().size() == l.outChannels()) {
          corrected.add(l);
        }
      }
      int samples = Math.min(s.biasCorrectionSamples(), calibration.size());
      shifts = BiasCorrection.shifts(g, corrected, rounded, calibration.first(samples), s.threads());
    }
    for (Layer l : layers) {
      WeightUpdate.setWeights(g, l, rounded.get(l.node()));
    }
    for (Layer l : corrected) {
      WeightUpdate.setBias(g, l, BiasCorrection.correctedBias(l, shifts.get(l.node())));
    }

    var calib = new Calibrator.Settings(s.activations(), QuantScheme.activations(s.activationBits()), s.classifier(),
        s.threads());
    CalibrationResult ranges = Calibrator.calibrate(g, calibration, calib, Calibrator.Progress.NONE);
    QuantPlan plan = ranges.toPlan(new QuantPlan(QuantScheme.activations(s.activationBits()), s.weights(), Map.of(),
        Map.of()));
    if (s.fuseActivations()) {
      plan = ActivationPlacement.afterActivations(g, plan);
    }
    Graph q = g.copy();
    Quantize.apply(q, plan, registry);
    LowerToInteger.Stats lowered = LowerToInteger.apply(q, registry);
    return new Result(g, q, stats, layers.size(), corrected.size(), lowered.lowered(), lowered.leftInFloat());
  }
}
