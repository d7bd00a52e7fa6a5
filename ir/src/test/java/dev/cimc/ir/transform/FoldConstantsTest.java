package dev.cimc.ir.transform;

import static dev.cimc.ir.transform.TransformTesting.f32;
import static dev.cimc.ir.transform.TransformTesting.perm;
import static dev.cimc.ir.transform.TransformTesting.run;
import static dev.cimc.ir.transform.TransformTesting.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.pass.PassException;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FoldConstantsTest {
  private static GraphBuilder builder(String name) {
    return new GraphBuilder(name, TransformTesting.OPS);
  }

  /** c1 + c2 = a, c1 - a = m, relu(m) = r: a chain of three foldable nodes feeding two outputs. */
  static Graph chain() {
    var b = builder("fold");
    Value x = b.input("x", f32(2));
    Value c1 = b.constant("c1", Tensor.ofFloats(new int[] {2}, 1f, 2f));
    Value c2 = b.constant("c2", Tensor.ofFloats(new int[] {2}, 3f, 4f));
    Value a = b.named("a", "graph.add", Attributes.EMPTY, c1, c2);
    Value m = b.named("m", "graph.sub", Attributes.EMPTY, c1, a);
    Value r = b.named("r", "graph.relu", Attributes.EMPTY, m);
    b.output(b.named("y", "graph.add", Attributes.EMPTY, x, m), b.named("z", "graph.mul", Attributes.EMPTY, x, r));
    return b.build();
  }

  @Test
  void foldsAChainInOneSweepKeepingNames() {
    Graph g = chain();
    PassManager.Result r = run(g, "fold-constants");
    assertEquals("""
        graph @fold(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
          %c1 = const dense<[1.0, 2.0]> : tensor<2xf32>
          %c2 = const dense<[3.0, 4.0]> : tensor<2xf32>
          %a = const dense<[4.0, 6.0]> : tensor<2xf32>
          %m = const dense<[-3.0, -4.0]> : tensor<2xf32>
          %r = const dense<0.0> : tensor<2xf32>
          %y = graph.add(%x, %m) : tensor<2xf32>
          %z = graph.mul(%x, %r) : tensor<2xf32>
          return %y, %z
        }
        """, text(g));
    assertEquals(Map.of("nodes-folded", 3L), r.runs().get(0).statistics());
    assertTrue(r.runs().get(0).changed());
  }

  @Test
  void withDceOnlyTheUsedConstantsRemain() {
    Graph g = chain();
    run(g, "fold-constants,dce");
    assertEquals("""
        graph @fold(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
          %m = const dense<[-3.0, -4.0]> : tensor<2xf32>
          %r = const dense<0.0> : tensor<2xf32>
          %y = graph.add(%x, %m) : tensor<2xf32>
          %z = graph.mul(%x, %r) : tensor<2xf32>
          return %y, %z
        }
        """, text(g));
  }

  @Test
  void foldedLocationsAreKept() {
    var b = builder("loc");
    Value c = b.constant("c", Tensor.ofFloats(new int[] {2}, -1f, 1f));
    b.at(Location.file("m.cir", 4, 3));
    b.output(b.named("r", "graph.relu", Attributes.EMPTY, c));
    Graph g = b.build();
    run(g, "fold-constants");
    assertEquals(Location.file("m.cir", 4, 3), g.value("r").producer().location());
  }

  static Graph transposedWeight() {
    var b = builder("t");
    Value x = b.input("x", f32(2, 3));
    Value w = b.constant("w", Tensor.ofFloats(new int[] {2, 3}, 1, 2, 3, 4, 5, 6));
    Value wt = b.named("wt", "graph.transpose", perm(1, 0), w);
    b.output(b.named("y", "graph.matmul", Attributes.EMPTY, x, wt));
    return b.build();
  }

  @Test
  void maxElementsLimitsWhatIsFolded() {
    Graph small = transposedWeight();
    PassManager.Result r = run(small, "fold-constants{max-elements=5}");
    assertFalse(r.runs().get(0).changed());
    assertEquals(Map.of("nodes-folded", 0L), r.runs().get(0).statistics());
    assertEquals("graph.transpose", small.value("wt").producer().op().fullName());

    Graph exact = transposedWeight();
    run(exact, "fold-constants{max-elements=6},dce");
    assertEquals("""
        graph @t(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
          %wt = const dense<[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]> : tensor<3x2xf32>
          %y = graph.matmul(%x, %wt) : tensor<2x2xf32>
          return %y
        }
        """, text(exact));
  }

  @Test
  void quantizedResultsKeepTheirTypes() {
    var b = builder("q");
    Value x = b.input("x", f32(3));
    Value c = b.constant("c", Tensor.ofFloats(new int[] {3}, 0.5f, -1f, 2f));
    var qt = new TensorType(ElementType.U8, Shape.of(3), QuantParams.perTensor(0.5, 128));
    Value q = b.node(TransformTesting.OPS.get("q.quantize"), List.of(c), Attributes.EMPTY, List.of(qt), List.of("q"))
        .result();
    Value d = b.named("d", "q.dequantize", Attributes.EMPTY, q);
    b.output(b.named("y", "graph.add", Attributes.EMPTY, x, d));
    Graph g = b.build();
    TransformTesting.assertSameOutputs(g, "fold-constants,dce");
    run(g, "fold-constants");
    assertEquals("""
        graph @q(%x: tensor<3xf32>) -> tensor<3xf32> {
          %c = const dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
          %q = const dense<[129, 126, 132]> : tensor<3x!q.u8<scale=0.5, zp=128>>
          %d = const dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
          %y = graph.add(%x, %d) : tensor<3xf32>
          return %y
        }
        """, text(g));
  }

  @Test
  void multiResultNodesFoldToOneConstantPerResult() {
    var b = builder("split");
    Value x = b.input("x", f32(2));
    Value c = b.constant("c", Tensor.ofFloats(new int[] {2}, 1f, -2f));
    List<Value> parts = b.ops("test.split", Attributes.EMPTY, 2, c);
    b.output(b.op("graph.add", x, parts.get(0)), b.op("graph.mul", x, parts.get(1)));
    Graph g = b.build();
    TransformTesting.assertSameOutputs(g, "fold-constants");
    run(g, "fold-constants,dce");
    assertEquals("""
        graph @split(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
          %0 = const dense<[1.0, -2.0]> : tensor<2xf32>
          %1 = const dense<[-1.0, 2.0]> : tensor<2xf32>
          %2 = graph.add(%x, %0) : tensor<2xf32>
          %3 = graph.mul(%x, %1) : tensor<2xf32>
          return %2, %3
        }
        """, text(g));
  }

  @Test
  void impureNodesAndNodesReadingInputsStay() {
    var b = builder("keep");
    Value x = b.input("x", f32(2));
    Value c = b.constant("c", Tensor.ofFloats(new int[] {2}, 1f, 2f));
    Value e = b.named("e", "test.effect", Attributes.EMPTY, c);
    b.output(b.named("y", "graph.add", Attributes.EMPTY, x, c), e);
    Graph g = b.build();
    String before = text(g);
    PassManager.Result r = run(g, "fold-constants");
    assertEquals(before, text(g));
    assertFalse(r.runs().get(0).changed());
  }

  @Test
  void deadNodesAreLeftForDce() {
    var b = builder("dead");
    Value x = b.input("x", f32(2));
    Value c = b.constant("c", Tensor.ofFloats(new int[] {2}, 1f, 2f));
    b.named("unused", "graph.relu", Attributes.EMPTY, c);
    b.output(x);
    Graph g = b.build();
    assertEquals(0L, run(g, "fold-constants").runs().get(0).statistics().get("nodes-folded"));
  }

  @Test
  void aKernelErrorIsAPassFailureOnTheNode() {
    var b = builder("div");
    Value x = b.input("x", f32(2));
    Value one = b.constant("one", Tensor.ofFloats(new int[] {2}, 1f, 1f));
    Value zero = b.constant("zero", Tensor.ofFloats(new int[] {2}, 2f, 0f));
    b.at(Location.file("m.cir", 4, 3));
    Value q = b.named("q", "test.idiv", Attributes.EMPTY, one, zero);
    b.output(b.op("graph.add", x, q));
    var e = assertThrows(PassException.class, () -> run(b.build(), "fold-constants"));
    assertEquals("pass 'fold-constants' failed on %q = test.idiv (m.cir:4:3): integer division by zero at element 1",
        e.getMessage());
  }

  @Test
  void outputsAreBitIdenticalAfterFolding() {
    TransformTesting.assertSameOutputs(chain(), "fold-constants");
    TransformTesting.assertSameOutputs(transposedWeight(), "fold-constants");
    TransformTesting.assertSameOutputs(Models.mlp(), "fold-constants");
  }
}
