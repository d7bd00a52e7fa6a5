package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertValues;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.error;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.fold;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.infer;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.iota;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.node;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeOpsTest {
  private static final int DYN = Shape.DYNAMIC;

  private static Attributes axis(long a) {
    return Attributes.of("axis", Attribute.of(a));
  }

  private static Attributes axes(long... a) {
    return Attributes.of("axes", Attribute.ints(a));
  }

  // ---- flatten ----

  @Test
  void flattenAxes() {
    var x = TensorType.f32(2, 3, 4);
    assertEquals(TensorType.f32(2, 12), infer("graph.flatten", Attributes.EMPTY, x));
    assertEquals(TensorType.f32(1, 24), infer("graph.flatten", axis(0), x));
    assertEquals(TensorType.f32(6, 4), infer("graph.flatten", axis(-1), x));
    assertEquals(TensorType.f32(24, 1), infer("graph.flatten", axis(3), x));
    assertEquals(TensorType.f32(2, 12), infer("graph.flatten", axis(-2), x));
    assertEquals(TensorType.f32(DYN, 12), infer("graph.flatten", axis(1), TensorType.f32(DYN, 3, 4)));
  }

  @Test
  void flattenKeepsElementsAndType() {
    Tensor y = run("graph.flatten", axis(2), iota(ElementType.I8, 2, 2, 3));
    assertLongs(y, TensorType.of(ElementType.I8, 4, 3), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  }

  @Test
  void flattenErrors() {
    assertEquals("graph.flatten: axis 4 is out of range for rank 3 (expected -3..3)",
        error("graph.flatten", axis(4), TensorType.f32(2, 3, 4)));
  }

  @Test
  void flattenPerAxisQuantKeepsLeadingAxis() {
    var q = QuantParams.perAxis(0, new double[] {0.5, 0.25}, new long[] {0, 0});
    var w = new TensorType(ElementType.I8, Shape.of(2, 3, 3), q);
    assertEquals(new TensorType(ElementType.I8, Shape.of(2, 9), q), infer("graph.flatten", Attributes.EMPTY, w));
    var q2 = QuantParams.perAxis(1, new double[] {0.5, 0.25, 1.0}, new long[] {0, 0, 0});
    assertEquals("graph.flatten: cannot flatten tensor<2x3x3x!q.i8<axis=1, scales=[0.5, 0.25, 1.0], zps=[0, 0, 0]>> "
            + "to [2, 9]: its per-axis quantization axis 1 does not survive",
        error("graph.flatten", Attributes.EMPTY, new TensorType(ElementType.I8, Shape.of(2, 3, 3), q2)));
  }

  // ---- squeeze / unsqueeze ----

  @Test
  void squeezeAllUnitDims() {
    assertEquals(TensorType.f32(3, 2), infer("graph.squeeze", Attributes.EMPTY, TensorType.f32(1, 3, 1, 2)));
    assertEquals(TensorType.f32(), infer("graph.squeeze", Attributes.EMPTY, TensorType.f32(1, 1)));
  }

  @Test
  void squeezeNegativeAxes() {
    assertEquals(TensorType.f32(1, 3, 2), infer("graph.squeeze", axes(-2), TensorType.f32(1, 3, 1, 2)));
    assertEquals(TensorType.f32(3, 2), infer("graph.squeeze", axes(0, -2), TensorType.f32(1, 3, 1, 2)));
  }

  @Test
  void squeezeBoolData() {
    Tensor y = run("graph.squeeze", axes(0), iota(ElementType.BOOL, 1, 4));
    assertLongs(y, TensorType.of(ElementType.BOOL, 4), 0, 1, 0, 1);
  }

  @Test
  void squeezeErrors() {
    assertEquals("graph.squeeze: cannot squeeze axis 1 of tensor<1x3x1x2xf32>: its size is 3, not 1",
        error("graph.squeeze", axes(1), TensorType.f32(1, 3, 1, 2)));
    assertEquals("graph.squeeze: axes [0, -4] name axis 0 twice",
        error("graph.squeeze", axes(0, -4), TensorType.f32(1, 3, 1, 2)));
    assertEquals("graph.squeeze: axis 4 is out of range for rank 4 (expected -4..3)",
        error("graph.squeeze", axes(4), TensorType.f32(1, 3, 1, 2)));
    assertEquals("graph.squeeze: squeeze without axes needs static dimensions, but dimension 0 of "
        + "tensor<?x3xf32> is dynamic", error("graph.squeeze", Attributes.EMPTY, TensorType.f32(DYN, 3)));
  }

  @Test
  void unsqueezeAxesIndexTheResult() {
    assertEquals(TensorType.f32(1, 3, 2, 1), infer("graph.unsqueeze", axes(0, 3), TensorType.f32(3, 2)));
    assertEquals(TensorType.f32(3, 2, 1), infer("graph.unsqueeze", axes(-1), TensorType.f32(3, 2)));
    assertEquals(TensorType.f32(1, 3, 1, 2), infer("graph.unsqueeze", axes(2, 0), TensorType.f32(3, 2)));
    assertEquals(TensorType.f32(1, 1, 3, 2), infer("graph.unsqueeze", axes(-3, -4), TensorType.f32(3, 2)));
    assertEquals(TensorType.f32(1), infer("graph.unsqueeze", axes(0), TensorType.f32()));
  }

  @Test
  void unsqueezeErrors() {
    assertEquals("graph.unsqueeze: axis 4 is out of range for rank 4 (expected -4..3)",
        error("graph.unsqueeze", axes(0, 4), TensorType.f32(3, 2)));
    assertEquals("graph.unsqueeze: axes [1, -3] name axis 1 twice",
        error("graph.unsqueeze", axes(1, -3), TensorType.f32(3, 2)));
    assertEquals("graph.unsqueeze: missing required attribute 'axes' (int list)",
        error("graph.unsqueeze", Attributes.EMPTY, TensorType.f32(3, 2)));
  }

  @Test
  void unsqueezeMovesQuantAxis() {
    var q = QuantParams.perAxis(1, new double[] {0.5, 0.25}, new long[] {0, 0});
    var t = new TensorType(ElementType.I8, Shape.of(3, 2), q);
    var q2 = QuantParams.perAxis(3, new double[] {0.5, 0.25}, new long[] {0, 0});
    assertEquals(new TensorType(ElementType.I8, Shape.of(1, 3, 1, 2), q2), infer("graph.unsqueeze", axes(0, 2), t));
  }

  @Test
  void squeezeOfUnsqueezeFolds() {
    var b = new GraphBuilder("t", Dialects.standard());
    var x = b.input("x", TensorType.f32(3, 2));
    var u = b.op("graph.unsqueeze", axes(0, -1), x);
    var s = b.op("graph.squeeze", axes(3, 0), u);
    assertSame(x, fold(s.producer()));
    var s2 = b.op("graph.squeeze", axes(0), u);
    assertNull(fold(s2.producer()));
  }

  // ---- reshape / transpose ----

  @Test
  void reshapeKeepsPerAxisQuantWhenTheAxisSurvives() {
    var q = QuantParams.perAxis(0, new double[] {0.5, 0.25}, new long[] {0, 0});
    var t = new TensorType(ElementType.I8, Shape.of(2, 3, 4), q);
    assertEquals(new TensorType(ElementType.I8, Shape.of(2, 12), q),
        infer("graph.reshape", Attributes.of("shape", Attribute.ints(2, 12)), t));
    assertEquals(new TensorType(ElementType.I8, Shape.of(1, 2, 12), QuantParams.perAxis(1, q.scales(), q.zeroPoints())),
        infer("graph.reshape", Attributes.of("shape", Attribute.ints(1, 2, 12)), t));
  }

  @Test
  void transposeIntegerData() {
    Tensor y = run("graph.transpose", Attributes.of("perm", Attribute.ints(1, 2, 0)), iota(ElementType.I32, 2, 3, 2));
    // y[i][j][k] = x[k][i][j] = 6k + 2i + j
    long[] want = new long[12];
    int p = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        for (int k = 0; k < 2; k++) {
          want[p++] = 6 * k + 2 * i + j;
        }
      }
    }
    assertLongs(y, TensorType.of(ElementType.I32, 3, 2, 2), want);
    Tensor z = run("graph.transpose", Attributes.EMPTY, iota(ElementType.U8, 2, 3));
    assertLongs(z, TensorType.of(ElementType.U8, 3, 2), 0, 3, 1, 4, 2, 5);
  }

  // ---- shape ----

  @Test
  void shapeStartEnd() {
    Tensor x = iota(ElementType.F32, 2, 3, 4);
    assertLongs(run("graph.shape", Attributes.EMPTY, x), TensorType.of(ElementType.I64, 3), 2, 3, 4);
    assertLongs(run("graph.shape", Attributes.of("start", Attribute.of(1L)), x), TensorType.of(ElementType.I64, 2), 3, 4);
    assertLongs(run("graph.shape", Attributes.of("end", Attribute.of(-1L)), x), TensorType.of(ElementType.I64, 2), 2, 3);
    assertLongs(run("graph.shape", Attributes.of("start", Attribute.of(-10L)), x), TensorType.of(ElementType.I64, 3), 2, 3, 4);
    assertLongs(run("graph.shape", Attributes.of("end", Attribute.of(10L)), x), TensorType.of(ElementType.I64, 3), 2, 3, 4);
    assertLongs(run("graph.shape", Attributes.of("start", Attribute.of(2L), "end", Attribute.of(1L)), x),
        TensorType.of(ElementType.I64, 0));
    assertLongs(run("graph.shape", Attributes.of("start", Attribute.of(-1L)), x), TensorType.of(ElementType.I64, 1), 4);
  }

  @Test
  void shapeNeedsStaticDims() {
    assertEquals("graph.shape: shape needs static dimensions, but dimension 0 of tensor<?x3xf32> is dynamic",
        error("graph.shape", Attributes.EMPTY, TensorType.f32(DYN, 3)));
    assertEquals(TensorType.of(ElementType.I64, 1),
        infer("graph.shape", Attributes.of("start", Attribute.of(1L)), TensorType.f32(DYN, 3)));
  }

  @Test
  void shapeCanonicalizesToConstant() {
    var b = new GraphBuilder("s", Dialects.standard());
    var x = b.input("x", TensorType.f32(2, 3));
    var s = b.named("dims", "graph.shape", Attributes.EMPTY, x);
    b.output(s);
    var g = b.build();
    Node n = s.producer();
    assertTrue(n.op().canonicalizations().get(0).apply(n));
    assertEquals("""
        graph @s(%x: tensor<2x3xf32>) -> tensor<2xi64> {
          %dims = const dense<[2, 3]> : tensor<2xi64>
          return %dims
        }
        """, IrPrinter.toText(g, PrintOptions.defaults()));
  }

  // ---- constant_of_shape ----

  @Test
  void constantOfShapeDefaultsToFloatZero() {
    Tensor y = run("graph.constant_of_shape", Attributes.of("shape", Attribute.ints(2, 3)));
    assertValues(y, TensorType.f32(2, 3), 0, 0, 0, 0, 0, 0);
  }

  @Test
  void constantOfShapeTakesTypeFromValue() {
    var v = new Attribute.TensorAttr(Tensor.fromLongs(TensorType.of(ElementType.I32, 1), new long[] {7}));
    Tensor y = run("graph.constant_of_shape", Attributes.of("shape", Attribute.ints(2, 2), "value", v));
    assertLongs(y, TensorType.of(ElementType.I32, 2, 2), 7, 7, 7, 7);
    Tensor z = run("graph.constant_of_shape", Attributes.of("shape", Attribute.ints(0), "value", v));
    assertLongs(z, TensorType.of(ElementType.I32, 0));
    var one = new Attribute.TensorAttr(Tensor.scalar(1f));
    assertValues(run("graph.constant_of_shape", Attributes.of("shape", Attribute.ints(), "value", one)),
        TensorType.f32(), 1);
  }

  @Test
  void constantOfShapeErrors() {
    var two = new Attribute.TensorAttr(Tensor.ofFloats(new int[] {2}, 1, 2));
    assertEquals("graph.constant_of_shape: value must hold exactly one element, got tensor<2xf32>",
        error("graph.constant_of_shape", Attributes.of("shape", Attribute.ints(2), "value", two)));
    assertEquals("graph.constant_of_shape: shape [2, -1] has an invalid dimension -1",
        error("graph.constant_of_shape", Attributes.of("shape", Attribute.ints(2, -1))));
  }

  @Test
  void identityFolds() {
    Node n = node("graph.identity", Attributes.EMPTY, TensorType.f32(2));
    assertSame(n.operand(0), fold(n));
    try (var it = Interpreter.withThreads(1)) {
      var b = new GraphBuilder("t", Dialects.standard());
      var x = b.input("x", TensorType.of(ElementType.I64, 2));
      b.output(b.op("graph.identity", x));
      Tensor in = Tensor.ofLongs(new int[] {2}, 5, -6);
      assertLongs(it.run(b.build(), Map.of("x", in)).values().iterator().next(), in.type(), 5, -6);
    }
  }
}
