package dev.cimc.ir.quant.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The PTQ pipeline the quantize pass runs: weight codes, bias correction, bit search, fused layers. */
class PostTrainingQuantizationTest {
  /** x → conv a (3×3, Gaussian weights) → fused conv b (1×1, weights on a 3-level grid) + relu. */
  private static Graph net() {
    var rnd = new SplittableRandom(3);
    var b = new GraphBuilder("net", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 3, 6, 6));
    Value wa = b.constant("wa", PtqTest.random(rnd, TensorType.f32(4, 3, 3, 3), 0, 0.3));
    Value ba = b.constant("ba", PtqTest.random(rnd, TensorType.f32(4), 0, 0.1));
    Value a = b.named("a", "graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x, wa, ba);
    float[] grid = new float[4 * 4];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = (i % 3 - 1) * 0.5f; // -0.5, 0, 0.5: exact with 2-bit symmetric codes
    }
    Value wb = b.constant("wb", Tensor.ofFloats(new int[] {4, 4, 1, 1}, grid));
    Value bb = b.constant("bb", PtqTest.random(rnd, TensorType.f32(4), 0, 0.1));
    b.output(b.named("y", "graph.fused_conv2d", Attributes.of("activation", Attribute.of("relu")), a, wb, bb));
    return b.build();
  }

  private static CalibrationData data(Graph g, int n) {
    return CalibrationData.of(n, i -> Map.of("x", PtqTest.random(new SplittableRandom(100 + i),
        g.inputs().get(0).type(), 0.5, 1)), List.of());
  }

  @Test
  void weightCodesOfEveryLayerIncludingFusedOnesReachTheQuantizePass() {
    Graph g = net();
    var s = PostTrainingQuantization.Settings.defaults(QuantPlan.withBits(4, 8))
        .withWeightRange(PostTrainingQuantization.WeightRange.MSE);
    PostTrainingQuantization.Result r = PostTrainingQuantization.plan(g, data(g, 8), s, (d, t) -> {});
    assertEquals(List.of("a", "y"), r.layers().stream().map(PostTrainingQuantization.LayerResult::layer).toList());
    Tensor codes = r.plan().weightCodes("wb");
    assertNotNull(codes, "the fused conv's weights got codes");
    Quantize.apply(g, r.plan(), Dialects.standard());
    assertTrue(g.value("wb.q").type().quant().equals(codes.type().quant()), "the pass used the chosen codes");
  }

  @Test
  void biasCorrectionMovesBiasesOnlyWhenAsked() {
    Graph plain = net();
    Graph corrected = net();
    var s = PostTrainingQuantization.Settings.defaults(QuantPlan.withBits(3, 8));
    PostTrainingQuantization.plan(plain, data(plain, 8), s, (d, t) -> {});
    PostTrainingQuantization.Result r = PostTrainingQuantization.plan(corrected, data(corrected, 8),
        s.withBiasCorrection(true), (d, t) -> {});
    assertTrue(r.layers().get(0).biasShift() > 0, "3-bit Gaussian weights shift the outputs");
    assertEquals(0, r.layers().get(1).biasShift(), 1e-6, "grid weights are exact: no shift");
    Tensor before = Layer.constant(plain.value("a").producer().operand(2));
    Tensor after = Layer.constant(corrected.value("a").producer().operand(2));
    assertTrue(!before.contentEquals(after), "the conv's bias changed");
  }

  @Test
  void bitSearchGivesEachLayerTheFewestBitsKeepingItsSqnr() {
    Graph g = net();
    var s = PostTrainingQuantization.Settings.defaults(QuantPlan.withBits(8, 8))
        .withBitSearch(new PostTrainingQuantization.BitSearch(2, 30));
    PostTrainingQuantization.Result r = PostTrainingQuantization.plan(g, data(g, 8), s, (d, t) -> {});
    PostTrainingQuantization.LayerResult a = r.layers().get(0);
    PostTrainingQuantization.LayerResult y = r.layers().get(1);
    assertEquals(2, y.scheme().bits(), "a 3-level grid is exact at 2 bits");
    assertTrue(Double.isInfinite(y.searchedSqnrDb()));
    assertTrue(a.scheme().bits() > 2 && a.scheme().bits() < 8, "Gaussian weights need more: " + a.scheme());
    assertTrue(a.searchedSqnrDb() >= 30, "kept " + a.searchedSqnrDb());
    assertEquals(a.scheme().bits(), r.plan().weightScheme("wa").bits(), "the plan carries the chosen width");
    Quantize.apply(g, r.plan(), Dialects.standard());
    assertEquals(ElementType.I2, g.value("wb.q").type().elementType());
  }

  @Test
  void outputSqnrOfExactWeightsIsInfiniteAndOfNoisyOnesFinite() {
    Graph g = net();
    Layer a = Layer.of(g.value("a").producer());
    assertTrue(Double.isInfinite(PostTrainingQuantization.outputSqnrDb(a, a.weight(), null)));
    float[] noisy = a.weight().toFloatArray();
    noisy[0] += 0.1f;
    double db = PostTrainingQuantization.outputSqnrDb(a, Tensor.wrap(a.weight().type(), noisy), null);
    double w2 = 0;
    for (float v : a.weight().toFloatArray()) {
      w2 += v * v;
    }
    assertEquals(10 * Math.log10(w2 / (0.1f * 0.1f)), db, 1e-3, "weight-domain SQNR by hand");
  }
}
