package dev.cimc.tests.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cimc.compiler.model.LoadedModel;
import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.compiler.quant.QuantConfigFile;
import dev.cimc.compiler.quant.QuantReportJson;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.config.MixedPrecision;
import dev.cimc.ir.quant.config.PrecisionAssignment;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.quant.report.EvalSet;
import dev.cimc.ir.quant.report.LayerReport;
import dev.cimc.ir.quant.report.QuantReport;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantization report on the trained digits CNN, quantized with the committed mixed-precision example
 * ({@code examples/quant/mixed.yaml}: conv1 8-bit, conv2 4-bit, gemms 8-bit) and lowered to integer ops:
 * an entry for every conv and gemm with the configured widths, sane scales and SQNRs, and accuracies that
 * match a direct count.
 */
class QuantReportOnDigitsTest {
  private static final OpRegistry R = Dialects.standard();
  private static final Path FIXTURES = Path.of("src/test/resources/models");
  private static final int EVAL = 64;

  @TempDir
  Path tmp;

  /** Rows {@code [from, from + n)} of a split, one image per sample. */
  static CalibrationData rows(Tensor all, TensorType input, String name, int from, int n) {
    int per = (int) input.numel();
    float[] v = all.floats();
    return new CalibrationData() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        int r = from + i;
        return Map.of(name, Tensor.wrap(input, Arrays.copyOfRange(v, r * per, (r + 1) * per)));
      }

      @Override
      public List<String> warnings() {
        return List.of();
      }
    };
  }

  static int argmax(Tensor t) {
    int best = 0;
    for (int k = 1; k < t.size(); k++) {
      if (t.getDouble(k) > t.getDouble(best)) {
        best = k;
      }
    }
    return best;
  }

  @Test
  void reportOnMixedPrecisionDigits() throws Exception {
    LoadedModel m = ModelLoader.loadModel(FIXTURES.resolve("digits_cnn.onnx"), R, ModelLoader.Options.defaults());
    Graph g = m.graph();
    PassPipeline o2 = Pipelines.graphLevel(Pipelines.forLevel(OptLevel.fromText("O2").orElseThrow(),
        PassRegistry.standard()));
    new PassManager(o2, PassManager.Options.defaults(), R).run(g);
    Graph floatGraph = g.copy();

    Map<String, Tensor> digits = NpzFormat.read(FIXTURES.resolve("digits.npz"));
    TensorType in = g.input(0).type();
    String inName = g.input(0).name();
    var config = QuantConfigFile.read(Path.of("../examples/quant/mixed.yaml")).then(m.quantRules());
    PrecisionAssignment a = MixedPrecision.resolve(g, config);
    assertEquals(List.of(), a.warnings());
    var settings = a.calibration(Calibrator.Settings.defaults());
    var cal = Calibrator.calibrate(g, rows(digits.get("calib_images"), in, inName, 0, 32), settings,
        Calibrator.Progress.NONE);
    QuantPlan plan = a.applyTo(cal.toPlan(QuantPlan.defaults()));
    Quantize.apply(g, plan, R);
    LowerToInteger.apply(g, R);

    // the fixture's own archive as --eval would read it: stacked rows and integer labels
    EvalSet all = EvalSet.of(FIXTURES.resolve("digits.npz"), g, "eval_images", "eval_labels");
    assertEquals(256, all.samples().size());
    long[] labels = Arrays.copyOf(all.labels(), EVAL);
    var eval = rows(digits.get("eval_images"), in, inName, 0, EVAL);
    assertEquals(all.samples().sample(EVAL - 1).get(inName).contentHash(),
        eval.sample(EVAL - 1).get(inName).contentHash());
    int[] progress = {0};
    QuantReport rep = QuantReport.measure(floatGraph, g, eval, QuantReport.Settings.defaults().withLabels(labels)
        .withPlan(plan).withProgress((done, total) -> progress[0] = done));
    assertEquals(EVAL, progress[0]);
    assertEquals(EVAL, rep.samples());

    // one entry per conv and gemm of the float graph, with the widths mixed.yaml gives
    var weighted = new ArrayList<String>();
    for (Node n = floatGraph.first(); n != null; n = n.next()) {
      String op = n.op().fullName();
      if (op.equals("graph.conv2d") || op.equals("graph.gemm") || op.equals("graph.fused_conv2d")
          || op.equals("graph.fused_gemm")) {
        weighted.add(n.result().name());
      }
    }
    // -O2 fuses conv1, conv2 and fc1 with their relus (the fused unit takes the relu's result name)
    assertEquals(List.of("/Relu_output_0", "/Relu_1_output_0", "/Relu_2_output_0", "logits"), weighted);
    int[] bits = {8, 4, 8, 8};
    for (int i = 0; i < weighted.size(); i++) {
      String name = weighted.get(i);
      LayerReport l = rep.layers().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
      assertNotNull(l, name + " in " + rep.table());
      assertEquals(bits[i], l.weightBits(), name);
      assertEquals("int" + bits[i] + " sym per-channel", l.weightScheme(), name);
      assertEquals(8, l.activationBits(), name);
      assertTrue(l.weightScaleMin() > 0 && l.weightScaleMin() <= l.weightScaleMax(), name);
      assertTrue(l.outputScale() > 0, name);
      assertTrue(l.sqnrDb() > 10 && l.sqnrDb() < 80, name + ": " + l.sqnrDb());
    }
    LayerReport conv1 = rep.layers().get(0);
    LayerReport conv2 = rep.layers().stream().filter(x -> x.name().equals("/Relu_1_output_0")).findFirst()
        .orElseThrow();
    assertTrue(conv1.sqnrDb() > 30, rep.table());
    // 4-bit weights: coarser steps (7 levels a side instead of 127)
    assertTrue(conv2.weightScaleMax() > 8 * conv1.weightScaleMin(), rep.table());
    assertTrue(rep.cosine() > 0.95 && rep.cosine() <= 1, rep.table());
    assertTrue(rep.outputSqnrDb() > 10, rep.table());

    // accuracies match a direct count
    int floatRight = 0;
    int quantRight = 0;
    try (var it = Interpreter.withThreads(2)) {
      for (int i = 0; i < EVAL; i++) {
        var x = eval.sample(i);
        floatRight += argmax(it.run(floatGraph, x).values().iterator().next()) == labels[i] ? 1 : 0;
        Tensor q = it.run(g, x).values().iterator().next();
        quantRight += argmax(q) == labels[i] ? 1 : 0;
      }
    }
    assertEquals(new QuantReport.Accuracy(EVAL, floatRight, quantRight, rep.accuracy().agreeing()), rep.accuracy());
    assertTrue(rep.accuracy().floatTop1() > 0.9, rep.table());
    assertTrue(rep.accuracy().quantizedTop1() > rep.accuracy().floatTop1() - 0.05, rep.table());
    System.out.print(rep.table());

    Path json = tmp.resolve("report.json");
    QuantReportJson.write(json, rep, Map.of("model", "digits_cnn.onnx"));
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals(rep.layers().size(), root.get("layers").size());
    assertEquals(quantRight, root.get("accuracy").get("quantized_correct").asInt());
    assertEquals(rep.outputSqnrDb(), root.get("output").get("sqnr_db").asDouble(), 0);
    int conv2At = rep.layers().indexOf(conv2);
    assertEquals(4, root.get("layers").get(conv2At).get("weight").get("bits").asInt(),
        root.get("layers").get(conv2At).toString());
  }
}
