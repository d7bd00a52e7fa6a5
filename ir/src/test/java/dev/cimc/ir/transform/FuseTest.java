package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** fuse on random layers: every rewrite counted and exact. */
class FuseTest {
  @Test
  void everyFusionOnARandomNetwork() {
    var n = new SyntheticNets("fuse", 4);
    GraphBuilder b = n.builder();
    Value x = n.input("x", 1, 4, 6, 6);
    Value p = b.named("p", "graph.pad", Attributes.of("pads", Attribute.ints(0, 0, 1, 2, 0, 0, 1, 0)), x);
    Value c = n.conv(p, 6, 3, 1, 0, 2, false);
    Value cb = b.named("cb", "graph.add", Attributes.EMPTY, c, b.constant("cbias", n.gaussian(1, 6, 1, 1)));
    Value r6 = n.relu6(cb);
    Value c2 = n.conv(r6, 6, 1, 1, 0, 1, true);
    Value hs = b.named("hs", "graph.hard_swish", Attributes.EMPTY, c2);
    Value res = n.relu(b.named("res", "graph.add", Attributes.EMPTY, hs, r6));
    Value v = n.input("v", 3, 8);
    Value mm = b.named("mm", "graph.matmul", Attributes.EMPTY, v, b.constant("mw", n.gaussian(0.5, 8, 5)));
    Value mb = b.named("mb", "graph.add", Attributes.EMPTY, mm, b.constant("mbias", n.gaussian(1, 1, 5)));
    Value lk = b.named("lk", "graph.leaky_relu", Attributes.of("alpha", Attribute.of(0.25)), mb);
    Value g2 = b.named("sg", "graph.sigmoid", Attributes.EMPTY, n.gemm(lk, 4));
    b.output(res, g2);
    Graph g = b.build();
    Graph after = g.copy();
    Map<String, Long> s = TransformTesting.run(after, "fuse").runs().get(0).statistics();
    assertEquals(Map.of("pads-folded", 1L, "matmuls-to-gemm", 1L, "biases-folded", 1L, "convs-fused", 2L,
        "gemms-fused", 2L, "adds-fused", 1L), s);
    Numerics.assertEquivalent(g, after, 1e-5, 3);
    assertEquals(2, FoldBatchNormTest.count(after, "graph.fused_conv2d"));
    assertEquals(2, FoldBatchNormTest.count(after, "graph.fused_gemm"));
    assertEquals(1, FoldBatchNormTest.count(after, "graph.fused_add"));
    assertEquals(0, FoldBatchNormTest.count(after, "graph.pad") + FoldBatchNormTest.count(after, "graph.matmul")
        + FoldBatchNormTest.count(after, "graph.relu") + FoldBatchNormTest.count(after, "graph.clip"));
  }

  @Test
  void sharedResultsAndReflectPadsStay() {
    var n = new SyntheticNets("keep", 5);
    GraphBuilder b = n.builder();
    Value x = n.input("x", 1, 2, 5, 5);
    Value p = b.named("p", "graph.pad", Attributes.of("pads", Attribute.ints(0, 0, 1, 1, 0, 0, 1, 1), "mode",
        Attribute.of("reflect")), x);
    Value c = n.conv(p, 3, 3, 1, 0, 1, true);
    b.output(n.relu(c), c);
    Graph g = b.build();
    Map<String, Long> s = TransformTesting.run(g, "fuse").runs().get(0).statistics();
    assertEquals(0L, s.values().stream().mapToLong(Long::longValue).sum());
  }
}
