package dev.cimc.ir.quant.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.fakequant.RandomCalibration;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rule matching (globs, names, ops, precedence), resolution into a plan, and the quantize pass following it. */
class MixedPrecisionTest {
  private static final OpRegistry R = Dialects.standard();

  static Tensor random(SplittableRandom rng, double scale, int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rng.nextDouble(-1, 1) * scale);
    }
    return Tensor.ofFloats(dims, v);
  }

  /** conv c1 → relu r1 → conv c2 → global pool → reshape → gemm fc; c2 carries the ONNX name "Conv_7". */
  static Graph net() {
    var rng = new SplittableRandom(3);
    var b = new GraphBuilder("net", R);
    Value x = b.input("x", TensorType.f32(1, 3, 6, 6));
    Attributes pad = Attributes.of("pads", Attribute.ints(1, 1, 1, 1));
    Value c1 = b.named("c1", "graph.conv2d", pad, x, b.constant("w1", random(rng, 0.3, 4, 3, 3, 3)),
        b.constant("b1", random(rng, 0.1, 4)));
    Value r1 = b.named("r1", "graph.relu", Attributes.EMPTY, c1);
    Value c2 = b.named("c2", "graph.conv2d", pad, r1, b.constant("w2", random(rng, 0.3, 4, 4, 3, 3)));
    Value gp = b.named("gp", "graph.global_average_pool", Attributes.EMPTY, c2);
    Value f = b.named("f", "graph.reshape", Attributes.of("shape", Attribute.ints(1, 4)), gp);
    Value y = b.named("fc", "graph.gemm", Attributes.EMPTY, f, b.constant("wf", random(rng, 0.4, 4, 5)));
    b.output(y);
    Graph g = b.build();
    c2.producer().setLocation(new Location.Named("m.onnx", "Conv_7"));
    return g;
  }

  @Test
  void globs() {
    assertTrue(LayerMatch.glob("conv*", "conv"));
    assertTrue(LayerMatch.glob("conv*", "conv.1.a"));
    assertTrue(LayerMatch.glob("*.dw", "blocks.0.dw"));
    assertFalse(LayerMatch.glob("*.dw", "blocks.0.dwx"));
    assertTrue(LayerMatch.glob("c?", "c2"));
    assertFalse(LayerMatch.glob("c?", "c"));
    assertFalse(LayerMatch.glob("c?", "c12"));
    assertTrue(LayerMatch.glob("a*b*c", "aXbYbZc"));
    assertFalse(LayerMatch.glob("a*b*c", "aXbYbZ"));
    assertTrue(LayerMatch.glob("x\\*", "x*"));
    assertFalse(LayerMatch.glob("x\\*", "xy"));
    assertTrue(LayerMatch.glob(LayerMatch.exactly("a*?\\b").name(), "a*?\\b"));
    assertFalse(LayerMatch.glob(LayerMatch.exactly("a*").name(), "ab"));
    assertThrows(IllegalArgumentException.class, () -> new LayerMatch(null, null));
  }

  @Test
  void matchesByResultNameOnnxNameAndOp() {
    Graph g = net();
    Node c1 = g.value("c1").producer();
    Node c2 = g.value("c2").producer();
    Node fc = g.value("fc").producer();
    assertTrue(LayerMatch.name("c*").matches(c1));
    assertTrue(LayerMatch.name("Conv_*").matches(c2));
    assertFalse(LayerMatch.name("Conv_*").matches(c1));
    assertTrue(LayerMatch.op("conv2d").matches(c1));
    assertTrue(LayerMatch.op("graph.conv2d").matches(c2));
    assertFalse(LayerMatch.op("conv2d").matches(fc));
    assertTrue(LayerMatch.op("graph.*").matches(fc));
    assertFalse(new LayerMatch("c*", "gemm").matches(c1));
  }

  @Test
  void firstMatchingRuleWinsAndUnmatchedRulesWarn() {
    Graph g = net();
    var origin = Location.file("q.yaml", 7, 5);
    QuantConfig cfg = QuantConfig.of(List.of(
        LayerRule.quantize(LayerMatch.name("c1"), WeightSpec.bits(4), ActivationSpec.bits(6)),
        LayerRule.quantize(LayerMatch.op("conv2d"), new WeightSpec(3, null, false, null, null), null),
        LayerRule.keepFloat(LayerMatch.name("fc")),
        new LayerRule(LayerMatch.name("fcc"), WeightSpec.bits(2), null, false, origin),
        new LayerRule(LayerMatch.op("graph.conv3d"), WeightSpec.bits(2), null, false, origin)));
    PrecisionAssignment a = MixedPrecision.resolve(g, cfg);
    assertEquals(WeightSpec.bits(4), a.weights().get("w1"));
    assertEquals(new WeightSpec(3, null, false, null, null), a.weights().get("w2"));
    assertNull(a.weights().get("wf"));
    assertEquals(ActivationSpec.bits(6), a.activations().get("c1"));
    assertEquals(java.util.Set.of("fc"), a.floatLayers());
    assertEquals(0, a.layers().get("c1"));
    assertEquals(1, a.layers().get("c2"));
    assertEquals(2, a.layers().get("fc"));
    assertEquals(2, a.warnings().size(), a.warnings().toString());
    assertEquals("q.yaml:7:5: warning: layer rule (name `fcc`) matches no layer\nhint: did you mean `fc`?",
        a.warnings().get(0).render());
    assertEquals("q.yaml:7:5: warning: layer rule (op `graph.conv3d`) matches no layer\n"
        + "hint: did you mean `graph.conv2d`?", a.warnings().get(1).render());

    QuantPlan plan = a.applyTo(RandomCalibration.plan(g, QuantPlan.defaults(), 8, 1));
    assertEquals(QuantScheme.weights(4, 0), plan.weightScheme("w1"));
    assertEquals(new QuantScheme(QuantScheme.Kind.AFFINE, 3, true, true, QuantParams.PER_TENSOR, false),
        plan.weightScheme("w2"));
    assertEquals(QuantScheme.activations(6), plan.activationScheme("c1"));
    assertEquals(QuantScheme.activations(8), plan.activationScheme("r1"));
    assertTrue(plan.keepsFloat("fc"));

    Graph q = g.copy();
    Quantize.Stats s = Quantize.apply(q, plan, R);
    assertEquals(List.of(), Verifier.verify(q));
    assertEquals(ElementType.I4, q.value("w1.q").type().elementType());
    assertEquals(4, q.value("w1.q").type().quant().channels());
    assertEquals(ElementType.I4, q.value("w2.q").type().elementType());
    assertTrue(q.value("w2.q").type().quant().isPerTensor());
    assertEquals(ElementType.U8, q.value("c1.q").type().elementType()); // 6-bit codes are stored in u8
    // the gemm stays float: it reads its float weight and feeds no quantize
    Node fc = q.value("fc").producer();
    assertEquals("graph.gemm", fc.op().fullName());
    assertEquals("const", fc.operand(1).producer().op().fullName());
    assertEquals(QDialect.DEQUANTIZE, fc.operand(0).producer().op());
    assertNull(q.value("fc.q"));
    assertEquals(1, s.opsSkipped());
    LowerToInteger.apply(q, R);
    assertEquals(List.of(), Verifier.verify(q));
  }

  @Test
  void sixBitActivationsUseSixtyFourCodes() {
    Graph g = net();
    QuantConfig cfg = QuantConfig.of(List.of(LayerRule.quantize(LayerMatch.name("c1"), null, ActivationSpec.bits(6))));
    QuantPlan plan = MixedPrecision.resolve(g, cfg).applyTo(RandomCalibration.plan(g, QuantPlan.defaults(), 8, 1));
    QuantPlan.Range r = plan.range("c1");
    QuantParams p = plan.activationParams("c1");
    double lo = Math.min(0, r.min());
    double hi = Math.max(0, r.max());
    assertEquals((float) ((hi - lo) / 63), p.scale(0), 1e-9);
  }

  @Test
  void floatLayerKeepsItsNeighboursQuantized() {
    Graph g = net();
    QuantConfig cfg = QuantConfig.of(List.of(LayerRule.keepFloat(LayerMatch.name("c2"))));
    QuantPlan plan = MixedPrecision.resolve(g, cfg).applyTo(RandomCalibration.plan(g, QuantPlan.defaults(), 8, 1));
    Graph q = g.copy();
    Quantize.apply(q, plan, R);
    LowerToInteger.apply(q, R);
    assertEquals(List.of(), Verifier.verify(q));
    assertEquals("graph.conv2d", q.value("c2").producer().op().fullName());
    assertEquals("q.qconv2d", q.value("c1.q").producer().operand(0).producer().op().fullName());
    assertEquals("q.qgemm", q.value("fc.q").producer().operand(0).producer().op().fullName());
  }

  @Test
  void symmetricSignedActivationsAndPowerOfTwoWeightsRunInInteger() {
    Graph g = net();
    QuantConfig cfg = QuantConfig.of(List.of(LayerRule.quantize(LayerMatch.op("conv2d"),
        new WeightSpec(null, null, null, true, null), new ActivationSpec(null, true, null, null))));
    QuantPlan plan = MixedPrecision.resolve(g, cfg).applyTo(RandomCalibration.plan(g, QuantPlan.defaults(), 8, 1));
    assertEquals(new QuantScheme(QuantScheme.Kind.AFFINE, 8, true, true, QuantParams.PER_TENSOR, false),
        plan.activationScheme("c1"));
    Graph q = g.copy();
    Quantize.apply(q, plan, R);
    Graph fq = q.copy();
    LowerToInteger.apply(q, R);
    assertEquals(List.of(), Verifier.verify(q));
    TensorType c1 = q.value("c1.q").type();
    assertEquals(ElementType.I8, c1.elementType());
    assertEquals(0, c1.quant().zeroPoint(0));
    double s = q.value("w1.q").type().quant().scale(0);
    assertEquals(s, Math.scalb(1.0, Math.getExponent(s)), "power-of-two weight scale");
    assertEquals("q.qconv2d", q.value("c1.q").producer().operand(0).producer().op().fullName());
    // the integer graph computes the fake-quantized one
    var x = java.util.Map.of("x", random(new SplittableRandom(5), 1, 1, 3, 6, 6));
    try (var it = dev.cimc.ir.interp.Interpreter.withThreads(1)) {
      Tensor a = it.run(fq, x).get("fc");
      Tensor b = it.run(q, x).get("fc");
      double lsb = q.value("fc.q").type().quant().scale(0);
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.getDouble(i), b.getDouble(i), 1.01 * lsb, "output " + i);
      }
    }
  }

  @Test
  void defaultsAndRangeMethodsReachCalibration() {
    Graph g = net();
    QuantConfig cfg = new QuantConfig(WeightSpec.bits(6), new ActivationSpec(7, null, null, RangeMethod.PERCENTILE),
        List.of(LayerRule.quantize(LayerMatch.name("c2"), null, new ActivationSpec(4, null, null, RangeMethod.MSE))));
    PrecisionAssignment a = MixedPrecision.resolve(g, cfg);
    Calibrator.Settings s = a.calibration(Calibrator.Settings.defaults());
    assertEquals(RangeMethod.PERCENTILE, s.observers().method());
    assertEquals(QuantScheme.activations(7), s.scheme());
    assertEquals(RangeMethod.MSE, s.perValue().get("c2").observers().method());
    assertEquals(QuantScheme.activations(4), s.perValue().get("c2").scheme());
    var result = Calibrator.calibrate(g, CalibrationData.random(g, 4, 2), s, Calibrator.Progress.NONE);
    assertEquals(RangeMethod.MSE, result.methods().get("c2"));
    assertEquals(RangeMethod.PERCENTILE, result.methods().get("c1"));
    QuantPlan plan = a.applyTo(result.toPlan(QuantPlan.defaults()));
    assertEquals(QuantScheme.weights(6, 0), plan.defaultWeight());
    assertEquals(QuantScheme.activations(7), plan.defaultActivation());
    assertEquals(QuantScheme.activations(4), plan.activationScheme("c2"));
  }

  @Test
  void unimplementedWeightSchemesWarn() {
    Graph g = net();
    var log2At4 = QuantConfig.of(List.of(LayerRule.quantize(LayerMatch.name("c1"),
        new WeightSpec(4, null, null, null, QuantScheme.Kind.LOG2), null)));
    assertEquals(List.of(), MixedPrecision.resolve(g, log2At4).warnings(), "log2 weights of 3 to 5 bits are implemented");
    var cfg = QuantConfig.of(List.of(LayerRule.quantize(LayerMatch.name("c1"),
        new WeightSpec(8, null, null, null, QuantScheme.Kind.LOG2), null)));
    var w = MixedPrecision.resolve(g, cfg).warnings();
    assertEquals(1, w.size());
    assertEquals("warning: layers with name `c1`: log2 weights take 3 to 5 bits, not 8: these layers stay in float"
        + "\nhint: use bits: 3, 4 or 5 with scheme: log2", w.get(0).render());
  }

  @Test
  void opPatternsMatchFusedOps() {
    var b = new dev.cimc.ir.graph.GraphBuilder("f", dev.cimc.ir.dialect.Dialects.standard());
    var x = b.input("x", dev.cimc.ir.type.TensorType.f32(1, 2, 4, 4));
    var wt = b.constant("w", dev.cimc.ir.tensor.Tensor.zeros(dev.cimc.ir.type.TensorType.f32(2, 2, 1, 1)));
    var y = b.named("y", "graph.fused_conv2d", dev.cimc.ir.attr.Attributes.of("activation",
        dev.cimc.ir.attr.Attribute.of("relu")), x, wt);
    b.output(y);
    Graph fused = b.build();
    var cfg = QuantConfig.of(List.of(LayerRule.quantize(LayerMatch.op("conv2d"), WeightSpec.bits(4), null)));
    var a = MixedPrecision.resolve(fused, cfg);
    assertEquals(List.of(), a.warnings());
    assertEquals(4, a.weights().get("w").bits());
  }

  @Test
  void thenPutsTheFirstConfigsRulesFirst() {
    var a = new QuantConfig(WeightSpec.bits(4), ActivationSpec.NONE, List.of(LayerRule.keepFloat(LayerMatch.name("a"))));
    var b = new QuantConfig(new WeightSpec(6, null, false, null, null), ActivationSpec.bits(5),
        List.of(LayerRule.keepFloat(LayerMatch.name("b"))));
    QuantConfig c = a.then(b);
    assertEquals(List.of("a", "b"), c.layers().stream().map(r -> r.match().name()).toList());
    assertEquals(new WeightSpec(4, null, false, null, null), c.weight());
    assertEquals(ActivationSpec.bits(5), c.activation());
    assertThrows(IllegalArgumentException.class, () -> WeightSpec.bits(9));
    assertThrows(IllegalArgumentException.class, () -> new LayerRule(LayerMatch.name("x"), WeightSpec.bits(4), null,
        true, null));
  }
}
