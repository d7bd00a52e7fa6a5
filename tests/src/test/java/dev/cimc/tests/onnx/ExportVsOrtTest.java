package dev.cimc.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.OnnxExporter;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exporter against ONNX Runtime: each case graph is exported, run by ORT and by cimc's interpreter on
 * the same seeded inputs, and the outputs compared. Float outputs agree to 1e-5 relative to the output's
 * max-abs (the kernels compute in f32 or f64, ORT in f32); integer outputs exactly; quantized outputs
 * within 1 LSB on at least 99.9% of the elements.
 */
class ExportVsOrtTest {
  static Stream<ExportCases.Case> graphCases() {
    return ExportCases.graphCases().stream();
  }

  static Stream<ExportCases.Case> qdqCases() {
    return ExportCases.qdqCases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("graphCases")
  void graphOpMatchesOnnxRuntime(ExportCases.Case c) {
    List<Closeness> cls = compare(c.graph(), 1);
    for (int i = 0; i < cls.size(); i++) {
      assertTrue(cls.get(i).relative() <= 1e-5, c.name() + " output " + i + ": " + cls.get(i));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("qdqCases")
  void qdqGraphMatchesOnnxRuntimeWithinOneLsb(ExportCases.Case c) {
    List<Value> outs = c.graph().outputs();
    List<Closeness> cls = compare(c.graph(), 2);
    for (int i = 0; i < outs.size(); i++) {
      Closeness cl = cls.get(i);
      if (outs.get(i).type().isQuantized()) {
        assertTrue(cl.withinOneLsb() >= 0.999, c.name() + " output " + i + ": " + cl.beyondOneLsb() + " of "
            + cl.size() + " elements more than 1 LSB apart");
      } else {
        assertTrue(cl.relative() <= 1e-4, c.name() + " output " + i + ": " + cl);
      }
    }
  }

  @Test
  void casesUseEveryOpOfTheGraphAndQDialects() {
    var all = new ArrayList<ExportCases.Case>(ExportCases.graphCases());
    all.addAll(ExportCases.qdqCases());
    TreeSet<String> used = ExportCases.opsUsed(all);
    var missing = new TreeSet<String>();
    for (String op : ExportCases.REGISTRY.names()) {
      if ((op.startsWith("graph.") || op.startsWith("q.")) && !used.contains(op)) {
        missing.add(op);
      }
    }
    assertEquals(new TreeSet<String>(), missing, "ops without an export case");
  }

  /** Runs both sides; checks integer outputs for equality (except quantized ones) and returns the closeness of each output. */
  private static List<Closeness> compare(Graph g, long seed) {
    Map<String, Tensor> inputs = ExportCases.randomInputs(g, seed);
    byte[] model = OnnxExporter.toBytes(g);
    Map<String, Tensor> ort = OrtRunner.run(model, inputs);
    Map<String, Tensor> cimc = Interpreter.runOnce(g, inputs);
    List<Tensor> ortOuts = new ArrayList<>(ort.values());
    List<Value> outs = g.outputs();
    assertEquals(outs.size(), ortOuts.size(), "number of outputs");
    var result = new ArrayList<Closeness>();
    for (int i = 0; i < outs.size(); i++) {
      Value v = outs.get(i);
      Tensor mine = cimc.get(v.name());
      Tensor theirs = ortOuts.get(i);
      Closeness cl = Closeness.of(mine, theirs);
      if (!v.type().elementType().isFloat() && !v.type().isQuantized()) {
        assertEquals(0.0, cl.maxAbsDiff(), g.name() + " output " + i + " (%" + v.name() + "): " + cl);
      }
      result.add(cl);
    }
    var summary = new StringBuilder("[export-vs-ort] " + g.name() + ":");
    for (int i = 0; i < result.size(); i++) {
      Closeness cl = result.get(i);
      summary.append(outs.get(i).type().isQuantized()
          ? String.format(" %d/%d off by >1 LSB (max %.0f);", cl.beyondOneLsb(), cl.size(), cl.maxAbsDiff())
          : String.format(" %.1e;", cl.relative()));
    }
    System.out.println(summary);
    return result;
  }
}
