package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Data movement at the integer level: concatenation (DenseNet, Inception, SqueezeNet) requantizes operands with
 * other parameters than the result by a table, then concatenates codes; split cuts codes (ShuffleNet, heads);
 * pad writes the code of its value; nearest resize (upsampling) copies codes. The results equal fake
 * quantization bit for bit.
 */
class ConcatQuantTest {
  private static final OpRegistry R = Dialects.standard();

  /** Two branches with different ranges (relu of x, 3·relu of x plus a conv) concatenated on channels. */
  private static Graph net() {
    var rng = new SplittableRandom(7);
    var b = new GraphBuilder("cat", R);
    Value x = b.input("x", TensorType.f32(1, 2, 4, 4));
    Value a = b.named("a", "graph.relu", Attributes.EMPTY, x);
    Value c = b.named("c", "graph.conv2d", Attributes.EMPTY, x, b.constant("w",
        QuantPipelineTest.random(rng, 1.5, 3, 2, 1, 1)));
    Value cat = b.named("cat", "graph.concat", Attributes.of("axis", Attribute.of(1L)), a, c);
    b.output(b.named("y", "graph.relu", Attributes.EMPTY, cat));
    return b.build();
  }

  @Test
  void concatLowersToCodesAndMatchesFakeQuantizationExactly() {
    Graph g = net();
    CalibrationData data = CalibrationData.random(g, 8, 3);
    QuantPlan plan = Calibrator.calibrate(g, data, Calibrator.Settings.defaults().withThreads(1),
        Calibrator.Progress.NONE).toPlan(QuantPlan.defaults());
    Quantize.Stats q = Quantize.apply(g, plan, R);
    assertEquals(0, q.opsSkipped(), "concat has an integer form");
    Graph fake = g.copy();
    LowerToInteger.Stats st = LowerToInteger.apply(g, R);
    assertEquals(0, st.leftInFloat());
    assertEquals(List.of(), Verifier.verify(g));
    int tables = 0;
    for (Node n = g.first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("graph.concat")) {
        assertTrue(n.result().type().isQuantized(), "the concat moves codes: " + n.result().type());
      }
      tables += n.op().fullName().equals("q.lut") ? 1 : 0;
    }
    assertTrue(tables >= 1, "operands with other parameters are requantized by a table");
    try (var it = Interpreter.withThreads(1)) {
      for (int i = 0; i < data.size(); i++) {
        Map<String, Tensor> in = data.sample(i);
        Tensor want = it.run(fake, in).get("y");
        Tensor got = it.run(g, in).get("y");
        assertTrue(want.contentEquals(got), "sample " + i + ": integer concat differs from fake quantization");
      }
    }
  }

  @Test
  void splitCutsCodesAndMatchesFakeQuantizationExactly() {
    var b = new GraphBuilder("split", R);
    Value x = b.input("x", TensorType.f32(1, 4, 3, 3));
    Value r = b.named("r", "graph.relu", Attributes.EMPTY, x);
    List<Value> parts = b.ops("graph.split", Attributes.of("axis", Attribute.of(1L), "split", Attribute.ints(2, 2)), 2,
        r);
    b.output(b.named("y", "graph.add", Attributes.EMPTY, parts.get(0), parts.get(1)));
    ExactLowering e = ExactLowering.of(b.build(), 5);
    assertEquals(0, e.quantized().opsSkipped());
    assertEquals(0, e.lowered().leftInFloat());
    for (Node n = e.integer().first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("graph.split")) {
        assertTrue(n.result(0).type().isQuantized() && n.result(1).type().isQuantized(), "split moves codes");
      }
    }
    e.assertSameOutput("y");
  }

  @Test
  void padAndNearestResizeMoveCodesAndMatchFakeQuantizationExactly() {
    var b = new GraphBuilder("up", R);
    Value x = b.input("x", TensorType.f32(1, 2, 3, 3));
    Value r = b.named("r", "graph.relu", Attributes.EMPTY, x);
    Value p = b.named("p", "graph.pad", Attributes.of("pads", Attribute.ints(0, 0, 1, 1, 0, 0, 1, 1), "value",
        Attribute.of(0.3)), r);
    Value u = b.named("u", "graph.resize", Attributes.of("scales", Attribute.floats(1, 1, 2, 2)), p);
    Value lin = b.named("lin", "graph.resize", Attributes.of("scales", Attribute.floats(1, 1, 2, 2), "mode",
        Attribute.of("linear")), r);
    b.output(u, lin);
    ExactLowering e = ExactLowering.of(b.build(), 9);
    assertEquals(1, e.quantized().opsSkipped(), "linear interpolation makes new values: it stays in float");
    assertEquals(0, e.lowered().leftInFloat());
    for (Node n = e.integer().first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("graph.pad")) {
        assertTrue(n.result().type().isQuantized(), "pad moves codes");
        assertTrue(n.floatAttr("value") != 0.3, "the pad value became a code: " + n.floatAttr("value"));
      }
    }
    e.assertSameOutput("u");
  }
}
