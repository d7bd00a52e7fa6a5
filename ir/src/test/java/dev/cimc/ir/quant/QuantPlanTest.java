package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.quant.fakequant.RandomCalibration;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan record, mixed precision through it, power-of-two scales, and deterministic output. */
class QuantPlanTest {
  @Test
  void defaultsAndLookups() {
    QuantPlan p = QuantPlan.defaults().withRange("x", new QuantPlan.Range(-1, 3))
        .withRange("y", new QuantPlan.Range(0, 1, QuantScheme.activations(4)))
        .withWeightScheme("w", QuantScheme.weights(4, 0));
    assertEquals(QuantScheme.activations(8), p.activationScheme("x"));
    assertEquals(QuantScheme.activations(4), p.activationScheme("y"));
    assertEquals(QuantScheme.weights(8, 0), p.weightScheme("other"));
    assertEquals(QuantScheme.weights(4, 0), p.weightScheme("w"));
    // [−1, 3] over 255 codes: scale 4/255, zero point round(255/4) = 64
    assertEquals(QuantParams.perTensor((float) (4.0 / 255), 64), p.activationParams("x"));
    assertNull(p.activationParams("z"));
    assertEquals(List.of("x", "y"), List.copyOf(p.activations().keySet()));
    assertThrows(IllegalArgumentException.class, () -> new QuantPlan.Range(1, 0));
    assertThrows(UnsupportedOperationException.class, () -> p.weights().put("v", QuantScheme.weights(8, 0)));
  }

  @Test
  void mixedPrecisionPerLayer() {
    Graph g = QuantPipelineTest.convNet(21);
    QuantPlan plan = RandomCalibration.plan(g, QuantPlan.defaults(), 64, 5)
        .withWeightScheme("w2", QuantScheme.weights(4, 0));
    var c = plan.range("c1");
    plan = plan.withRange("c1", new QuantPlan.Range(c.min(), c.max(), QuantScheme.activations(4)));
    var r = plan.range("s");
    plan = plan.withRange("s", new QuantPlan.Range(r.min(), r.max(), QuantScheme.activations(6)));
    var l = QuantPipelineTest.lower(g, plan);
    String text = IrPrinter.toText(l.integer(), PrintOptions.dump());
    assertTrue(text.contains("%w2.q = const @w2.q : tensor<8x8x3x3x!q.i4<axis=0"), text);
    assertTrue(text.contains("%r1.q = q.relu(%c1.q) : tensor<2x8x8x8x!q.u4<"), text);
    assertTrue(text.contains("%s.q = q.qadd(%c2.q, %r1.q)"), text);
    QuantPipelineTest.check(g, l, 10, 6);
  }

  @Test
  void powerOfTwoScalesRequantizeByPureShifts() {
    Graph g = QuantPipelineTest.convNet(22);
    var pow2a = new QuantScheme(QuantScheme.Kind.AFFINE, 8, false, false, QuantParams.PER_TENSOR, true);
    var pow2w = new QuantScheme(QuantScheme.Kind.AFFINE, 8, true, true, 0, true);
    QuantPlan plan = RandomCalibration.plan(g, new QuantPlan(pow2a, pow2w, Map.of(), Map.of()), 16, 5);
    var l = QuantPipelineTest.lower(g, plan);
    int requantizes = 0;
    for (Node n = l.integer().first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("q.requantize")) {
        requantizes++;
        for (long m : n.intsAttr("multiplier")) {
          assertEquals(1L << 30, m, n.describe());
        }
      }
    }
    assertEquals(4, requantizes);
    QuantPipelineTest.check(g, l, 10, 7);
    // with power-of-two scales the float arithmetic of fake quantization is exact, so the bits agree exactly
    var rng = new java.util.SplittableRandom(8);
    for (int i = 0; i < 5; i++) {
      var feed = Map.of("x", QuantPipelineTest.random(rng, 1, 2, 3, 8, 8));
      var fq = QuantPipelineTest.run(l.fakeQuant(), feed, 1).get("y");
      var in = QuantPipelineTest.run(l.integer(), feed, 1).get("y");
      assertTrue(fq.contentEquals(in), "run " + i);
    }
  }

  @Test
  void loweringIsDeterministic() {
    Graph g = QuantPipelineTest.attention(3);
    QuantPlan plan = RandomCalibration.plan(g, QuantPlan.defaults(), 8, 1);
    var a = QuantPipelineTest.lower(g, plan);
    var b = QuantPipelineTest.lower(g, RandomCalibration.plan(g, QuantPlan.defaults(), 8, 1));
    assertEquals(IrPrinter.print(a.integer()).text(), IrPrinter.print(b.integer()).text());
    // every weight constant is quantized: nothing float reaches a matrix product
    for (Node n = a.integer().first(); n != null; n = n.next()) {
      if (n.op() == QDialect.QUANTIZE) {
        assertEquals("x", n.operand(0).name(), "only the graph input is quantized at run time");
      }
      if (n.op().fullName().equals("const")) {
        assertTrue(n.result().type().elementType() != ElementType.F32, n.describe());
      }
    }
  }
}
