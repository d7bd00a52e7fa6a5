package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Splat weights (ONNX ConstantOfShape) through fold-batch-norm: when every channel gets the same factor they
 * stay compact splats, otherwise they are expanded; either way the weights and biases are bit for bit those
 * the dense path computes from the same values.
 */
class FoldBatchNormSplatTest {
  private static final float W = 0.02f;

  /** A batch norm whose parameters are the same for every channel, or random per channel. */
  private static Value batchNorm(GraphBuilder b, Value x, String name, boolean uniform, Random rnd) {
    int c = x.type().dim(1);
    float[][] p = new float[4][c];
    for (int i = 0; i < c; i++) {
      p[0][i] = uniform ? 1.7f : (float) Math.exp(rnd.nextGaussian());
      p[1][i] = uniform ? -0.3f : (float) rnd.nextGaussian();
      p[2][i] = uniform ? 0.25f : (float) rnd.nextGaussian();
      p[3][i] = uniform ? 0.9f : (float) Math.exp(rnd.nextGaussian());
    }
    var ops = new ArrayList<Value>(List.of(x));
    String[] kinds = {"weight", "bias", "running_mean", "running_var"};
    for (int k = 0; k < 4; k++) {
      ops.add(b.constant(name + "." + kinds[k], Tensor.ofFloats(new int[] {c}, p[k])));
    }
    return b.named(name, "graph.batch_norm", Attributes.of("epsilon", Attribute.of(1e-5)), ops.toArray(new Value[0]));
  }

  /**
   * conv → bn → scale-shift (a mul by a per-channel constant), and gemm → bn, with weights made by
   * {@code weights} (a splat or the same values dense).
   */
  private static Graph net(Function<TensorType, Tensor> weights, boolean uniform) {
    var rnd = new Random(7);
    var b = new GraphBuilder("splat", TransformTesting.OPS);
    Value x = b.input("x", TensorType.f32(1, 4, 6, 6));
    Value conv = b.named("conv", "graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x,
        b.constant("conv.weight", weights.apply(TensorType.f32(8, 4, 3, 3))));
    Value bn = batchNorm(b, conv, "bn", uniform, rnd);
    float[] s = new float[8];
    Arrays.fill(s, 1.5f);
    if (!uniform) {
      s[3] = -0.5f;
    }
    Value scaled = b.named("scaled", "graph.mul", Attributes.EMPTY, bn,
        b.constant("scale", Tensor.ofFloats(new int[] {8, 1, 1}, s)));
    Value v = b.input("v", TensorType.f32(2, 5));
    Value gemm = b.named("gemm", "graph.gemm", Attributes.EMPTY, v,
        b.constant("gemm.weight", weights.apply(TensorType.f32(5, 3))));
    b.output(scaled, batchNorm(b, gemm, "bn2", uniform, rnd));
    return b.build();
  }

  private static Tensor splat(TensorType t) {
    return Tensor.splat(t, Tensor.ofFloats(new int[] {1}, W));
  }

  private static Tensor dense(TensorType t) {
    float[] v = new float[(int) t.numel()];
    Arrays.fill(v, W);
    return Tensor.wrap(t, v);
  }

  /** The constant operands (weight, bias) of the conv and the gemm after the pass. */
  private static List<Tensor> layerConstants(Graph g) {
    var out = new ArrayList<Tensor>();
    for (Node n = g.first(); n != null; n = n.next()) {
      String op = n.op().fullName();
      if (op.equals("graph.conv2d") || op.equals("graph.gemm")) {
        assertEquals(3, n.numOperands(), n.describe() + " has a bias after folding");
        out.add(Rewrites.of(n.operand(1)));
        out.add(Rewrites.of(n.operand(2)));
      }
    }
    assertEquals(4, out.size());
    return out;
  }

  private static void assertSameAsDense(boolean uniform) {
    Graph splatNet = net(FoldBatchNormSplatTest::splat, uniform);
    Graph denseNet = net(FoldBatchNormSplatTest::dense, uniform);
    Graph before = splatNet.copy();
    TransformTesting.run(splatNet, "fold-batch-norm");
    TransformTesting.run(denseNet, "fold-batch-norm");
    assertEquals(0, FoldBatchNormTest.count(splatNet, "graph.batch_norm"));
    List<Tensor> s = layerConstants(splatNet);
    List<Tensor> d = layerConstants(denseNet);
    for (int i = 0; i < s.size(); i++) {
      assertTrue(s.get(i).contentEquals(d.get(i)), "constant " + i + ": splat path " + s.get(i) + " vs dense");
    }
    for (int i : new int[] {0, 2}) {
      assertEquals(uniform, s.get(i).isCompactSplat(), "weights " + i + " compact");
      assertEquals(uniform, s.get(i).isSplat(), "weights " + i + " splat");
    }
    Numerics.assertEquivalent(before, splatNet, 1e-5, 2);
  }

  @Test
  void uniformBatchNormsKeepSplatWeightsCompactAndExact() {
    assertSameAsDense(true);
  }

  @Test
  void perChannelBatchNormsExpandSplatWeightsToTheDenseResult() {
    assertSameAsDense(false);
  }

  @Test
  void aSplatReadByTwoLayersStaysSharedUntilEachIsRewritten() {
    var b = new GraphBuilder("shared", TransformTesting.OPS);
    Value x = b.input("x", TensorType.f32(1, 4, 5, 5));
    Value w = b.constant("w", splat(TensorType.f32(4, 4, 1, 1)));
    Value c1 = b.named("c1", "graph.conv2d", Attributes.EMPTY, x, w);
    Value c2 = b.named("c2", "graph.conv2d", Attributes.EMPTY, x, w);
    var rnd = new Random(3);
    b.output(batchNorm(b, c1, "bn1", true, rnd), c2);
    Graph g = b.build();
    Graph before = g.copy();
    TransformTesting.run(g, "fold-batch-norm");
    Numerics.assertEquivalent(before, g, 1e-5, 2);
    Tensor w2 = null;
    for (Node n = g.first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("graph.conv2d") && n.result().name().equals("c2")) {
        w2 = Rewrites.of(n.operand(1));
      }
    }
    assertTrue(w2 != null && w2.isCompactSplat() && w2.getDouble(0) == W, "the unfolded reader keeps the splat");
    assertFalse(FoldBatchNormTest.count(g, "graph.batch_norm") > 0);
  }
}
