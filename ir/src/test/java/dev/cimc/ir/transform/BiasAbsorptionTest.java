package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bias-absorption: exact wherever the pre-activation stays above the absorbed amount; refusals counted. */
class BiasAbsorptionTest {
  /**
   * relu(x) → conv with positive weights and bias b (stats: mean b, std 0.1) → relu or relu6 → 1×1 conv. The
   * first conv's output is at least b, and c = b − 0.3 < b, so the rewrite is exact on every input.
   */
  private static Graph positive(String act, boolean paddedSecond) {
    var n = new SyntheticNets("absorb", 9);
    GraphBuilder b = n.builder();
    Value x = b.named("xr", "graph.relu", Attributes.EMPTY, n.input("x", 1, 3, 5, 5));
    float[] w = new float[4 * 3];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.1f + 0.05f * i;
    }
    float[] bias = {2f, 0.1f, 5f, 1f};
    float[] stats = {2f, 0.1f, 5f, 1f, 0.1f, 0.1f, 0.1f, 0.1f};
    Value y = b.named("y", "graph.conv2d", Attributes.of(FoldBatchNorm.BN_STATS,
        new Attribute.TensorAttr(Tensor.ofFloats(new int[] {2, 4}, stats))), x,
        b.constant("w1", Tensor.ofFloats(new int[] {4, 3, 1, 1}, w)), b.constant("b1", Tensor.ofFloats(new int[] {4},
            bias)));
    Value a = act.equals("relu") ? n.relu(y) : n.relu6(y);
    Attributes second = paddedSecond ? Attributes.of("pads", Attribute.ints(1, 1, 1, 1)) : Attributes.EMPTY;
    b.output(b.named("z", "graph.conv2d", second, a, b.constant("w2", n.gaussian(1.0, 2, 4, 1, 1))));
    return b.build();
  }

  private static Map<String, Long> absorb(Graph g) {
    return TransformTesting.run(g, "fold-batch-norm,bias-absorption").runs().get(1).statistics();
  }

  @Test
  void absorptionThroughReluIsExactAboveTheThreshold() {
    Graph g = positive("relu", false);
    Graph after = g.copy();
    Map<String, Long> s = absorb(after);
    assertEquals(1L, s.get("pairs-absorbed"));
    assertEquals(3L, s.get("channels-absorbed"));
    Numerics.assertEquivalent(g, after, 1e-5, 3);
    Node y = after.value("y").producer();
    Tensor stats = ((Attribute.TensorAttr) y.attr(FoldBatchNorm.BN_STATS)).value();
    // mean − c = 3·std wherever c > 0
    assertEquals(0.3, stats.getDouble(0), 1e-6);
    assertEquals(0.1, stats.getDouble(1), 1e-6);
    assertEquals(0.3, stats.getDouble(2), 1e-6);
    Tensor b1 = Rewrites.of(y.operand(2));
    assertEquals(0.3, b1.getDouble(0), 1e-6);
    assertEquals(0.1, b1.getDouble(1), 1e-6);
    assertEquals(0.3, b1.getDouble(2), 1e-6);
    assertEquals(3, after.value("z").producer().numOperands(), "the second conv gained a bias");
  }

  @Test
  void relu6BecomesReluAndALoweredPerChannelBound() {
    Graph g = positive("relu6", false);
    Graph after = g.copy();
    Map<String, Long> s = absorb(after);
    assertEquals(1L, s.get("pairs-absorbed"));
    assertEquals(0, FoldBatchNormTest.count(after, "graph.clip"));
    assertEquals(1, FoldBatchNormTest.count(after, "graph.min"));
    Numerics.assertEquivalent(g, after, 1e-5, 3);
  }

  @Test
  void refusals() {
    assertEquals(1L, absorb(positive("relu", true)).get("refused-padding"));
    var n = new SyntheticNets("refuse", 3);
    GraphBuilder b = n.builder();
    Value x = n.input("x", 1, 3, 4, 4);
    Value y = n.conv(x, 4, 1, 1, 0, 1, true);
    Value leaky = b.named("l", "graph.leaky_relu", Attributes.EMPTY, n.batchNorm(n.conv(x, 4, 1, 1, 0, 1, false)));
    b.output(n.conv(n.relu(y), 2, 1, 1, 0, 1, false), n.conv(leaky, 2, 1, 1, 0, 1, false));
    Map<String, Long> s = absorb(b.build());
    assertEquals(1L, s.get("no-statistics"));
    assertEquals(1L, s.get("refused-activation"));
    assertEquals(0L, s.get("pairs-absorbed"));
  }

  /** Approximate, not exact: with statistics from 8 calibration images the outputs move by under 2%. */
  @Test
  void onACalibratedMobileNetTheDriftIsSmall() {
    Graph g = MobileNetV2Graph.build(new MobileNetV2Graph.Settings(64, 0.35, 10, 1.0, 8, 5));
    TransformTesting.run(g, "canonicalize,fold-constants,dce,fold-batch-norm,cross-layer-equalization");
    Graph after = g.copy();
    Map<String, Long> s = absorb(after);
    assertTrue(s.get("pairs-absorbed") > 0, s.toString());
    double err = Numerics.maxRelativeError(g, after, 2, 11);
    assertTrue(err < 0.02, "drift " + err);
  }

}
