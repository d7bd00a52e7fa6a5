package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How closely a (quantized) graph reproduces a reference graph's outputs over a set of inputs, all outputs
 * of all samples taken as one signal: SQNR {@code 10·log10(Σ y² / Σ (y − ŷ)²)} and cosine similarity.
 * Outputs are matched by position, so a quantized graph may rename them.
 *
 * @param sqnrDb signal-to-quantization-noise ratio in dB (+∞ when identical)
 * @param cosine cosine similarity of the concatenated outputs
 * @param samples samples compared
 * @param values output elements compared
 */
public record OutputAgreement(double sqnrDb, double cosine, int samples, long values) {

  /** Runs both graphs on every sample of {@code inputs} and compares their outputs. */
  public static OutputAgreement measure(Graph reference, Graph candidate, CalibrationData inputs, int threads) {
    return measure(reference, List.of(candidate), inputs, threads).get(0);
  }

  /** {@link #measure} for several candidates, running the reference once per sample. */
  public static List<OutputAgreement> measure(Graph reference, List<Graph> candidates, CalibrationData inputs,
      int threads) {
    int m = candidates.size();
    double signal = 0;
    double[] noise = new double[m];
    double[] dot = new double[m];
    double[] power = new double[m];
    long values = 0;
    for (Graph c : candidates) {
      if (reference.outputs().size() != c.outputs().size()) {
        throw new IllegalArgumentException("the graphs have " + reference.outputs().size() + " and "
            + c.outputs().size() + " outputs");
      }
    }
    try (Interpreter interp = Interpreter.withThreads(threads)) {
      for (int i = 0; i < inputs.size(); i++) {
        Map<String, Tensor> in = inputs.sample(i);
        Map<String, Tensor> a = interp.run(reference, in);
        for (int o = 0; o < reference.outputs().size(); o++) {
          Tensor y = a.get(reference.output(o).name());
          for (int k = 0, n = y.size(); k < n; k++) {
            signal += y.getDouble(k) * y.getDouble(k);
          }
          values += y.size();
        }
        for (int j = 0; j < m; j++) {
          Graph cg = candidates.get(j);
          Map<String, Tensor> b = interp.run(cg, in);
          for (int o = 0; o < reference.outputs().size(); o++) {
            Tensor y = a.get(reference.output(o).name());
            Tensor q = b.get(cg.output(o).name());
            if (y.size() != q.size()) {
              throw new IllegalArgumentException("output " + o + " has " + y.size() + " and " + q.size()
                  + " elements");
            }
            for (int k = 0, n = y.size(); k < n; k++) {
              double u = y.getDouble(k);
              double v = q.getDouble(k);
              noise[j] += (u - v) * (u - v);
              dot[j] += u * v;
              power[j] += v * v;
            }
          }
        }
      }
    }
    var out = new ArrayList<OutputAgreement>(m);
    for (int j = 0; j < m; j++) {
      double sqnr = noise[j] == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise[j]);
      double cosine = signal == 0 || power[j] == 0 ? 0 : dot[j] / Math.sqrt(signal * power[j]);
      out.add(new OutputAgreement(sqnr, cosine, inputs.size(), values));
    }
    return out;
  }

  /** Max |y − ŷ| / max |y| over all outputs of all samples: the drift of a transformation meant to be exact. */
  public static double maxRelativeError(Graph reference, Graph candidate, CalibrationData inputs, int threads) {
    double diff = 0;
    double max = 0;
    try (Interpreter interp = Interpreter.withThreads(threads)) {
      for (int i = 0; i < inputs.size(); i++) {
        Map<String, Tensor> in = inputs.sample(i);
        Map<String, Tensor> a = interp.run(reference, in);
        Map<String, Tensor> b = interp.run(candidate, in);
        int o = 0;
        for (Value out : reference.outputs()) {
          Tensor y = a.get(out.name());
          Tensor q = b.get(candidate.output(o++).name());
          for (int k = 0, n = y.size(); k < n; k++) {
            diff = Math.max(diff, Math.abs(y.getDouble(k) - q.getDouble(k)));
            max = Math.max(max, Math.abs(y.getDouble(k)));
          }
        }
      }
    }
    return diff == 0 ? 0 : diff / max;
  }
}
