package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** cross-layer-equalization: equal ranges per pair after convergence, exact outputs, clip handling. */
class CrossLayerEqualizationTest {
  /** conv → relu → conv → relu6 → depthwise → relu6 → conv → global pool → flatten → gemm, with batch norms. */
  static Graph chain(long seed) {
    var n = new SyntheticNets("chain", seed);
    var b = n.builder();
    Value x = n.input("x", 1, 4, 8, 8);
    Value y = n.relu(n.batchNorm(n.conv(x, 8, 3, 1, 1, 1, false)));
    y = n.relu6(n.batchNorm(n.conv(y, 12, 1, 1, 0, 1, false)));
    y = n.relu6(n.batchNorm(n.conv(y, 12, 3, 2, 1, 12, false)));
    y = n.batchNorm(n.conv(y, 6, 1, 1, 0, 1, false));
    y = b.named("pool", "graph.global_average_pool", Attributes.EMPTY, y);
    y = b.named("flat", "graph.flatten", Attributes.EMPTY, y);
    b.output(n.gemm(y, 5));
    return b.build();
  }

  @Test
  void everyPairEndsWithEqualRangesAndTheOutputsStay() {
    Graph g = chain(1);
    Graph folded = g.copy();
    TransformTesting.run(folded, "fold-batch-norm");
    Graph after = folded.copy();
    Map<String, Long> s = TransformTesting.run(after, "fold-batch-norm,cross-layer-equalization").runs().get(1)
        .statistics();
    assertEquals(4L, s.get("pairs-equalized"));
    assertEquals(5L, s.get("layers-rescaled"));
    assertEquals(2L, s.get("clips-rewritten"));
    assertTrue(s.get("sweeps") > 2, "sweeps " + s.get("sweeps"));
    List<LayerPair> pairs = LayerPair.find(after);
    assertEquals(4, pairs.size());
    for (LayerPair p : pairs) {
      double[] r1 = p.first().outRanges();
      double[] r2 = p.second().inRanges();
      for (int i = 0; i < r1.length; i++) {
        assertEquals(1.0, r1[i] / r2[i], 1e-4, p.first().node().describe() + " channel " + i);
      }
    }
    Numerics.assertEquivalent(folded, after, 1e-5, 3);
    Numerics.assertEquivalent(g, after, 1e-5, 3);
    assertTrue(CleReport.ratio(pairs.get(1).second().outRanges()) < CleReport.ratio(
        LayerPair.find(folded).get(1).second().outRanges()));
  }

  @Test
  void refuseLeavesPairsAcrossAClipAlone() {
    Graph g = chain(2);
    TransformTesting.run(g, "fold-batch-norm");
    Graph after = g.copy();
    Map<String, Long> s = TransformTesting.run(after, "fold-batch-norm,cross-layer-equalization{clip=refuse}")
        .runs().get(1).statistics();
    assertEquals(2L, s.get("pairs-refused-clip"));
    assertEquals(2L, s.get("pairs-equalized"));
    assertEquals(0L, s.get("clips-rewritten"));
    assertEquals(2, FoldBatchNormTest.count(after, "graph.clip"));
    Numerics.assertEquivalent(g, after, 1e-5, 3);
  }

  @Test
  void runningTwiceRescalesTheBoundsItLeft() {
    Graph g = chain(3);
    TransformTesting.run(g, "fold-batch-norm,cross-layer-equalization");
    Graph again = g.copy();
    Map<String, Long> s = TransformTesting.run(again, "fold-batch-norm,cross-layer-equalization").runs().get(1)
        .statistics();
    assertEquals(2L, s.get("bounds-rescaled"));
    assertEquals(1L, s.get("sweeps"));
    Numerics.assertEquivalent(g, again, 1e-5, 2);
  }

  @Test
  void requiresFoldBatchNormFirst() {
    var e = assertThrows(CimcException.class,
        () -> PassPipeline.parse("cross-layer-equalization", PassRegistry.standard()));
    assertEquals("pass 'cross-layer-equalization' requires 'fold-batch-norm' to run before it", e.getMessage());
    assertEquals("add 'fold-batch-norm' earlier in the pipeline", e.hint());
  }

  @Test
  void mobileNetV2RangesNarrowAndQuantizationImproves() {
    Graph g = MobileNetV2Graph.build(new MobileNetV2Graph.Settings(32, 0.35, 10, 1.0, 2, 5));
    CleReport.Result r = CleReport.run(g, new CleReport.Settings(8, 1, 3));
    assertTrue(r.pairs() >= 30, "pairs " + r.pairs());
    double worstBefore = 0;
    double worstAfter = 0;
    for (CleReport.LayerRanges l : r.layers()) {
      worstBefore = Math.max(worstBefore, l.ratioBefore());
      worstAfter = Math.max(worstAfter, l.ratioAfter());
    }
    assertTrue(worstAfter < worstBefore / 3, worstBefore + " -> " + worstAfter);
    assertTrue(r.sqnrAfterDb() > r.sqnrBeforeDb() + 3, r.sqnrBeforeDb() + " -> " + r.sqnrAfterDb());
    assertTrue(r.equalizedError() <= 1e-5, "CLE drift " + r.equalizedError());
  }
}
