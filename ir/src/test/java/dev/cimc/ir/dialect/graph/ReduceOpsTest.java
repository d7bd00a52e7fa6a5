package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.OpHarness.assertClose;
import static dev.cimc.ir.dialect.graph.OpHarness.assertFloats;
import static dev.cimc.ir.dialect.graph.OpHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.OpHarness.dims;
import static dev.cimc.ir.dialect.graph.OpHarness.error;
import static dev.cimc.ir.dialect.graph.OpHarness.f32;
import static dev.cimc.ir.dialect.graph.OpHarness.fold;
import static dev.cimc.ir.dialect.graph.OpHarness.infer;
import static dev.cimc.ir.dialect.graph.OpHarness.ints;
import static dev.cimc.ir.dialect.graph.OpHarness.run;
import static dev.cimc.ir.dialect.graph.OpHarness.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class ReduceOpsTest {
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;
  /** The ONNX ReduceMean example, shape 3x2x2. */
  private static final Tensor X = f32(dims(3, 2, 2), 5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2);

  private static Attributes axes(long... a) {
    return Attributes.of("axes", Attribute.ints(a));
  }

  private static Attributes axes(long[] a, long keepdims) {
    return Attributes.of("axes", Attribute.ints(a), "keepdims", Attribute.of(keepdims));
  }

  @Test
  void reduceOneMiddleAxisWithAndWithoutKeepdims() {
    assertFloats(run("graph.reduce_sum", axes(1), X), dims(3, 1, 2), 25, 3, 70, 3, 115, 3);
    assertFloats(run("graph.reduce_sum", axes(new long[] {1}, 0), X), dims(3, 2), 25, 3, 70, 3, 115, 3);
    assertFloats(run("graph.reduce_mean", axes(1), X), dims(3, 1, 2), 12.5f, 1.5f, 35, 1.5f, 57.5f, 1.5f);
    assertFloats(run("graph.reduce_max", axes(new long[] {1}, 0), X), dims(3, 2), 20, 2, 40, 2, 60, 2);
  }

  @Test
  void negativeAxesCountFromTheEnd() {
    assertFloats(run("graph.reduce_sum", axes(-2), X), dims(3, 1, 2), 25, 3, 70, 3, 115, 3);
    assertFloats(run("graph.reduce_max", axes(-1, 0), X), dims(1, 2, 1), 55, 60);
  }

  @Test
  void absentOrEmptyAxesReduceEverything() {
    assertFloats(run("graph.reduce_sum", X), dims(1, 1, 1), 219);
    assertFloats(run("graph.reduce_mean", X), dims(1, 1, 1), 18.25f);
    assertFloats(run("graph.reduce_max", axes(), X), dims(1, 1, 1), 60);
    assertFloats(run("graph.reduce_mean", Attributes.of("keepdims", Attribute.of(0L)), X), dims(), 18.25f);
  }

  @Test
  void emptyAxesWithNoopLeaveTheInput() {
    Attributes noop = Attributes.of("noop_with_empty_axes", Attribute.of(1L), "keepdims", Attribute.of(0L));
    assertSame(X, run("graph.reduce_sum", noop, X));
    assertEquals(X.type(), infer("graph.reduce_max", noop, X.type()));
    assertFloats(run("graph.reduce_sum", noop.with("axes", Attribute.ints(0)), X), dims(2, 2), 90, 3, 120, 6);
  }

  @Test
  void leadingAndSplitAxesAccumulateRows() {
    assertFloats(run("graph.reduce_sum", axes(0), X), dims(1, 2, 2), 90, 3, 120, 6);
    assertFloats(run("graph.reduce_max", axes(0), X), dims(1, 2, 2), 55, 1, 60, 2);
    assertFloats(run("graph.reduce_sum", axes(0, 2), X), dims(1, 2, 1), 93, 126);
    assertFloats(run("graph.reduce_mean", axes(new long[] {2, 0}, 0), X), dims(2), 15.5f, 21);
  }

  @Test
  void maxPropagatesNaNAndSeesInfinities() {
    Tensor x = f32(dims(2, 3), 1, NAN, 3, -INF, -INF, -5);
    assertFloats(run("graph.reduce_max", axes(1), x), dims(2, 1), NAN, -5);
    assertFloats(run("graph.reduce_max", axes(0), x), dims(1, 3), 1, NAN, 3);
    assertFloats(run("graph.reduce_sum", axes(1), f32(dims(1, 2), INF, -INF)), dims(1, 1), NAN);
  }

  @Test
  void emptySetsGiveTheIdentityOfTheReduction() {
    Tensor empty = f32(dims(2, 0, 4));
    assertFloats(run("graph.reduce_sum", axes(1), empty), dims(2, 1, 4), 0, 0, 0, 0, 0, 0, 0, 0);
    assertFloats(run("graph.reduce_max", axes(1), empty), dims(2, 1, 4), -INF, -INF, -INF, -INF, -INF, -INF, -INF, -INF);
    assertFloats(run("graph.reduce_mean", axes(new long[] {1, 2}, 0), empty), dims(2), NAN, NAN);
    assertFloats(run("graph.reduce_sum", axes(2), empty), dims(2, 0, 1));
    assertLongs(run("graph.reduce_max", axes(0), ints(ElementType.I16, dims(0, 2))), ElementType.I16, dims(1, 2),
        Short.MIN_VALUE, Short.MIN_VALUE);
  }

  @Test
  void integerAndBoolReductions() {
    Tensor x = ints(ElementType.I32, dims(2, 3), 1, 2, 4, -7, 0, 0);
    assertLongs(run("graph.reduce_mean", axes(1), x), ElementType.I32, dims(2, 1), 2, -2);
    assertLongs(run("graph.reduce_sum", axes(1), x), ElementType.I32, dims(2, 1), 7, -7);
    assertLongs(run("graph.reduce_max", axes(0), x), ElementType.I32, dims(1, 3), 1, 2, 4);
    assertLongs(run("graph.reduce_sum", ints(ElementType.I8, dims(2), 100, 100)), ElementType.I8, dims(1), -56);
    Tensor b = ints(ElementType.BOOL, dims(4, 2), 1, 1, 1, 0, 0, 1, 0, 0);
    assertLongs(run("graph.reduce_max", axes(1), b), ElementType.BOOL, dims(4, 1), 1, 1, 1, 0);
  }

  @Test
  void rankZeroAndF64Inputs() {
    assertFloats(run("graph.reduce_sum", Tensor.scalar(4)), dims(), 4);
    Tensor d = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2, 2), new double[] {0.1, 0.2, 0.3, 1e-17});
    Tensor r = run("graph.reduce_sum", axes(0), d);
    assertEquals(0.1 + 0.3, r.getDouble(0));
    assertEquals(0.2 + 1e-17, r.getDouble(1));
    assertClose(run("graph.reduce_mean", axes(1), Tensor.fromDoubles(TensorType.of(ElementType.F16, 1, 2),
        new double[] {1, 2})), dims(1, 1), 0, 1.5f);
  }

  @Test
  void inferenceOfShapesAndErrors() {
    var dyn = new TensorType(ElementType.F32, Shape.of(Shape.DYNAMIC, 5, 6), null);
    assertEquals(new TensorType(ElementType.F32, Shape.of(Shape.DYNAMIC, 1, 6), null),
        infer("graph.reduce_mean", axes(1), dyn));
    assertEquals(TensorType.f32(1, 1, 1), infer("graph.reduce_sum", Attributes.EMPTY, dyn));
    assertEquals("graph.reduce_sum: axes [1, -2] name dimension 1 twice",
        error("graph.reduce_sum", axes(1, -2), X.type()));
    assertEquals("graph.reduce_mean: axis 3 is out of range for tensor<3x2x2xf32> (rank 3)",
        error("graph.reduce_mean", axes(3), X.type()));
    assertEquals("graph.reduce_max: axis -4 is out of range for tensor<3x2x2xf32> (rank 3)",
        error("graph.reduce_max", axes(-4), X.type()));
    assertEquals("graph.reduce_sum: operand 0 must be a float or integer tensor, got tensor<4x2xbool>",
        error("graph.reduce_sum", axes(1), TensorType.of(ElementType.BOOL, 4, 2)));
    assertEquals("graph.reduce_sum: attribute 'axes' must be an int list, got an int",
        error("graph.reduce_sum", Attributes.of("axes", Attribute.of(1L)), X.type()));
  }

  @Test
  void trivialReductionsFold() {
    var b = OpHarness.builder();
    Value x = b.input("x", TensorType.f32(3, 1, 2));
    assertSame(x, fold(b.op("graph.reduce_sum", axes(1), x)), "reducing a size-1 axis with keepdims");
    assertNull(fold(b.op("graph.reduce_sum", axes(new long[] {1}, 0), x)), "dropping the axis changes the type");
    assertNull(fold(b.op("graph.reduce_max", axes(0), x)));
    Attributes noop = Attributes.of("noop_with_empty_axes", Attribute.of(1L));
    assertSame(x, fold(b.op("graph.reduce_mean", noop, x)));
  }

  @Test
  void parallelSuffixReductionMatchesSerial() {
    int rows = 900;
    int cols = 300;
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 7) - 3 + i * 1e-4f;
    }
    Tensor x = f32(dims(rows, cols), v);
    Tensor s1 = run(1, "graph.reduce_mean", axes(1), x);
    assertTrue(s1.contentEquals(run(2, "graph.reduce_mean", axes(1), x)));
    double want = 0;
    for (int j = 0; j < cols; j++) {
      want += v[5 * cols + j];
    }
    assertEquals((float) (want / cols), s1.floats()[5]);
    assertTrue(run(1, "graph.reduce_max", axes(1), x).contentEquals(run(2, "graph.reduce_max", axes(1), x)));
    Tensor col = run(2, "graph.reduce_sum", axes(0), x);
    double c0 = 0;
    for (int r = 0; r < rows; r++) {
      c0 += v[r * cols];
    }
    assertEquals((float) c0, col.floats()[0]);
    assertEquals(vec(1).elementType(), col.elementType());
  }
}
