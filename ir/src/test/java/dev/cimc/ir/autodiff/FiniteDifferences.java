package dev.cimc.ir.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.type.ElementType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * Checks a graph's tape gradients against central finite differences of {@code L = Σ r·y} (r random) on
 * the f64 form of the graph, so the differences are taken in double precision; the rules themselves run
 * on float. Tolerance: {@code |g − fd| ≤ TOL·max(1, |fd|)}.
 */
final class FiniteDifferences {
  static final double TOL = 1e-4;
  static final double H = 1e-3;

  private FiniteDifferences() {}

  /** Parses {@code text} (f64 types), feeds random inputs (values drawn by {@code draw}) and checks every input. */
  static void check(String text, long seed, DoubleUnaryOperator draw) {
    Graph g = IrParser.parse(text, "fd.cir", Dialects.standard());
    var rnd = new Random(seed);
    var inputs = new LinkedHashMap<String, Tensor>();
    for (Value in : g.inputs()) {
      double[] v = new double[(int) in.type().numel()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) draw.applyAsDouble(rnd.nextGaussian()); // float-representable, so the rules see the same x
      }
      inputs.put(in.name(), Tensor.fromDoubles(in.type(), v));
    }
    check(g, inputs, seed);
  }

  static void check(String text, long seed) {
    check(text, seed, x -> x);
  }

  static void check(Graph g, Map<String, Tensor> inputs, long seed) {
    var rnd = new Random(seed + 1);
    Value out = g.output(0);
    try (var it = Interpreter.withThreads(1)) {
      var names = new HashSet<String>();
      for (Value in : g.inputs()) {
        names.add(in.name());
      }
      Tape tape = Tape.forward(g, inputs, Parameters.wrt(names), GradRules.standard(), it);
      int size = tape.outputs().get(out.name()).size();
      float[] r = new float[size];
      for (int i = 0; i < size; i++) {
        r[i] = (float) rnd.nextGaussian();
      }
      Gradients grads = tape.backward(Map.of(out.name(), r));
      int checked = 0;
      for (Value in : g.inputs()) {
        Tensor x = inputs.get(in.name());
        float[] analytic = grads.value(in.name());
        int n = x.size();
        // Every element of small inputs, 40 random ones of large.
        int count = Math.min(n, 40);
        for (int c = 0; c < count; c++) {
          int i = n <= 40 ? c : rnd.nextInt(n);
          double fd = (loss(g, inputs, in.name(), i, H, r, it) - loss(g, inputs, in.name(), i, -H, r, it)) / (2 * H);
          double err = Math.abs(analytic[i] - fd);
          assertTrue(err <= TOL * Math.max(1, Math.abs(fd)),
              "d/d" + in.name() + "[" + i + "]: rule " + analytic[i] + ", finite difference " + fd);
          checked++;
        }
      }
      assertTrue(checked > 0);
    }
  }

  private static double loss(Graph g, Map<String, Tensor> inputs, String name, int i, double h, float[] r,
      Interpreter it) {
    var feed = new LinkedHashMap<>(inputs);
    Tensor x = inputs.get(name);
    double[] v = new double[x.size()];
    for (int k = 0; k < v.length; k++) {
      v[k] = x.getDouble(k);
    }
    v[i] += h;
    feed.put(name, Tensor.fromDoubles(x.type(), v));
    Tensor y = it.run(g, feed).get(g.output(0).name());
    if (y.elementType() != ElementType.F64) {
      throw new IllegalStateException("finite differences need an f64 graph, got " + y.type());
    }
    double s = 0;
    for (int k = 0; k < y.size(); k++) {
      s += r[k] * y.getDouble(k);
    }
    return s;
  }

  /** A draw pushed at least 0.05 away from 0. */
  static double awayFromZero(double z) {
    return z >= 0 ? z + 0.05 : z - 0.05;
  }
}
