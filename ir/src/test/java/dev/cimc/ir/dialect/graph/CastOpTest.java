package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertValues;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.error;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.fold;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.node;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class CastOpTest {
  private static Attributes to(ElementType t) {
    return Attributes.of("to", new Attribute.TypeAttr(t));
  }

  private static Tensor f32(float... v) {
    return Tensor.ofFloats(new int[] {v.length}, v);
  }

  @Test
  void floatToIntTruncatesTowardZero() {
    Tensor y = run("graph.cast", to(ElementType.I32), f32(-2.7f, -0.5f, 0.5f, 2.7f, Float.NaN, 7f));
    assertLongs(y, TensorType.of(ElementType.I32, 6), -2, 0, 0, 2, 0, 7);
    assertLongs(run("graph.cast", to(ElementType.I64), f32(-1e10f, 3.99f)), TensorType.of(ElementType.I64, 2),
        -10000000000L, 3);
  }

  @Test
  void narrowIntegersWrap() {
    assertLongs(run("graph.cast", to(ElementType.U8), f32(-1f, 300f, -9f, 2.7f, -2.7f)), TensorType.of(ElementType.U8, 5),
        255, 44, 247, 2, 254);
    // the ONNX FLOAT_to_INT4 / FLOAT_to_UINT4 conformance data
    assertLongs(run("graph.cast", to(ElementType.I4), f32(-9, -8, -1, 7, 8, 9, 15)), TensorType.of(ElementType.I4, 7),
        7, -8, -1, 7, -8, -7, -1);
    assertLongs(run("graph.cast", to(ElementType.U4), f32(-9, -1, 0, 15, 16)), TensorType.of(ElementType.U4, 5),
        7, 15, 0, 15, 0);
    Tensor i32 = Tensor.fromLongs(TensorType.of(ElementType.I32, 3), new long[] {200, -129, 70000});
    assertLongs(run("graph.cast", to(ElementType.I8), i32), TensorType.of(ElementType.I8, 3), -56, 127, 112);
    assertLongs(run("graph.cast", to(ElementType.I16), i32), TensorType.of(ElementType.I16, 3), 200, -129, 4464);
  }

  @Test
  void subByteToWider() {
    Tensor i4 = Tensor.fromLongs(TensorType.of(ElementType.I4, 3), new long[] {-8, -1, 7});
    assertLongs(run("graph.cast", to(ElementType.I8), i4), TensorType.of(ElementType.I8, 3), -8, -1, 7);
    Tensor u4 = Tensor.fromLongs(TensorType.of(ElementType.U4, 2), new long[] {15, 8});
    assertValues(run("graph.cast", to(ElementType.F32), u4), TensorType.f32(2), 15, 8);
    assertLongs(run("graph.cast", to(ElementType.U8), u4), TensorType.of(ElementType.U8, 2), 15, 8);
  }

  @Test
  void boolConversions() {
    assertLongs(run("graph.cast", to(ElementType.BOOL), f32(0f, -0f, Float.NaN, 2f, -0.1f)),
        TensorType.of(ElementType.BOOL, 5), 0, 0, 1, 1, 1);
    Tensor b = Tensor.fromLongs(TensorType.of(ElementType.BOOL, 2), new long[] {1, 0});
    assertValues(run("graph.cast", to(ElementType.F32), b), TensorType.f32(2), 1, 0);
    assertLongs(run("graph.cast", to(ElementType.I64), b), TensorType.of(ElementType.I64, 2), 1, 0);
    Tensor i = Tensor.ofLongs(new int[] {3}, 0, 5, -256);
    assertLongs(run("graph.cast", to(ElementType.BOOL), i), TensorType.of(ElementType.BOOL, 3), 0, 1, 1);
  }

  @Test
  void floatConversions() {
    Tensor y = run("graph.cast", to(ElementType.F16), f32(1 / 3f, 65520f, 1e-8f));
    assertValues(y, TensorType.of(ElementType.F16, 3), 0.333251953125, Double.POSITIVE_INFINITY, 0);
    Tensor d = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2), new double[] {0.1, 1e300});
    Tensor f = run("graph.cast", to(ElementType.F32), d);
    assertEquals(0.1f, f.floats()[0]);
    assertEquals(Float.POSITIVE_INFINITY, f.floats()[1]);
    Tensor big = Tensor.ofLongs(new int[] {1}, (1L << 24) + 1);
    assertEquals(16777216f, run("graph.cast", to(ElementType.F32), big).floats()[0]);
  }

  @Test
  void errors() {
    var q = new TensorType(ElementType.U8, Shape.of(2), QuantParams.perTensor(0.5, 128));
    assertEquals("graph.cast: cannot cast the quantized tensor<2x!q.u8<scale=0.5, zp=128>>; dequantize it instead",
        error("graph.cast", to(ElementType.F32), q));
    assertEquals("graph.cast: missing required attribute 'to' (element type)",
        error("graph.cast", Attributes.EMPTY, TensorType.f32(2)));
    assertEquals("graph.cast: attribute 'to' must be an element type, got a string",
        error("graph.cast", Attributes.of("to", Attribute.of("f16")), TensorType.f32(2)));
  }

  @Test
  void folders() {
    var same = node("graph.cast", to(ElementType.F32), TensorType.f32(2));
    assertSame(same.operand(0), fold(same));
    var b = new GraphBuilder("t", Dialects.standard());
    var x = b.input("x", TensorType.f32(2));
    var wide = b.op("graph.cast", to(ElementType.F64), x);
    var back = b.op("graph.cast", to(ElementType.F32), wide);
    assertSame(x, fold(back.producer()));
    var lossy = b.op("graph.cast", to(ElementType.F32), b.op("graph.cast", to(ElementType.I32), x));
    assertNull(fold(lossy.producer()));
    assertTrue(CastOp.holdsExactly(ElementType.U8, ElementType.I16));
    assertFalse(CastOp.holdsExactly(ElementType.U8, ElementType.I8));
    assertTrue(CastOp.holdsExactly(ElementType.I16, ElementType.F32));
    assertFalse(CastOp.holdsExactly(ElementType.I32, ElementType.F32));
    assertTrue(CastOp.holdsExactly(ElementType.BOOL, ElementType.U2));
    assertFalse(CastOp.holdsExactly(ElementType.I8, ElementType.U8));
  }
}
