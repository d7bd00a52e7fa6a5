package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The blocked SGEMM on its own: ragged edges of every block size, batches, strided operands. */
class SgemmTest {

  private static void check(Random r, int batch, int m, int n, int k, int lda, int ldb, int ldc) {
    float[] a = SingleOp.random(r, batch * m * lda);
    float[] b = SingleOp.random(r, batch * k * ldb);
    float[] c = SingleOp.random(r, batch * m * ldc);
    float[] c0 = c.clone();
    int[] ao = new int[batch];
    int[] bo = new int[batch];
    int[] co = new int[batch];
    for (int t = 0; t < batch; t++) {
      // reverse order, so offsets are not simply t * size
      ao[t] = (batch - 1 - t) * m * lda;
      bo[t] = t * k * ldb;
      co[t] = (batch - 1 - t) * m * ldc;
    }
    Sgemm.multiply(Sgemm.SERIAL, batch, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc);
    for (int t = 0; t < batch; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < ldc; j++) {
          int ci = co[t] + i * ldc + j;
          if (j >= n) {
            assertEquals(c0[ci], c[ci], "column outside the product must stay untouched");
            continue;
          }
          double acc = c0[ci];
          double abs = Math.abs(acc);
          for (int p = 0; p < k; p++) {
            double term = (double) a[ao[t] + i * lda + p] * b[bo[t] + p * ldb + j];
            acc += term;
            abs += Math.abs(term);
          }
          assertEquals(acc, c[ci], 1e-5 * abs + 1e-6, "t=" + t + " i=" + i + " j=" + j + " m=" + m + " n=" + n
              + " k=" + k);
        }
      }
    }
  }

  @Test
  void raggedBlocks() {
    var r = new Random(3);
    int[] ms = {1, 2, 3, 4, 5, 7, 64, 65, 131};
    int[] ns = {1, 15, 16, 17, 255, 256, 257, 600};
    int[] ks = {1, 3, 4, 5, 255, 256, 257, 520};
    for (int i = 0; i < 40; i++) {
      int m = ms[r.nextInt(ms.length)];
      int n = ns[r.nextInt(ns.length)];
      int k = ks[r.nextInt(ks.length)];
      check(r, 1 + r.nextInt(3), m, n, k, k, n, n);
    }
  }

  @Test
  void stridedOperands() {
    var r = new Random(4);
    check(r, 2, 9, 33, 70, 75, 40, 35);
    check(r, 1, 70, 300, 300, 301, 311, 303);
  }

  @Test
  void emptyProblemsDoNothing() {
    float[] c = {1, 2};
    Sgemm.multiply(Sgemm.SERIAL, 1, 1, 2, 0, new float[0], new int[] {0}, 0, new float[0], new int[] {0}, 2, c,
        new int[] {0}, 2);
    assertArrayEquals(new float[] {1, 2}, c);
  }

  @Test
  void rowMajorTransposesAndScales() {
    float[] src = {1, 2, 3, 4, 5, 6}; // 2x3
    assertArrayEquals(new float[] {2, 8, 4, 10, 6, 12}, Sgemm.rowMajor(src, 0, 3, 2, 1, 3, 2f));
    assertArrayEquals(new float[] {4, 5, 6}, Sgemm.rowMajor(src, 3, 1, 3, 3, 1, 1f));
  }
}
