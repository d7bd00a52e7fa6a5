package dev.cimc.ir.npy;

import static dev.cimc.ir.npy.NpyTesting.fixture;
import static dev.cimc.ir.npy.NpyTesting.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.tensor.Half;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyFormatTest {
  @TempDir Path dir;

  private static final int[][] SHAPES = {{}, {0}, {3}, {2, 3, 4}};

  /** A tensor of {@code et} whose elements step through the type's range (and specials for floats). */
  static Tensor sample(ElementType et, int... dims) {
    var type = TensorType.of(et, dims);
    int n = (int) type.numel();
    if (et.isFloat()) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = i % 5 == 4 ? Double.NaN : (i - n / 2) * 0.375;
      }
      return Tensor.fromDoubles(type, v);
    }
    long[] v = new long[n];
    long span = et.maxValue() - et.minValue() + 1;
    for (int i = 0; i < n; i++) {
      v[i] = et == ElementType.I64 ? Long.MIN_VALUE + i * 0x0123456789ABCDEL : et.minValue() + Math.floorMod(i * 7L, span);
    }
    return Tensor.fromLongs(type, v);
  }

  static Stream<Arguments> everyTypeAndShape() {
    List<Arguments> out = new ArrayList<>();
    for (ElementType et : ElementType.values()) {
      for (int[] dims : SHAPES) {
        out.add(Arguments.of(et, dims));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyTypeAndShape")
  void roundTripsEveryTypeAndShape(ElementType et, int[] dims) throws IOException {
    Tensor t = sample(et, dims);
    Path file = dir.resolve("t.npy");
    NpyFormat.write(file, t);
    Tensor back = NpyFormat.read(file);
    // NumPy has no sub-byte integers: they travel as one-byte integers of the same signedness.
    ElementType expected = switch (et) {
      case I4, I2 -> ElementType.I8;
      case U4, U2 -> ElementType.U8;
      default -> et;
    };
    assertTrue(back.contentEquals(t.withType(t.type().withElementType(expected))), () -> back + " vs " + t);
    assertArrayEquals(Files.readAllBytes(file), NpyFormat.toBytes(t));
    assertEquals(0, (Files.size(file) - t.byteSize()) % 64, "data starts on a 64-byte boundary");
  }

  @Test
  void dropsQuantizationParameters() {
    var type = TensorType.of(ElementType.I8, 2).withQuant(QuantParams.perTensor(0.5, 3));
    Tensor t = Tensor.fromLongs(type, new long[] {-1, 7});
    Tensor back = NpyFormat.read(new ByteArrayInputStream(NpyFormat.toBytes(t)), "q.npy");
    assertEquals(TensorType.of(ElementType.I8, 2), back.type());
    assertArrayEquals(new byte[] {-1, 7}, back.bytes());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"f32, f32", "f64, f64", "f16, f16", "i64, i64", "i32, i32", "i16, i16", "i8, i8", "u8, u8", "bool, bool",
      "f32_be, f32", "i64_be, i64", "f16_be, f16", "f32_v2, f32", "f32_v3, f32"})
  void readsNumpyFiles(String file, String type) {
    Tensor t = NpyFormat.read(fixture(file + ".npy"));
    ElementType et = ElementType.fromText(type).orElseThrow();
    assertEquals(TensorType.of(et, 2, 3), t.type());
    long offset = et.isSigned() && !et.isFloat() ? -3 : 0;
    for (int i = 0; i < 6; i++) {
      double want = et == ElementType.BOOL ? (i % 2 == 0 ? 1 : 0) : i + offset;
      assertEquals(want, t.getDouble(i), file + "[" + i + "]");
    }
  }

  @Test
  void readsNumpyScalarEmptyAndRank3() {
    Tensor s = NpyFormat.read(fixture("scalar_f32.npy"));
    assertEquals(TensorType.f32(), s.type());
    assertEquals(2.5f, s.floats()[0]);
    assertEquals(TensorType.f32(0), NpyFormat.read(fixture("empty_f32.npy")).type());
    Tensor r3 = NpyFormat.read(fixture("f32_2x3x4.npy"));
    assertEquals(TensorType.f32(2, 3, 4), r3.type());
    for (int i = 0; i < 24; i++) {
      assertEquals(i / 4f, r3.floats()[i]);
    }
  }

  @Test
  void keepsFloatSpecialsBitExact() {
    float[] f = NpyFormat.read(fixture("special_f32.npy")).floats();
    assertTrue(Float.isNaN(f[0]));
    assertEquals(Float.POSITIVE_INFINITY, f[1]);
    assertEquals(Float.NEGATIVE_INFINITY, f[2]);
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(f[3]));
    assertEquals(Float.MIN_VALUE, f[4]);
    short[] h = NpyFormat.read(fixture("f16_be.npy")).shorts();
    assertEquals(5f, Half.toFloat(h[5]));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"f32", "f64", "f16", "i64", "i32", "i16", "i8", "u8", "bool", "scalar_f32", "empty_f32", "f32_2x3x4"})
  void writesTheBytesNumpyWrites(String file) throws IOException {
    byte[] numpy = Files.readAllBytes(fixture(file + ".npy"));
    assertArrayEquals(numpy, NpyFormat.toBytes(NpyFormat.read(fixture(file + ".npy"))));
  }

  @Test
  void writesVersion2WhenTheHeaderNeedsIt() {
    int[] dims = new int[25_000];
    java.util.Arrays.fill(dims, 1);
    dims[0] = 2;
    Tensor t = Tensor.wrap(TensorType.of(ElementType.I32, dims), new int[] {7, -8});
    byte[] bytes = NpyFormat.toBytes(t);
    assertEquals(2, bytes[6]);
    assertEquals(0, (bytes.length - 8) % 64);
    Tensor back = NpyFormat.read(new ByteArrayInputStream(bytes), "big-header.npy");
    assertTrue(back.contentEquals(t));
    assertEquals(1, NpyFormat.toBytes(Tensor.scalar(1f))[6]);
  }

  @Test
  void readsFortranOrderWhenItIsTheSameLayout() {
    byte[] data = {1, 2, 3};
    for (String shape : new String[] {"(3,)", "(1, 3)", "(3, 1, 1)", "()"}) {
      int n = shape.equals("()") ? 1 : 3;
      byte[] bytes = npy(1, "{'descr': '|u1', 'fortran_order': True, 'shape': " + shape + "}", java.util.Arrays.copyOf(data, n));
      assertEquals(n, NpyFormat.read(new ByteArrayInputStream(bytes), "f.npy").size());
    }
  }

  @Test
  void acceptsHeaderVariantsNumpyAccepts() {
    byte[] two = {1, 0, 0, 0, 2, 0, 0, 0};
    String[] headers = {
      "{\"shape\": (2,), \"descr\": \"<i4\", \"fortran_order\": False}",
      "{'descr':'<i4','fortran_order':False,'shape':(2L,)}", // Python 2 long suffix
      "  {'descr': '<i4', 'fortran_order': False, 'shape': (2,),}   \n",
      "{'descr': 'i4', 'fortran_order': False, 'shape': (+2,)}", // no byte-order mark: native (little on test hosts)
    };
    for (String h : headers) {
      Tensor t = NpyFormat.read(new ByteArrayInputStream(npy(1, h, two)), "h.npy");
      assertArrayEquals(new int[] {1, 2}, t.ints(), h);
    }
    // Bool bytes other than 0 and 1 are True.
    Tensor b = NpyFormat.read(new ByteArrayInputStream(npy("|b1", "(3,)", new byte[] {0, 5, (byte) 0xFF})), "b.npy");
    assertArrayEquals(new byte[] {0, 1, 1}, b.bytes());
  }

  @Test
  void readsArraysOneAfterAnotherFromAStream() throws IOException {
    var out = new ByteArrayOutputStream();
    NpyFormat.write(out, Tensor.ofFloats(new int[] {2}, 1f, 2f));
    NpyFormat.write(out, Tensor.ofLongs(new int[] {1}, 42));
    var in = new ByteArrayInputStream(out.toByteArray());
    assertArrayEquals(new float[] {1f, 2f}, NpyFormat.read(in, "s").floats());
    assertArrayEquals(new long[] {42}, NpyFormat.read(in, "s").longs());
    assertEquals(-1, in.read());
  }

  @Test
  void readsLargeArraysInBulk() throws IOException {
    int n = 3_000_000; // several read chunks, and a final partial one
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5f;
    }
    Tensor t = Tensor.ofFloats(new int[] {n}, v);
    Path file = dir.resolve("large.npy");
    NpyFormat.write(file, t);
    assertTrue(NpyFormat.read(file).contentEquals(t));
    assertTrue(NpyFormat.read(new java.io.BufferedInputStream(Files.newInputStream(file)), "large.npy").contentEquals(t));
    Tensor bytes = Tensor.wrap(TensorType.of(ElementType.U8, n), new byte[n]);
    assertTrue(NpyFormat.read(new ByteArrayInputStream(NpyFormat.toBytes(bytes)), "b").contentEquals(bytes));
    assertEquals(Shape.of(n), NpyFormat.read(file).shape());
  }
}
