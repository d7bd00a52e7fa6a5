package dev.cimc.ir.dialect;

import static dev.cimc.ir.dialect.OneOp.infer;
import static dev.cimc.ir.dialect.OneOp.inferError;
import static dev.cimc.ir.dialect.OneOp.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatmulTest {
  private static final int Q = Shape.DYNAMIC;
  private static final Attributes NONE = Attributes.EMPTY;

  private static TensorType f32(int... dims) {
    return new TensorType(ElementType.F32, Shape.of(dims), null);
  }

  private static Tensor random(Random rnd, int... dims) {
    float[] v = new float[(int) Shape.of(dims).numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return Tensor.ofFloats(dims, v);
  }

  /**
   * numpy.matmul by its definition: promote 1-D operands, broadcast the batch dimensions, sum in
   * double, then drop the promoted dimensions.
   */
  private static float[] naive(Tensor a, Tensor b) {
    int[] ad = a.shape().rank() == 1 ? new int[] {1, a.shape().dim(0)} : a.shape().dims();
    int[] bd = b.shape().rank() == 1 ? new int[] {b.shape().dim(0), 1} : b.shape().dims();
    int m = ad[ad.length - 2];
    int k = ad[ad.length - 1];
    int n = bd[bd.length - 1];
    int[] ba = Arrays.copyOf(ad, ad.length - 2);
    int[] bb = Arrays.copyOf(bd, bd.length - 2);
    int r = Math.max(ba.length, bb.length);
    int[] batch = new int[r];
    for (int i = 0; i < r; i++) {
      int x = i < r - ba.length ? 1 : ba[i - (r - ba.length)];
      int y = i < r - bb.length ? 1 : bb[i - (r - bb.length)];
      batch[i] = Math.max(x, y);
    }
    int nb = 1;
    for (int d : batch) {
      nb *= d;
    }
    float[] z = new float[nb * m * n];
    int[] idx = new int[r];
    for (int bi = 0; bi < nb; bi++) {
      int rem = bi;
      for (int d = r - 1; d >= 0; d--) {
        idx[d] = rem % batch[d];
        rem /= batch[d];
      }
      int oa = batchOffset(idx, ba) * m * k;
      int ob = batchOffset(idx, bb) * k * n;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double acc = 0;
          for (int p = 0; p < k; p++) {
            acc += (double) a.floats()[oa + i * k + p] * b.floats()[ob + p * n + j];
          }
          z[(bi * m + i) * n + j] = (float) acc;
        }
      }
    }
    return z;
  }

  /** The offset of a broadcast batch index into an operand's own batch dimensions. */
  private static int batchOffset(int[] idx, int[] dims) {
    int off = 0;
    int skip = idx.length - dims.length;
    for (int d = 0; d < dims.length; d++) {
      int i = dims[d] == 1 ? 0 : idx[d + skip];
      off = off * dims[d] + i;
    }
    return off;
  }

  private static void assertClose(float[] want, float[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-5, "element " + i);
    }
  }

  @Test
  void matrices() {
    Tensor a = Tensor.ofFloats(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor b = Tensor.ofFloats(new int[] {3, 2}, 7, 8, 9, 10, 11, 12);
    Tensor r = run("graph.matmul", a, b);
    assertEquals(TensorType.f32(2, 2), r.type());
    assertArrayEquals(new float[] {58, 64, 139, 154}, r.floats());
  }

  @Test
  void vectorsArePromotedOnEitherSide() {
    Tensor v = Tensor.ofFloats(new int[] {3}, 1, 2, 3);
    Tensor b = Tensor.ofFloats(new int[] {3, 2}, 7, 8, 9, 10, 11, 12);
    Tensor vb = run("graph.matmul", v, b);
    assertEquals(TensorType.f32(2), vb.type());
    assertArrayEquals(new float[] {58, 64}, vb.floats());
    Tensor a = Tensor.ofFloats(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
    Tensor av = run("graph.matmul", a, Tensor.ofFloats(new int[] {3}, 1, 0, -1));
    assertEquals(TensorType.f32(2), av.type());
    assertArrayEquals(new float[] {-2, -2}, av.floats());
    Tensor dot = run("graph.matmul", v, Tensor.ofFloats(new int[] {3}, 4, 5, 6));
    assertEquals(TensorType.f32(), dot.type());
    assertArrayEquals(new float[] {32}, dot.floats());
  }

  @Test
  void batchesBroadcast() {
    var rnd = new Random(1);
    int[][][] cases = {
        {{2, 1, 2, 3}, {4, 3, 2}},
        {{3, 4, 5}, {5, 2}},
        {{4, 5}, {3, 5, 2}},
        {{2, 1, 4, 5}, {1, 3, 5, 2}},
        {{2, 2, 3}, {3}},
        {{3}, {2, 3, 4}},
        {{1, 1, 3}, {2, 3, 1}},
    };
    int[][] expected = {{2, 4, 2, 2}, {3, 4, 2}, {3, 4, 2}, {2, 3, 4, 2}, {2, 2}, {2, 4}, {2, 1, 1}};
    for (int c = 0; c < cases.length; c++) {
      Tensor a = random(rnd, cases[c][0]);
      Tensor b = random(rnd, cases[c][1]);
      Tensor r = run("graph.matmul", a, b);
      assertEquals(TensorType.f32(expected[c]), r.type(), "case " + c);
      assertClose(naive(a, b), r.floats());
    }
  }

  @Test
  void largerProductsAgreeWithTheDefinition() {
    var rnd = new Random(2);
    Tensor a = random(rnd, 3, 17, 33);
    Tensor b = random(rnd, 33, 9);
    assertClose(naive(a, b), run("graph.matmul", a, b).floats());
  }

  @Test
  void emptyContractionGivesZeros() {
    Tensor r = run("graph.matmul", Tensor.ofFloats(new int[] {2, 0}), Tensor.ofFloats(new int[] {0, 3}));
    assertEquals(TensorType.f32(2, 3), r.type());
    assertArrayEquals(new float[6], r.floats());
  }

  @Test
  void otherFloatTypes() {
    Tensor a = Tensor.fromDoubles(TensorType.of(ElementType.F64, 1, 2), new double[] {1, 2});
    Tensor b = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2, 1), new double[] {3, 4});
    Tensor r = run("graph.matmul", a, b);
    assertEquals(TensorType.of(ElementType.F64, 1, 1), r.type());
    assertArrayEquals(new double[] {11}, r.doubles());
  }

  @Test
  void inference() {
    assertEquals(f32(Q, 2), infer("graph.matmul", NONE, f32(Q, 3), f32(3, 2)));
    assertEquals(f32(Q, Q), infer("graph.matmul", NONE, f32(Q, 3), f32(3, Q)));
    assertEquals(f32(2, 2), infer("graph.matmul", NONE, f32(2, Q), f32(5, 2)));
    assertEquals(f32(Q, 4, 2, 2), infer("graph.matmul", NONE, f32(Q, 1, 2, 3), f32(4, 3, 2)));
    assertEquals("matmul operands must have rank ≥ 1, got tensor<f32> and tensor<3xf32>",
        inferError("graph.matmul", NONE, f32(), f32(3)));
    assertEquals("matmul operands must have rank ≥ 1, got tensor<3xf32> and tensor<f32>",
        inferError("graph.matmul", NONE, f32(3), f32()));
    assertEquals("matmul contraction dimensions differ: tensor<2x3xf32> has 3, tensor<4x2xf32> has 4",
        inferError("graph.matmul", NONE, f32(2, 3), f32(4, 2)));
    assertEquals("matmul contraction dimensions differ: tensor<2x3xf32> has 3, tensor<4xf32> has 4",
        inferError("graph.matmul", NONE, f32(2, 3), f32(4)));
    assertEquals("shapes 2 and 3 do not broadcast (dimension -1: 2 vs 3)",
        inferError("graph.matmul", NONE, f32(2, 2, 3), f32(3, 3, 2)));
    assertEquals("operand 0 must be a float tensor, got tensor<2x2xi8>",
        inferError("graph.matmul", NONE, TensorType.of(ElementType.I8, 2, 2), f32(2, 2)));
    assertEquals("operand 1 has element type f16 but operand 0 has f32",
        inferError("graph.matmul", NONE, f32(2, 2), TensorType.of(ElementType.F16, 2, 2)));
  }
}
