package dev.cimc.ir.quant.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The PTQ pipeline pieces: quantizer placement, one-pass bias correction, output agreement, the pipeline. */
class PtqPipelineTest {
  private static final Attributes RELU6 = Attributes.of("min", Attribute.of(0.0), "max", Attribute.of(6.0));

  /** conv 3×3 (2 → 8) → relu6 → depthwise 3×3 → relu6 → conv 1×1 (8 → 4) → add(conv 1×1 of x): an inverted residual. */
  private static Graph block(long seed) {
    var rnd = new SplittableRandom(seed);
    var b = new GraphBuilder("block", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 2, 8, 8));
    Value e = b.named("expand", "graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x,
        b.constant("expand.weight", PtqTest.random(rnd, TensorType.f32(8, 2, 3, 3), 0, 0.4)),
        b.constant("expand.bias", PtqTest.random(rnd, TensorType.f32(8), 0.2, 0.3)));
    Value r1 = b.named("relu6a", "graph.clip", RELU6, e);
    Value d = b.named("dw", "graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1), "group", Attribute.of(8L)),
        r1, b.constant("dw.weight", spread(rnd)), b.constant("dw.bias", PtqTest.random(rnd, TensorType.f32(8), 0.1, 0.3)));
    Value r2 = b.named("relu6b", "graph.clip", RELU6, d);
    Value p = b.named("project", "graph.conv2d", Attributes.EMPTY, r2,
        b.constant("project.weight", PtqTest.random(rnd, TensorType.f32(4, 8, 1, 1), 0, 0.3)),
        b.constant("project.bias", PtqTest.random(rnd, TensorType.f32(4), 0, 0.1)));
    Value s = b.named("shortcut", "graph.conv2d", Attributes.EMPTY, x,
        b.constant("shortcut.weight", PtqTest.random(rnd, TensorType.f32(4, 2, 1, 1), 0, 0.5)),
        b.constant("shortcut.bias", PtqTest.random(rnd, TensorType.f32(4), 0, 0.1)));
    b.output(b.named("y", "graph.add", Attributes.EMPTY, p, s));
    return b.build();
  }

  /** Depthwise weights whose channel ranges span two orders of magnitude (what folded batch norms leave). */
  private static Tensor spread(SplittableRandom rnd) {
    float[] v = new float[8 * 9];
    for (int c = 0; c < 8; c++) {
      double scale = Math.pow(10, -1 + 2.0 * c / 7);
      for (int k = 0; k < 9; k++) {
        v[c * 9 + k] = (float) (scale * (2 * rnd.nextDouble() - 1));
      }
    }
    return Tensor.ofFloats(new int[] {8, 1, 3, 3}, v);
  }

  private static CalibrationData inputs(int n, long seed) {
    var rnd = new SplittableRandom(seed);
    float[] v = new float[n * 2 * 64];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextDouble();
    }
    return CalibrationData.slices("x", Tensor.ofFloats(new int[] {n, 2, 8, 8}, v), n);
  }

  @Test
  void slicesTakeSamplesAlongTheFirstAxis() {
    Tensor all = Tensor.ofFloats(new int[] {3, 2}, 1, 2, 3, 4, 5, 6);
    CalibrationData d = CalibrationData.slices("x", all, 2);
    assertEquals(2, d.size());
    Tensor second = d.sample(1).get("x");
    assertEquals(TensorType.f32(1, 2), second.type());
    assertArrayEquals(new float[] {3, 4}, second.floats());
    assertTrue(d.warnings().isEmpty());
  }

  @Test
  void oneBiasCorrectionPassMatchesPerLayerCorrections() {
    Graph g = block(2);
    CalibrationData data = inputs(6, 3);
    var layers = new ArrayList<Layer>();
    Map<Node, Tensor> rounded = new IdentityHashMap<>();
    QuantScheme perTensor = new QuantScheme(QuantScheme.Kind.AFFINE, 4, true, true, QuantParams.PER_TENSOR, false);
    for (String name : List.of("expand", "dw", "project", "shortcut")) {
      Layer l = Layer.of(g.value(name).producer());
      layers.add(l);
      rounded.put(l.node(), WeightRanges.roundToNearest(l.weight(), perTensor,
          WeightRanges.minMax(l.weight(), perTensor)).weights());
    }
    Map<Node, double[]> all = BiasCorrection.shifts(g, layers, rounded, data, 1);
    for (Layer l : layers) {
      double[] alone = BiasCorrection.shift(g, l, rounded.get(l.node()), data, 1);
      assertArrayEquals(alone, all.get(l.node()), 1e-12, l.node().result().name());
      double max = 0;
      for (double v : alone) {
        max = Math.max(max, Math.abs(v));
      }
      assertTrue(max > 0, "4-bit rounding shifts " + l.node().result().name());
    }
  }

  @Test
  void outputAgreementOfScaledAndNegatedOutputs() {
    var b = new GraphBuilder("id", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 2, 8, 8));
    b.output(b.named("y", "graph.relu", Attributes.EMPTY, x));
    Graph ref = b.build();
    var b2 = new GraphBuilder("twice", Dialects.standard());
    Value x2 = b2.input("x", TensorType.f32(1, 2, 8, 8));
    Value r2 = b2.named("r", "graph.relu", Attributes.EMPTY, x2);
    b2.output(b2.named("y", "graph.add", Attributes.EMPTY, r2, r2));
    var b3 = new GraphBuilder("negated", Dialects.standard());
    Value x3 = b3.input("x", TensorType.f32(1, 2, 8, 8));
    b3.output(b3.named("y", "graph.neg", Attributes.EMPTY, b3.named("r", "graph.relu", Attributes.EMPTY, x3)));
    CalibrationData data = inputs(3, 4);
    List<OutputAgreement> a = OutputAgreement.measure(ref, List.of(ref, b2.build(), b3.build()), data, 1);
    assertEquals(Double.POSITIVE_INFINITY, a.get(0).sqnrDb());
    assertEquals(1.0, a.get(0).cosine(), 1e-12);
    assertEquals(0.0, a.get(1).sqnrDb(), 1e-9, "error as large as the signal");
    assertEquals(1.0, a.get(1).cosine(), 1e-12);
    assertEquals(10 * Math.log10(0.25), a.get(2).sqnrDb(), 1e-9, "error twice the signal");
    assertEquals(-1.0, a.get(2).cosine(), 1e-12);
    assertEquals(3, a.get(2).samples());
    assertEquals(3 * 128, a.get(2).values());
  }

  @Test
  void pipelineLowersEverythingAndEachStepPays() {
    Graph g = block(5);
    CalibrationData calib = inputs(16, 6);
    CalibrationData eval = inputs(16, 7);
    var s = PtqPipeline.Settings.perTensorW8A8().withThreads(1);
    PtqPipeline.Result full = PtqPipeline.run(g, calib, s);
    assertEquals(4, full.layersRounded());
    assertEquals(4, full.biasesCorrected());
    assertEquals(0, full.opsLeftInFloat());
    assertTrue(full.opsLowered() >= full.layersRounded() + 1, "lowered " + full.opsLowered()); // layers + the add
    for (Node n = full.integer().first(); n != null; n = n.next()) {
      assertTrue(!n.op().fullName().startsWith("graph.") , "left in float: " + n.describe());
    }
    Graph plain = PtqPipeline.run(g, calib, s.withBiasCorrection(false).withFusedActivations(false)).integer();
    List<OutputAgreement> a = OutputAgreement.measure(g, List.of(full.integer(), plain), eval, 1);
    assertTrue(a.get(0).sqnrDb() > a.get(1).sqnrDb() + 1, a.get(0) + " vs " + a.get(1));
    assertTrue(a.get(0).sqnrDb() > 25, a.get(0).toString());

    PtqPipeline.Result equalized = PtqPipeline.run(g, calib, s.withEqualization(true));
    assertEquals(2L, equalized.passStatistics().get("cross-layer-equalization.pairs-equalized"));
    double drift = OutputAgreement.maxRelativeError(g, PtqPipeline.prepare(g, s.withEqualization(true)), eval, 1);
    assertTrue(drift <= 1e-5, "equalization drift " + drift);
  }
}
