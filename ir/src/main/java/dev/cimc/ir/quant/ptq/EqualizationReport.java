package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.transform.CleReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What cross-layer equalization buys after full quantization: the model run through {@link PtqPipeline}
 * without and with equalization, each integer graph compared with the float model on evaluation inputs
 * ({@link OutputAgreement}), beside the per-layer ratio of the largest to the smallest per-output-channel
 * weight range (max |w|) before and after equalization, and how far the equalized float graph drifts from
 * the float model (equalization is exact; bias absorption is not, but needs batch-norm statistics).
 */
public final class EqualizationReport {
  private EqualizationReport() {}

  /**
   * One layer's channel-range spread.
   *
   * @param layer result name of the conv or gemm
   * @param groups its group count (1 for gemm)
   * @param channels output channels
   * @param ratioBefore largest / smallest positive channel range, batch norms folded
   * @param ratioAfter the same after equalization (NaN if the layer is not in the equalized graph)
   */
  public record LayerRatio(String layer, long groups, int channels, double ratioBefore, double ratioAfter) {}

  /**
   * The measurements.
   *
   * @param settings the pipeline settings (equalization is switched per run)
   * @param without the integer graph without equalization against the float model
   * @param with the same with equalization
   * @param layers every conv/gemm, in graph order
   * @param floatDrift max |y_eq − y| / max |y| of the equalized float graph (before rounding)
   * @param pairsEqualized layer pairs equalized
   * @param leftInFloatWithout fake-quantized ops left in float without equalization
   * @param leftInFloatWith the same with equalization (the per-channel relu6 bounds it leaves)
   * @param perChannel the same pipeline with per-channel weights and no equalization, the bound per-tensor
   *     weights approach as equalization evens out the channels; null if not measured
   */
  public record Result(PtqPipeline.Settings settings, OutputAgreement without, OutputAgreement with,
      List<LayerRatio> layers, double floatDrift, long pairsEqualized, long leftInFloatWithout, long leftInFloatWith,
      OutputAgreement perChannel) {

    /** A table for people: the per-layer ratios, then {@link #summary}. */
    public String format(String title) {
      var sb = new StringBuilder(title).append('\n');
      int width = 5;
      for (LayerRatio l : layers) {
        width = Math.max(width, l.layer().length());
      }
      String row = "%-" + width + "s %6s %6s %12s %10s%n";
      sb.append(String.format(Locale.ROOT, row, "layer", "groups", "chans", "range ratio", "after CLE"));
      for (LayerRatio l : layers) {
        sb.append(String.format(Locale.ROOT, row, l.layer(), l.groups(), l.channels(),
            String.format(Locale.ROOT, "%.1f", l.ratioBefore()), String.format(Locale.ROOT, "%.1f", l.ratioAfter())));
      }
      return sb.append(summary(null)).toString();
    }

    /** The settings and both output agreements, under {@code title} unless it is null. */
    public String summary(String title) {
      var sb = new StringBuilder();
      if (title != null) {
        sb.append(title).append('\n');
      }
      var s = settings;
      sb.append(String.format(Locale.ROOT, """
          W%dA%d, weights %s %s, activations %s%s%s; %d pairs equalized, float drift %.1e
          without CLE: output SQNR %.2f dB, cosine %.5f (%d ops left in float)
          with CLE:    output SQNR %.2f dB, cosine %.5f (%d ops left in float)
          """, s.weights().bits(), s.activationBits(), s.weights().perTensor() ? "per tensor" : "per channel",
          s.weightRanges().text(), s.activations().method().text(), s.fuseActivations() ? " after activation functions"
              : "", s.biasCorrection() ? ", bias correction" : "", pairsEqualized, floatDrift, without.sqnrDb(),
          without.cosine(), leftInFloatWithout, with.sqnrDb(), with.cosine(), leftInFloatWith));
      if (perChannel != null) {
        sb.append(String.format(Locale.ROOT, "reference, per-channel weights without CLE: output SQNR %.2f dB, cosine %.5f%n",
            perChannel.sqnrDb(), perChannel.cosine()));
      }
      sb.append(String.format(Locale.ROOT, "(%d evaluation samples, %d output values)%n", with.samples(),
          with.values()));
      return sb.toString();
    }
  }

  /**
   * Quantizes {@code model} without and with equalization and compares both with it on {@code eval}; with
   * {@code perChannelReference}, also with per-channel weights (a third quantization and evaluation).
   */
  public static Result run(Graph model, CalibrationData calibration, CalibrationData eval,
      PtqPipeline.Settings settings, boolean perChannelReference) {
    PtqPipeline.Result plain = PtqPipeline.run(model, calibration, settings.withEqualization(false));
    PtqPipeline.Result equalized = PtqPipeline.run(model, calibration, settings.withEqualization(true));
    var candidates = new ArrayList<>(List.of(plain.integer(), equalized.integer()));
    if (perChannelReference) {
      var perChannel = QuantScheme.weights(settings.weights().bits(), 0);
      candidates.add(PtqPipeline.run(model, calibration,
          settings.withEqualization(false).withWeights(perChannel, settings.weightRanges())).integer());
    }
    List<OutputAgreement> agreement = OutputAgreement.measure(model, candidates, eval, settings.threads());
    OutputAgreement without = agreement.get(0);
    OutputAgreement with = agreement.get(1);

    // Ranges and drift on the float graphs before rounding: rerun the graph passes alone.
    var floatSettings = settings.withBiasCorrection(false);
    Graph before = PtqPipeline.prepare(model, floatSettings.withEqualization(false));
    Graph after = PtqPipeline.prepare(model, floatSettings.withEqualization(true));
    Map<String, double[]> afterRanges = new LinkedHashMap<>();
    for (Node n = after.first(); n != null; n = n.next()) {
      double[] r = channelRanges(n);
      if (r != null) {
        afterRanges.put(n.result().name(), r);
      }
    }
    var layers = new ArrayList<LayerRatio>();
    for (Node n = before.first(); n != null; n = n.next()) {
      double[] r = channelRanges(n);
      if (r == null) {
        continue;
      }
      double[] a = afterRanges.get(n.result().name());
      long groups = n.op().fullName().equals("graph.conv2d") ? n.intAttr("group") : 1;
      layers.add(new LayerRatio(n.result().name(), groups, r.length, CleReport.ratio(r),
          a == null ? Double.NaN : CleReport.ratio(a)));
    }
    int driftSamples = Math.min(eval.size(), 16);
    double drift = OutputAgreement.maxRelativeError(model, after, eval.first(driftSamples),
        settings.threads());
    long pairs = equalized.passStatistics().getOrDefault("cross-layer-equalization.pairs-equalized", 0L);
    return new Result(settings, without, with, layers, drift, pairs, plain.opsLeftInFloat(),
        equalized.opsLeftInFloat(), perChannelReference ? agreement.get(2) : null);
  }

  /** max |w| of each output channel of a conv/gemm with constant weights, or null for other nodes. */
  static double[] channelRanges(Node n) {
    String op = n.op().fullName();
    if ((!op.equals("graph.conv2d") && !op.equals("graph.gemm")) || Layer.constant(n.operand(1)) == null) {
      return null;
    }
    Layer l = Layer.of(n);
    double[] m = l.weightMatrix();
    int o = l.outChannels();
    int k = m.length / o;
    double[] r = new double[o];
    for (int c = 0; c < o; c++) {
      for (int i = 0; i < k; i++) {
        r[c] = Math.max(r[c], Math.abs(m[c * k + i]));
      }
    }
    return r;
  }
}
