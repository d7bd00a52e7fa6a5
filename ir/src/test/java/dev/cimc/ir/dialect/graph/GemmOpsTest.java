package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.SingleOp.assertClose;
import static dev.cimc.ir.dialect.graph.SingleOp.assertValues;
import static dev.cimc.ir.dialect.graph.SingleOp.dims;
import static dev.cimc.ir.dialect.graph.SingleOp.error;
import static dev.cimc.ir.dialect.graph.SingleOp.f32;
import static dev.cimc.ir.dialect.graph.SingleOp.infer;
import static dev.cimc.ir.dialect.graph.SingleOp.random;
import static dev.cimc.ir.dialect.graph.SingleOp.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** gemm and matmul: hand cases, every trans/alpha/beta/C combination against naive loops, errors. */
class GemmOpsTest {

  @Test
  void gemmHandCase() {
    Tensor a = f32(dims(2, 3), 1, 2, 3, 4, 5, 6);
    Tensor b = f32(dims(3, 2), 1, 0, 0, 1, 1, 1);
    // A·B = [[4, 5], [10, 11]]
    assertValues(new float[] {4, 5, 10, 11}, run("graph.gemm", Attributes.EMPTY, a, b));
    Tensor c = f32(dims(2), 100, 200);
    assertValues(new float[] {2 + 50, 2.5f + 100, 5 + 50, 5.5f + 100}, run("graph.gemm",
        Attributes.of("alpha", Attribute.of(0.5), "beta", Attribute.of(0.5)), a, b, c));
    Tensor at = f32(dims(3, 2), 1, 4, 2, 5, 3, 6);
    Tensor bt = f32(dims(2, 3), 1, 0, 1, 0, 1, 1);
    assertValues(new float[] {4, 5, 10, 11}, run("graph.gemm",
        Attributes.of("trans_a", Attribute.of(1L), "trans_b", Attribute.of(1L)), at, bt));
    assertValues(new float[] {5, 6, 11, 12}, run("graph.gemm", Attributes.EMPTY, a, b, f32(dims(), 1)));
    assertValues(new float[] {4, 5, 10, 11}, run("graph.gemm", Attributes.of("beta", Attribute.of(0.0)), a, b,
        f32(dims(1, 1), Float.NaN)));
  }

