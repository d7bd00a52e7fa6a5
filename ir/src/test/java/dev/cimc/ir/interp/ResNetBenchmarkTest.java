package dev.cimc.ir.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import org.junit.jupiter.api.Test;

/** The benchmark's graph has the ResNet-50 v1 shape (the benchmark itself is not run here). */
class ResNetBenchmarkTest {

  @Test
  void graphHasResNet50Shape() {
    Graph g = ResNetBenchmark.resnet50(1);
    assertEquals(java.util.List.of(), Verifier.verify(g));
    assertEquals(TensorType.f32(1, 1000), g.outputs().get(0).type());
    int convs = 0;
    int adds = 0;
    double flops = 0;
    for (Node n : g.nodes()) {
      convs += n.op().fullName().equals("graph.conv2d") ? 1 : 0;
      adds += n.op().fullName().equals("graph.add") ? 1 : 0;
      flops += ResNetBenchmark.flops(n);
    }
    assertEquals(53, convs, "49 block convolutions + 4 projections");
    assertEquals(16, adds, "one residual add per bottleneck block");
    // ResNet-50 v1 (stride on the first 1x1 of a block): 3.86 GMAC in convolutions, 2.05 M in the classifier
    assertEquals(7.716, flops / 1e9, 0.001);
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new ResNetBenchmark.Settings(0, 1, 1, 0));
  }
}
