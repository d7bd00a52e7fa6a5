package dev.cimc.ir.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphTest {
  private static final OpRegistry R = Dialects.standard();
  private static final OpDef RELU = R.get("graph.relu");
  private static final OpDef ADD = R.get("graph.add");
  private static final TensorType T = TensorType.f32(2);

  private static Node relu(Graph g, Value x, String name) {
    return g.append(RELU, List.of(x), Attributes.EMPTY, List.of(T), List.of(name), null);
  }

  private static List<String> order(Graph g) {
    var names = new ArrayList<String>();
    for (Node n = g.first(); n != null; n = n.next()) {
      names.add(n.result().name());
    }
    return names;
  }

  private static List<String> reverseOrder(Graph g) {
    var names = new ArrayList<String>();
    for (Node n = g.last(); n != null; n = n.prev()) {
      names.add(0, n.result().name());
    }
    return names;
  }

  private static int count(List<Node> l, Node n) {
    int c = 0;
    for (Node m : l) {
      c += m == n ? 1 : 0;
    }
    return c;
  }

  @Test
  void appendInsertBeforeAndInsertAfterKeepTheOrder() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node a = relu(g, x, "a");
    Node c = relu(g, x, "c");
    g.insertBefore(c, RELU, List.of(x), null, List.of(T), List.of("b"), null);
    g.insertAfter(c, RELU, List.of(x), null, List.of(T), List.of("d"), null);
    g.insertBefore(a, RELU, List.of(x), null, List.of(T), List.of("first"), null);
    g.insertAfter(g.last(), RELU, List.of(x), null, List.of(T), List.of("last"), null);
    assertEquals(List.of("first", "a", "b", "c", "d", "last"), order(g));
    assertEquals(order(g), reverseOrder(g));
    assertEquals(6, g.size());
    assertEquals(6, g.nodes().size());
    assertEquals("first", g.first().result().name());
    assertEquals("last", g.last().result().name());
  }

  @Test
  void nullResultNamesGetFreshNumbersAndLocationsDefaultToUnknown() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node n = g.append(RELU, List.of(x), null, List.of(T), null, null);
    Node m = g.append(RELU, List.of(x), null, List.of(T), java.util.Arrays.asList((String) null), null);
    assertEquals("0", n.result().name());
    assertEquals("1", m.result().name());
    assertEquals(Location.UNKNOWN, n.location());
    assertEquals(Attributes.EMPTY, n.attributes());
    assertEquals("%0 = graph.relu", n.describe());
  }

  @Test
  void appendRejectsMismatchedNamesAndForeignOperands() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    var e = assertThrows(IllegalArgumentException.class,
        () -> g.append(RELU, List.of(x), null, List.of(T), List.of("a", "b"), null));
    assertEquals("1 result types but 2 names", e.getMessage());
    Value y = new Graph("other").addInput("y", T);
    var f = assertThrows(IllegalStateException.class, () -> g.append(RELU, List.of(y), null, List.of(T), null, null));
    assertEquals("%y belongs to another graph than @g", f.getMessage());
    assertEquals(0, g.size());
  }

  @Test
  void useListsFollowOperands() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Value y = g.addInput("y", T);
    Node a = g.append(ADD, List.of(x, x), null, List.of(T), List.of("a"), null);
    assertEquals(2, count(x.users(), a));
    a.setOperand(1, y);
    assertEquals(1, count(x.users(), a));
    assertEquals(List.of(a), y.users());
    assertTrue(y.hasUsers());
    a.setOperand(0, y);
    assertFalse(x.hasUsers());
    assertEquals(2, count(y.users(), a));
    assertEquals(List.of(y, y), a.operands());
  }

  @Test
  void replaceAllUsesWithUpdatesUsersAndOutputs() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node a = relu(g, x, "a");
    Node b = g.append(ADD, List.of(a.result(), a.result()), null, List.of(T), List.of("b"), null);
    Node c = relu(g, a.result(), "c");
    Node z = relu(g, x, "z");
    g.setOutputs(List.of(a.result(), b.result(), a.result()));
    g.replaceAllUsesWith(a.result(), z.result());
    assertEquals(List.of(z.result(), z.result()), b.operands());
    assertSame(z.result(), c.operand(0));
    assertFalse(a.result().hasUsers());
    assertFalse(a.result().isUsed());
    assertTrue(a.isDead());
    assertEquals(List.of(z.result(), b.result(), z.result()), g.outputs());
    assertEquals(3, z.result().users().size());
    // z is defined after b and c: the caller must restore the order
    g.moveBefore(z, b);
    g.erase(a);
    assertEquals(List.of(), Verifier.verify(g));
    g.replaceAllUsesWith(x, x);
    assertEquals(List.of(), Verifier.verify(g));
  }

  @Test
  void eraseRefusesUsedNodesAndFreesNames() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node a = relu(g, x, "a");
    Node b = relu(g, a.result(), "b");
    g.setOutputs(List.of(b.result()));
    var e = assertThrows(IllegalStateException.class, () -> g.erase(a));
    assertEquals("cannot erase %a = graph.relu: %a is still used", e.getMessage());
    var f = assertThrows(IllegalStateException.class, () -> g.erase(b));
    assertEquals("cannot erase %b = graph.relu: %b is still used", f.getMessage());
    g.setOutputs(List.of(x));
    g.erase(b);
    assertTrue(b.isErased());
    assertNull(g.value("b"));
    assertEquals("b", g.uniqueName("b"));
    assertFalse(a.result().hasUsers());
    g.erase(a);
    assertEquals(0, g.size());
    assertNull(g.first());
    assertNull(g.last());
    assertFalse(x.hasUsers());
    var twice = assertThrows(IllegalStateException.class, () -> g.erase(a));
    assertEquals("%a = graph.relu is not a live node of @g", twice.getMessage());
    // a freed name can be taken again
    assertEquals("a", relu(g, x, "a").result().name());
  }

  @Test
  void replaceNodeRewiresAndErases() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node a = relu(g, x, "a");
    Node b = relu(g, a.result(), "b");
    g.setOutputs(List.of(a.result(), b.result()));
    var e = assertThrows(IllegalArgumentException.class, () -> g.replaceNode(a, List.of()));
    assertEquals("%a = graph.relu has 1 results, got 0 replacements", e.getMessage());
    g.replaceNode(a, List.of(x));
    assertTrue(a.isErased());
    assertSame(x, b.operand(0));
    assertEquals(List.of(x, b.result()), g.outputs());
    assertEquals(List.of("b"), order(g));
    assertEquals(List.of(), Verifier.verify(g));
  }

  @Test
  void moveBeforeReordersNodes() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node a = relu(g, x, "a");
    Node b = relu(g, x, "b");
    Node c = relu(g, x, "c");
    g.moveBefore(c, a);
    assertEquals(List.of("c", "a", "b"), order(g));
    g.moveBefore(a, c);
    assertEquals(List.of("a", "c", "b"), order(g));
    g.moveBefore(b, b);
    assertEquals(List.of("a", "c", "b"), order(g));
    g.moveBefore(b, c);
    assertEquals(List.of("a", "b", "c"), order(g));
    assertEquals(order(g), reverseOrder(g));
    assertEquals(3, g.size());
    assertSame(c, g.last());
  }

  @Test
  void copyIsDeepForStructureAndSharesTensors() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", T);
    Tensor t = Tensor.ofFloats(new int[] {2}, 1, 2);
    Value c = b.at(Location.file("f.cir", 3, 4)).constant("c", t);
    Value s = b.op("graph.add", x, c);
    Value r = b.op("graph.reshape", Attributes.of("shape", Attribute.ints(2, 1)), s);
    b.output(r, x);
    Graph g = b.build();
    Graph h = g.copy();

    assertEquals(g.name(), h.name());
    assertEquals(g.size(), h.size());
    List<Node> gn = g.nodes();
    List<Node> hn = h.nodes();
    for (int i = 0; i < gn.size(); i++) {
      Node n = gn.get(i);
      Node m = hn.get(i);
      assertNotSame(n, m);
      assertSame(h, m.graph());
      assertSame(n.op(), m.op());
      assertEquals(n.attributes(), m.attributes());
      assertEquals(n.location(), m.location());
      assertEquals(n.result().name(), m.result().name());
      assertEquals(n.result().type(), m.result().type());
      for (int k = 0; k < n.numOperands(); k++) {
        assertNotSame(n.operand(k), m.operand(k));
        assertSame(h, m.operand(k).graph());
        assertEquals(n.operand(k).name(), m.operand(k).name());
      }
    }
    assertSame(h.input(0), h.output(1));
    assertSame(h.last().result(), h.output(0));
    Tensor copied = ((Attribute.TensorAttr) h.first().attr("value")).value();
    assertSame(t, copied);
    assertEquals(List.of(), Verifier.verify(h));

    // editing the copy leaves the original alone
    h.replaceAllUsesWith(h.output(0), h.input(0));
    h.erase(h.last());
    assertEquals(3, g.size());
    assertEquals(2, h.size());
    assertSame(g.last().result(), g.output(0));
    // fresh names continue after the original's
    String fresh = g.uniqueName(null);
    assertEquals(fresh, h.uniqueName(null));
  }

  @Test
  void uniqueNameHandsOutFreshNames() {
    var g = new Graph("g");
    assertEquals("x", g.uniqueName("x"));
    g.addInput("x", T);
    assertEquals("x_1", g.uniqueName("x"));
    g.addInput("x", T);
    assertEquals(List.of("x", "x_1"), List.of(g.input(0).name(), g.input(1).name()));
    assertEquals("x_2", g.uniqueName("x"));
    g.addInput("1", T);
    assertEquals("0", g.uniqueName(null));
    assertEquals("2", g.uniqueName(""));
    assertEquals("3", g.uniqueName(null));
  }

  @Test
  void renameKeepsTheNameTable() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Value y = g.addInput("y", T);
    x.rename("z");
    assertSame(x, g.value("z"));
    assertNull(g.value("x"));
    x.rename("z");
    var e = assertThrows(IllegalArgumentException.class, () -> x.rename("y"));
    assertEquals("value name %y is taken in @g", e.getMessage());
    assertSame(y, g.value("y"));
  }

  @Test
  void inputsAndOutputs() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Value y = g.addInput("y", T);
    Node a = relu(g, x, "a");
    assertTrue(x.isGraphInput());
    assertFalse(a.result().isGraphInput());
    assertSame(a, a.result().producer());
    assertEquals(0, a.result().resultIndex());
    g.addOutput(a.result());
    assertTrue(g.isOutput(a.result()));
    assertTrue(a.result().isUsed());
    g.setOutput(0, y);
    assertFalse(g.isOutput(a.result()));
    var e = assertThrows(IllegalStateException.class, () -> g.removeInput(x));
    assertEquals("graph input %x is still used", e.getMessage());
    var f = assertThrows(IllegalStateException.class, () -> g.removeInput(y));
    assertEquals("graph input %y is still used", f.getMessage());
    g.setOutputs(List.of(a.result()));
    g.removeInput(y);
    assertEquals(List.of(x), g.inputs());
    assertNull(g.value("y"));
    Value d = relu(g, x, "d").result();
    var h = assertThrows(IllegalStateException.class, () -> g.removeInput(d));
    assertEquals("%d is not an input of @g", h.getMessage());
    Value foreign = new Graph("other").addInput("w", T);
    var k = assertThrows(IllegalStateException.class, () -> g.addOutput(foreign));
    assertEquals("%w belongs to another graph than @g", k.getMessage());
    assertEquals("@g (2 nodes)", g.toString());
    g.setName("h");
    assertEquals("h", g.name());
  }

  @Test
  void erasedValuesCannotBeReused() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node a = relu(g, x, "a");
    Node b = relu(g, x, "b");
    g.setOutputs(List.of(b.result()));
    Value gone = a.result();
    g.erase(a);
    var e = assertThrows(IllegalStateException.class, () -> b.setOperand(0, gone));
    assertEquals("%a was erased from @g", e.getMessage());
    var f = assertThrows(IllegalStateException.class, () -> g.moveBefore(a, b));
    assertEquals("%a = graph.relu is not a live node of @g", f.getMessage());
  }

  @Test
  void attributesWithDefaults() {
    var g = new Graph("g");
    Value x = g.addInput("x", TensorType.f32(1, 1, 3, 3));
    Value w = g.addInput("w", TensorType.f32(1, 1, 1, 1));
    Node c = g.append(R.get("graph.conv2d"), List.of(x, w), Attributes.of("group", Attribute.of(1L)),
        List.of(TensorType.f32(1, 1, 3, 3)), null, null);
    assertEquals(1, c.attributes().size());
    assertEquals(Attribute.ints(1, 1), c.attr("strides"));
    assertEquals(1L, c.intAttr("group"));
    assertEquals(4, c.intsAttr("pads").length);
    c.setAttribute("group", Attribute.of(2L));
    assertEquals(2L, c.intAttr("group"));
    assertNull(c.attr("nonsense"));
    var e = assertThrows(IllegalStateException.class, () -> c.intAttr("nonsense"));
    assertEquals("graph.conv2d has no attribute 'nonsense' and no default for it", e.getMessage());
    c.setAttributes(null);
    assertEquals(Attributes.EMPTY, c.attributes());
    c.setLocation(null);
    assertEquals(Location.UNKNOWN, c.location());
  }

  @Test
  void resultOfAMultiResultNodeMustBeIndexed() {
    var g = new Graph("g");
    Value x = g.addInput("x", T);
    Node n = g.append(RELU, List.of(x), null, List.of(T, T), List.of("a", "b"), null);
    var e = assertThrows(IllegalStateException.class, n::result);
    assertEquals("graph.relu has 2 results, not 1", e.getMessage());
    assertEquals("b", n.result(1).name());
    assertEquals(1, n.result(1).resultIndex());
  }
}
