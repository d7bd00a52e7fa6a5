package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.OpHarness.assertClose;
import static dev.cimc.ir.dialect.graph.OpHarness.assertFloats;
import static dev.cimc.ir.dialect.graph.OpHarness.dims;
import static dev.cimc.ir.dialect.graph.OpHarness.error;
import static dev.cimc.ir.dialect.graph.OpHarness.f32;
import static dev.cimc.ir.dialect.graph.OpHarness.infer;
import static dev.cimc.ir.dialect.graph.OpHarness.run;
import static dev.cimc.ir.dialect.graph.OpHarness.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class NormOpsTest {
  private static final Attributes NONE = Attributes.EMPTY;
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;

  private static Attributes axis(long a) {
    return Attributes.of("axis", Attribute.of(a));
  }

  private static Attributes eps(double e) {
    return Attributes.of("epsilon", Attribute.of(e));
  }

  /** softmax of one row in double. */
  private static float[] softmax(double... x) {
    double m = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      m = Math.max(m, v);
    }
    double s = 0;
    for (double v : x) {
      s += Math.exp(v - m);
    }
    float[] r = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      r[i] = (float) (Math.exp(x[i] - m) / s);
    }
    return r;
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] r = new float[n];
    int k = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, r, k, p.length);
      k += p.length;
    }
    return r;
  }

  // ---- softmax, log_softmax ----

  @Test
  void softmaxAlongTheLastAxis() {
    Tensor x = f32(dims(2, 3), 1, 2, 3, -1, 0, 1);
    float[] row = softmax(1, 2, 3);
    assertClose(run("graph.softmax", x), dims(2, 3), 1e-7, concat(row, row));
    assertClose(run("graph.softmax", axis(1), x), dims(2, 3), 1e-7, concat(row, row));
    assertClose(run("graph.softmax", vec(0, 0, 0, 0)), dims(4), 0, 0.25f, 0.25f, 0.25f, 0.25f);
  }

  @Test
  void softmaxAlongAnOuterAxisIsStrided() {
    Tensor x = f32(dims(2, 3), 1, 2, 3, 4, 6, 8);
    float[] c0 = softmax(1, 4);
    float[] c1 = softmax(2, 6);
    float[] c2 = softmax(3, 8);
    float[] want = {c0[0], c1[0], c2[0], c0[1], c1[1], c2[1]};
    assertClose(run("graph.softmax", axis(0), x), dims(2, 3), 1e-7, want);
    assertClose(run("graph.softmax", axis(-2), x), dims(2, 3), 1e-7, want);
    // middle axis of a 3-D tensor: blocks of [len, inner]
    Tensor y = f32(dims(2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
    float[] p = softmax(0, 2);
    assertClose(run("graph.softmax", axis(1), y), dims(2, 2, 2), 1e-7, p[0], p[0], p[1], p[1], p[0], p[0], p[1], p[1]);
  }

  @Test
  void softmaxIsStableForLargeMagnitudes() {
    float[] small = softmax(0, 1, 2);
    assertClose(run("graph.softmax", vec(1000, 1001, 1002)), dims(3), 1e-7, small);
    assertClose(run("graph.softmax", vec(-1000, -999, -998)), dims(3), 1e-7, small);
    assertClose(run("graph.softmax", vec(3e38f, -3e38f)), dims(2), 0, 1, 0);
    assertClose(run("graph.log_softmax", vec(1000, 1000)), dims(2), 1e-7, (float) -Math.log(2), (float) -Math.log(2));
    assertClose(run("graph.log_softmax", vec(0, -1000)), dims(2), 1e-7, 0, -1000);
  }

  @Test
  void softmaxWithNaNAndInfinities() {
    Tensor x = f32(dims(2, 2), NAN, 1, 0, -INF);
    assertFloats(run("graph.softmax", x), dims(2, 2), NAN, NAN, 1, 0);
    assertFloats(run("graph.log_softmax", x), dims(2, 2), NAN, NAN, 0, -INF);
    assertFloats(run("graph.softmax", vec(INF, 0)), dims(2), NAN, NAN);
  }

  @Test
  void logSoftmaxIsTheLogOfSoftmax() {
    Tensor x = f32(dims(3, 2), 0.5f, -1, 2, 2, 10, -10);
    Tensor ls = run("graph.log_softmax", axis(0), x);
    Tensor s = run("graph.softmax", axis(0), x);
    for (int i = 0; i < 6; i++) {
      assertEquals(Math.log(s.getDouble(i)), ls.getDouble(i), 1e-6, "element " + i);
    }
  }

  @Test
  void softmaxInF64AndF16() {
    Tensor x = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2, 2), new double[] {1, 2, 3, 5});
    Tensor r = run("graph.softmax", axis(0), x);
    assertEquals(1 / (1 + Math.exp(2)), r.getDouble(0), 1e-16);
    assertEquals(1 / (1 + Math.exp(-3)), r.getDouble(3), 1e-16);
    Tensor h = Tensor.fromDoubles(TensorType.of(ElementType.F16, 2), new double[] {0, 0});
    assertEquals(-Math.log(2), run("graph.log_softmax", h).getDouble(0), 1e-3);
  }

  @Test
  void softmaxAxisMustExist() {
    assertEquals("graph.softmax: axis 2 is out of range for tensor<2x3xf32> (rank 2)",
        error("graph.softmax", axis(2), TensorType.f32(2, 3)));
    assertEquals("graph.log_softmax: axis -3 is out of range for tensor<2x3xf32> (rank 2)",
        error("graph.log_softmax", axis(-3), TensorType.f32(2, 3)));
    assertEquals("graph.softmax: axis -1 is out of range for tensor<f32> (rank 0)",
        error("graph.softmax", NONE, TensorType.f32()));
    assertEquals("graph.softmax: operand 0 must be a float tensor, got tensor<3xi64>",
        error("graph.softmax", NONE, TensorType.of(ElementType.I64, 3)));
  }

  // ---- batch_norm ----

  private static final Tensor CH2 = f32(dims(1, 2, 1, 2), 1, 2, 3, 4);

  @Test
  void batchNormAppliesPerChannelStatistics() {
    Tensor r = run("graph.batch_norm", eps(0), CH2, vec(1, 2), vec(0, 1), vec(1, 3), vec(4, 1));
    assertFloats(r, dims(1, 2, 1, 2), 0, 0.5f, 1, 3);
    Tensor d = run("graph.batch_norm", NONE, CH2, vec(1, 2), vec(0, 1), vec(1, 3), vec(4, 1));
    assertClose(d, dims(1, 2, 1, 2), 1e-6, 0, (float) (1 / Math.sqrt(4 + 1e-5)), 1,
        (float) (1 + 2 / Math.sqrt(1 + 1e-5)));
  }

  @Test
  void batchNormOnRankTwoAndF64() {
    Tensor x = f32(dims(2, 2), 1, 10, 3, 20);
    assertFloats(run("graph.batch_norm", eps(0), x, vec(1, 1), vec(0, 0), vec(2, 15), vec(1, 25)), dims(2, 2),
        -1, -1, 1, 1);
    Tensor xd = Tensor.fromDoubles(TensorType.of(ElementType.F64, 1, 1, 2), new double[] {0.1, 0.3});
    Tensor one = Tensor.fromDoubles(TensorType.of(ElementType.F64, 1), new double[] {1});
    Tensor zero = Tensor.fromDoubles(TensorType.of(ElementType.F64, 1), new double[] {0});
    Tensor r = run("graph.batch_norm", eps(0), xd, one, zero, Tensor.fromDoubles(TensorType.of(ElementType.F64, 1),
        new double[] {0.2}), one);
    assertEquals(0.1 - 0.2, r.getDouble(0), 1e-17);
  }

  @Test
  void batchNormChecksItsOperands() {
    TensorType x = TensorType.f32(1, 2, 1, 2);
    TensorType v2 = TensorType.f32(2);
    assertEquals("graph.batch_norm: operand 0 must have rank ≥ 2 (N, C, ...), got tensor<3xf32>",
        error("graph.batch_norm", NONE, TensorType.f32(3), v2, v2, v2, v2));
    assertEquals("graph.batch_norm: scale must be a vector of 2 elements (one per channel of tensor<1x2x1x2xf32>),"
        + " got tensor<3xf32>", error("graph.batch_norm", NONE, x, TensorType.f32(3), v2, v2, v2));
    assertEquals("graph.batch_norm: var must be a vector of 2 elements (one per channel of tensor<1x2x1x2xf32>),"
        + " got tensor<1x2xf32>", error("graph.batch_norm", NONE, x, v2, v2, v2, TensorType.f32(1, 2)));
    assertEquals("graph.batch_norm: operand 3 has element type f64 but operand 0 has f32",
        error("graph.batch_norm", NONE, x, v2, v2, TensorType.of(ElementType.F64, 2), v2));
    assertEquals("graph.batch_norm: expected 5 operands, got 3", error("graph.batch_norm", NONE, x, v2, v2));
    var dyn = new TensorType(ElementType.F32, Shape.of(1, Shape.DYNAMIC, 4), null);
    assertEquals(dyn, infer("graph.batch_norm", NONE, dyn, TensorType.f32(7), v2, v2, v2));
  }

  // ---- layer_norm ----

  @Test
  void layerNormNormalizesTheTrailingDimensions() {
    Tensor x = f32(dims(2, 2), 1, 3, 2, 6);
    assertFloats(run("graph.layer_norm", eps(0), x, vec(1, 1)), dims(2, 2), -1, 1, -1, 1);
    assertFloats(run("graph.layer_norm", eps(0), x, vec(2, 3), vec(1, -1)), dims(2, 2), -1, 2, -1, 2);
    float s = (float) (1 / Math.sqrt(3.5));
    Attributes all = Attributes.of("axis", Attribute.of(0L), "epsilon", Attribute.of(0.0));
    assertClose(run("graph.layer_norm", all, x, f32(dims(1), 0)), dims(2, 2), 0, 0, 0, 0, 0);
    assertClose(run("graph.layer_norm", all, x, Tensor.scalar(1)), dims(2, 2), 1e-6, -2 * s, 0, -s, 3 * s);
    assertClose(run("graph.layer_norm", all.with("axis", Attribute.of(-2L)), x, f32(dims(2, 1), 1, 2)), dims(2, 2),
        1e-6, -2 * s, 0, -2 * s, 6 * s);
  }

  @Test
  void layerNormDefaultEpsilonAndConstantRows() {
    Tensor x = f32(dims(1, 3), 5, 5, 5);
    assertFloats(run("graph.layer_norm", x, vec(1, 1, 1), vec(0, 1, 2)), dims(1, 3), 0, 1, 2);
    Tensor y = f32(dims(1, 2), 0, 2);
    assertClose(run("graph.layer_norm", y, vec(1, 1)), dims(1, 2), 1e-6, (float) (-1 / Math.sqrt(1 + 1e-5)),
        (float) (1 / Math.sqrt(1 + 1e-5)));
  }

  @Test
  void layerNormChecksScaleAndBias() {
    assertEquals("graph.layer_norm: scale tensor<3xf32> does not broadcast to the normalized shape [2x4] of "
        + "tensor<5x2x4xf32> (axis 1)",
        error("graph.layer_norm", axis(1), TensorType.f32(5, 2, 4), TensorType.f32(3)));
    assertEquals("graph.layer_norm: bias tensor<5x4xf32> does not broadcast to the normalized shape [4] of "
        + "tensor<5x2x4xf32> (axis 2)",
        error("graph.layer_norm", axis(-1), TensorType.f32(5, 2, 4), TensorType.f32(4), TensorType.f32(5, 4)));
    assertEquals("graph.layer_norm: axis 3 is out of range for tensor<5x2x4xf32> (rank 3)",
        error("graph.layer_norm", axis(3), TensorType.f32(5, 2, 4), TensorType.f32(4)));
    assertEquals("graph.layer_norm: expected 2 to 3 operands, got 1", error("graph.layer_norm", NONE, TensorType.f32(4)));
  }

  // ---- instance_norm ----

  @Test
  void instanceNormNormalizesEachChannelOfEachSample() {
    Tensor x = f32(dims(2, 2, 2), 1, 3, 5, 5, 0, 4, -1, 1);
    Tensor r = run("graph.instance_norm", x, vec(2, 1), vec(0, 10));
    float k = (float) (1 / Math.sqrt(1 + 1e-5));
    float k4 = (float) (2 / Math.sqrt(4 + 1e-5));
    assertClose(r, dims(2, 2, 2), 1e-6, -2 * k, 2 * k, 10, 10, -2 * k4, 2 * k4, 10 - k, 10 + k);
  }

  @Test
  void instanceNormChecksItsOperands() {
    assertEquals("graph.instance_norm: operand 0 must have rank ≥ 3 (N, C, D1, ...), got tensor<2x3xf32>",
        error("graph.instance_norm", NONE, TensorType.f32(2, 3), TensorType.f32(3), TensorType.f32(3)));
    assertEquals("graph.instance_norm: bias must be a vector of 3 elements (one per channel of tensor<2x3x4xf32>), "
        + "got tensor<2xf32>",
        error("graph.instance_norm", NONE, TensorType.f32(2, 3, 4), TensorType.f32(3), TensorType.f32(2)));
  }

  // ---- parallel paths ----

  @Test
  void parallelNormalizationMatchesSerial() {
    int rows = 700;
    int cols = 200;
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.cos(i * 0.013) * (i % 17);
    }
    Tensor x = f32(dims(rows, cols), v);
    float[] g = new float[cols];
    for (int j = 0; j < cols; j++) {
      g[j] = 1 + j * 0.01f;
    }
    Tensor scale = vec(g);
    assertTrue(run(1, "graph.layer_norm", NONE, x, scale).contentEquals(run(2, "graph.layer_norm", NONE, x, scale)));
    assertTrue(run(1, "graph.softmax", NONE, x).contentEquals(run(2, "graph.softmax", NONE, x)));
    assertTrue(run(1, "graph.log_softmax", axis(0), x).contentEquals(run(2, "graph.log_softmax", axis(0), x)));
    Tensor x4 = f32(dims(7, 100, 10, 20), new float[7 * 100 * 200]);
    float[] c = new float[100];
    Tensor cv = vec(c);
    assertTrue(run(1, "graph.batch_norm", NONE, x4, cv, cv, cv, cv).contentEquals(
        run(2, "graph.batch_norm", NONE, x4, cv, cv, cv, cv)));
  }
}