  /** Naive alpha·op(A)·op(B) + beta·C with C broadcast: {value, scale}. */
  private static double[][] naiveGemm(int m, int n, int k, boolean ta, boolean tb, double alpha, double beta,
      float[] a, float[] b, float[] c, int[] cDims) {
    double[] v = new double[m * n];
    double[] s = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0;
        double abs = 0;
        for (int p = 0; p < k; p++) {
          double t = (double) (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
          acc += t;
          abs += Math.abs(t);
        }
        acc *= alpha;
        abs *= Math.abs(alpha);
        if (c != null && beta != 0) {
          int ci;
          if (cDims.length == 0) {
            ci = 0;
          } else if (cDims.length == 1) {
            ci = cDims[0] == 1 ? 0 : j;
          } else {
            ci = (cDims[0] == 1 ? 0 : i) * cDims[1] + (cDims[1] == 1 ? 0 : j);
          }
          acc += beta * c[ci];
          abs += Math.abs(beta * c[ci]);
        }
        v[i * n + j] = acc;
        s[i * n + j] = abs;
      }
    }
    return new double[][] {v, s};
  }

  @Test
  void gemmAllCombinationsAgainstNaive() {
    var r = new Random(77);
    double[] alphas = {1, 0.5, -2};
    double[] betas = {1, 0, 0.25};
    int count = 0;
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        for (double alpha : alphas) {
          for (double beta : betas) {
            for (int cKind = 0; cKind < 8; cKind++) {
              boolean big = count++ % 11 == 0;
              int m = 1 + r.nextInt(big ? 150 : 9);
              int n = 1 + r.nextInt(big ? 300 : 20);
              int k = 1 + r.nextInt(big ? 300 : 12);
              int[] cDims = switch (cKind) {
                case 1 -> dims();
                case 2 -> dims(1);
                case 3 -> dims(n);
                case 4 -> dims(1, n);
                case 5 -> dims(m, 1);
                case 6 -> dims(m, n);
                case 7 -> dims(1, 1);
                default -> null;
              };
              float[] a = random(r, m * k);
              float[] b = random(r, k * n);
              float[] c = cDims == null ? null : random(r, Arrays.stream(cDims).reduce(1, (x, y) -> x * y));
              var attrs = Attributes.of("alpha", Attribute.of(alpha), "beta", Attribute.of(beta), "trans_a",
                  Attribute.of((long) ta), "trans_b", Attribute.of((long) tb));
              Tensor at = f32(ta == 1 ? dims(k, m) : dims(m, k), a);
              Tensor bt = f32(tb == 1 ? dims(n, k) : dims(k, n), b);
              Tensor y = c == null ? run("graph.gemm", attrs, at, bt) : run("graph.gemm", attrs, at, bt, f32(cDims, c));
              assertEquals(TensorType.f32(m, n), y.type());
              double[][] ref = naiveGemm(m, n, k, ta == 1, tb == 1, alpha, beta, a, b, c, cDims);
              assertClose(ref[0], ref[1], y, "gemm m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb
                  + " alpha=" + alpha + " beta=" + beta + " C=" + Arrays.toString(cDims));
            }
          }
        }
      }
    }
  }

  @Test
  void gemmDoublePrecision() {
    Tensor a = f32(dims(2, 3), 1, 2, 3, 4, 5, 6).cast(ElementType.F64);
    Tensor b = f32(dims(2, 3), 1, 0, 1, 0, 1, 1).cast(ElementType.F64);
    Tensor c = f32(dims(2, 1), 10, 20).cast(ElementType.F64);
    Tensor y = run("graph.gemm", Attributes.of("trans_b", Attribute.of(1L), "alpha", Attribute.of(2.0)), a, b, c);
    assertEquals(TensorType.of(ElementType.F64, 2, 2), y.type());
    assertEquals(java.util.List.of(18.0, 20.0, 40.0, 42.0),
        java.util.List.of(y.getDouble(0), y.getDouble(1), y.getDouble(2), y.getDouble(3)));
  }

  @Test
  void matmulHandCases() {
    Tensor a = f32(dims(2, 3), 1, 2, 3, 4, 5, 6);
    Tensor v = f32(dims(3), 1, 1, 2);
    Tensor y = run("graph.matmul", Attributes.EMPTY, a, v);
    assertEquals(TensorType.f32(2), y.type());
    assertValues(new float[] {9, 21}, y);
    Tensor dot = run("graph.matmul", Attributes.EMPTY, v, v);
    assertEquals(TensorType.f32(), dot.type());
    assertValues(new float[] {6}, dot);
    Tensor u = f32(dims(2), 1, -1);
    assertValues(new float[] {-3, -3, -3}, run("graph.matmul", Attributes.EMPTY, u, a));
  }

  /** Naive batched matmul with numpy broadcasting and 1-D promotion. */
  private static void checkMatmul(Random r, int[] ad, int[] bd) {
    float[] a = random(r, Arrays.stream(ad).reduce(1, (x, y) -> x * y));
    float[] b = random(r, Arrays.stream(bd).reduce(1, (x, y) -> x * y));
    Tensor y = run("graph.matmul", Attributes.EMPTY, f32(ad, a), f32(bd, b));
    int[] pa = ad.length == 1 ? dims(1, ad[0]) : ad;
    int[] pb = bd.length == 1 ? dims(bd[0], 1) : bd;
    int m = pa[pa.length - 2];
    int k = pa[pa.length - 1];
    int n = pb[pb.length - 1];
    int rank = Math.max(pa.length, pb.length) - 2;
    int[] batch = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i - (rank - (pa.length - 2)) >= 0 ? pa[i - (rank - (pa.length - 2))] : 1;
      int db = i - (rank - (pb.length - 2)) >= 0 ? pb[i - (rank - (pb.length - 2))] : 1;
      batch[i] = Math.max(da, db);
    }
    int nb = Arrays.stream(batch).reduce(1, (x, z) -> x * z);
    double[] v = new double[nb * m * n];
    double[] s = new double[v.length];
    int[] idx = new int[rank];
    for (int t = 0; t < nb; t++) {
      int rem = t;
      for (int i = rank - 1; i >= 0; i--) {
        idx[i] = rem % batch[i];
        rem /= batch[i];
      }
      int oa = 0;
      int ob = 0;
      for (int i = 0; i < rank; i++) {
        int ia = i - (rank - (pa.length - 2));
        if (ia >= 0) {
          oa = oa * pa[ia] + (pa[ia] == 1 ? 0 : idx[i]);
        }
        int ib = i - (rank - (pb.length - 2));
        if (ib >= 0) {
          ob = ob * pb[ib] + (pb[ib] == 1 ? 0 : idx[i]);
        }
      }
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double acc = 0;
          double abs = 0;
          for (int p = 0; p < k; p++) {
            double term = (double) a[oa * m * k + i * k + p] * b[ob * k * n + p * n + j];
            acc += term;
            abs += Math.abs(term);
          }
          v[(t * m + i) * n + j] = acc;
          s[(t * m + i) * n + j] = abs;
        }
      }
    }
    assertClose(v, s, y, "matmul " + Arrays.toString(ad) + " x " + Arrays.toString(bd));
  }

  @Test
  void matmulShapesAgainstNaive() {
    var r = new Random(5);
    int[][][] cases = {
        {{7}, {7}}, {{5}, {5, 3}}, {{4, 5}, {5}}, {{3, 4}, {4, 6}}, {{2, 3, 4}, {4, 5}}, {{4, 5}, {3, 5, 2}},
        {{2, 1, 3, 4}, {3, 4, 5}}, {{2, 3, 4, 5}, {5}}, {{6}, {2, 6, 3}}, {{1, 3, 2}, {4, 2, 3}},
        {{70, 300}, {300, 270}}, {{3, 65, 40}, {40, 33}}, {{0, 4}, {4, 3}}};
    for (int[][] c : cases) {
      checkMatmul(r, c[0], c[1]);
    }
  }

  @Test
  void matmulDoubleAndHalf() {
    Tensor a = f32(dims(2, 2, 3), 1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0).cast(ElementType.F64);
    Tensor b = f32(dims(3, 1), 1, 1, 1).cast(ElementType.F64);
    Tensor y = run("graph.matmul", Attributes.EMPTY, a, b);
    assertEquals(TensorType.of(ElementType.F64, 2, 2, 1), y.type());
    assertEquals(java.util.List.of(6.0, 15.0, 1.0, 1.0),
        java.util.List.of(y.getDouble(0), y.getDouble(1), y.getDouble(2), y.getDouble(3)));
    Tensor h = run("graph.matmul", Attributes.EMPTY, a.cast(ElementType.F16), b.cast(ElementType.F16));
    assertEquals(TensorType.of(ElementType.F16, 2, 2, 1), h.type());
    assertEquals(15.0, h.getDouble(1));
  }

  @Test
  void inferenceErrors() {
    assertEquals("graph.gemm: A and B must be matrices, got tensor<2x3x4xf32> and tensor<4x5xf32>",
        error("graph.gemm", Attributes.EMPTY, TensorType.f32(2, 3, 4), TensorType.f32(4, 5)));
    assertEquals("graph.gemm: op(A) is 2x3 but op(B) is 4x5 (trans_a = 0, trans_b = 0): inner dimensions 3 and 4 differ",
        error("graph.gemm", Attributes.EMPTY, TensorType.f32(2, 3), TensorType.f32(4, 5)));
    assertEquals("graph.gemm: op(A) is 3x2 but op(B) is 5x4 (trans_a = 1, trans_b = 1): inner dimensions 2 and 5 differ",
        error("graph.gemm", Attributes.of("trans_a", Attribute.of(1L), "trans_b", Attribute.of(1L)),
            TensorType.f32(2, 3), TensorType.f32(4, 5)));
    assertEquals("graph.gemm: C tensor<3xf32> does not broadcast to the result shape 2x5",
        error("graph.gemm", Attributes.EMPTY, TensorType.f32(2, 4), TensorType.f32(4, 5), TensorType.f32(3)));
    assertEquals("graph.gemm: C tensor<5x2x5xf32> does not broadcast to the result shape 2x5",
        error("graph.gemm", Attributes.EMPTY, TensorType.f32(2, 4), TensorType.f32(4, 5), TensorType.f32(5, 2, 5)));
    assertEquals("graph.gemm: C tensor<2x5xf32> does not broadcast to the result shape 5x2",
        error("graph.gemm", Attributes.of("trans_a", Attribute.of(1L)), TensorType.f32(4, 5), TensorType.f32(4, 2),
            TensorType.f32(2, 5)));
    assertEquals("graph.gemm: operand 1 has element type f16 but operand 0 has f32",
        error("graph.gemm", Attributes.EMPTY, TensorType.f32(2, 4), TensorType.of(ElementType.F16, 4, 5)));
    assertEquals("graph.matmul: matmul contraction dimensions differ: tensor<2x3xf32> has 3, tensor<4x5xf32> has 4",
        error("graph.matmul", Attributes.EMPTY, TensorType.f32(2, 3), TensorType.f32(4, 5)));
    assertEquals(TensorType.f32(-1, 5), infer("graph.gemm", Attributes.EMPTY, TensorType.f32(-1, 4), TensorType.f32(4, 5),
        TensorType.f32(5)));
  }
}
