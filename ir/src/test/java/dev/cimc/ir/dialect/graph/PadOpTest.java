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

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class PadOpTest {
  private static Attributes pad(String mode, long... pads) {
    return Attributes.of("mode", Attribute.of(mode), "pads", Attribute.ints(pads));
  }

  private static final Tensor ROW = Tensor.ofFloats(new int[] {3}, 1, 2, 3);
  private static final Tensor ONNX_X = Tensor.ofFloats(new int[] {3, 2}, 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f);

  @Test
  void constant1d() {
    assertValues(run("graph.pad", pad("constant", 2, 1).with("value", Attribute.of(9.0)), ROW),
        TensorType.f32(6), 9, 9, 1, 2, 3, 9);
    assertValues(run("graph.pad", Attributes.of("pads", Attribute.ints(1, 0)), ROW), TensorType.f32(4), 0, 1, 2, 3);
  }

  @Test
  void modesAtTheBorders() {
    assertValues(run("graph.pad", pad("reflect", 2, 2), ROW), TensorType.f32(7), 3, 2, 1, 2, 3, 2, 1);
    assertValues(run("graph.pad", pad("edge", 2, 2), ROW), TensorType.f32(7), 1, 1, 1, 2, 3, 3, 3);
    assertValues(run("graph.pad", pad("wrap", 2, 2), ROW), TensorType.f32(7), 2, 3, 1, 2, 3, 1, 2);
  }

  @Test
  void reflectAndWrapWiderThanTheAxis() {
    // numpy: np.pad([1, 2, 3], (4, 0), 'reflect') == [1, 2, 3, 2, 1, 2, 3]
    assertValues(run("graph.pad", pad("reflect", 4, 0), ROW), TensorType.f32(7), 1, 2, 3, 2, 1, 2, 3);
    assertValues(run("graph.pad", pad("wrap", 0, 5), ROW), TensorType.f32(8), 1, 2, 3, 1, 2, 3, 1, 2);
    assertValues(run("graph.pad", pad("reflect", 2, 1), Tensor.ofFloats(new int[] {1}, 7)), TensorType.f32(4), 7, 7, 7, 7);
  }

  @Test
  void onnxExamples2d() {
    assertValues(run("graph.pad", pad("reflect", 0, 2, 0, 0), ONNX_X), TensorType.f32(3, 4),
        1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f);
    assertValues(run("graph.pad", pad("edge", 0, 2, 0, 0), ONNX_X), TensorType.f32(3, 4),
        1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f);
    assertValues(run("graph.pad", pad("constant", 0, 2, 0, 0), ONNX_X), TensorType.f32(3, 4),
        0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f, 0, 0, 4.5f, 5.7f);
  }

  @Test
  void bothAxesEdge() {
    Tensor x = iota(ElementType.I32, 2, 2);
    assertLongs(run("graph.pad", pad("edge", 1, 0, 0, 1), x), TensorType.of(ElementType.I32, 3, 3),
        0, 1, 1, 0, 1, 1, 2, 3, 3);
  }

  @Test
  void negativePadsCrop() {
    Tensor x = Tensor.ofFloats(new int[] {4}, 1, 2, 3, 4);
    assertValues(run("graph.pad", pad("constant", -1, 1), x), TensorType.f32(4), 2, 3, 4, 0);
    assertValues(run("graph.pad", pad("edge", -1, 1), x), TensorType.f32(4), 2, 3, 4, 4);
    assertValues(run("graph.pad", pad("constant", -2, -2), x), TensorType.f32(0));
  }

  @Test
  void axesSelectDims() {
    Tensor x = iota(ElementType.F32, 2, 2);
    var a = pad("constant", 1, 1).with("axes", Attribute.ints(-1)).with("value", Attribute.of(1.5));
    assertValues(run("graph.pad", a, x), TensorType.f32(2, 4), 1.5, 0, 1, 1.5, 1.5, 2, 3, 1.5);
    assertEquals(TensorType.f32(1, 3, 4, 12), infer("graph.pad",
        pad("constant", 0, 3, 0, 4).with("axes", Attribute.ints(-3, -1)), TensorType.f32(1, 3, 4, 5)));
  }

  @Test
  void integerAndBoolValues() {
    assertLongs(run("graph.pad", pad("constant", 1, 0).with("value", Attribute.of(-7.9)), iota(ElementType.I64, 2)),
        TensorType.of(ElementType.I64, 3), -7, 0, 1);
    assertLongs(run("graph.pad", pad("constant", 0, 2).with("value", Attribute.of(1.0)), iota(ElementType.BOOL, 2)),
        TensorType.of(ElementType.BOOL, 4), 0, 1, 1, 1);
    assertLongs(run("graph.pad", pad("reflect", 1, 1), iota(ElementType.U8, 3)), TensorType.of(ElementType.U8, 5),
        1, 0, 1, 2, 1);
    assertValues(run("graph.pad", pad("constant", 1, 0).with("value", Attribute.of(0.5)),
        Tensor.fromDoubles(TensorType.of(ElementType.F16, 1), new double[] {2})), TensorType.of(ElementType.F16, 2), 0.5, 2);
  }

  @Test
  void perTensorQuantKept() {
    var t = new TensorType(ElementType.U8, Shape.of(2, 2), QuantParams.perTensor(0.5, 128));
    assertEquals(t.withShape(Shape.of(2, 4)), infer("graph.pad", pad("constant", 0, 1, 0, 1), t));
  }

  @Test
  void errors() {
    assertEquals("graph.pad: pads has 3 entries, expected 4 (a begin and an end for each of 2 axes)",
        error("graph.pad", Attributes.of("pads", Attribute.ints(1, 1, 1)), TensorType.f32(2, 2)));
    assertEquals("graph.pad: mode must be one of constant, reflect, edge, wrap; got 'mirror'",
        error("graph.pad", pad("mirror", 1, 1), TensorType.f32(2)));
    assertEquals("graph.pad: pads [-2, -2] remove more than the 3 elements of axis 0 of tensor<3xf32>",
        error("graph.pad", pad("constant", -2, -2), TensorType.f32(3)));
    assertEquals("graph.pad: cannot reflect-pad axis 0 of tensor<0xf32>: it is empty",
        error("graph.pad", pad("reflect", 1, 0), TensorType.f32(0)));
    var q = QuantParams.perAxis(0, new double[] {1, 2}, new long[] {0, 0});
    assertEquals("graph.pad: cannot pad along axis 0, the per-axis quantization axis of "
            + "tensor<2x2x!q.i8<axis=0, scales=[1.0, 2.0], zps=[0, 0]>>",
        error("graph.pad", pad("constant", 1, 0, 0, 0), new TensorType(ElementType.I8, Shape.of(2, 2), q)));
    assertEquals("graph.pad: axes [0, 0] name axis 0 twice",
        error("graph.pad", pad("constant", 1, 1, 1, 1).with("axes", Attribute.ints(0, 0)), TensorType.f32(2, 2)));
  }

  @Test
  void zeroPadsFold() {
    var n = node("graph.pad", pad("reflect", 0, 0, 0, 0), TensorType.f32(2, 2));
    assertSame(n.operand(0), fold(n));
    assertNull(fold(node("graph.pad", pad("reflect", 0, 1, 0, 0), TensorType.f32(2, 2))));
  }
}
