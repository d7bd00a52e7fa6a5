package dev.cimc.ir.quant.fakequant;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The {@code calib-random} stand-in for calibration: runs the float graph on random inputs (uniform in
 * [−1, 1), seeded, so the plan is deterministic) and records every float value's min/max. Real calibration
 * data gives better ranges; this only lets the pipeline run without any.
 */
public final class RandomCalibration {
  private RandomCalibration() {}

  /** {@code base} plus a min/max range for every float graph input and node result, over {@code samples} runs. */
  public static QuantPlan plan(Graph g, QuantPlan base, int samples, long seed) {
    var rng = new SplittableRandom(seed);
    var min = new LinkedHashMap<String, Double>();
    var max = new LinkedHashMap<String, Double>();
    try (var it = Interpreter.withThreads(1)) {
      for (int s = 0; s < samples; s++) {
        var feed = new LinkedHashMap<String, Tensor>();
        for (Value in : g.inputs()) {
          feed.put(in.name(), random(in.type(), rng));
        }
        var res = it.run(g, feed, true);
        for (var e : feed.entrySet()) {
          observe(e.getKey(), e.getValue(), min, max);
        }
        for (var e : res.intermediates().entrySet()) {
          Value v = g.value(e.getKey());
          Node p = v == null ? null : v.producer();
          if (p != null && !p.op().fullName().equals("const")) {
            observe(e.getKey(), e.getValue(), min, max);
          }
        }
      }
    }
    QuantPlan plan = base;
    for (var e : min.entrySet()) {
      plan = plan.withRange(e.getKey(), new QuantPlan.Range(e.getValue(), max.get(e.getKey())));
    }
    return plan;
  }

  private static void observe(String name, Tensor t, Map<String, Double> min, Map<String, Double> max) {
    if (!t.elementType().isFloat() || t.size() == 0) {
      return;
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < t.size(); i++) {
      double v = t.getDouble(i);
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo > hi) {
      return;
    }
    min.merge(name, lo, Math::min);
    max.merge(name, hi, Math::max);
  }

  private static Tensor random(TensorType type, SplittableRandom rng) {
    int[] dims = type.shape().dims().clone();
    for (int i = 0; i < dims.length; i++) {
      dims[i] = dims[i] < 0 ? 1 : dims[i];
    }
    TensorType t = new TensorType(type.elementType(), dev.cimc.ir.type.Shape.of(dims), type.quant());
    int n = (int) t.numel();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = t.elementType().isFloat() ? rng.nextDouble(-1, 1) : 0;
    }
    return Tensor.fromDoubles(t, v);
  }
}
