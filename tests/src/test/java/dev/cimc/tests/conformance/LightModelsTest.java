package dev.cimc.tests.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.frontend.onnx.TensorProtoFiles;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.frontend.SharedData;
import dev.cimc.tests.conformance.OnnxTestCase.Tolerance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model-zoo architectures of {@code ../shared/data/models} (weights replaced by ConstantOfShape) import,
 * run and match their {@code light_X_output_0.pb}.
 *
 * <p>The models' README does not give the input. The ONNX backend test runner that produced the outputs
 * ({@code onnx/backend/test/runner/__init__.py}, {@code generate_dummy_data} with {@code random=False}) feeds
 * {@code arange(n).reshape(shape) / n} as float32, where the shape takes 1 for symbolic dimensions, and
 * compares with rtol 1e-3 (2e-3 for DenseNet-121) and atol 1e-7; this test does the same.
 */
class LightModelsTest {
  @ParameterizedTest
  @ValueSource(strings = {"bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet",
      "squeezenet", "vgg19", "zfnet512"})
  void importsRunsAndMatches(String model) {
    Path dir = SharedData.dir("models");
    var warnings = new ArrayList<String>();
    Graph g = OnnxImporter.importModel(dir.resolve("light_" + model + ".onnx"),
        ImportOptions.defaults().withWarnings(warnings::add));
    assertEquals(1, g.inputs().size(), "inputs of " + model);
    Value in = g.inputs().get(0);
    int n = Math.toIntExact(in.type().numel());
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (i / (double) n);
    }
    Map<String, Tensor> out;
    try (var it = Interpreter.create()) {
      out = it.run(g, Map.of(in.name(), Tensor.wrap(in.type(), x)));
    }
    Tensor want = TensorProtoFiles.read(dir.resolve("light_" + model + "_output_0.pb"));
    var tol = new Tolerance(model.equals("densenet121") ? 2e-3 : 1e-3, 1e-7);
    assertNull(OnnxTestCase.compare(out.values().iterator().next(), want, tol), model);
  }
}
