package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The -O pipelines on a calibrated MobileNetV2-shaped graph: what they leave, and how far outputs move. */
class PipelineNumericsTest {
  private static Graph model;

  @BeforeAll
  static void build() {
    model = MobileNetV2Graph.build(new MobileNetV2Graph.Settings(64, 0.35, 10, 1.0, 8, 1));
  }

  private static Graph run(String pipeline) {
    Graph g = model.copy();
    new PassManager(Pipelines.graphLevel(Pipelines.resolve(pipeline, PassRegistry.standard())), PassManager.Options.defaults(),
        TransformTesting.OPS).run(g);
    return g;
  }

  @Test
  void o1FoldsEveryBatchNormExactly() {
    Graph g = run("O1");
    assertEquals(0, FoldBatchNormTest.count(g, "graph.batch_norm"));
    assertEquals(FoldBatchNormTest.count(model, "graph.conv2d"), FoldBatchNormTest.count(g, "graph.conv2d"));
    Numerics.assertEquivalent(model, g, 1e-5, 2);
  }

  @Test
  void o2WithoutBiasAbsorptionIsExact() {
    String o1 = Pipelines.text(OptLevel.O1);
    Graph g = run(o1 + ",cross-layer-equalization,fuse,canonicalize");
    assertEquals(0, FoldBatchNormTest.count(g, "graph.clip"));
    assertEquals(FoldBatchNormTest.count(model, "graph.clip"), FoldBatchNormTest.count(g, "graph.fused_conv2d"),
        "every conv with a relu6 fused");
    Numerics.assertEquivalent(model, g, 1e-5, 2);
  }

  @Test
  void o2FusesAndStaysClose() {
    Graph g = run("O2");
    assertTrue(FoldBatchNormTest.count(g, "graph.fused_conv2d") >= 30);
    assertEquals(0, FoldBatchNormTest.count(g, "graph.batch_norm") + FoldBatchNormTest.count(g, "graph.clip"));
    double err = Numerics.maxRelativeError(model, g, 2, 3);
    assertTrue(err < 0.02, "O2 drift (bias absorption is approximate) " + err);
  }
}
