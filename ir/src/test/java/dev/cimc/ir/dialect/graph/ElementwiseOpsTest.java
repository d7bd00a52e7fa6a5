package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.OpHarness.assertClose;
import static dev.cimc.ir.dialect.graph.OpHarness.assertFloats;
import static dev.cimc.ir.dialect.graph.OpHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.OpHarness.dims;
import static dev.cimc.ir.dialect.graph.OpHarness.doubles;
import static dev.cimc.ir.dialect.graph.OpHarness.error;
import static dev.cimc.ir.dialect.graph.OpHarness.f32;
import static dev.cimc.ir.dialect.graph.OpHarness.fold;
import static dev.cimc.ir.dialect.graph.OpHarness.infer;
import static dev.cimc.ir.dialect.graph.OpHarness.ints;
import static dev.cimc.ir.dialect.graph.OpHarness.run;
import static dev.cimc.ir.dialect.graph.OpHarness.runError;
import static dev.cimc.ir.dialect.graph.OpHarness.scalar;
import static dev.cimc.ir.dialect.graph.OpHarness.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class ElementwiseOpsTest {
  private static final Attributes NONE = Attributes.EMPTY;
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;

  // ---- binary float arithmetic and broadcasting ----

  @Test
  void addBroadcastsARowVector() {
    Tensor a = f32(dims(2, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(run("graph.add", a, vec(10, 20, 30)), dims(2, 3), 11, 22, 33, 14, 25, 36);
    assertFloats(run("graph.add", vec(10, 20, 30), a), dims(2, 3), 11, 22, 33, 14, 25, 36);
  }

  @Test
  void rankZeroOperandsBroadcastOnEitherSide() {
    Tensor a = f32(dims(2, 2), 1, 2, 4, 8);
    assertFloats(run("graph.mul", a, scalar(0.5f)), dims(2, 2), 0.5f, 1, 2, 4);
    assertFloats(run("graph.sub", scalar(1), a), dims(2, 2), 0, -1, -3, -7);
    assertFloats(run("graph.div", scalar(1), a), dims(2, 2), 1, 0.5f, 0.25f, 0.125f);
    assertFloats(run("graph.add", scalar(1), scalar(2)), dims(), 3);
  }

  @Test
  void columnAndRowBroadcastToAMatrix() {
    Tensor col = f32(dims(3, 1), 1, 2, 3);
    assertFloats(run("graph.add", col, vec(10, 20, 30, 40)), dims(3, 4),
        11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43);
    assertFloats(run("graph.sub", vec(10, 20, 30, 40), col), dims(3, 4),
        9, 19, 29, 39, 8, 18, 28, 38, 7, 17, 27, 37);
  }

  @Test
  void bidirectionalBroadcastOfMiddleDimensions() {
    Tensor a = f32(dims(2, 1, 3), 1, 2, 3, 4, 5, 6);
    Tensor b = f32(dims(2, 1), 10, 20);
    assertFloats(run("graph.mul", a, b), dims(2, 2, 3),
        10, 20, 30, 20, 40, 60, 40, 50, 60, 80, 100, 120);
  }

  @Test
  void sizeOneDimensionsAndEmptyTensors() {
    Tensor a = f32(dims(1, 3, 1), 1, 2, 3);
    assertFloats(run("graph.add", a, f32(dims(1, 1, 1), 1)), dims(1, 3, 1), 2, 3, 4);
    Tensor empty = f32(dims(0, 3));
    assertFloats(run("graph.add", empty, vec(1, 2, 3)), dims(0, 3));
  }

  @Test
  void floatDivisionFollowsIeee() {
    assertFloats(run("graph.div", vec(1, -1, 0, 3), vec(0, 0, 0, INF)), dims(4), INF, -INF, NAN, 0);
  }

  @Test
  void f64AndF16TakeTheDoublePath() {
    Tensor a = doubles(ElementType.F64, dims(2), 0.1, 1e300);
    Tensor r = run("graph.mul", a, doubles(ElementType.F64, dims(), 3));
    assertEquals(0.1 * 3, r.getDouble(0));
    assertEquals(3e300, r.getDouble(1));
    Tensor h = doubles(ElementType.F16, dims(3), 1, 2.5, -4);
    assertLongsAsDoubles(run("graph.add", h, doubles(ElementType.F16, dims(3), 0.5, 0.5, 0.5)), 1.5, 3, -3.5);
    assertEquals(ElementType.F16, run("graph.sub", h, h).elementType());
  }

  private static void assertLongsAsDoubles(Tensor t, double... want) {
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], t.getDouble(i), "element " + i);
    }
  }

  // ---- integers ----

  @Test
  void integerAddSubMulWrapLikeC() {
    assertLongs(run("graph.add", ints(ElementType.I8, dims(2), 100, -100), ints(ElementType.I8, dims(2), 100, -100)),
        ElementType.I8, dims(2), -56, 56);
    assertLongs(run("graph.add", ints(ElementType.U8, dims(2), 200, 1), ints(ElementType.U8, dims(), 100)),
        ElementType.U8, dims(2), 44, 101);
    assertLongs(run("graph.sub", ints(ElementType.U8, dims(1), 1), ints(ElementType.U8, dims(1), 2)),
        ElementType.U8, dims(1), 255);
    assertLongs(run("graph.mul", ints(ElementType.I16, dims(2), 300, -7), ints(ElementType.I16, dims(2), 300, 6)),
        ElementType.I16, dims(2), 24464, -42);
    assertLongs(run("graph.mul", ints(ElementType.I64, dims(1), Long.MAX_VALUE), ints(ElementType.I64, dims(1), 2)),
        ElementType.I64, dims(1), -2);
  }

  @Test
  void integerDivisionTruncatesTowardZero() {
    Tensor x = ints(ElementType.I32, dims(4), -3, 3, -3, 3);
    Tensor y = ints(ElementType.I32, dims(4), 2, 2, -2, -2);
    assertLongs(run("graph.div", x, y), ElementType.I32, dims(4), -1, 1, 1, -1);
    assertLongs(run("graph.div", ints(ElementType.U8, dims(2), 255, 7), ints(ElementType.U8, dims(), 2)),
        ElementType.U8, dims(2), 127, 3);
    assertLongs(run("graph.div", ints(ElementType.I64, dims(1), Long.MIN_VALUE), ints(ElementType.I64, dims(1), -1)),
        ElementType.I64, dims(1), Long.MIN_VALUE);
  }

  @Test
  void integerDivisionByZeroIsAnError() {
    assertEquals("%0 = graph.div: integer division by zero", runError("graph.div", NONE,
        ints(ElementType.I32, dims(2), 1, 2), ints(ElementType.I32, dims(2), 1, 0)));
  }

  @Test
  void integerMinMaxAndBroadcasting() {
    Tensor a = ints(ElementType.I16, dims(2, 2), -5, 7, 3, -1);
    Tensor b = ints(ElementType.I16, dims(2), 0, 4);
    assertLongs(run("graph.max", a, b), ElementType.I16, dims(2, 2), 0, 7, 3, 4);
    assertLongs(run("graph.min", a, b), ElementType.I16, dims(2, 2), -5, 4, 0, -1);
    assertLongs(run("graph.max", ints(ElementType.U8, dims(2), 200, 3), ints(ElementType.U8, dims(2), 100, 4)),
        ElementType.U8, dims(2), 200, 4);
  }

  // ---- pow ----

  @Test
  void powWithFloatExponents() {
    assertClose(run("graph.pow", vec(2, 3, 4, -8), vec(3, 0.5f, -0.5f, 1f / 3)), dims(4), 1e-7,
        8, (float) Math.sqrt(3), 0.5f, NAN);
    assertFloats(run("graph.pow", vec(1, 2, 3), scalar(2)), dims(3), 1, 4, 9);
    assertFloats(run("graph.pow", scalar(2), vec(0, 1, -1, 10)), dims(4), 1, 2, 0.5f, 1024);
    assertFloats(run("graph.pow", vec(0, NAN, 1), vec(0, 0, NAN)), dims(3), 1, 1, NAN);
  }

  @Test
  void powMixesElementTypesAndKeepsTheBaseType() {
    Tensor r = run("graph.pow", vec(1, 2, 3), ints(ElementType.I64, dims(3), 4, 5, -1));
    assertFloats(r, dims(3), 1, 32, 1f / 3);
    assertLongs(run("graph.pow", ints(ElementType.I32, dims(3), 1, 2, 3), vec(4, 5, 6)),
        ElementType.I32, dims(3), 1, 32, 729);
    assertLongs(run("graph.pow", ints(ElementType.I64, dims(4), 3, -2, 2, 2), ints(ElementType.I64, dims(4), 39, 3, 0, -1)),
        ElementType.I64, dims(4), 4052555153018976267L, -8, 1, 0);
    assertEquals(TensorType.of(ElementType.I32, 2, 3),
        infer("graph.pow", NONE, TensorType.of(ElementType.I32, 2, 3), TensorType.f32(3)));
  }

  // ---- min, max ----

  @Test
  void variadicMinMaxBroadcastAllOperands() {
    Tensor a = vec(3, 2, 1);
    Tensor b = vec(1, 4, 4);
    Tensor c = vec(2, 5, 3);
    assertFloats(run("graph.max", NONE, a, b, c), dims(3), 3, 5, 4);
    assertFloats(run("graph.min", NONE, a, b, c), dims(3), 1, 2, 1);
    assertFloats(run("graph.max", NONE, f32(dims(2, 1), 0, 10), vec(-1, 5, 20), scalar(1)), dims(2, 3),
        1, 5, 20, 10, 10, 20);
    assertFloats(run("graph.min", NONE, a), dims(3), 3, 2, 1);
  }

  @Test
  void minMaxPropagateNaN() {
    assertFloats(run("graph.max", vec(NAN, 1, 2), vec(0, NAN, 1)), dims(3), NAN, NAN, 2);
    assertFloats(run("graph.min", vec(NAN, 1, 2), vec(0, NAN, 1)), dims(3), NAN, NAN, 1);
    assertFloats(run("graph.max", vec(-INF, 1), scalar(INF)), dims(2), INF, INF);
  }

  // ---- unary math ----

  @Test
  void absAndNegOnFloatsAndIntegers() {
    assertFloats(run("graph.abs", vec(-1.5f, 0, 2, -INF, NAN)), dims(5), 1.5f, 0, 2, INF, NAN);
    assertEquals(0, Float.floatToRawIntBits(run("graph.abs", vec(-0f)).getFloat(0)), "abs(-0) = +0");
    assertLongs(run("graph.abs", ints(ElementType.I8, dims(3), -128, -5, 7)), ElementType.I8, dims(3), -128, 5, 7);
    assertLongs(run("graph.abs", ints(ElementType.U8, dims(1), 255)), ElementType.U8, dims(1), 255);
    assertFloats(run("graph.neg", vec(-1.5f, 2, INF)), dims(3), 1.5f, -2, -INF);
    assertLongs(run("graph.neg", ints(ElementType.I32, dims(2), Integer.MIN_VALUE, 5)), ElementType.I32, dims(2),
        Integer.MIN_VALUE, -5);
  }

  @Test
  void sqrtExpLogReciprocalAtTheirEdges() {
    assertFloats(run("graph.sqrt", vec(4, 2, 0, -1, INF)), dims(5), 2, (float) Math.sqrt(2), 0, NAN, INF);
    assertFloats(run("graph.exp", vec(0, 1, -INF, 100, NAN)), dims(5), 1, (float) Math.E, 0, INF, NAN);
    assertFloats(run("graph.log", vec(1, 8, 0, -1, INF)), dims(5), 0, (float) Math.log(8), -INF, NAN, INF);
    assertFloats(run("graph.reciprocal", vec(2, -4, 0, -0f, INF)), dims(5), 0.5f, -0.25f, INF, -INF, 0);
  }

  @Test
  void unaryOpsKeepF64Precision() {
    Tensor x = doubles(ElementType.F64, dims(2), 2, 1e-300);
    Tensor r = run("graph.sqrt", x);
    assertEquals(Math.sqrt(2), r.getDouble(0));
    assertEquals(1e-150, r.getDouble(1), 1e-165);
    assertEquals(Math.log(3), run("graph.log", doubles(ElementType.F64, dims(), 3)).getDouble(0));
  }

  // ---- shape inference ----

  @Test
  void inferenceBroadcastsStaticAndDynamicShapes() {
    assertEquals(TensorType.f32(2, 3), infer("graph.add", NONE, TensorType.f32(2, 3), TensorType.f32()));
    assertEquals(TensorType.f32(4, 2, 3), infer("graph.mul", NONE, TensorType.f32(4, 1, 3), TensorType.f32(2, 1)));
    var dyn = new TensorType(ElementType.F32, Shape.of(Shape.DYNAMIC, 3), null);
    assertEquals(dyn, infer("graph.sub", NONE, dyn, TensorType.f32(3)));
    assertEquals(TensorType.of(ElementType.I8, 5), infer("graph.max", NONE, TensorType.of(ElementType.I8, 5),
        TensorType.of(ElementType.I8), TensorType.of(ElementType.I8, 1)));
  }

  @Test
  void inferenceErrorsAreExact() {
    assertEquals("graph.add: shapes 2x3 and 4 do not broadcast (dimension -1: 3 vs 4)",
        error("graph.add", NONE, TensorType.f32(2, 3), TensorType.f32(4)));
    assertEquals("graph.max: shapes 2 and 3 do not broadcast (dimension -1: 2 vs 3)",
        error("graph.max", NONE, TensorType.f32(2), TensorType.f32(), TensorType.f32(3)));
    assertEquals("graph.add: operand 1 has element type i32 but operand 0 has f32",
        error("graph.add", NONE, TensorType.f32(2), TensorType.of(ElementType.I32, 2)));
    assertEquals("graph.mul: operand 0 must be a float or integer tensor, got tensor<2xbool>",
        error("graph.mul", NONE, TensorType.of(ElementType.BOOL, 2), TensorType.of(ElementType.BOOL, 2)));
    var q = new TensorType(ElementType.U8, Shape.of(2), QuantParams.perTensor(0.5, 128));
    assertEquals("graph.add: operand 0 is quantized (tensor<2x!q.u8<scale=0.5, zp=128>>); graph ops take plain tensors",
        error("graph.add", NONE, q, q));
    assertEquals("graph.max: expected at least 1 operand, got 0", error("graph.max", NONE));
    assertEquals("graph.min: operand 2 has element type f16 but operand 0 has f32",
        error("graph.min", NONE, TensorType.f32(2), TensorType.f32(2), TensorType.of(ElementType.F16, 2)));
    assertEquals("graph.neg: operand 0 must be a float or signed integer tensor, got tensor<2xu8>",
        error("graph.neg", NONE, TensorType.of(ElementType.U8, 2)));
    assertEquals("graph.sqrt: operand 0 must be a float tensor, got tensor<2xi32>",
        error("graph.sqrt", NONE, TensorType.of(ElementType.I32, 2)));
    assertEquals("graph.pow: operand 1 must be a float or integer tensor, got tensor<bool>",
        error("graph.pow", NONE, TensorType.f32(2), TensorType.of(ElementType.BOOL)));
    assertEquals("graph.div: expected 2 operands, got 1", error("graph.div", NONE, TensorType.f32(2)));
  }

  // ---- folders ----

  @Test
  void neutralOperandsFoldWhenTheTypeIsUnchanged() {
    var b = OpHarness.builder();
    Value x = b.input("x", TensorType.f32(2, 3));
    Value one = b.constant(Tensor.ofFloats(new int[] {3}, 1, 1, 1));
    Value zero = b.constant(Tensor.scalar(0));
    Value ones23 = b.constant(Tensor.ofFloats(new int[] {2, 3}, 1, 1, 1, 1, 1, 1));
    assertSame(x, fold(b.op("graph.mul", x, one)));
    assertSame(x, fold(b.op("graph.mul", one, x)));
    assertSame(x, fold(b.op("graph.add", x, zero)));
    assertSame(x, fold(b.op("graph.add", zero, x)));
    assertSame(x, fold(b.op("graph.sub", x, zero)));
    assertNull(fold(b.op("graph.sub", zero, x)), "0 - x is not x");
    assertSame(x, fold(b.op("graph.div", x, one)));
    assertNull(fold(b.op("graph.div", one, x)), "1 / x is not x");
    assertSame(x, fold(b.op("graph.pow", x, b.constant(Tensor.scalar(1)))));
    assertNull(fold(b.op("graph.mul", x, zero)), "x * 0 is not x");
    assertNull(fold(b.op("graph.mul", x, b.constant(Tensor.ofFloats(new int[] {3}, 1, 2, 1)))), "not a splat");
    Value v = b.input("v", TensorType.f32(3));
    assertNull(fold(b.op("graph.mul", v, ones23)), "broadcasting changes the shape");
    assertNull(fold(b.op("graph.add", x, x)));
  }

  @Test
  void integerNeutralOperandsFoldToo() {
    var b = OpHarness.builder();
    Value x = b.input("x", TensorType.of(ElementType.I32, 4));
    assertSame(x, fold(b.op("graph.mul", x, b.constant(ints(ElementType.I32, dims(), 1)))));
    assertSame(x, fold(b.op("graph.add", b.constant(ints(ElementType.I32, dims(1), 0)), x)));
  }

  @Test
  void involutionsAndIdempotentsFold() {
    var b = OpHarness.builder();
    Value x = b.input("x", TensorType.f32(4));
    Value n1 = b.op("graph.neg", x);
    assertSame(x, fold(b.op("graph.neg", n1)), "neg(neg(x)) = x");
    assertNull(fold(n1));
    Value a1 = b.op("graph.abs", x);
    assertSame(a1, fold(b.op("graph.abs", a1)), "abs(abs(x)) = abs(x)");
    Value m = b.op("graph.max", x);
    assertSame(x, fold(m), "max(x) = x");
    assertNull(fold(b.op("graph.max", x, x)));
    assertSame(x, fold(b.op("graph.identity", x)));
  }

  // ---- parallel paths ----

  @Test
  void parallelKernelsMatchTheSerialOnes() {
    int rows = 600;
    int cols = 300;
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i * 0.37) * 10;
    }
    Tensor x = f32(dims(rows, cols), v);
    Tensor bias = f32(dims(rows, 1), java.util.Arrays.copyOf(v, rows));
    Tensor serial = run(1, "graph.add", NONE, x, bias);
    Tensor parallel = run(2, "graph.add", NONE, x, bias);
    assertTrue(serial.contentEquals(parallel));
    for (int i = 0; i < v.length; i++) {
      assertEquals(v[i] + v[i / cols], serial.floats()[i], "element " + i);
    }
    assertTrue(run(1, "graph.exp", NONE, x).contentEquals(run(2, "graph.exp", NONE, x)));
    assertTrue(run(1, "graph.pow", NONE, x, bias).contentEquals(run(2, "graph.pow", NONE, x, bias)));
  }
}
