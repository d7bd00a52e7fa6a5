package dev.cimc.ir.dialect;

import static dev.cimc.ir.dialect.OneOp.R;
import static dev.cimc.ir.dialect.OneOp.infer;
import static dev.cimc.ir.dialect.OneOp.inferError;
import static dev.cimc.ir.dialect.OneOp.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizeTest {
  private static final Attributes NONE = Attributes.EMPTY;

  private static TensorType q(ElementType et, QuantParams qp, int... dims) {
    return new TensorType(et, Shape.of(dims), qp);
  }

  private static Tensor quantize(Tensor x, TensorType to) {
    return run("q.quantize", NONE, to, x);
  }

  @Test
  void perTensorRoundsHalfToEvenAndClamps() {
    var u8 = q(ElementType.U8, QuantParams.perTensor(0.5, 128), 12);
    Tensor x = Tensor.ofFloats(new int[] {12}, 0, 0.25f, 0.75f, 1.25f, -0.25f, -0.75f, 0.3f, 63.5f, 64f, -64f,
        -100, Float.NaN);
    Tensor r = quantize(x, u8);
    assertEquals(u8, r.type());
    // x / s:                  0, 0.5, 1.5, 2.5, -0.5, -1.5, 0.6, 127, 128, -128, -200, NaN
    assertArrayEquals(new long[] {128, 128, 130, 130, 128, 126, 129, 255, 255, 0, 0, 128}, r.toLongArray());
  }

  @Test
  void signedAndNarrowTypes() {
    Tensor x = Tensor.ofFloats(new int[] {6}, -10, -8.5f, -0.5f, 0.5f, 6.5f, 1e9f);
    var i4 = q(ElementType.I4, QuantParams.perTensor(1, 0), 6);
    assertArrayEquals(new long[] {-8, -8, 0, 0, 6, 7}, quantize(x, i4).toLongArray());
    var i4zp = q(ElementType.I4, QuantParams.perTensor(1, -3), 6);
    assertArrayEquals(new long[] {-8, -8, -3, -3, 3, 7}, quantize(x, i4zp).toLongArray());
    var u2 = q(ElementType.U2, QuantParams.perTensor(4, 1), 6);
    // x / 4: -2.5, -2.125, -0.125, 0.125, 1.625, huge -> -2, -2, 0, 0, 2, clamp; + 1
    assertArrayEquals(new long[] {0, 0, 1, 1, 3, 3}, quantize(x, u2).toLongArray());
    var i8 = q(ElementType.I8, QuantParams.perTensor(0.1, 0), 6);
    assertArrayEquals(new long[] {-100, -85, -5, 5, 65, 127}, quantize(x, i8).toLongArray());
  }

  @Test
  void perAxisUsesEachChannelsParameters() {
    // axis 1 of 2x3: channels vary fastest
    var pa = q(ElementType.I8, QuantParams.perAxis(1, new double[] {1, 0.5, 0.25}, new long[] {0, 1, -1}), 2, 3);
    Tensor x = Tensor.ofFloats(new int[] {2, 3}, 1.5f, 1.5f, 1.5f, -2.5f, 100f, -0.125f);
    // x / s: 1.5, 3, 6; -2.5, 200, -0.5 -> 2, 3, 6; -2, 200, -0 -> + zp: 2, 4, 5; -2, 201 -> 127, -1
    assertArrayEquals(new long[] {2, 4, 5, -2, 127, -1}, quantize(x, pa).toLongArray());
    // axis 0 of 2x2x2: channels vary slowest (4 elements per channel)
    var p0 = q(ElementType.U8, QuantParams.perAxis(0, new double[] {1, 2}, new long[] {10, 20}), 2, 2, 2);
    Tensor y = Tensor.ofFloats(new int[] {2, 2, 2}, 0, 1, 2, 3, 0, 1, 2, 3);
    // channel 1: 0, 0.5, 1, 1.5 -> 0, 0, 1, 2
    assertArrayEquals(new long[] {10, 11, 12, 13, 20, 20, 21, 22}, quantize(y, p0).toLongArray());
    // the middle axis of 2x3x2
    var p1 = q(ElementType.I8, QuantParams.perAxis(1, new double[] {1, 10, 100}, new long[] {0, 0, 0}), 2, 3, 2);
    Tensor z = Tensor.ofFloats(new int[] {2, 3, 2}, 100, 100, 100, 100, 100, 100, 300, 300, 300, 300, 300, 300);
    assertArrayEquals(new long[] {100, 100, 10, 10, 1, 1, 127, 127, 30, 30, 3, 3}, quantize(z, p1).toLongArray());
  }

  @Test
  void dequantize() {
    var u8 = q(ElementType.U8, QuantParams.perTensor(0.5, 128), 4);
    Tensor r = run("q.dequantize", Tensor.fromLongs(u8, new long[] {0, 127, 128, 255}));
    assertEquals(TensorType.f32(4), r.type());
    assertArrayEquals(new float[] {-64, -0.5f, 0, 63.5f}, r.floats());
    var pa = q(ElementType.I8, QuantParams.perAxis(1, new double[] {1, 0.5, 0.25}, new long[] {0, 1, -1}), 2, 3);
    Tensor d = run("q.dequantize", Tensor.fromLongs(pa, new long[] {2, 4, 5, -2, 127, -1}));
    assertArrayEquals(new float[] {2, 1.5f, 1.5f, -2, 63, 0}, d.floats());
    var p0 = q(ElementType.U8, QuantParams.perAxis(0, new double[] {1, 2}, new long[] {10, 20}), 2, 2);
    Tensor e = run("q.dequantize", Tensor.fromLongs(p0, new long[] {10, 11, 20, 21}));
    assertArrayEquals(new float[] {0, 1, 0, 2}, e.floats());
  }

  @Test
  void roundTripIsWithinHalfAStep() {
    var qt = q(ElementType.I8, QuantParams.perTensor(0.05, 3), 64);
    float[] v = new float[64];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i - 32) * 0.0371f;
    }
    Tensor back = run("q.dequantize", quantize(Tensor.ofFloats(new int[] {64}, v), qt));
    for (int i = 0; i < v.length; i++) {
      assertEquals(v[i], back.floats()[i], 0.025 + 1e-6, "element " + i);
    }
  }

  @Test
  void inference() {
    var u8 = q(ElementType.U8, QuantParams.perTensor(0.5, 128), 2);
    var quantize = R.get("q.quantize");
    assertEquals(List.of(u8), quantize.inferTypes(List.of(TensorType.f32(2)), NONE, List.of(u8)));
    assertEquals("the result type must be given explicitly", inferError("q.quantize", NONE, TensorType.f32(2)));
    assertEquals("result type must be quantized, got tensor<2xu8>", assertThrows(InferenceException.class,
        () -> quantize.inferTypes(List.of(TensorType.f32(2)), NONE, List.of(TensorType.of(ElementType.U8, 2))))
        .getMessage());
    assertEquals("result shape 3 differs from operand shape 2", assertThrows(InferenceException.class,
        () -> quantize.inferTypes(List.of(TensorType.f32(2)), NONE, List.of(u8.withShape(Shape.of(3)))))
        .getMessage());
    assertEquals("operand 0 must be a float tensor, got tensor<2xi32>", assertThrows(InferenceException.class,
        () -> quantize.inferTypes(List.of(TensorType.of(ElementType.I32, 2)), NONE, List.of(u8))).getMessage());
    assertEquals(TensorType.f32(2), infer("q.dequantize", NONE, u8));
    assertEquals("operand must be quantized, got tensor<2xi8>",
        inferError("q.dequantize", NONE, TensorType.of(ElementType.I8, 2)));
  }
}
