package dev.cimc.tests.quant;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.PassResources;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;

/** The trained fixtures of {@code src/test/resources/models} and their digits data. */
final class DigitsFixture {
  static final Path MODELS = Path.of("src/test/resources/models");
  private static Map<String, Tensor> data;

  private DigitsFixture() {}

  static synchronized Map<String, Tensor> data() {
    if (data == null) {
      data = NpzFormat.read(MODELS.resolve("digits.npz"));
    }
    return data;
  }

  static Graph model(String name) {
    return OnnxImporter.importModel(MODELS.resolve(name + ".onnx"), ImportOptions.defaults());
  }

  /** Samples of {@code key} (e.g. calib_images), one per row, as inputs of {@code g}. */
  static CalibrationData samples(Graph g, String key, int limit) {
    Tensor t = data().get(key);
    int n = Math.min(limit, t.shape().dim(0));
    return CalibrationData.batches(g, Map.of(key, t.rows(0, n)), key);
  }

  static long[] labels(String key) {
    return data().get(key).toLongArray();
  }

  /** Runs {@code pipeline} text on {@code g} in place, calibrating on {@code calib}. */
  static void compile(Graph g, String pipeline, CalibrationData calib) {
    PassRegistry r = PassRegistry.standard();
    new PassManager(PassPipeline.parse(pipeline, r), PassManager.Options.defaults(), Dialects.standard())
        .withResources(PassResources.empty().with(CalibrationData.class, calib)).run(g);
  }

  /** The single output of {@code g} on each sample of {@code data}, as rows. */
  static float[][] outputs(Graph g, CalibrationData data) {
    float[][] out = new float[data.size()][];
    try (Interpreter interp = Interpreter.withThreads(2)) {
      for (int i = 0; i < out.length; i++) {
        Map<String, Tensor> r = interp.run(g, data.sample(i));
        out[i] = r.values().iterator().next().cast(dev.cimc.ir.type.ElementType.F32).toFloatArray();
      }
    }
    return out;
  }

  /** Top-1 accuracy of output rows against labels. */
  static double accuracy(float[][] logits, long[] labels) {
    int right = 0;
    for (int i = 0; i < logits.length; i++) {
      int best = 0;
      for (int k = 1; k < logits[i].length; k++) {
        if (logits[i][k] > logits[i][best]) {
          best = k;
        }
      }
      right += best == labels[i] ? 1 : 0;
    }
    return (double) right / logits.length;
  }

  /** 10·log10(Σ ref² / Σ (ref − x)²) over all rows. */
  static double sqnr(float[][] ref, float[][] x) {
    double s = 0;
    double e = 0;
    for (int i = 0; i < ref.length; i++) {
      for (int k = 0; k < ref[i].length; k++) {
        s += (double) ref[i][k] * ref[i][k];
        double d = (double) ref[i][k] - x[i][k];
        e += d * d;
      }
    }
    return 10 * Math.log10(s / e);
  }
}
