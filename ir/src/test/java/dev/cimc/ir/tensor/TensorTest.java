package dev.cimc.ir.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class TensorTest {
  private static String iae(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(IllegalArgumentException.class, e).getMessage();
  }

  private static Tensor f32(float... v) {
    return Tensor.ofFloats(new int[] {v.length}, v);
  }

  // ---- factories ----

  @Test
  void wrapSharesTheArrayAndChecksIt() {
    float[] a = {1, 2, 3, 4, 5, 6};
    Tensor t = Tensor.wrap(TensorType.f32(2, 3), a);
    assertSame(a, t.floats());
    assertSame(a, t.rawData());
    assertEquals(6, t.size());
    assertEquals(Shape.of(2, 3), t.shape());
    assertEquals(ElementType.F32, t.elementType());
    assertEquals(24, t.byteSize());
    assertEquals("storage for f32 is float[], got double[]", iae(() -> Tensor.wrap(TensorType.f32(2), new double[2])));
    assertEquals("tensor of type tensor<2x3xf32> needs 6 elements, got 5",
        iae(() -> Tensor.wrap(TensorType.f32(2, 3), new float[5])));
    assertEquals("a tensor needs a static shape, got tensor<?xf32>",
        iae(() -> Tensor.wrap(new TensorType(ElementType.F32, Shape.of(Shape.DYNAMIC), null), new float[1])));
    assertEquals("storage for u4 is byte[], got short[]", iae(() -> Tensor.wrap(TensorType.of(ElementType.U4, 1), new short[1])));
    assertEquals("storage for f16 is short[], got float[]", iae(() -> Tensor.wrap(TensorType.of(ElementType.F16, 1), new float[1])));
    assertEquals("storage for f32 is float[], got String",
        iae(() -> Tensor.wrap(TensorType.f32(1), "x")));
  }

  @Test
  void storageOfEveryElementType() {
    for (ElementType et : ElementType.values()) {
      Tensor z = Tensor.zeros(TensorType.of(et, 2, 2));
      assertEquals(4, z.size());
      assertEquals(et.storageBytes() * 4L, z.byteSize());
      assertEquals(0.0, z.getDouble(3));
      assertTrue(z.isSplat());
    }
    assertEquals(float[].class, Tensor.zeros(TensorType.of(ElementType.F32, 1)).rawData().getClass());
    assertEquals(double[].class, Tensor.zeros(TensorType.of(ElementType.F64, 1)).rawData().getClass());
    assertEquals(short[].class, Tensor.zeros(TensorType.of(ElementType.F16, 1)).rawData().getClass());
    assertEquals(long[].class, Tensor.zeros(TensorType.of(ElementType.I64, 1)).rawData().getClass());
    assertEquals(int[].class, Tensor.zeros(TensorType.of(ElementType.I32, 1)).rawData().getClass());
    assertEquals(short[].class, Tensor.zeros(TensorType.of(ElementType.I16, 1)).rawData().getClass());
    assertEquals(byte[].class, Tensor.zeros(TensorType.of(ElementType.BOOL, 1)).rawData().getClass());
  }

  @Test
  void ofFloatsAndOfLongsCopy() {
    float[] a = {1, 2};
    Tensor t = Tensor.ofFloats(new int[] {2}, a);
    a[0] = 9;
    assertEquals(1f, t.floats()[0]);
    long[] l = {3, 4, 5};
    Tensor u = Tensor.ofLongs(new int[] {3}, l);
    l[0] = 0;
    assertArrayEquals(new long[] {3, 4, 5}, u.longs());
    assertEquals(TensorType.of(ElementType.I64, 3), u.type());
    Tensor s = Tensor.scalar(2.5f);
    assertEquals(TensorType.f32(), s.type());
    assertEquals(1, s.size());
    assertEquals(2.5, s.getDouble(0));
  }

  @Test
  void zerosRejectsHugeAndDynamicTypes() {
    assertEquals("tensor of type tensor<65536x65536xf32> has 4294967296 elements, more than an array holds",
        iae(() -> Tensor.zeros(TensorType.f32(65536, 65536))));
    var e = assertThrows(IllegalStateException.class,
        () -> Tensor.zeros(new TensorType(ElementType.F32, Shape.of(Shape.DYNAMIC), null)));
    assertEquals("numel of a dynamic shape ?", e.getMessage());
  }

  @Test
  void fromDoublesChecksIntegerValues() {
    Tensor t = Tensor.fromDoubles(TensorType.of(ElementType.I8, 3), new double[] {-128, 0, 127});
    assertArrayEquals(new byte[] {-128, 0, 127}, t.bytes());
    assertEquals("value 128.0 does not fit i8", iae(() -> Tensor.fromDoubles(TensorType.of(ElementType.I8, 1), new double[] {128})));
    assertEquals("value 0.5 does not fit i32", iae(() -> Tensor.fromDoubles(TensorType.of(ElementType.I32, 1), new double[] {0.5})));
    assertEquals("value NaN does not fit u8", iae(() -> Tensor.fromDoubles(TensorType.of(ElementType.U8, 1), new double[] {Double.NaN})));
    assertEquals("value -1.0 does not fit u4", iae(() -> Tensor.fromDoubles(TensorType.of(ElementType.U4, 1), new double[] {-1})));
    assertEquals("tensor of type tensor<2xf32> needs 2 elements, got 3",
        iae(() -> Tensor.fromDoubles(TensorType.f32(2), new double[3])));
    Tensor f = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2), new double[] {0.1, Double.NaN});
    assertEquals(0.1, f.doubles()[0]);
    assertTrue(Double.isNaN(f.getDouble(1)));
    Tensor h = Tensor.fromDoubles(TensorType.of(ElementType.F16, 2), new double[] {1.0, 65504});
    assertArrayEquals(new short[] {0x3C00, 0x7BFF}, h.shorts());
  }

  @Test
  void f16FromDoublesRoundsOnce() {
    Tensor h = Tensor.fromDoubles(TensorType.of(ElementType.F16, 1), new double[] {1.0 + 0x1p-11 + 0x1p-40});
    assertEquals(0x3C01, h.shorts()[0]);
  }

  @Test
  void fromLongsChecksRanges() {
    Tensor u = Tensor.fromLongs(TensorType.of(ElementType.U8, 3), new long[] {0, 200, 255});
    assertArrayEquals(new byte[] {0, (byte) 200, (byte) 255}, u.bytes());
    assertArrayEquals(new long[] {0, 200, 255}, u.toLongArray());
    assertEquals(255.0, u.getDouble(2));
    Tensor i4 = Tensor.fromLongs(TensorType.of(ElementType.I4, 2), new long[] {-8, 7});
    assertArrayEquals(new long[] {-8, 7}, i4.toLongArray());
    Tensor u2 = Tensor.fromLongs(TensorType.of(ElementType.U2, 2), new long[] {0, 3});
    assertEquals(3, u2.getLong(1));
    Tensor b = Tensor.fromLongs(TensorType.of(ElementType.BOOL, 2), new long[] {0, 1});
    assertEquals(1, b.getLong(1));
    Tensor i16 = Tensor.fromLongs(TensorType.of(ElementType.I16, 1), new long[] {-32768});
    assertEquals(-32768, i16.shorts()[0]);
    Tensor i32 = Tensor.fromLongs(TensorType.of(ElementType.I32, 1), new long[] {Integer.MIN_VALUE});
    assertEquals(Integer.MIN_VALUE, i32.ints()[0]);
    Tensor f = Tensor.fromLongs(TensorType.f32(2), new long[] {3, -4});
    assertArrayEquals(new float[] {3, -4}, f.floats());
    assertEquals("value 256 does not fit u8", iae(() -> Tensor.fromLongs(TensorType.of(ElementType.U8, 1), new long[] {256})));
    assertEquals("value 8 does not fit i4", iae(() -> Tensor.fromLongs(TensorType.of(ElementType.I4, 1), new long[] {8})));
    assertEquals("value -9 does not fit i4", iae(() -> Tensor.fromLongs(TensorType.of(ElementType.I4, 1), new long[] {-9})));
    assertEquals("value 4 does not fit u2", iae(() -> Tensor.fromLongs(TensorType.of(ElementType.U2, 1), new long[] {4})));
    assertEquals("value -3 does not fit i2", iae(() -> Tensor.fromLongs(TensorType.of(ElementType.I2, 1), new long[] {-3})));
    assertEquals("value 2 does not fit bool", iae(() -> Tensor.fromLongs(TensorType.of(ElementType.BOOL, 1), new long[] {2})));
    assertEquals("value 2147483648 does not fit i32",
        iae(() -> Tensor.fromLongs(TensorType.of(ElementType.I32, 1), new long[] {1L << 31})));
  }

  @Test
  void accessorsConvert() {
    Tensor t = f32(-1.75f, 2.5f);
    assertEquals(-1, t.getLong(0));
    assertEquals(2, t.getLong(1));
    assertEquals(-1.75f, t.getFloat(0));
    float[] copy = t.toFloatArray();
    assertNotSame(t.floats(), copy);
    assertArrayEquals(t.floats(), copy);
    Tensor q = Tensor.fromLongs(TensorType.of(ElementType.I8, 2), new long[] {-3, 4});
    assertArrayEquals(new float[] {-3, 4}, q.toFloatArray());
    Tensor h = Tensor.wrap(TensorType.of(ElementType.F16, 1), new short[] {(short) 0xC000});
    assertEquals(-2.0, h.getDouble(0));
    assertEquals(-2, h.getLong(0));
  }

  @Test
  void reshapeAndWithTypeShareData() {
    Tensor t = Tensor.ofFloats(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor r = t.reshape(Shape.of(3, 2));
    assertSame(t.floats(), r.floats());
    assertEquals(TensorType.f32(3, 2), r.type());
    assertEquals("cannot reshape tensor<2x3xf32> to 4", iae(() -> t.reshape(Shape.of(4))));
    Tensor q = Tensor.fromLongs(TensorType.of(ElementType.U8, 2), new long[] {1, 2});
    var qt = new TensorType(ElementType.U8, Shape.of(2), QuantParams.perTensor(0.5, 3));
    assertEquals(qt, q.withType(qt).type());
    assertEquals("cannot view tensor<2xu8> as tensor<2xi16>", iae(() -> q.withType(TensorType.of(ElementType.I16, 2))));
    assertEquals("cannot view tensor<2xu8> as tensor<3xi8>", iae(() -> q.withType(TensorType.of(ElementType.I8, 3))));
  }

  // ---- cast ----

  @Test
  void castFloatToIntegerRoundsHalfToEvenAndSaturates() {
    Tensor t = f32(0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 126.5f, 127.6f, 1000f, -129f,
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
    assertArrayEquals(new long[] {0, 2, 2, 0, -2, -2, 0, 126, 127, 127, -128, 0, 127, -128},
        t.cast(ElementType.I8).toLongArray());
    assertArrayEquals(new long[] {0, 2, 2, 0, 0, 0, 0, 126, 128, 255, 0, 0, 255, 0},
        t.cast(ElementType.U8).toLongArray());
    assertArrayEquals(new long[] {0, 2, 2, 0, -2, -2, 0, 7, 7, 7, -8, 0, 7, -8},
        t.cast(ElementType.I4).toLongArray());
    assertArrayEquals(new long[] {0, 2, 2, 0, -2, -2, 0, 126, 128, 1000, -129, 0, Long.MAX_VALUE, Long.MIN_VALUE},
        t.cast(ElementType.I64).toLongArray());
    assertEquals(TensorType.of(ElementType.I8, 14), t.cast(ElementType.I8).type());
  }

  @Test
  void castToBoolTestsForNonZero() {
    Tensor t = f32(0f, -0f, 0.25f, -3f, Float.NaN);
    assertArrayEquals(new long[] {0, 0, 1, 1, 1}, t.cast(ElementType.BOOL).toLongArray());
    Tensor i = Tensor.ofLongs(new int[] {3}, 0, -5, 7);
    assertArrayEquals(new long[] {0, 1, 1}, i.cast(ElementType.BOOL).toLongArray());
  }

  @Test
  void castBetweenIntegersSaturates() {
    Tensor i = Tensor.ofLongs(new int[] {5}, -1000, -129, -1, 200, 1L << 40);
    assertArrayEquals(new long[] {-128, -128, -1, 127, 127}, i.cast(ElementType.I8).toLongArray());
    assertArrayEquals(new long[] {0, 0, 0, 200, 255}, i.cast(ElementType.U8).toLongArray());
    assertArrayEquals(new long[] {-1000, -129, -1, 200, Integer.MAX_VALUE}, i.cast(ElementType.I32).toLongArray());
    assertArrayEquals(new long[] {-2, -2, -1, 1, 1}, i.cast(ElementType.I2).toLongArray());
  }

  @Test
  void castBetweenFloats() {
    Tensor i = Tensor.ofLongs(new int[] {2}, -3, 1L << 53);
    assertArrayEquals(new double[] {-3, 0x1p53}, i.cast(ElementType.F64).doubles());
    Tensor d = Tensor.fromDoubles(TensorType.of(ElementType.F64, 3), new double[] {0.1, 1.0 + 0x1p-11 + 0x1p-40, 1e10});
    Tensor h = d.cast(ElementType.F16);
    assertArrayEquals(new short[] {0x2E66, 0x3C01, 0x7C00}, h.shorts());
    assertArrayEquals(new float[] {0.1f, 1.0f + 0x1p-11f, 1e10f}, d.cast(ElementType.F32).floats());
    Tensor back = h.cast(ElementType.F32);
    assertArrayEquals(new float[] {0.0999755859375f, 1.0009765625f, Float.POSITIVE_INFINITY}, back.floats());
  }

  // ---- content ----

  @Test
  void contentEqualityAndHash() {
    Tensor a = f32(1, Float.NaN);
    Tensor b = f32(1, Float.NaN);
    assertTrue(a.contentEquals(b));
    assertEquals(a.contentHash(), b.contentHash());
    assertFalse(f32(0f).contentEquals(f32(-0f)));
    assertFalse(a.contentEquals(Tensor.ofFloats(new int[] {1, 2}, 1, Float.NaN)));
    Tensor u = Tensor.fromLongs(TensorType.of(ElementType.U8, 1), new long[] {1});
    Tensor s = Tensor.fromLongs(TensorType.of(ElementType.I8, 1), new long[] {1});
    assertFalse(u.contentEquals(s));
    assertNotEquals(f32(1, 2).contentHash(), f32(2, 1).contentHash());
  }

  @Test
  void splats() {
    assertTrue(f32(3, 3, 3).isSplat());
    assertFalse(f32(3, 3, 4).isSplat());
    assertFalse(f32(0f, -0f).isSplat());
    assertTrue(f32(Float.NaN, Float.NaN).isSplat());
    assertTrue(Tensor.ofFloats(new int[] {0}).isSplat());
    assertTrue(Tensor.ofLongs(new int[] {2}, 5, 5).isSplat());
  }

  // ---- compact splats ----

  @Test
  void aCompactSplatReadsAndComparesLikeItsDenseArray() {
    TensorType t = TensorType.f32(3, 4);
    Tensor s = Tensor.splat(t, f32(2.5f));
    float[] filled = new float[12];
    java.util.Arrays.fill(filled, 2.5f);
    Tensor d = Tensor.wrap(t, filled);
    assertTrue(s.isCompactSplat());
    assertFalse(d.isCompactSplat());
    assertTrue(s.isSplat());
    assertEquals(12, s.size());
    assertEquals(2.5, s.getDouble(11));
    assertThrows(IndexOutOfBoundsException.class, () -> s.getDouble(12));
    assertTrue(s.contentEquals(d));
    assertTrue(d.contentEquals(s));
    assertEquals(d.contentHash(), s.contentHash());
    filled = filled.clone();
    filled[7] = 2.25f;
    Tensor other = Tensor.wrap(t, filled);
    assertFalse(s.contentEquals(other));
    assertFalse(other.contentEquals(s));
    assertFalse(s.contentEquals(Tensor.splat(t, f32(-2.5f))));
    assertArrayEquals(d.floats(), s.floats());
    assertSame(s.floats(), s.floats(), "the dense array is built once");
  }

  @Test
  void reshapeCastAndHashesOfCompactSplatsOfEveryStorage() {
    Tensor s = Tensor.splat(TensorType.f32(2, 3), f32(-1.75f));
    Tensor r = s.reshape(Shape.of(6));
    assertTrue(r.isCompactSplat());
    assertEquals(Shape.of(6), r.shape());
    Tensor c = s.cast(ElementType.I8);
    assertTrue(c.isCompactSplat());
    assertTrue(c.contentEquals(Tensor.wrap(s.type(), s.floats().clone()).cast(ElementType.I8)));
    for (ElementType et : new ElementType[] {ElementType.F64, ElementType.F16, ElementType.I64, ElementType.I32,
        ElementType.I16, ElementType.U8}) {
      Tensor one = f32(3f).cast(et);
      Tensor sp = Tensor.splat(new TensorType(et, Shape.of(5), null), one);
      Tensor dense = Tensor.wrap(sp.type(), sp.rawData());
      assertFalse(dense.isCompactSplat());
      assertEquals(dense.contentHash(), sp.contentHash(), et.toString());
      assertTrue(sp.contentEquals(dense), et.toString());
      assertEquals(3.0, sp.getDouble(4), et.toString());
    }
    assertTrue(iae(() -> Tensor.splat(TensorType.f32(2), f32(1f, 2f))).contains("one element"));
    assertTrue(iae(() -> Tensor.splat(TensorType.of(ElementType.I64, 2), f32(1f))).contains("one element"));
  }
}
