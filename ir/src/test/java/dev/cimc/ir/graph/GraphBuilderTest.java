package dev.cimc.ir.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GraphBuilderTest {
  private static final OpRegistry R = Dialects.standard();
  private static final Location LOC = Location.file("model.cim", 7, 9);

  private static CimcException error(Executable e) {
    return assertThrows(CimcException.class, e);
  }

  @Test
  void buildsWithInferredTypes() {
    var b = new GraphBuilder("mlp", R);
    Value x = b.input("x", TensorType.f32(1, 4));
    Value w = b.constant("w", Tensor.ofFloats(new int[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8));
    Value m = b.op("graph.matmul", x, w);
    Value r = b.named("out", "graph.relu", Attributes.EMPTY, m);
    Value t = b.op("graph.transpose", Attributes.EMPTY, r);
    b.output(r, t);
    Graph g = b.build();
    assertSame(g, b.graph());
    assertSame(R, b.registry());
    assertEquals("mlp", g.name());
    assertEquals("w", w.name());
    assertEquals(TensorType.f32(4, 2), w.type());
    assertEquals(TensorType.f32(1, 2), m.type());
    assertEquals("out", r.name());
    assertEquals(TensorType.f32(2, 1), t.type());
    assertEquals(List.of(r, t), g.outputs());
    assertEquals(List.of(), Verifier.verify(g));
  }

  @Test
  void constantsWithoutNameGetNumbers() {
    var b = new GraphBuilder("g", R);
    Value c = b.constant(Tensor.scalar(2f));
    assertEquals("0", c.name());
    assertEquals("%0 = const", c.producer().describe());
    assertEquals(TensorType.f32(), c.type());
  }

  @Test
  void locationsGoToNodes() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value a = b.at(LOC).op("graph.relu", x);
    Value c = b.at(null).op("graph.relu", a);
    assertEquals(LOC, a.producer().location());
    assertEquals(Location.UNKNOWN, c.producer().location());
  }

  @Test
  void declaredResultTypes() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    var qt = new TensorType(ElementType.U8, x.type().shape(), QuantParams.perTensor(0.5, 128));
    Node q = b.node(R.get("q.quantize"), List.of(x), null, List.of(qt), List.of("q"));
    assertEquals(qt, q.result().type());
    assertEquals("q", q.result().name());
    var e = error(() -> b.at(LOC).node(R.get("graph.relu"), List.of(x), null, List.of(TensorType.f32(3)), null));
    assertEquals("graph.relu: declared result types [tensor<3xf32>] differ from inferred [tensor<2xf32>]",
        e.getMessage());
    assertEquals(LOC, e.location());
  }

  @Test
  void multiResultOps() {
    OpDef split = OpDef.builder("test", "split")
        .operands("x")
        .variadicResults()
        .infer(ctx -> {
          var l = new ArrayList<TensorType>();
          for (int i = 0; i < ctx.numResults(); i++) {
            l.add(ctx.operand(0));
          }
          return l;
        })
        .build();
    var reg = OpRegistry.of(List.of(new dev.cimc.ir.op.Dialect("test", "t", List.of(split))));
    var b = new GraphBuilder("g", reg);
    Value x = b.input("x", TensorType.f32(2));
    List<Value> parts = b.ops("test.split", Attributes.EMPTY, 3, x);
    assertEquals(3, parts.size());
    assertEquals(List.of("0", "1", "2"), List.of(parts.get(0).name(), parts.get(1).name(), parts.get(2).name()));
    var c = new GraphBuilder("h", R);
    Value y = c.input("y", TensorType.f32(2));
    var e = error(() -> c.ops("graph.relu", Attributes.EMPTY, 2, y));
    assertEquals("graph.relu produces 1 result, 2 were requested", e.getMessage());
  }

  @Test
  void unknownOp() {
    var b = new GraphBuilder("g", R).at(LOC);
    Value x = b.input("x", TensorType.f32(2));
    var e = error(() -> b.op("graph.relux", x));
    assertEquals("unknown op 'graph.relux'", e.getMessage());
    assertEquals(LOC, e.location());
    assertEquals("model.cim:7:9: error: unknown op 'graph.relux'", e.render());
    assertEquals(1, e.exitCode());
  }

  @Test
  void wrongArity() {
    var b = new GraphBuilder("g", R).at(LOC);
    Value x = b.input("x", TensorType.f32(2));
    var e = error(() -> b.op("graph.add", x));
    assertEquals("model.cim:7:9: error: graph.add: expected 2 operands, got 1", e.render());
    var f = error(() -> b.op("graph.conv2d", x));
    assertEquals("graph.conv2d: expected 2 to 3 operands, got 1", f.getMessage());
    assertEquals(0, b.graph().size());
  }

  @Test
  void badAttributes() {
    var b = new GraphBuilder("g", R).at(LOC);
    Value x = b.input("x", TensorType.f32(2));
    var e = error(() -> b.op("graph.reshape", Attributes.of("shape", Attribute.of(2L), "mode", Attribute.of("x")), x));
    assertEquals("graph.reshape: unknown attribute 'mode' (expected one of: shape, allowzero); "
        + "attribute 'shape' must be an int list, got an int", e.getMessage());
    var f = error(() -> b.op("graph.reshape", x));
    assertEquals("model.cim:7:9: error: graph.reshape: missing required attribute 'shape' (int list)", f.render());
    var g = error(() -> b.op("graph.relu", Attributes.of("alpha", Attribute.of(0.1)), x));
    assertEquals("graph.relu: unknown attribute 'alpha' (the op takes none)", g.getMessage());
  }

  @Test
  void failedInference() {
    var b = new GraphBuilder("g", R).at(LOC);
    Value x = b.input("x", TensorType.f32(2));
    Value y = b.input("y", TensorType.f32(3));
    var e = error(() -> b.op("graph.add", x, y));
    assertEquals("model.cim:7:9: error: graph.add: shapes 2 and 3 do not broadcast (dimension -1: 2 vs 3)",
        e.render());
    var f = error(() -> b.op("q.quantize", x));
    assertEquals("q.quantize: the result type must be given explicitly", f.getMessage());
    assertEquals(0, b.graph().size());
  }

  @Test
  void insertsBeforeAnAnchor() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value a = b.at(LOC).named("a", "graph.relu", Attributes.EMPTY, x);
    b.output(a);
    Graph g = b.build();
    var before = GraphBuilder.before(a.producer(), R);
    Value n = before.named("n", "graph.identity", Attributes.EMPTY, x);
    a.producer().setOperand(0, n);
    assertSame(n.producer(), g.first());
    assertEquals(LOC, n.producer().location());
    var after = GraphBuilder.appendingTo(g, R);
    Value z = after.named("z", "graph.relu", Attributes.EMPTY, a);
    assertSame(z.producer(), g.last());
    assertEquals(List.of(), Verifier.verify(g));
  }
}
