package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Products and differences of two activations: q.qmul then q.requantize; q.qadd with subtract = 1. */
class ProductQuantTest {
  private static final OpRegistry R = Dialects.standard();

  @Test
  void qmulMultipliesCodesMinusZeroPointsWithBroadcasting() {
    TensorType xt = new TensorType(ElementType.U8, Shape.of(2, 3), QuantParams.perTensor(0.5, 128));
    TensorType yt = new TensorType(ElementType.I8, Shape.of(3), QuantParams.perTensor(0.25, 0));
    var b = new GraphBuilder("m", R);
    Value x = b.input("x", xt);
    Value y = b.input("y", yt);
    Value p = b.op("q.qmul", x, y);
    b.output(p);
    Graph g = b.build();
    assertEquals(new TensorType(ElementType.I32, Shape.of(2, 3), QuantParams.perTensor(0.125, 0)), p.type());
    Tensor out = Interpreter.runOnce(g, Map.of("x", Tensor.fromLongs(xt, new long[] {130, 126, 128, 200, 0, 255}),
        "y", Tensor.fromLongs(yt, new long[] {3, -2, 1}))).get(p.name());
    // (2·3, −2·−2, 0·1, 72·3, −128·−2, 127·1)
    assertArrayEquals(new long[] {6, 4, 0, 216, 256, 127}, out.toLongArray());
  }

  @Test
  void siluLowersToIntegerOpsAndMatchesFakeQuantizationExactlyWithPowerOfTwoScales() {
    var b = new GraphBuilder("silu", R);
    Value x = b.input("x", TensorType.f32(1, 4, 3, 3));
    Value s = b.named("s", "graph.sigmoid", Attributes.EMPTY, x);
    b.output(b.named("y", "graph.mul", Attributes.EMPTY, x, s));
    ExactLowering e = ExactLowering.of(b.build(), 11);
    assertEquals(0, e.quantized().opsSkipped());
    assertEquals(0, e.lowered().leftInFloat());
    boolean qmul = false;
    for (Node n = e.integer().first(); n != null; n = n.next()) {
      qmul |= n.op().fullName().equals("q.qmul");
      assertTrue(!n.op().fullName().equals("graph.mul"), "the product is an integer op");
    }
    assertTrue(qmul);
    e.assertSameOutput("y");
  }

  @Test
  void qaddSubtractsWhenAsked() {
    TensorType t = new TensorType(ElementType.U8, Shape.of(3), QuantParams.perTensor(0.5, 10));
    TensorType r = new TensorType(ElementType.U8, Shape.of(3), QuantParams.perTensor(0.5, 100));
    var b = new GraphBuilder("s", R);
    Value x = b.input("x", t);
    Value y = b.input("y", t);
    // multipliers 2^30 with shift 30: each operand keeps its scale; z_out = 100
    Value d = b.node(R.get("q.qadd"), List.of(x, y), Attributes.of("multipliers",
        dev.cimc.ir.attr.Attribute.ints(1L << 30, 1L << 30), "shift", dev.cimc.ir.attr.Attribute.of(30L), "subtract",
        dev.cimc.ir.attr.Attribute.of(1L)), List.of(r), null).result();
    b.output(d);
    Tensor out = Interpreter.runOnce(b.build(), Map.of("x", Tensor.fromLongs(t, new long[] {30, 10, 0}),
        "y", Tensor.fromLongs(t, new long[] {15, 40, 10}))).get(d.name());
    // 100 + (20 − 5), 100 + (0 − 30), 100 + (−10 − 0)
    assertArrayEquals(new long[] {115, 70, 90}, out.toLongArray());
  }

  @Test
  void differenceOfActivationsLowersToQaddAndMatchesFakeQuantizationExactly() {
    var b = new GraphBuilder("diff", R);
    Value x = b.input("x", TensorType.f32(1, 4, 3, 3));
    Value s = b.named("s", "graph.sigmoid", Attributes.EMPTY, x);
    b.output(b.named("y", "graph.sub", Attributes.EMPTY, x, s));
    ExactLowering e = ExactLowering.of(b.build(), 12);
    assertEquals(0, e.quantized().opsSkipped());
    assertEquals(0, e.lowered().leftInFloat());
    boolean subtracts = false;
    for (Node n = e.integer().first(); n != null; n = n.next()) {
      subtracts |= n.op().fullName().equals("q.qadd") && n.intAttr("subtract") == 1;
    }
    assertTrue(subtracts);
    e.assertSameOutput("y");
  }
}
