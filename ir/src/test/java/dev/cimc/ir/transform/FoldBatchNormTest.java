package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** fold-batch-norm on random networks with non-trivial batch-norm statistics: exact, counted, recorded. */
class FoldBatchNormTest {
  static long count(Graph g, String op) {
    long n = 0;
    for (Node x = g.first(); x != null; x = x.next()) {
      n += x.op().fullName().equals(op) ? 1 : 0;
    }
    return n;
  }

  private static Map<String, Long> foldAndCompare(Graph g) {
    Graph after = g.copy();
    PassManager.Result r = TransformTesting.run(after, "fold-batch-norm");
    Numerics.assertEquivalent(g, after, 1e-5, 3);
    Map<String, Long> stats = r.runs().get(0).statistics();
    assertEquals(stats.get("left-alone"), count(after, "graph.batch_norm"), "batch norms left");
    return stats;
  }

  @Test
  void convolutionsOfEveryGroupingFoldTheBatchNormAfterThem() {
    var n = new SyntheticNets("convs", 1);
    Value x = n.input("x", 1, 8, 9, 9);
    Value a = n.relu(n.batchNorm(n.conv(x, 8, 3, 1, 1, 1, true)));
    Value d = n.relu6(n.batchNorm(n.conv(a, 8, 3, 2, 1, 8, false)));
    Value g = n.batchNorm(n.conv(d, 12, 1, 1, 0, 4, false));
    n.builder().output(g);
    Map<String, Long> s = foldAndCompare(n.builder().build());
    assertEquals(3L, s.get("into-conv"));
    assertEquals(0L, s.get("lowered-to-mul-add"));
  }

  @Test
  void transposedConvolutionGemmAndMatmulFold() {
    var n = new SyntheticNets("others", 2);
    var b = n.builder();
    Value x = n.input("x", 1, 4, 5, 5);
    Value t = b.named("up", "graph.conv_transpose2d", Attributes.of("strides", Attribute.ints(2, 2), "group",
        Attribute.of(2L)), x, b.constant("up.weight", n.gaussian(0.5, 4, 3, 3, 3)));
    Value v = n.input("v", 3, 6);
    Value gm = n.gemm(v, 5);
    Value mm = b.named("mm", "graph.matmul", Attributes.EMPTY, v, b.constant("mm.weight", n.gaussian(0.5, 6, 7)));
    b.output(n.batchNorm(t), n.batchNorm(gm), n.batchNorm(mm));
    Map<String, Long> s = foldAndCompare(b.build());
    assertEquals(1L, s.get("into-conv-transpose"));
    assertEquals(1L, s.get("into-gemm"));
    assertEquals(1L, s.get("into-matmul"));
  }

  @Test
  void batchNormBeforeUnpaddedConvsFoldsForwardAndElseLowers() {
    var n = new SyntheticNets("before", 3);
    Value x = n.input("x", 1, 6, 7, 7);
    Value bn = n.batchNorm(x);
    Value y1 = n.conv(bn, 4, 1, 1, 0, 1, true);
    Value y2 = n.conv(bn, 6, 3, 2, 0, 3, false);
    Value bn2 = n.batchNorm(x);
    Value y3 = n.conv(bn2, 4, 3, 1, 1, 1, true);
    Value bn3 = n.batchNorm(n.input("z", 2, 6));
    n.builder().output(y1, y2, y3, bn3);
    Map<String, Long> s = foldAndCompare(n.builder().build());
    assertEquals(1L, s.get("into-next-conv"));
    assertEquals(2L, s.get("lowered-to-mul-add"));
  }

  @Test
  void foldedLayersRecordTheBatchNormStatistics() {
    var n = new SyntheticNets("stats", 4);
    Value x = n.input("x", 1, 3, 4, 4);
    Value y = n.batchNorm(n.conv(x, 5, 1, 1, 0, 1, false));
    n.builder().output(y);
    Graph g = n.builder().build();
    Node bn = g.value(y.name()).producer();
    double[] scale = Rewrites.doubles(Rewrites.of(bn.operand(1)));
    double[] shift = Rewrites.doubles(Rewrites.of(bn.operand(2)));
    double[] var = Rewrites.doubles(Rewrites.of(bn.operand(4)));
    TransformTesting.run(g, "fold-batch-norm");
    Node conv = g.value(y.name()).producer();
    assertEquals("graph.conv2d", conv.op().fullName());
    Tensor stats = ((Attribute.TensorAttr) conv.attr(FoldBatchNorm.BN_STATS)).value();
    for (int c = 0; c < 5; c++) {
      assertEquals(shift[c], stats.getDouble(c), 1e-6);
      assertEquals(Math.abs(scale[c]) * Math.sqrt(var[c] / (var[c] + 1e-3)), stats.getDouble(5 + c), 1e-5);
    }
    var n2 = new SyntheticNets("stats", 4);
    Value x2 = n2.input("x", 1, 3, 4, 4);
    Value y2 = n2.batchNorm(n2.conv(x2, 5, 1, 1, 0, 1, false));
    n2.builder().output(y2);
    Graph h = n2.builder().build();
    TransformTesting.run(h, "fold-batch-norm{record-statistics=false}");
    assertNull(h.value(y2.name()).producer().attr(FoldBatchNorm.BN_STATS));
  }

  @Test
  void nonConstantParametersAreLeftAlone() {
    var n = new SyntheticNets("alone", 5);
    var b = n.builder();
    Value x = n.input("x", 1, 3, 2, 2);
    Value var = n.input("var", 3);
    Value c = b.constant("c", n.gaussian(1, 3));
    b.output(b.named("bn", "graph.batch_norm", Attributes.EMPTY, x, c, c, c, var));
    Graph g = b.build();
    Map<String, Long> s = foldAndCompare(g);
    assertEquals(1L, s.get("left-alone"));
  }
}
