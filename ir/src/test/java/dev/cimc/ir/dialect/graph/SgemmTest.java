package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The blocked SGEMM on its own: ragged edges of every block size, batches, strided and transposed operands. */
class SgemmTest {

  /**
   * Checks {@code C += alpha·A·B} where A (m × k) and B (k × n) are stored transposed or not, with padding
   * between rows, and C has padding columns that must stay untouched.
   */
  private static void check(Random r, int batch, int m, int n, int k, boolean ta, boolean tb, float alpha) {
    int lda = (ta ? m : k) + r.nextInt(3);
    int ldb = (tb ? k : n) + r.nextInt(3);
    int ldc = n + r.nextInt(3);
    int aSize = (ta ? k : m) * lda;
    int bSize = (tb ? n : k) * ldb;
    float[] a = SingleOp.random(r, batch * aSize);
    float[] b = SingleOp.random(r, batch * bSize);
    float[] c = SingleOp.random(r, batch * m * ldc);
    float[] c0 = c.clone();
    int[] ao = new int[batch];
    int[] bo = new int[batch];
    int[] co = new int[batch];
    for (int t = 0; t < batch; t++) {
      // reverse order, so offsets are not simply t * size
      ao[t] = (batch - 1 - t) * aSize;
      bo[t] = t * bSize;
      co[t] = (batch - 1 - t) * m * ldc;
    }
    var opA = new Sgemm.Operand(a, ao, ta ? 1 : lda, ta ? lda : 1);
    var opB = new Sgemm.Operand(b, bo, tb ? 1 : ldb, tb ? ldb : 1);
    Sgemm.multiply(Sgemm.SERIAL, batch, m, n, k, alpha, opA, opB, new Sgemm.Operand(c, co, ldc, 1));
    for (int t = 0; t < batch; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < ldc; j++) {
          int ci = co[t] + i * ldc + j;
          if (j >= n) {
            assertEquals(c0[ci], c[ci], "padding column must stay untouched");
            continue;
          }
          double acc = 0;
          double abs = 0;
          for (int p = 0; p < k; p++) {
            double term = (double) a[ao[t] + i * opA.rowStride() + p * opA.colStride()]
                * b[bo[t] + p * opB.rowStride() + j * opB.colStride()];
            acc += term;
            abs += Math.abs(term);
          }
          acc = c0[ci] + alpha * acc;
          abs = Math.abs(c0[ci]) + Math.abs(alpha) * abs;
          assertEquals(acc, c[ci], 1e-5 * abs + 1e-6, "t=" + t + " i=" + i + " j=" + j + " m=" + m + " n=" + n
              + " k=" + k + " ta=" + ta + " tb=" + tb);
        }
      }
    }
  }

  @Test
  void raggedBlocks() {
    var r = new Random(3);
    int[] ms = {1, 2, 3, 4, 5, 7, 64, 65, 131};
    int[] ns = {1, 15, 16, 17, 63, 64, 255, 513, 600};
    int[] ks = {1, 3, 4, 5, 255, 256, 257, 520};
    for (int i = 0; i < 40; i++) {
      int m = ms[r.nextInt(ms.length)];
      int n = ns[r.nextInt(ns.length)];
      int k = ks[r.nextInt(ks.length)];
      check(r, 1 + r.nextInt(3), m, n, k, false, false, 1f);
    }
  }

  @Test
  void transposedOperandsAlphaAndTheTransposedFormulation() {
    var r = new Random(4);
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        check(r, 2, 9, 33, 70, ta == 1, tb == 1, 0.5f);
        // n < 64 and m ≥ 2n: computed as Cᵀ = Bᵀ·Aᵀ
        check(r, 2, 130, 7, 300, ta == 1, tb == 1, -2f);
        check(r, 1, 70, 300, 270, ta == 1, tb == 1, 1f);
      }
    }
  }

  @Test
  void emptyProblemsDoNothing() {
    float[] c = {1, 2};
    Sgemm.multiply(Sgemm.SERIAL, 1, 1, 2, 0, new float[0], new int[] {0}, 0, new float[0], new int[] {0}, 2, c,
        new int[] {0}, 2);
    assertArrayEquals(new float[] {1, 2}, c);
  }
}
