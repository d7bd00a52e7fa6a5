package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxModels.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.tensor.Half;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class TensorProtoDecoderTest {
  private static Tensor decode(Onnx.TensorProto tp) {
    return TensorProtoDecoder.decode(tp, null, Location.file("m.onnx"), "initializer 'w'");
  }

  private static CimcException fails(Onnx.TensorProto tp) {
    return assertThrows(CimcException.class, () -> decode(tp));
  }

  private static ByteString bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return ByteString.copyFrom(b);
  }

  @Test
  void rawFloatsAreLittleEndian() {
    // 1.0f = 0x3F800000, -2.5f = 0xC0200000
    Tensor t = decode(tensor("w", 1, new int[] {2}).setRawData(bytes(0, 0, 0x80, 0x3F, 0, 0, 0x20, 0xC0)).build());
    assertEquals(TensorType.f32(2), t.type());
    assertArrayEquals(new float[] {1f, -2.5f}, t.floats());
  }

  @Test
  void rawIntegersOfEveryWidth() {
    assertArrayEquals(new long[] {-2}, decode(tensor(null, 7, new int[] {1})
        .setRawData(bytes(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)).build()).longs());
    assertArrayEquals(new int[] {258}, decode(tensor(null, 6, new int[] {1}).setRawData(bytes(2, 1, 0, 0)).build()).ints());
    assertArrayEquals(new short[] {-1}, decode(tensor(null, 5, new int[] {1}).setRawData(bytes(0xFF, 0xFF)).build())
        .shorts());
    Tensor u8 = decode(tensor(null, 2, new int[] {2}).setRawData(bytes(200, 7)).build());
    assertEquals(ElementType.U8, u8.elementType());
    assertEquals(200, u8.getLong(0));
    assertEquals(-56, decode(tensor(null, 3, new int[] {1}).setRawData(bytes(200)).build()).getLong(0));
    assertArrayEquals(new double[] {1.0}, decode(tensor(null, 11, new int[] {1})
        .setRawData(bytes(0, 0, 0, 0, 0, 0, 0xF0, 0x3F)).build()).doubles());
  }

  @Test
  void rawBoolsNormalizeToZeroOrOne() {
    Tensor t = decode(tensor(null, 9, new int[] {3}).setRawData(bytes(0, 1, 5)).build());
    assertEquals(ElementType.BOOL, t.elementType());
    assertArrayEquals(new byte[] {0, 1, 1}, t.bytes());
  }

  @Test
  void rawHalfKeepsItsBits() {
    Tensor t = decode(tensor(null, 10, new int[] {1}).setRawData(bytes(0x00, 0x3C)).build());
    assertEquals(ElementType.F16, t.elementType());
    assertEquals(1.0, t.getDouble(0));
  }

  @Test
  void rawFourBitValuesArePackedLowNibbleFirst() {
    // int4 [1, -1, 7]: 0xF1 then 0x07 (the last byte's high nibble is padding)
    Tensor i4 = decode(tensor(null, 22, new int[] {3}).setRawData(bytes(0xF1, 0x07)).build());
    assertEquals(ElementType.I4, i4.elementType());
    assertArrayEquals(new long[] {1, -1, 7}, i4.toLongArray());
    Tensor u4 = decode(tensor(null, 21, new int[] {2}).setRawData(bytes(0xF1)).build());
    assertArrayEquals(new long[] {1, 15}, u4.toLongArray());
    Tensor u2 = decode(tensor(null, 25, new int[] {4}).setRawData(bytes(0b11100100)).build());
    assertArrayEquals(new long[] {0, 1, 2, 3}, u2.toLongArray());
  }

  @Test
  void typedFields() {
    var f = tensor(null, 1, new int[] {2}).addFloatData(1.5f).addFloatData(-3f).build();
    assertArrayEquals(new float[] {1.5f, -3f}, decode(f).floats());
    var d = tensor(null, 11, new int[] {1}).addDoubleData(0.25).build();
    assertArrayEquals(new double[] {0.25}, decode(d).doubles());
    var l = tensor(null, 7, new int[] {2}).addInt64Data(Long.MIN_VALUE).addInt64Data(5).build();
    assertArrayEquals(new long[] {Long.MIN_VALUE, 5}, decode(l).longs());
    var i8 = tensor(null, 3, new int[] {2}).addInt32Data(-5).addInt32Data(127).build();
    assertArrayEquals(new long[] {-5, 127}, decode(i8).toLongArray());
    var u8 = tensor(null, 2, new int[] {1}).addInt32Data(255).build();
    assertEquals(255, decode(u8).getLong(0));
    var i16 = tensor(null, 5, new int[] {1}).addInt32Data(-300).build();
    assertEquals(-300, decode(i16).getLong(0));
    var b = tensor(null, 9, new int[] {2}).addInt32Data(0).addInt32Data(1).build();
    assertArrayEquals(new byte[] {0, 1}, decode(b).bytes());
    var h = tensor(null, 10, new int[] {1}).addInt32Data(Half.fromFloat(2.5f) & 0xFFFF).build();
    assertEquals(2.5, decode(h).getDouble(0));
  }

  @Test
  void typedFourBitValuesArePackedTwoPerEntry() {
    var packed = tensor(null, 22, new int[] {3}).addInt32Data(0xF1).addInt32Data(0x07).build();
    assertArrayEquals(new long[] {1, -1, 7}, decode(packed).toLongArray());
  }

  @Test
  void scalarAndEmptyTensors() {
    Tensor s = decode(tensor(null, 1, new int[0]).addFloatData(4f).build());
    assertEquals(Shape.SCALAR, s.shape());
    assertEquals(4.0, s.getDouble(0));
    Tensor e = decode(tensor(null, 1, new int[] {0, 3}).build());
    assertEquals(0, e.size());
    assertEquals(Shape.of(0, 3), e.shape());
  }

  @Test
  void sizeMismatchNamesTheTensor() {
    var e = fails(tensor("w", 1, new int[] {2, 2}).setRawData(bytes(0, 0, 0, 0)).build());
    assertEquals("m.onnx: error: initializer 'w' has 4 bytes of raw_data, but float[2,2] needs 16\n"
        + "hint: the tensor's dims do not match its data", e.render());
    var typed = fails(tensor("w", 1, new int[] {3}).addFloatData(1).build());
    assertEquals("initializer 'w' has 1 values in float_data, but float[3] needs 3", typed.getMessage());
    assertEquals("initializer 'w' (float[2]) has no data", fails(tensor("w", 1, new int[] {2}).build()).getMessage());
  }

  @Test
  void wrongTypedFieldIsRejected() {
    var e = fails(tensor("w", 7, new int[] {1}).addFloatData(1).build());
    assertEquals("initializer 'w' of type int64 has data in a field other than int64_data", e.getMessage());
  }

  @Test
  void negativeAndAbsurdDimsAreRejectedBeforeAllocating() {
    assertEquals("initializer 'w' has a negative dimension -1 in [2, -1]",
        fails(tensor("w", 1, new int[0]).addDims(2).addDims(-1).build()).getMessage());
    var huge = fails(tensor("w", 1, new int[0]).addDims(1L << 20).addDims(1L << 20).build());
    assertEquals("initializer 'w' has dims [1048576, 1048576]: more than 2147483639 elements, the most cimc holds "
        + "in one tensor", huge.getMessage());
    assertTrue(fails(tensor("w", 1, new int[0]).addDims(1L << 40).build()).getMessage().contains("more than"));
  }

  @Test
  void unsupportedAndInvalidElementTypes() {
    var e = assertThrows(OnnxUnsupportedException.class, () -> decode(tensor("w", 4, new int[] {1}).build()));
    assertEquals("initializer 'w' has element type uint16, which cimc does not support", e.getMessage());
    assertEquals("initializer 'w' has an invalid data type 99", fails(tensor("w", 99, new int[] {1}).build()).getMessage());
    assertEquals("initializer 'w' has an invalid data type 0", fails(tensor("w", 0, new int[] {1}).build()).getMessage());
  }

  @Test
  void dataTwiceIsRejected() {
    var e = fails(tensor("w", 1, new int[] {1}).addFloatData(1).setRawData(bytes(0, 0, 0, 0)).build());
    assertEquals("initializer 'w' holds its data twice (raw_data and a typed field)", e.getMessage());
  }

  @Test
  void encoderRoundTripsEveryElementType() {
    for (ElementType et : ElementType.values()) {
      int n = 5;
      long[] v = new long[n];
      for (int i = 0; i < n; i++) {
        v[i] = et == ElementType.BOOL ? i % 2 : et.isFloat() ? i - 2 : Math.max(et.minValue(), Math.min(et.maxValue(),
            i * 3 - 4));
      }
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        d[i] = et.isFloat() ? v[i] * 0.5 : v[i];
      }
      Tensor t = Tensor.fromDoubles(TensorType.of(et, 5), d);
      Tensor back = decode(TensorProtoEncoder.encode(t, "x"));
      assertTrue(t.contentEquals(back), et + ": " + t + " vs " + back);
    }
  }
}
