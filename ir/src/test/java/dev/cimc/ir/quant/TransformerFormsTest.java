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
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.fakequant.RandomCalibration;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The integer forms a torch-exported transformer needs besides products, softmax and layer norm: slices of a
 * fused QKV projection on codes, the 1/√d scaling by table, a mean pool over tokens as an integer average
 * pool, and softmax results with scale 2^−bits.
 */
class TransformerFormsTest {
  private static final OpRegistry R = Dialects.standard();

  /** x[2, 6, 12] → slice q, k → q / 2.828 → scores → softmax → mean over tokens → gemm. */
  static Graph net(long seed) {
    var rng = new SplittableRandom(seed);
    var b = new GraphBuilder("forms", R);
    Value x = b.input("x", TensorType.f32(2, 6, 12));
    Value qkv = b.named("qkv", "graph.matmul", Attributes.EMPTY, x, b.constant("w", QuantPipelineTest.random(rng, 0.4, 12, 8)));
    Value q = b.named("sq", "graph.slice", Attributes.of("starts", Attribute.ints(0), "ends", Attribute.ints(4),
        "axes", Attribute.ints(-1)), qkv);
    Value k = b.named("sk", "graph.slice", Attributes.of("starts", Attribute.ints(4), "ends", Attribute.ints(8),
        "axes", Attribute.ints(-1)), qkv);
    Value qs = b.named("qs", "graph.div", Attributes.EMPTY, q, b.constant("c", Tensor.ofFloats(new int[0], 2.828427f)));
    Value kt = b.named("kt", "graph.transpose", Attributes.of("perm", Attribute.ints(0, 2, 1)), k);
    Value a = b.named("a", "graph.softmax", Attributes.EMPTY, b.named("s", "graph.matmul", Attributes.EMPTY, qs, kt));
    Value m = b.named("m", "graph.reduce_mean", Attributes.of("axes", Attribute.ints(1), "keepdims", Attribute.of(0L)), a);
    b.output(b.named("y", "graph.gemm", Attributes.EMPTY, m, b.constant("wy", QuantPipelineTest.random(rng, 0.5, 6, 3))));
    return b.build();
  }

  @Test
  void sliceScaleSoftmaxAndMeanPoolAreInteger() {
    Graph g = net(3);
    QuantPipelineTest.Lowered l = QuantPipelineTest.lower(g, RandomCalibration.plan(g, QuantPlan.defaults(), 32, 5));
    assertEquals(new TreeSet<>(List.of("graph.reshape", "graph.slice", "graph.transpose")),
        QuantPipelineTest.floatOps(l.integer()), () -> FusedQuantTest.ops(l.integer()).toString());
    var ops = FusedQuantTest.ops(l.integer());
    assertEquals(1L, ops.get("q.lut"), "the 1/√d scaling: " + ops);
    assertEquals(1L, ops.get("q.average_pool"), "the mean over tokens: " + ops);
    assertEquals(1L, ops.get("q.qmatmul"), ops::toString);
    Node sm = null;
    for (Node n = l.integer().first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("q.softmax")) {
        sm = n;
      }
    }
    assertEquals(QuantParams.perTensor(1.0 / 256, 0), sm.result().type().quant());
    assertTrue(QuantPipelineTest.check(g, l, 16, 7) >= 25);
  }
}
