package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** cse and the graph-wide rules canonicalize gained: constants by content, defaults, shape folding. */
class CommonSubexpressionTest {
  @Test
  void constantsMergeByContentAndDefaultsCount() {
    var b = new GraphBuilder("cse", TransformTesting.OPS);
    Value x = b.input("x", TransformTesting.f32(1, 2, 4, 4));
    float[] w = new float[2 * 2 * 3 * 3];
    for (int i = 0; i < w.length; i++) {
      w[i] = i * 0.125f;
    }
    Value w1 = b.constant("w1", Tensor.ofFloats(new int[] {2, 2, 3, 3}, w));
    Value w2 = b.constant("w2", Tensor.ofFloats(new int[] {2, 2, 3, 3}, w.clone()));
    Value c1 = b.named("c1", "graph.conv2d", Attributes.EMPTY, x, w1);
    Value c2 = b.named("c2", "graph.conv2d", Attributes.of("group", Attribute.of(1L)), x, w2);
    b.output(b.named("s", "graph.add", Attributes.EMPTY, c1, c2));
    Graph g = b.build();
    Graph after = g.copy();
    assertEquals(Map.of("nodes-merged", 2L), TransformTesting.run(after, "cse").runs().get(0).statistics());
    assertEquals(1, FoldBatchNormTest.count(after, "graph.conv2d"));
    Numerics.assertEquivalent(g, after, 0, 2);
  }

  @Test
  void canonicalizeFoldsShapeArithmeticButNotFloatWeights() {
    var b = new GraphBuilder("shape", TransformTesting.OPS);
    Value x = b.input("x", TransformTesting.f32(2, 3));
    Value s = b.named("s", "graph.shape", Attributes.EMPTY, x);
    Value two = b.constant("two", Tensor.ofLongs(new int[] {1}, 2));
    Value m = b.named("m", "graph.mul", Attributes.EMPTY, s, two);
    Value f1 = b.constant("f1", Tensor.ofFloats(new int[] {3}, 1, 2, 3));
    Value f = b.named("f", "graph.add", Attributes.EMPTY, f1, f1);
    b.output(m, b.named("y", "graph.add", Attributes.EMPTY, x, f));
    Graph g = b.build();
    Map<String, Long> st = TransformTesting.run(g, "canonicalize").runs().get(0).statistics();
    assertEquals(1L, st.get("shape-nodes-folded"));
    assertEquals(1L, st.get("patterns-applied"));
    assertEquals(2, FoldBatchNormTest.count(g, "graph.add"), "the float add of constants stays for fold-constants");
  }
}
