package dev.cimc.tests.quant;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A trained fixture of {@code models/} after an -O pipeline (-O1 unless told), with its calibration and evaluation samples
 * from {@code digits.npz} (images, or token sequences for the transformer), one sample per graph run.
 *
 * @param name the model's file stem
 * @param graph the graph after the pipeline
 * @param calib calibration samples (graph inputs by name)
 * @param eval evaluation samples
 */
record QuantFixture(String name, Graph graph, List<Map<String, Tensor>> calib, List<Map<String, Tensor>> eval) {
  static final OpRegistry R = Dialects.standard();
  private static final Path MODELS = Path.of("src/test/resources/models");

  /** Loads {@code name}.onnx, runs -O1, and takes the first {@code calibCount} and {@code evalCount} samples. */
  static QuantFixture load(String name, int calibCount, int evalCount) {
    return load(name, "O1", calibCount, evalCount);
  }

  /** Loads {@code name}.onnx, runs the pipeline {@code level} (O1, O2), and takes the samples. */
  static QuantFixture load(String name, String level, int calibCount, int evalCount) {
    Graph g = OnnxImporter.importModel(MODELS.resolve(name + ".onnx"), ImportOptions.defaults());
    new PassManager(Pipelines.graphLevel(Pipelines.resolve(level, PassRegistry.standard())), PassManager.Options.defaults(),
        R).run(g);
    Map<String, Tensor> data = NpzFormat.read(MODELS.resolve("digits.npz"));
    Value in = g.inputs().get(0);
    boolean tokens = in.type().rank() == 3;
    return new QuantFixture(name, g, samples(in, data.get(tokens ? "calib_tokens" : "calib_images"), calibCount),
        samples(in, data.get(tokens ? "eval_tokens" : "eval_images"), evalCount));
  }

  private static List<Map<String, Tensor>> samples(Value in, Tensor all, int count) {
    TensorType t = in.type();
    int per = (int) t.numel();
    float[] v = all.floats();
    var list = new ArrayList<Map<String, Tensor>>();
    for (int i = 0; i < count; i++) {
      list.add(Map.of(in.name(), Tensor.ofFloats(t.shape().dims(), Arrays.copyOfRange(v, i * per, (i + 1) * per))));
    }
    return list;
  }

  /** The default plan (W8 per channel, A8 asymmetric) with the ranges the default calibrator finds. */
  QuantPlan calibrate(QuantPlan base) {
    CalibrationData data = CalibrationData.of(calib.size(), calib::get, List.of());
    return Calibrator.calibrate(graph, data, Calibrator.Settings.defaults(), Calibrator.Progress.NONE).toPlan(base);
  }

  /** Makes each output that is a dequantized value output its codes instead (the quantized output). */
  static void outputCodes(Graph g) {
    for (int i = 0; i < g.outputs().size(); i++) {
      Node p = g.output(i).producer();
      if (p != null && p.op() == QDialect.DEQUANTIZE) {
        String name = g.output(i).name();
        g.output(i).rename(g.uniqueName(name + ".f"));
        g.setOutput(i, p.operand(0));
        p.operand(0).rename(name);
      }
    }
  }
}
