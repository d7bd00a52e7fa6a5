package dev.cimc.ir.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.GraphSurgery;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class VerifierTest {
  private static final OpRegistry R = Dialects.standard();
  private static final Location L2 = Location.file("m.cir", 2, 3);
  private static final Location L3 = Location.file("m.cir", 3, 3);
  private static final Location L4 = Location.file("m.cir", 4, 3);

  private static String diagnostics(Graph g) {
    var sb = new StringBuilder();
    for (Diagnostic d : Verifier.verify(g)) {
      sb.append(sb.length() == 0 ? "" : "\n").append(d.render());
    }
    return sb.toString();
  }

  /** x: tensor<2xf32>; %r = relu(x) at L2; %s = relu(r) at L3; returns s. */
  private static Graph reluChain() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value r = b.at(L2).named("r", "graph.relu", Attributes.EMPTY, x);
    Value s = b.at(L3).named("s", "graph.relu", Attributes.EMPTY, r);
    b.output(s);
    return b.build();
  }

  private static Node node(Graph g, String resultName) {
    return g.value(resultName).producer();
  }

  // ---- rule 1: operands defined before use, in this graph ----

  @Test
  void operandUsedBeforeItsDefinitionIsReported() {
    Graph g = reluChain();
    g.moveBefore(node(g, "s"), node(g, "r"));
    assertEquals("m.cir:3:3: %s = graph.relu: operand 0 (%r) is used before it is defined", diagnostics(g));
  }

  @Test
  void nodeReadingItsOwnResultIsReported() {
    Graph g = reluChain();
    Node r = node(g, "r");
    r.setOperand(0, r.result());
    assertEquals("m.cir:2:3: %r = graph.relu: operand 0 (%r) is used before it is defined", diagnostics(g));
  }

  @Test
  void undefinedOperandSkipsTypeInference() {
    Graph g = reluChain();
    g.value("s").setType(TensorType.f32(7));
    g.moveBefore(node(g, "s"), node(g, "r"));
    // only the undefined operand, no "result 0 has type ..." for %s
    assertEquals("m.cir:3:3: %s = graph.relu: operand 0 (%r) is used before it is defined", diagnostics(g));
  }

  @Test
  void operandFromAnotherGraphIsReported() {
    var ob = new GraphBuilder("other", R);
    Value y = ob.input("y", TensorType.f32(2));
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value a = b.named("a", "graph.add", Attributes.EMPTY, x, x);
    b.output(a);
    Graph g = b.build();
    GraphSurgery.setOperandRaw(a.producer(), 1, y);
    GraphSurgery.removeUseRaw(x, a.producer());
    assertEquals("%a = graph.add: operand 1 (%y) belongs to graph @other", diagnostics(g));
  }

  @Test
  void operandOfAnErasedNodeOrRemovedInputIsReported() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value y = b.input("y", TensorType.f32(2));
    Value a = b.named("a", "graph.relu", Attributes.EMPTY, x);
    Value c = b.named("c", "graph.relu", Attributes.EMPTY, x);
    Value d = b.named("d", "graph.relu", Attributes.EMPTY, x);
    b.output(c, d);
    Graph g = b.build();
    g.erase(a.producer());
    g.removeInput(y);
    GraphSurgery.setOperandRaw(c.producer(), 0, a);
    GraphSurgery.removeUseRaw(x, c.producer());
    GraphSurgery.setOperandRaw(d.producer(), 0, y);
    GraphSurgery.removeUseRaw(x, d.producer());
    assertEquals("""
        %c = graph.relu: operand 0 (%a) is not defined in graph @g (its node was erased)
        %d = graph.relu: operand 0 (%y) is not defined in graph @g""", diagnostics(g));
  }

  // ---- rule 2: every value defined once; names unique and in the name table ----

  @Test
  void valueDefinedByTwoNodesIsReported() {
    Graph g = reluChain();
    Node s = node(g, "s");
    Value r = g.value("r");
    s.setOperand(0, g.input(0));
    g.setOutputs(List.of(r));
    GraphSurgery.setResultRaw(s, 0, r);
    assertEquals("""
        m.cir:3:3: %r = graph.relu: result 0 (%r) is recorded as result 0 of %r = graph.relu at m.cir:2:3
        m.cir:3:3: %r = graph.relu: result 0 (%r) is already defined by %r = graph.relu at m.cir:2:3""",
        diagnostics(g));
  }

  @Test
  void graphInputRedefinedByANodeIsReported() {
    Graph g = reluChain();
    Node s = node(g, "s");
    g.setOutputs(List.of(g.value("r")));
    GraphSurgery.setResultRaw(s, 0, g.input(0));
    assertEquals("""
        m.cir:3:3: %x = graph.relu: result 0 (%x) is recorded as a graph input
        m.cir:3:3: %x = graph.relu: result 0 (%x) is already defined by graph input 0""", diagnostics(g));
  }

  @Test
  void duplicateNameIsReported() {
    Graph g = reluChain();
    GraphSurgery.renameRaw(g.value("s"), "x");
    assertEquals("m.cir:3:3: %x = graph.relu: result 0 (%x): the name %x is already used by graph input 0",
        diagnostics(g));
  }

  @Test
  void nameMissingFromTheNameTableIsReported() {
    Graph g = reluChain();
    GraphSurgery.renameRaw(g.value("s"), "t");
    assertEquals("m.cir:3:3: %t = graph.relu: result 0 (%t) is missing from the graph's name table", diagnostics(g));
  }

  @Test
  void nameTableMappingAnotherValueIsReported() {
    Graph g = reluChain();
    GraphSurgery.renameRaw(g.value("r"), "s");
    assertEquals("""
        m.cir:2:3: %s = graph.relu: result 0 (%s): the graph's name table maps %s to another value
        m.cir:3:3: %s = graph.relu: result 0 (%s): the name %s is already used by %s = graph.relu at m.cir:2:3""",
        diagnostics(g));
  }

  // ---- rule 3: operand count and attribute schema ----

  @Test
  void wrongOperandCountIsReported() {
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(2));
    Node add = g.append(R.get("graph.add"), List.of(x), Attributes.EMPTY, List.of(TensorType.f32(2)),
        List.of("a"), L2);
    Node conv = g.append(R.get("graph.conv2d"), List.of(x, x, x, x), Attributes.EMPTY,
        List.of(TensorType.f32(2)), List.of("c"), L3);
    g.setOutputs(List.of(add.result(), conv.result()));
    assertEquals("""
        m.cir:2:3: %a = graph.add: expected 2 operands, got 1
        m.cir:3:3: %c = graph.conv2d: expected 2 to 3 operands, got 4""", diagnostics(g));
  }

  @Test
  void everyAttributeProblemOfANodeIsReported() {
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(2));
    Node reshape = g.append(R.get("graph.reshape"), List.of(x),
        Attributes.of("allowzero", Attribute.of(1.0), "foo", Attribute.of(1L)), List.of(TensorType.f32(2)),
        List.of("a"), L2);
    Node relu = g.append(R.get("graph.relu"), List.of(reshape.result()), Attributes.of("axis", Attribute.of(1L)),
        List.of(TensorType.f32(2)), List.of("b"), L3);
    Node transpose = g.append(R.get("graph.transpose"), List.of(relu.result()),
        Attributes.of("perm", Attribute.of(0L)), List.of(TensorType.f32(2)), List.of("c"), L4);
    g.setOutputs(List.of(transpose.result()));
    assertEquals("""
        m.cir:2:3: %a = graph.reshape: attribute 'allowzero' must be an int, got a float
        m.cir:2:3: %a = graph.reshape: unknown attribute 'foo' (expected one of: shape, allowzero)
        m.cir:2:3: %a = graph.reshape: missing required attribute 'shape' (int list)
        m.cir:3:3: %b = graph.relu: unknown attribute 'axis' (the op takes none)
        m.cir:4:3: %c = graph.transpose: attribute 'perm' must be an int list, got an int""", diagnostics(g));
  }

  // ---- rule 4: result count ----

  @Test
  void wrongFixedResultCountIsReported() {
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(2));
    Node relu = g.append(R.get("graph.relu"), List.of(x), Attributes.EMPTY,
        List.of(TensorType.f32(2), TensorType.f32(2)), List.of("a", "b"), L2);
    g.append(R.get("const"), List.of(), Attributes.of("value", new Attribute.TensorAttr(Tensor.scalar(1f))),
        List.of(), List.of(), L3);
    g.setOutputs(List.of(relu.result(0)));
    assertEquals("""
        m.cir:2:3: %a = graph.relu: expected 1 result, got 2
        m.cir:3:3: const: expected 1 result, got 0""", diagnostics(g));
  }

  @Test
  void variadicResultCountIsCheckedAgainstInference() {
    OpDef split = OpDef.builder("test", "split")
        .operands("x")
        .variadicResults()
        .infer(ctx -> List.of(ctx.operand(0), ctx.operand(0)))
        .build();
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(2));
    Node two = g.append(split, List.of(x), Attributes.EMPTY, List.of(TensorType.f32(2), TensorType.f32(2)),
        null, L2);
    Node three = g.append(split, List.of(x), Attributes.EMPTY,
        List.of(TensorType.f32(2), TensorType.f32(2), TensorType.f32(2)), List.of("a", "b", "c"), L3);
    g.setOutputs(List.of(two.result(1), three.result(2)));
    assertEquals("m.cir:3:3: %a = test.split: type inference gives 2 results, the node has 3", diagnostics(g));
  }

  // ---- rule 5: result types agree with inference ----

  @Test
  void resultTypeDisagreeingWithInferenceIsReported() {
    Graph g = reluChain();
    g.value("s").setType(TensorType.f32(3));
    assertEquals("m.cir:3:3: %s = graph.relu: result 0 has type tensor<3xf32> but inference gives tensor<2xf32>",
        diagnostics(g));
  }

  @Test
  void inferenceErrorsBecomeDiagnostics() {
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(2));
    Value y = g.addInput("y", TensorType.f32(3));
    Node add = g.append(R.get("graph.add"), List.of(x, y), Attributes.EMPTY, List.of(TensorType.f32(2)),
        List.of("a"), L2);
    Node q = g.append(R.get("q.quantize"), List.of(x), Attributes.EMPTY, List.of(TensorType.of(ElementType.U8, 2)),
        List.of("q"), L3);
    g.setOutputs(List.of(add.result(), q.result()));
    assertEquals("""
        m.cir:2:3: %a = graph.add: shapes 2 and 3 do not broadcast (dimension -1: 2 vs 3)
        m.cir:3:3: %q = q.quantize: result type must be quantized, got tensor<2xu8>""", diagnostics(g));
  }

  @Test
  void crashingInferenceIsReportedNotThrown() {
    OpDef boom = OpDef.builder("test", "boom")
        .operands("x")
        .infer(ctx -> {
          throw new ArithmeticException("boom");
        })
        .build();
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(2));
    Node n = g.append(boom, List.of(x), Attributes.EMPTY, List.of(TensorType.f32(2)), List.of("a"), L2);
    g.setOutputs(List.of(n.result()));
    assertEquals("m.cir:2:3: %a = test.boom: type inference failed: java.lang.ArithmeticException: boom",
        diagnostics(g));
  }

  // ---- rule 6: outputs ----

  @Test
  void graphWithoutOutputsIsReported() {
    Graph g = reluChain();
    g.setOutputs(List.of());
    assertEquals("graph @g: returns nothing (a graph needs at least one output)", diagnostics(g));
  }

  @Test
  void outputsThatAreNotLiveValuesOfTheGraphAreReported() {
    var ob = new GraphBuilder("other", R);
    Value y = ob.input("y", TensorType.f32(2));
    Graph g = reluChain();
    Value r = g.value("r");
    Value dead = g.append(R.get("graph.relu"), List.of(r), Attributes.EMPTY, List.of(TensorType.f32(2)),
        List.of("dead"), null).result();
    g.erase(dead.producer());
    GraphSurgery.addOutputRaw(g, y);
    GraphSurgery.addOutputRaw(g, dead);
    assertEquals("""
        graph @g: output 1 (%y) belongs to graph @other
        graph @g: output 2 (%dead) is not defined in graph @g (its node was erased)""", diagnostics(g));
  }

  // ---- rule 7: use-lists ----

  @Test
  void useListWithExtraOrMissingEntriesIsReported() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value a = b.at(L2).named("a", "graph.add", Attributes.EMPTY, x, x);
    Value c = b.at(L3).named("c", "graph.relu", Attributes.EMPTY, a);
    b.output(c);
    Graph g = b.build();
    GraphSurgery.addUseRaw(x, a.producer());
    GraphSurgery.removeUseRaw(a, c.producer());
    GraphSurgery.addUseRaw(c, a.producer());
    assertEquals("""
        graph @g: use-list of %x lists %a = graph.add 3 times, but the node reads it twice
        m.cir:2:3: %a = graph.add: use-list of %a lists %c = graph.relu 0 times, but the node reads it once
        m.cir:3:3: %c = graph.relu: use-list of %c lists %a = graph.add once, but the node reads it 0 times""",
        diagnostics(g));
  }

  @Test
  void strayUseListEntriesAreReportedInGraphOrder() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value a = b.named("a", "graph.relu", Attributes.EMPTY, x);
    Value c = b.named("c", "graph.relu", Attributes.EMPTY, x);
    Value d = b.named("d", "graph.relu", Attributes.EMPTY, x);
    b.output(a, c, d);
    Graph g = b.build();
    GraphSurgery.addUseRaw(a, d.producer());
    GraphSurgery.addUseRaw(a, c.producer());
    GraphSurgery.addUseRaw(a, d.producer());
    assertEquals("""
        %a = graph.relu: use-list of %a lists %c = graph.relu once, but the node reads it 0 times
        %a = graph.relu: use-list of %a lists %d = graph.relu twice, but the node reads it 0 times""",
        diagnostics(g));
  }

  @Test
  void useListNamingAnErasedNodeIsReported() {
    Graph g = reluChain();
    Value x = g.input(0);
    Node t = g.append(R.get("graph.relu"), List.of(x), Attributes.EMPTY, List.of(TensorType.f32(2)),
        List.of("t"), null);
    g.erase(t);
    GraphSurgery.addUseRaw(x, t);
    assertEquals("graph @g: use-list of %x lists %t = graph.relu, which is not a node of graph @g", diagnostics(g));
  }

  // ---- rule 8: dynamic dimensions are legal ----

  @Test
  void dynamicDimensionsAreLegal() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", new TensorType(ElementType.F32, Shape.of(Shape.DYNAMIC, 4), null));
    Value w = b.constant("w", Tensor.ofFloats(new int[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8));
    Value m = b.op("graph.matmul", b.op("graph.relu", x), w);
    Value r = b.op("graph.reshape", Attributes.of("shape", Attribute.ints(-1)), m);
    b.output(b.op("graph.add", r, b.constant(Tensor.scalar(1f))));
    Graph g = b.build();
    assertEquals("tensor<?xf32>", g.output(0).type().toString());
    assertEquals(List.of(), Verifier.verify(g));
  }

  // ---- all problems at once, and the exception ----

  /** Three different problems, created out of node order. */
  private static Graph threeProblems() {
    Graph g = reluChain();
    g.setOutputs(List.of());
    g.value("r").setType(TensorType.f32(3));
    g.moveBefore(node(g, "s"), node(g, "r"));
    return g;
  }

  @Test
  void everyProblemIsReportedInNodeOrder() {
    List<Diagnostic> ds = Verifier.verify(threeProblems());
    assertEquals(List.of(
        new Diagnostic(L3, "%s = graph.relu", "operand 0 (%r) is used before it is defined"),
        new Diagnostic(L2, "%r = graph.relu", "result 0 has type tensor<3xf32> but inference gives tensor<2xf32>"),
        new Diagnostic(Location.UNKNOWN, "graph @g", "returns nothing (a graph needs at least one output)")), ds);
  }

  @Test
  void verificationExceptionRendersEveryProblem() {
    var e = assertThrows(VerificationException.class, () -> Verifier.check(threeProblems()));
    assertEquals("""
        error: graph @g is invalid (3 problems)
          m.cir:3:3: %s = graph.relu: operand 0 (%r) is used before it is defined
          m.cir:2:3: %r = graph.relu: result 0 has type tensor<3xf32> but inference gives tensor<2xf32>
          graph @g: returns nothing (a graph needs at least one output)""", e.render());
    assertEquals("graph @g is invalid (3 problems)", e.getMessage());
    assertEquals(Location.UNKNOWN, e.location());
    assertEquals(1, e.exitCode());
    assertEquals(3, e.diagnostics().size());
  }

  @Test
  void verificationExceptionWithOneProblem() {
    Graph g = reluChain();
    g.setOutputs(List.of());
    var e = assertThrows(VerificationException.class, () -> Verifier.check(g));
    assertEquals("""
        error: graph @g is invalid (1 problem)
          graph @g: returns nothing (a graph needs at least one output)""", e.render());
  }

  // ---- valid graphs ----

  /** A graph that uses every op of the standard registry, built through the builder. */
  static Graph everyStandardOp() {
    var b = new GraphBuilder("all", R);
    Value x = b.input("x", TensorType.f32(1, 2, 4, 4));
    float[] wv = new float[3 * 2 * 3 * 3];
    for (int i = 0; i < wv.length; i++) {
      wv[i] = (i % 7) - 3;
    }
    Value w = b.constant("w", Tensor.ofFloats(new int[] {3, 2, 3, 3}, wv));
    Value bias = b.constant("bias", Tensor.ofFloats(new int[] {3}, 0.5f, -1f, 2f));
    Value c = b.op("graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x, w, bias);
    Value c2 = b.op("graph.conv2d", x, w);
    Value rl = b.op("graph.relu", c);
    Value rs = b.op("graph.reshape", Attributes.of("shape", Attribute.ints(1, 3, -1)), rl);
    Value tr = b.op("graph.transpose", Attributes.of("perm", Attribute.ints(0, 2, 1)), rs);
    Value m = b.constant("m", Tensor.ofFloats(new int[] {3, 2}, 1, -1, 2, 0.5f, 0, 1));
    Value mm = b.op("graph.matmul", tr, m);
    Value a = b.op("graph.add", mm, mm);
    Value s = b.op("graph.sub", a, mm);
    Value mu = b.op("graph.mul", s, b.constant(Tensor.scalar(0.25f)));
    Value d = b.op("graph.div", mu, b.constant(Tensor.scalar(2f)));
    Value id = b.op("graph.identity", d);
    var qt = new TensorType(ElementType.U8, id.type().shape(), QuantParams.perTensor(0.5, 128));
    Value q = b.node(R.get("q.quantize"), List.of(id), Attributes.EMPTY, List.of(qt), null).result();
    Value dq = b.op("q.dequantize", q);
    b.output(dq, c2);
    return b.build();
  }

  @Test
  void graphUsingManyStandardOpsVerifiesClean() {
    // Every op's own golden file (ir/src/test/resources/text/golden) is parsed and verified by the text
    // tests; this graph mixes the core ops in one function.
    Graph g = everyStandardOp();
    assertEquals(List.of(), Verifier.verify(g));
    Verifier.check(g);
    assertEquals(List.of(), Verifier.verify(g.copy()));
    // and it runs
    Map<String, Tensor> out = Interpreter.withThreads(1).run(g, Map.of("x", Tensor.zeros(TensorType.f32(1, 2, 4, 4))));
    assertEquals(2, out.size());
  }

  @Test
  void graphAfterRewritesVerifiesClean() {
    Graph g = everyStandardOp();
    // bypass the identity node, then erase it
    var ids = new ArrayList<Node>();
    for (Node n : g.nodes()) {
      if (n.op().fullName().equals("graph.identity")) {
        ids.add(n);
      }
    }
    for (Node n : ids) {
      g.replaceNode(n, List.of(n.operand(0)));
    }
    assertEquals(List.of(), Verifier.verify(g));
    assertTrue(g.nodes().stream().noneMatch(n -> n.op().fullName().equals("graph.identity")));
  }

  @Test
  void anInferenceMemoSkipsOnlyNodesWhoseInputsAreUnchanged() {
    int[] calls = {0};
    OpDef counted = OpDef.builder("test", "counted")
        .operands("x")
        .traits(dev.cimc.ir.op.Trait.PURE)
        .infer(ctx -> {
          calls[0]++;
          return List.of(ctx.operand(0));
        })
        .build();
    var ops = OpRegistry.of(List.of(dev.cimc.ir.dialect.Builtin.dialect(), dev.cimc.ir.dialect.graph.GraphDialect.create(),
        new dev.cimc.ir.op.Dialect("test", "a counting op", List.of(counted))));
    var b = new GraphBuilder("memo", ops);
    Value x = b.input("x", TensorType.f32(2));
    Value a = b.named("a", "test.counted", Attributes.EMPTY, x);
    Value c = b.named("c", "test.counted", Attributes.EMPTY, a);
    Graph g = b.output(c).build();
    var memo = new Verifier.InferenceMemo();
    calls[0] = 0;
    assertEquals(List.of(), Verifier.verify(g, memo));
    assertEquals(2, calls[0], "the first verification infers every node");
    assertEquals(List.of(), Verifier.verify(g, memo));
    assertEquals(2, calls[0], "nothing changed: nothing inferred again");
    g.value("a").setType(TensorType.f32(3));
    List<Diagnostic> ds = Verifier.verify(g, memo);
    assertEquals(4, calls[0], "a's result and c's operand changed: both inferred again");
    assertEquals(2, ds.size(), ds.toString());
    assertTrue(ds.get(0).render().contains("result 0 has type tensor<3xf32> but inference gives tensor<2xf32>"),
        ds.get(0).render());
    assertEquals(2, Verifier.verify(g, memo).size(), "a failed verdict is not remembered as valid");
    assertEquals(6, calls[0]);
    g.value("a").setType(TensorType.f32(2));
    assertEquals(List.of(), Verifier.verify(g, memo));
    assertEquals(6, calls[0], "back to the types last found valid: the memo agrees again");
  }
}
