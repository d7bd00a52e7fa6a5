package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.PassResources;
import dev.cimc.ir.pass.PassRun;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.type.QuantParams;
import java.util.Map;
import java.util.TreeMap;

/**
 * The standard post-training quantization pipeline of Nagel et al. 2021 (section 4), from a float model to
 * an integer graph: the -O1 passes (batch norms folded), optionally cross-layer equalization and bias
 * absorption, weight range setting and round-to-nearest, empirical bias correction, activation range
 * setting on calibration data with quantizers after the activation functions (by fusing them into their
 * layers), then {@code quantize} and {@code lower-to-integer}: the compiler's own passes, configured from
 * settings. The input model is not changed.
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
   * @param fuseActivations quantize a layer's output after its activation (runs {@code fuse} before quantizing)
   * @param biasCorrection empirical bias correction of weight rounding
   * @param biasCorrectionSamples calibration samples the bias correction averages over (at most all)
   * @param threads interpreter threads of the measurements (the quantize pass chooses its own)
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
   * @param prepared the float graph as it entered the quantize pass (after the graph passes)
   * @param integer the lowered graph
   * @param passStatistics non-zero statistics of the graph passes, as {@code pass.statistic → value}
   * @param layersRounded weight layers whose weights the PTQ steps rounded
   * @param biasesCorrected layers whose bias took a correction
   * @param opsLowered float ops turned into integer ops
   * @param opsLeftInFloat fake-quantized ops left in float (no integer form)
   */
  public record Result(Graph prepared, Graph integer, Map<String, Long> passStatistics, int layersRounded,
      int biasesCorrected, long opsLowered, long opsLeftInFloat) {}

  /** A copy of {@code model} after the graph passes of {@code s} (-O1, then equalization if asked). */
  public static Graph prepare(Graph model, Settings s) {
    Graph g = model.copy();
    new PassManager(PassPipeline.parse(graphPasses(s, false), PassRegistry.standard()),
        PassManager.Options.defaults()).run(g);
    return g;
  }

  private static String graphPasses(Settings s, boolean fuse) {
    return Pipelines.text(OptLevel.O1) + (s.equalize() ? ",cross-layer-equalization,bias-absorption" : "")
        + (fuse ? ",fuse,canonicalize" : "");
  }

  /** The {@code quantize} pass options that carry out {@code s}. */
  static String quantizeOptions(Settings s) {
    ObserverSpec a = s.activations();
    return String.format(java.util.Locale.ROOT, "quantize{weight-bits=%d activation-bits=%d weight-granularity=%s "
            + "weight-range=%s activation-range=%s percentile=%s classifier-range=%s bias-correction=%b "
            + "ptq-samples=%d}",
        s.weights().bits(), s.activationBits(), s.weights().perTensor() ? "tensor" : "channel",
        s.weightRanges().text(), a.method().text(), a.percentile(), s.classifier() == null ? "same" : "cross-entropy",
        s.biasCorrection(), Math.max(1, s.biasCorrectionSamples()));
  }

  /**
   * Quantizes a copy of {@code model} calibrated on {@code calibration}: the graph passes of {@code s} (with
   * {@code fuse} when quantizers go after the activations), then the standard {@code quantize} pass with the
   * options of {@code s} and {@code lower-to-integer}, run by a pass manager as the compiler runs them.
   */
  public static Result run(Graph model, CalibrationData calibration, Settings s) {
    Graph g = model.copy();
    String text = graphPasses(s, s.fuseActivations()) + "," + quantizeOptions(s) + ",lower-to-integer";
    Graph[] prepared = new Graph[1];
    int[] layers = new int[1];
    Quantize.Listener listener = (reference, r) -> {
      prepared[0] = reference;
      layers[0] = r.layers().size();
    };
    var stats = new TreeMap<String, Long>();
    PassManager pm = new PassManager(PassPipeline.parse(text, PassRegistry.standard()), PassManager.Options.defaults())
        .withResources(PassResources.empty().with(CalibrationData.class, calibration)
            .with(Quantize.Listener.class, listener));
    for (PassRun r : pm.run(g).runs()) {
      r.statistics().forEach((k, v) -> {
        if (v != 0) {
          stats.merge(r.pass().name() + "." + k, v, Long::sum);
        }
      });
    }
    return new Result(prepared[0], g, stats, layers[0], stats.getOrDefault("quantize.layers-bias-corrected", 0L)
        .intValue(), stats.getOrDefault("lower-to-integer.ops-lowered", 0L),
        stats.getOrDefault("lower-to-integer.ops-left-in-float", 0L));
  }
}
