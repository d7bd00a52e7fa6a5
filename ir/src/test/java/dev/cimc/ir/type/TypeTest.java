package dev.cimc.ir.type;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TypeTest {
  private static final int Q = Shape.DYNAMIC;

  private static String iae(Executable e) {
    return assertThrows(IllegalArgumentException.class, e).getMessage();
  }

  // ---- ElementType ----

  @Test
  void elementTypeRanges() {
    assertEquals(-128, ElementType.I8.minValue());
    assertEquals(127, ElementType.I8.maxValue());
    assertEquals(0, ElementType.U8.minValue());
    assertEquals(255, ElementType.U8.maxValue());
    assertEquals(-8, ElementType.I4.minValue());
    assertEquals(7, ElementType.I4.maxValue());
    assertEquals(15, ElementType.U4.maxValue());
    assertEquals(-2, ElementType.I2.minValue());
    assertEquals(1, ElementType.I2.maxValue());
    assertEquals(3, ElementType.U2.maxValue());
    assertEquals(0, ElementType.BOOL.minValue());
    assertEquals(1, ElementType.BOOL.maxValue());
    assertEquals(Short.MIN_VALUE, ElementType.I16.minValue());
    assertEquals(Integer.MAX_VALUE, ElementType.I32.maxValue());
    assertEquals(Long.MIN_VALUE, ElementType.I64.minValue());
    assertEquals(Long.MAX_VALUE, ElementType.I64.maxValue());
    var e = assertThrows(IllegalStateException.class, ElementType.F32::minValue);
    assertEquals("f32 has no integer range", e.getMessage());
  }

  @Test
  void elementTypeText() {
    for (ElementType t : ElementType.values()) {
      assertEquals(Optional.of(t), ElementType.fromText(t.text()));
      assertEquals(t.text(), t.toString());
    }
    assertEquals(Optional.empty(), ElementType.fromText("f8"));
    assertEquals("bool", ElementType.BOOL.text());
    assertTrue(ElementType.F16.isFloat());
    assertFalse(ElementType.BOOL.isInteger());
    assertTrue(ElementType.U4.isInteger());
    assertFalse(ElementType.U4.isSigned());
    assertEquals(4, ElementType.U4.bits());
    assertEquals(ElementType.Storage.I8, ElementType.U4.storage());
    assertEquals(1, ElementType.I2.storageBytes());
    assertEquals(2, ElementType.F16.storageBytes());
  }

  // ---- Shape ----

  @Test
  void shapes() {
    Shape s = Shape.of(2, 3, 4);
    assertEquals(3, s.rank());
    assertEquals(24, s.numel());
    assertArrayEquals(new long[] {12, 4, 1}, s.strides());
    assertEquals("2x3x4", s.toString());
    assertEquals(Shape.of(2, 3, 4), s);
    assertEquals(Shape.of(2, 3, 4).hashCode(), s.hashCode());
    assertNotEquals(Shape.of(2, 3), s);
    assertSame(Shape.SCALAR, Shape.of());
    assertEquals(1, Shape.SCALAR.numel());
    assertEquals("", Shape.SCALAR.toString());
    assertEquals(0, Shape.of(2, 0).numel());
    int[] d = s.dims();
    d[0] = 9;
    assertEquals(2, s.dim(0));
  }

  @Test
  void dynamicShapes() {
    Shape s = Shape.of(Q, 4);
    assertFalse(s.isStatic());
    assertTrue(Shape.of(1, 4).isStatic());
    assertEquals("?x4", s.toString());
    var e = assertThrows(IllegalStateException.class, s::numel);
    assertEquals("numel of a dynamic shape ?x4", e.getMessage());
    assertEquals("negative dimension -2 in [3, -2]", iae(() -> Shape.of(3, -2)));
    assertEquals(Shape.of(Q, 5), Shape.ofLongs(-1, 5));
    assertEquals("dimension 2147483648 out of range in [2147483648]", iae(() -> Shape.ofLongs(1L << 31)));
    assertEquals("dimension -3 out of range in [-3]", iae(() -> Shape.ofLongs(-3)));
  }

  // ---- QuantParams ----

  @Test
  void quantParams() {
    QuantParams t = QuantParams.perTensor(0.5, 128);
    assertTrue(t.isPerTensor());
    assertEquals(QuantParams.PER_TENSOR, t.axis());
    assertEquals(1, t.channels());
    assertEquals(0.5, t.scale(0));
    assertEquals(128, t.zeroPoint(0));
    assertFalse(t.isSymmetric());
    assertTrue(QuantParams.perTensor(0.5, 0).isSymmetric());
    assertEquals(QuantParams.perTensor(0.5, 128), t);
    assertEquals(QuantParams.perTensor(0.5, 128).hashCode(), t.hashCode());
    assertNotEquals(QuantParams.perTensor(0.5, 127), t);

    double[] scales = {0.5, 0.25};
    long[] zps = {0, 1};
    QuantParams a = QuantParams.perAxis(1, scales, zps);
    scales[0] = 9;
    zps[0] = 9;
    assertEquals(0.5, a.scale(0));
    assertEquals(0, a.zeroPoint(0));
    a.scales()[1] = 7;
    a.zeroPoints()[1] = 7;
    assertArrayEquals(new double[] {0.5, 0.25}, a.scales());
    assertArrayEquals(new long[] {0, 1}, a.zeroPoints());
    assertFalse(a.isPerTensor());
    assertEquals(1, a.axis());
    assertEquals(2, a.channels());
    assertNotEquals(QuantParams.perAxis(0, new double[] {0.5, 0.25}, new long[] {0, 1}), a);
    assertEquals("QuantParams[axis=1, scales=[0.5, 0.25], zps=[0, 1]]", a.toString());
  }

  @Test
  void quantParamsValidation() {
    assertEquals("quantization scale must be positive and finite, got 0.0", iae(() -> QuantParams.perTensor(0, 0)));
    assertEquals("quantization scale must be positive and finite, got -1.0", iae(() -> QuantParams.perTensor(-1, 0)));
    assertEquals("quantization scale must be positive and finite, got NaN", iae(() -> QuantParams.perTensor(Double.NaN, 0)));
    assertEquals("quantization scale must be positive and finite, got Infinity",
        iae(() -> QuantParams.perTensor(Double.POSITIVE_INFINITY, 0)));
    assertEquals("quantization scale must be positive and finite, got 0.0",
        iae(() -> QuantParams.perAxis(0, new double[] {1, 0}, new long[] {0, 0})));
    assertEquals("need as many zero points as scales (≥ 1), got 2 and 1",
        iae(() -> QuantParams.perAxis(0, new double[] {1, 1}, new long[] {0})));
    assertEquals("need as many zero points as scales (≥ 1), got 0 and 0",
        iae(() -> QuantParams.perAxis(0, new double[0], new long[0])));
    assertEquals("per-axis quantization needs an axis ≥ 0, got -1",
        iae(() -> QuantParams.perAxis(-1, new double[] {1}, new long[] {0})));
  }

  // ---- TensorType ----

  @Test
  void tensorTypes() {
    assertEquals("tensor<f32>", TensorType.f32().toString());
    assertEquals("tensor<1x3x?x224xf32>", new TensorType(ElementType.F32, Shape.of(1, 3, Q, 224), null).toString());
    assertEquals("tensor<4xi8>", TensorType.of(ElementType.I8, 4).toString());
    var qt = new TensorType(ElementType.U8, Shape.of(4), QuantParams.perTensor(0.5, 128));
    assertEquals("tensor<4x!q.u8<scale=0.5, zp=128>>", qt.toString());
    var pa = new TensorType(ElementType.I8, Shape.of(2, 3),
        QuantParams.perAxis(1, new double[] {0.5, 0.25, 1}, new long[] {0, 0, -1}));
    assertEquals("tensor<2x3x!q.i8<axis=1, scales=[0.5, 0.25, 1.0], zps=[0, 0, -1]>>", pa.toString());
    assertTrue(qt.isQuantized());
    assertFalse(TensorType.f32(1).isQuantized());
    assertEquals(2, pa.rank());
    assertEquals(3, pa.dim(1));
    assertEquals(6, pa.numel());
    assertEquals(qt, qt.withShape(Shape.of(4)));
    assertEquals(TensorType.of(ElementType.I8, 4), qt.withElementType(ElementType.I8));
    assertEquals(qt, TensorType.of(ElementType.U8, 4).withQuant(QuantParams.perTensor(0.5, 128)));
    assertNotEquals(qt, TensorType.of(ElementType.U8, 4));
  }

  @Test
  void tensorTypeValidation() {
    assertEquals("quantized types need an integer element type, got f32",
        iae(() -> new TensorType(ElementType.F32, Shape.of(2), QuantParams.perTensor(1, 0))));
    assertEquals("quantized types need an integer element type, got bool",
        iae(() -> new TensorType(ElementType.BOOL, Shape.of(2), QuantParams.perTensor(1, 0))));
    assertEquals("quantization axis 2 out of range for rank 2",
        iae(() -> new TensorType(ElementType.I8, Shape.of(2, 3), QuantParams.perAxis(2, new double[] {1}, new long[] {0}))));
    assertEquals("quantization axis 1 has 3 channels but 2 scales were given",
        iae(() -> new TensorType(ElementType.I8, Shape.of(2, 3), QuantParams.perAxis(1, new double[] {1, 1}, new long[] {0, 0}))));
    assertEquals("zero point 256 is out of range for u8 [0, 255]",
        iae(() -> new TensorType(ElementType.U8, Shape.of(2), QuantParams.perTensor(1, 256))));
    assertEquals("zero point -9 is out of range for i4 [-8, 7]",
        iae(() -> new TensorType(ElementType.I4, Shape.of(2), QuantParams.perAxis(0, new double[] {1, 1}, new long[] {0, -9}))));
    // a dynamic channel dimension takes any number of scales
    var t = new TensorType(ElementType.I8, Shape.of(Q, 3), QuantParams.perAxis(0, new double[] {1, 2}, new long[] {0, 0}));
    assertEquals(2, t.quant().channels());
    assertThrows(NullPointerException.class, () -> new TensorType(null, Shape.of(1), null));
    assertThrows(NullPointerException.class, () -> new TensorType(ElementType.F32, null, null));
  }
}
