package dev.cimc.ir.transform;

import static dev.cimc.ir.transform.TransformTesting.f32;
import static dev.cimc.ir.transform.TransformTesting.perm;
import static dev.cimc.ir.transform.TransformTesting.run;
import static dev.cimc.ir.transform.TransformTesting.shape;
import static dev.cimc.ir.transform.TransformTesting.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalizeTest {
  private static GraphBuilder builder() {
    return new GraphBuilder("canon", TransformTesting.OPS);
  }

  private static Map<String, Long> stats(long folds, long patterns, long erased) {
    var m = new LinkedHashMap<String, Long>();
    m.put("folds-applied", folds);
    m.put("patterns-applied", patterns);
    m.put("nodes-erased", erased);
    m.put("shape-nodes-folded", 0L);
    m.put("nodes-merged", 0L);
    return m;
  }

  private static Map<String, Long> canonicalize(Graph g) {
    Graph original = g.copy();
    TransformTesting.assertSameOutputs(original, "canonicalize");
    PassManager.Result r = run(g, "canonicalize");
    return r.runs().get(0).statistics();
  }

  @Test
  void identitiesDisappear() {
    var b = builder();
    Value x = b.input("x", f32(2, 3));
    Value r = b.named("r", "graph.relu", Attributes.EMPTY, b.named("i1", "graph.identity", Attributes.EMPTY, x));
    b.output(b.named("i2", "graph.identity", Attributes.EMPTY, r));
    Graph g = b.build();
    assertEquals(stats(2, 0, 0), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
          %r = graph.relu(%x) : tensor<2x3xf32>
          return %r
        }
        """, text(g));
  }

  @Test
  void noOpReshapeAndTransposeFold() {
    var b = builder();
    Value x = b.input("x", f32(2, 3));
    Value same = b.named("same", "graph.reshape", shape(2, -1), x);
    b.output(b.named("t", "graph.transpose", perm(0, 1), same));
    Graph g = b.build();
    assertEquals(stats(2, 0, 0), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
          return %x
        }
        """, text(g));
  }

  @Test
  void reshapeChainsCollapse() {
    var b = builder();
    Value x = b.input("x", f32(2, 3));
    Value f = b.named("f", "graph.reshape", shape(-1), x);
    b.output(b.named("g", "graph.reshape", shape(3, -1), f));
    Graph g = b.build();
    assertEquals(stats(0, 1, 1), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
          %g = graph.reshape(%x) {shape = [3, 2]} : tensor<3x2xf32>
          return %g
        }
        """, text(g));
  }

  @Test
  void aReshapeRoundTripVanishes() {
    var b = builder();
    Value x = b.input("x", f32(2, 3));
    Value f = b.named("f", "graph.reshape", shape(6), x);
    b.output(b.named("g", "graph.reshape", shape(2, 3), f));
    Graph g = b.build();
    assertEquals(stats(1, 1, 1), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
          return %x
        }
        """, text(g));
  }

  @Test
  void transposeChainsCompose() {
    var b = builder();
    Value x = b.input("x", f32(2, 3, 4));
    Value t1 = b.named("t1", "graph.transpose", perm(1, 0, 2), x);
    b.output(b.named("t2", "graph.transpose", perm(2, 0, 1), t1));
    Graph g = b.build();
    assertEquals(stats(0, 1, 1), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
          %t2 = graph.transpose(%x) {perm = [2, 1, 0]} : tensor<4x3x2xf32>
          return %t2
        }
        """, text(g));
  }

  @Test
  void inverseTransposesVanish() {
    var b = builder();
    Value x = b.input("x", f32(2, 3, 4));
    Value t1 = b.named("t1", "graph.transpose", perm(1, 2, 0), x);
    b.output(b.named("t2", "graph.transpose", perm(2, 0, 1), t1));
    Graph g = b.build();
    assertEquals(stats(1, 1, 1), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
          return %x
        }
        """, text(g));
  }

  @Test
  void deadPureNodesAreErasedButImpureOnesStay() {
    var b = builder();
    Value x = b.input("x", f32(2));
    b.named("dead", "graph.relu", Attributes.EMPTY, b.constant("k", Tensor.ofFloats(new int[] {2}, 1f, 2f)));
    b.named("e", "test.effect", Attributes.EMPTY, x);
    b.output(b.named("y", "graph.relu", Attributes.EMPTY, x));
    Graph g = b.build();
    assertEquals(stats(0, 0, 2), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2xf32>) -> tensor<2xf32> {
          %e = test.effect(%x) : tensor<2xf32>
          %y = graph.relu(%x) : tensor<2xf32>
          return %y
        }
        """, text(g));
  }

  @Test
  void foldersOfAnyOpApply() {
    var b = builder();
    Value x = b.input("x", f32(2));
    Value n1 = b.named("n1", "test.neg", Attributes.EMPTY, x);
    b.output(b.named("n2", "test.neg", Attributes.EMPTY, n1));
    Graph g = b.build();
    assertEquals(stats(1, 0, 1), canonicalize(g));
    assertEquals("""
        graph @canon(%x: tensor<2xf32>) -> tensor<2xf32> {
          return %x
        }
        """, text(g));
  }

  @Test
  void aCanonicalGraphIsUnchanged() {
    var b = builder();
    Value x = b.input("x", f32(2));
    b.output(b.named("y", "graph.relu", Attributes.EMPTY, x));
    Graph g = b.build();
    PassManager.Result r = run(g, "canonicalize{max-iterations=1}");
    assertFalse(r.runs().get(0).changed());
    assertEquals(stats(0, 0, 0), r.runs().get(0).statistics());
  }

  @Test
  void theMlpCanonicalizes() {
    Graph g = Models.mlp();
    Map<String, Long> s = canonicalize(g);
    // Folds: two identities, the reshape round trip, the inverse transposes. Patterns: the reshape pair,
    // the transpose triple (twice), the inverse pair. Erased: the dead mul and the bypassed producers.
    assertEquals(stats(4, 4, 5), s);
    assertEquals("""
        graph @mlp(%x: tensor<2x3xf32>) -> (tensor<2x1x2xf32>, tensor<4x1xf32>) {
          %w1 = const dense<[-0.75, 0.5, 0.0, -0.5, 0.75, 0.25, -0.25, -0.75, 0.5, 0.0, -0.5, 0.75]> : tensor<4x3xf32>
          %w1t = graph.transpose(%w1) {perm = [1, 0]} : tensor<3x4xf32>
          %b1 = const dense<[-0.75, 0.5, 0.0, -0.5]> : tensor<4xf32>
          %half = const dense<[0.5]> : tensor<1xf32>
          %bias = graph.mul(%b1, %half) : tensor<4xf32>
          %h = graph.matmul(%x, %w1t) : tensor<2x4xf32>
          %hb = graph.add(%h, %bias) : tensor<2x4xf32>
          %r = graph.relu(%hb) : tensor<2x4xf32>
          %w2 = const dense<[-0.75, 0.5, 0.0, -0.5, 0.75, 0.25, -0.25, -0.75]> : tensor<2x4xf32>
          %w2t3 = graph.transpose(%w2) {perm = [1, 0]} : tensor<4x2xf32>
          %y = graph.matmul(%r, %w2t3) : tensor<2x2xf32>
          %y3 = graph.reshape(%y) {shape = [2, 1, 2]} : tensor<2x1x2xf32>
          %col = graph.reshape(%y) {shape = [4, 1]} : tensor<4x1xf32>
          return %y3, %col
        }
        """, text(g));
  }

  @Test
  void outputsAreBitIdenticalAfterTheO1Pipeline() {
    Graph after = TransformTesting.assertSameOutputs(Models.mlp(), "canonicalize,fold-constants,dce");
    assertEquals("""
        graph @mlp(%x: tensor<2x3xf32>) -> (tensor<2x1x2xf32>, tensor<4x1xf32>) {
          %w1t = const dense<[-0.75, -0.5, -0.25, 0.0, 0.5, 0.75, -0.75, -0.5, 0.0, 0.25, 0.5, 0.75]> : tensor<3x4xf32>
          %bias = const dense<[-0.375, 0.25, 0.0, -0.25]> : tensor<4xf32>
          %h = graph.matmul(%x, %w1t) : tensor<2x4xf32>
          %hb = graph.add(%h, %bias) : tensor<2x4xf32>
          %r = graph.relu(%hb) : tensor<2x4xf32>
          %w2t3 = const dense<[-0.75, 0.75, 0.5, 0.25, 0.0, -0.25, -0.5, -0.75]> : tensor<4x2xf32>
          %y = graph.matmul(%r, %w2t3) : tensor<2x2xf32>
          %y3 = graph.reshape(%y) {shape = [2, 1, 2]} : tensor<2x1x2xf32>
          %col = graph.reshape(%y) {shape = [4, 1]} : tensor<4x1xf32>
          return %y3, %col
        }
        """, text(after));
  }
}
