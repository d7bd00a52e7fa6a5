package dev.cimc.tests.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.transform.CleReport;
import dev.cimc.ir.type.TensorType;
import dev.cimc.frontend.SharedData;
import dev.cimc.tests.onnx.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every pass of the -O2 pipeline, one at a time, on real models: the model-zoo architectures of
 * {@code ../shared/data/models} (their constant weights replaced by seeded random ones, see
 * {@link RandomWeights}, and the logits before the final softmax compared as well, since the softmax of
 * equal or huge logits hides differences) and the trained fixtures of {@code models/} (digits CNN,
 * ResNet-18, MobileNetV2 0.35, a small transformer). After each pass that changed the graph, the
 * interpreter's outputs are compared with those before it: max |after − before| ≤ 1e-5 · max |before|,
 * except for bias absorption, which is approximate by design and gets 1e-2.
 */
class GraphPassesOnModelsTest {
  private static final double EXACT = 1e-5;
  private static final double ABSORPTION = 1e-2;
  private static final Path FIXTURES = Path.of("src/test/resources/models");

  /** max |a − b| / max |a| over all outputs (by position). */
  static double relativeError(List<Tensor> before, List<Tensor> after) {
    double diff = 0;
    double max = 0;
    for (int i = 0; i < before.size(); i++) {
      Tensor a = before.get(i);
      Tensor b = after.get(i);
      assertEquals(a.type(), b.type());
      for (int k = 0; k < a.size(); k++) {
        diff = Math.max(diff, Math.abs(a.getDouble(k) - b.getDouble(k)));
        max = Math.max(max, Math.abs(a.getDouble(k)));
      }
    }
    return diff == 0 ? 0 : diff / max;
  }

  static List<Tensor> outputs(Interpreter it, Graph g, Map<String, Tensor> in) {
    Map<String, Tensor> out = it.run(g, in);
    var l = new ArrayList<Tensor>();
    for (Value v : g.outputs()) {
      l.add(out.get(v.name()));
    }
    return l;
  }

  /** Runs the -O2 passes one by one, checking each against the outputs before it; returns a summary. */
  static String checkEachPass(String model, Graph g, Map<String, Tensor> in) {
    PassPipeline o2 = Pipelines.graphLevel(Pipelines.resolve("O2", PassRegistry.standard()));
    var summary = new StringBuilder(model);
    try (var it = Interpreter.create()) {
      List<Tensor> before = outputs(it, g, in);
      for (Pass p : o2.passes()) {
        var runs = new PassManager(PassPipeline.of(withPreconditions(p)), PassManager.Options.defaults()).run(g).runs();
        Map<String, Long> stats = runs.get(runs.size() - 1).statistics();
        if (!runs.get(runs.size() - 1).changed()) {
          summary.append(String.format(Locale.ROOT, "%n  %-26s unchanged", p.name()));
          continue;
        }
        List<Tensor> after = outputs(it, g, in);
        double err = relativeError(before, after);
        double bound = p.name().equals("bias-absorption") ? ABSORPTION : EXACT;
        summary.append(String.format(Locale.ROOT, "%n  %-26s err %.1e  %s", p.name(), err, nonZero(stats)));
        assertTrue(err <= bound, model + ": " + p.name() + " moved the outputs by " + err + " (bound " + bound + ")");
        before = after;
      }
    }
    return summary.toString();
  }

  /** The pass preceded by the passes it requires (fold-batch-norm: nothing left to fold by then). */
  private static List<Pass> withPreconditions(Pass p) {
    var l = new ArrayList<Pass>();
    for (String r : p.def().preconditions()) {
      l.add(PassRegistry.standard().get(r).create());
    }
    l.add(p);
    return l;
  }

  private static String nonZero(Map<String, Long> stats) {
    var sb = new StringBuilder();
    stats.forEach((k, v) -> {
      if (v != 0) {
        sb.append(k).append('=').append(v).append(' ');
      }
    });
    return sb.toString().strip();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bvlc_alexnet", "densenet121", "inception_v1", "inception_v2", "resnet50", "shufflenet",
      "squeezenet", "vgg19", "zfnet512"})
  void lightModels(String model) throws IOException {
    Path file = SharedData.dir("models").resolve("light_" + model + ".onnx");
    Onnx.ModelProto proto = RandomWeights.fill(Onnx.ModelProto.parseFrom(Files.readAllBytes(file)), 11, 4_000_000);
    Graph g = OnnxImporter.importModel(proto.toByteArray(), file.getFileName().toString(), ImportOptions.defaults());
    // the shape inputs of the dropped weight fills are read by nothing now
    for (Value in : List.copyOf(g.inputs())) {
      if (!in.isUsed()) {
        g.removeInput(in);
      }
    }
    for (Value out : List.copyOf(g.outputs())) {
      if (out.producer() != null && out.producer().op().fullName().equals("graph.softmax")) {
        g.addOutput(out.producer().operand(0));
      }
    }
    Value in = g.inputs().get(0);
    int n = Math.toIntExact(in.type().numel());
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (i / (double) n);
    }
    System.out.println(checkEachPass(model, g, Map.of(in.name(), Tensor.wrap(in.type(), x))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"digits_cnn", "resnet18", "mobilenetv2", "transformer"})
  void trainedFixtures(String model) {
    Graph g = OnnxImporter.importModel(FIXTURES.resolve(model + ".onnx"), ImportOptions.defaults());
    System.out.println(checkEachPass(model, g, fixtureInputs(g, 0)));
  }

  /** Eval images (or token sequences) of digits.npz shaped as the model's input. */
  static Map<String, Tensor> fixtureInputs(Graph g, int index) {
    Map<String, Tensor> data = NpzFormat.read(FIXTURES.resolve("digits.npz"));
    Value in = g.inputs().get(0);
    TensorType t = in.type();
    Tensor all = data.get(t.rank() == 4 ? "eval_images" : "eval_tokens");
    int per = Math.toIntExact(t.numel());
    float[] v = new float[per];
    System.arraycopy(all.floats(), index * per, v, 0, per);
    return Map.of(in.name(), Tensor.wrap(t, v));
  }

  /** The CLE report on the trained MobileNetV2 fixture, on 8 eval images; equalization must not hurt. */
  @Test
  void equalizationOnTheTrainedMobileNetV2() {
    Graph g = OnnxImporter.importModel(FIXTURES.resolve("mobilenetv2.onnx"), ImportOptions.defaults());
    var inputs = new ArrayList<Map<String, Tensor>>();
    for (int i = 0; i < 8; i++) {
      inputs.add(fixtureInputs(g, i));
    }
    CleReport.Result r = CleReport.run(g, CleReport.Settings.defaults(), inputs);
    System.out.print(r.format("cross-layer equalization on models/mobilenetv2.onnx (8 eval images)"));
    assertTrue(r.pairs() > 20, "pairs " + r.pairs());
    assertTrue(r.equalizedError() <= EXACT, "CLE drift " + r.equalizedError());
    assertTrue(r.sqnrAfterDb() > r.sqnrBeforeDb(), r.sqnrBeforeDb() + " -> " + r.sqnrAfterDb());
    long fused = 0;
    Graph o2 = g.copy();
    new PassManager(Pipelines.graphLevel(Pipelines.resolve("O2", PassRegistry.standard())), PassManager.Options.defaults()).run(o2);
    for (Node n = o2.first(); n != null; n = n.next()) {
      fused += n.op().fullName().startsWith("graph.fused_") ? 1 : 0;
    }
    assertTrue(fused >= 30, "fused ops " + fused);
  }
}
