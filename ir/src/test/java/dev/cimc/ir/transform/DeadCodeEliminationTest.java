package dev.cimc.ir.transform;

import static dev.cimc.ir.transform.TransformTesting.f32;
import static dev.cimc.ir.transform.TransformTesting.run;
import static dev.cimc.ir.transform.TransformTesting.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {
  static Graph sample() {
    var b = new GraphBuilder("dce", TransformTesting.OPS);
    Value x = b.input("x", f32(2));
    b.input("unused", f32(2));
    Value a = b.named("a", "graph.relu", Attributes.EMPTY, x);
    b.named("b", "graph.relu", Attributes.EMPTY, a);
    b.constant("k", Tensor.ofFloats(new int[] {2}, 1f, 2f));
    b.named("e", "test.effect", Attributes.EMPTY, x);
    Value kept = b.named("kept", "graph.relu", Attributes.EMPTY, x);
    b.output(b.named("y", "graph.add", Attributes.EMPTY, x, kept), kept);
    return b.build();
  }

  @Test
  void erasesDeadPureChainsButNotInputsOrImpureNodes() {
    Graph g = sample();
    PassManager.Result r = run(g, "dce");
    assertEquals("""
        graph @dce(%x: tensor<2xf32>, %unused: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
          %e = test.effect(%x) : tensor<2xf32>
          %kept = graph.relu(%x) : tensor<2xf32>
          %y = graph.add(%x, %kept) : tensor<2xf32>
          return %y, %kept
        }
        """, text(g));
    assertEquals(Map.of("nodes-erased", 3L), r.runs().get(0).statistics());
  }

  @Test
  void aCleanGraphIsUnchanged() {
    Graph g = sample();
    run(g, "dce");
    String clean = text(g);
    PassManager.Result r = run(g, "dce");
    assertFalse(r.runs().get(0).changed());
    assertEquals(0L, r.runs().get(0).statistics().get("nodes-erased"));
    assertEquals(clean, text(g));
  }

  @Test
  void outputsAreBitIdenticalAfterDce() {
    TransformTesting.assertSameOutputs(sample(), "dce");
    TransformTesting.assertSameOutputs(Models.mlp(), "dce");
  }
}
