package dev.cimc.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxExporter;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import dev.cimc.frontend.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * cimc against ONNX Runtime on whole models: each model is imported, run by cimc's interpreter and by ORT
 * on the same seeded random inputs (and, for the digit models, on real digits), and every output must agree
 * to 1e-4 relative to the output's max-abs ({@link Closeness}). The re-exported model (import, then export)
 * must also run in ORT and agree with the original to the same bound.
 *
 * <p>Models: the nine model-zoo topologies in {@code ../shared/data/models}, given seeded random weights in
 * place of their ConstantOfShape fills ({@link RandomWeights}; with equal weights every channel and class
 * would be alike) and compared on the logits before the final softmax as well; and the real-weight
 * fixtures made by {@code models/make_models.py}, on random inputs and on four digits of the evaluation split.
 */
class OnnxRuntimeDifferentialTest {
  static final double TOLERANCE = 1e-4;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet",
      "squeezenet", "vgg19", "zfnet512"})
  void modelZooTopologyMatchesOnnxRuntime(String name) throws IOException {
    Path file = SharedData.dir("models").resolve("light_" + name + ".onnx");
    Onnx.ModelProto proto = RandomWeights.fill(Onnx.ModelProto.parseFrom(Files.readAllBytes(file)), 11, 4_000_000);
    byte[] model = withSoftmaxInputsAsOutputs(proto).toByteArray();
    Graph g = OnnxImporter.importModel(model, file.getFileName().toString(), ImportOptions.defaults());
    check(name, model, g, List.of(ExportCases.randomInputs(g, 7)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"digits_cnn", "resnet18", "mobilenetv2", "transformer"})
  void realWeightModelMatchesOnnxRuntime(String name) throws IOException {
    byte[] model = Files.readAllBytes(resource("models/" + name + ".onnx"));
    Graph g = OnnxImporter.importModel(model, name + ".onnx", ImportOptions.defaults());
    var inputs = new ArrayList<Map<String, Tensor>>();
    inputs.add(ExportCases.randomInputs(g, 7));
    inputs.addAll(digits(g, name.equals("transformer") ? "eval_tokens" : "eval_images", 4));
    check(name, model, g, inputs);
  }

  /**
   * The model with the input of each output-producing Softmax as an extra output: softmax saturates when
   * the logits are large, hiding differences, so the logits are compared too.
   */
  static Onnx.ModelProto withSoftmaxInputsAsOutputs(Onnx.ModelProto m) {
    var outputs = new java.util.HashSet<String>();
    m.getGraph().getOutputList().forEach(o -> outputs.add(o.getName()));
    var g = m.getGraph().toBuilder();
    for (Onnx.NodeProto n : m.getGraph().getNodeList()) {
      if (n.getOpType().equals("Softmax") && outputs.contains(n.getOutput(0)) && outputs.add(n.getInput(0))) {
        g.addOutput(Onnx.ValueInfoProto.newBuilder().setName(n.getInput(0)));
      }
    }
    return m.toBuilder().setGraph(g).build();
  }

  /** Runs ORT on the model and on cimc's re-export, cimc on the imported graph, and compares all three. */
  private static void check(String name, byte[] model, Graph g, List<Map<String, Tensor>> inputSets) {
    byte[] reexported = OnnxExporter.toBytes(g);
    double worst = 0;
    double worstReexport = 0;
    double maxAbs = 0;
    long start = System.nanoTime();
    try (Interpreter interp = Interpreter.create()) {
      for (Map<String, Tensor> inputs : inputSets) {
        List<Tensor> ort = new ArrayList<>(OrtRunner.run(model, inputs).values());
        List<Tensor> again = new ArrayList<>(OrtRunner.run(reexported, inputs).values());
        Map<String, Tensor> cimc = interp.run(g, inputs);
        List<Value> outs = g.outputs();
        assertEquals(ort.size(), outs.size(), name + ": number of outputs");
        for (int i = 0; i < outs.size(); i++) {
          Closeness c = Closeness.of(cimc.get(outs.get(i).name()), ort.get(i));
          Closeness r = Closeness.of(again.get(i), ort.get(i));
          assertTrue(c.relative() <= TOLERANCE, name + " output " + i + ", cimc vs ORT: " + c);
          assertTrue(r.relative() <= TOLERANCE, name + " output " + i + ", ORT on cimc's export vs ORT: " + r);
          worst = Math.max(worst, c.relative());
          worstReexport = Math.max(worstReexport, r.relative());
          maxAbs = Math.max(maxAbs, c.maxAbsRef());
        }
      }
    }
    String line = String.format("%-14s cimc vs ORT %.2e, re-export (%d MB) vs ORT %.2e (max |out| %.3g, %d input sets, %d ms)",
        name, worst, reexported.length >> 20, worstReexport, maxAbs,
        inputSets.size(), (System.nanoTime() - start) / 1_000_000);
    System.out.println("[differential] " + line);
  }

  @Test
  void digitsFixtureHasTheDocumentedSplits() {
    Map<String, Tensor> d = NpzFormat.read(resource("models/digits.npz"));
    assertEquals("[128, 1, 32, 32]", Arrays.toString(d.get("calib_images").shape().dims()));
    assertEquals("[256, 1, 32, 32]", Arrays.toString(d.get("eval_images").shape().dims()));
    assertEquals("[256, 16, 4]", Arrays.toString(d.get("eval_tokens").shape().dims()));
    assertEquals(ElementType.I64, d.get("eval_labels").elementType());
  }

  /** The first {@code n} samples of a digits split, each as a batch of one for the graph's single input. */
  private static List<Map<String, Tensor>> digits(Graph g, String key, int n) {
    Tensor all = NpzFormat.read(resource("models/digits.npz")).get(key);
    Value in = g.inputs().get(0);
    TensorType t = in.type();
    int per = (int) t.numel();
    var sets = new ArrayList<Map<String, Tensor>>();
    for (int s = 0; s < n; s++) {
      float[] v = Arrays.copyOfRange(all.floats(), s * per, (s + 1) * per);
      sets.add(Map.of(in.name(), Tensor.wrap(t, v)));
    }
    return sets;
  }

  static Path resource(String name) {
    try {
      var url = OnnxRuntimeDifferentialTest.class.getClassLoader().getResource(name);
      if (url == null) {
        throw new UncheckedIOException(new IOException("missing test resource " + name));
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
