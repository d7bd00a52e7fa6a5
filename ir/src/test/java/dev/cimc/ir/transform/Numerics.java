package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Interpreter comparisons for the numerical-equivalence tests of the graph passes. */
final class Numerics {
  private Numerics() {}

  /**
   * max |a − b| / max |a|: the error relative to the output's scale (elementwise relative error is
   * meaningless where an output crosses zero).
   */
  static double relativeError(Tensor expected, Tensor actual) {
    assertEquals(expected.type(), actual.type());
    double maxDiff = 0;
    double maxAbs = 0;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (Double.isNaN(e) != Double.isNaN(a)) {
        return Double.POSITIVE_INFINITY;
      }
      if (!Double.isNaN(e)) {
        maxDiff = Math.max(maxDiff, Math.abs(e - a));
        maxAbs = Math.max(maxAbs, Math.abs(e));
      }
    }
    return maxDiff == 0 ? 0 : maxDiff / Math.max(maxAbs, Double.MIN_NORMAL);
  }

  /** Gaussian inputs for every graph input, by name. */
  static Map<String, Tensor> randomInputs(Graph g, Random rnd) {
    var inputs = new LinkedHashMap<String, Tensor>();
    for (Value in : g.inputs()) {
      inputs.put(in.name(), TransformTesting.random(rnd, in.type().shape().dims()));
    }
    return inputs;
  }

  /** Outputs in graph-output order. */
  static List<Tensor> outputs(Graph g, Interpreter interp, Map<String, Tensor> inputs) {
    var byName = interp.run(g, inputs);
    var l = new ArrayList<Tensor>();
    for (Value o : g.outputs()) {
      l.add(byName.get(o.name()));
    }
    return l;
  }

  /** The largest relative error over the outputs of {@code after} vs {@code before} on random inputs. */
  static double maxRelativeError(Graph before, Graph after, int trials, long seed) {
    assertEquals(before.outputs().size(), after.outputs().size());
    var rnd = new Random(seed);
    double worst = 0;
    try (var interp = Interpreter.withThreads(2)) {
      for (int t = 0; t < trials; t++) {
        Map<String, Tensor> inputs = randomInputs(before, rnd);
        List<Tensor> e = outputs(before, interp, inputs);
        List<Tensor> a = outputs(after, interp, inputs);
        for (int i = 0; i < e.size(); i++) {
          worst = Math.max(worst, relativeError(e.get(i), a.get(i)));
        }
      }
    }
    return worst;
  }

  static void assertEquivalent(Graph before, Graph after, double tolerance, int trials) {
    double err = maxRelativeError(before, after, trials, 7);
    assertTrue(err <= tolerance, "max relative error " + err + " > " + tolerance);
  }
}
