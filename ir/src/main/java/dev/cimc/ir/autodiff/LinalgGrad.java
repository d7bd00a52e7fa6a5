package dev.cimc.ir.autodiff;

import java.util.Arrays;

/**
 * Rules of {@code graph.gemm} ({@code Y = alpha·op(A)·op(B) + beta·C} with trans_a, trans_b and an optional
 * broadcast C) and {@code graph.matmul} (numpy semantics: batch dimensions broadcast, 1-D operands
 * promoted). For {@code Y = A·B}: {@code dA = dY·Bᵀ}, {@code dB = Aᵀ·dY}, summed over broadcast batches.
 */
final class LinalgGrad {
  private LinalgGrad() {}

  static void gemm(Step st) {
    var n = st.node();
    boolean ta = n.intAttr("trans_a") != 0;
    boolean tb = n.intAttr("trans_b") != 0;
    float alpha = (float) n.floatAttr("alpha");
    float beta = (float) n.floatAttr("beta");
    int[] ad = st.inputDims(0);
    int[] bd = st.inputDims(1);
    int m = ta ? ad[1] : ad[0];
    int k = ta ? ad[0] : ad[1];
    int nn = tb ? bd[0] : bd[1];
    // Element (i, p) of op(A) is a[i*ra + p*ca]; (p, j) of op(B) is b[p*rb + j*cb].
    int ra = ta ? 1 : k;
    int ca = ta ? m : 1;
    int rb = tb ? 1 : nn;
    int cb = tb ? k : 1;
    product(Tape.floats(st.input(0)), Tape.floats(st.input(1)), st.gradOutput(), st.gradInput(0), st.gradInput(1),
        0, 0, 0, m, nn, k, ra, ca, rb, cb, alpha);
    float[] gc = st.numInputs() > 2 ? st.gradInput(2) : null;
    if (gc != null) {
      int[] map = ElementwiseGrad.broadcastMap(st.inputDims(2), new int[] {m, nn});
      float[] gy = st.gradOutput();
      for (int i = 0; i < gy.length; i++) {
        gc[map[i]] += beta * gy[i];
      }
    }
  }

  static void matmul(Step st) {
    int[] ad = st.inputDims(0);
    int[] bd = st.inputDims(1);
    int[] a2 = ad.length == 1 ? new int[] {1, ad[0]} : ad;
    int[] b2 = bd.length == 1 ? new int[] {bd[0], 1} : bd;
    int m = a2[a2.length - 2];
    int k = a2[a2.length - 1];
    int nn = b2[b2.length - 1];
    int[] aBatch = Arrays.copyOf(a2, a2.length - 2);
    int[] bBatch = Arrays.copyOf(b2, b2.length - 2);
    int r = Math.max(aBatch.length, bBatch.length);
    int[] outBatch = new int[r];
    for (int d = 0; d < r; d++) {
      int ia = d - (r - aBatch.length);
      int ib = d - (r - bBatch.length);
      int x = ia >= 0 ? aBatch[ia] : 1;
      int y = ib >= 0 ? bBatch[ib] : 1;
      outBatch[d] = Math.max(x, y);
    }
    int[] mapA = ElementwiseGrad.broadcastMap(aBatch, outBatch);
    int[] mapB = ElementwiseGrad.broadcastMap(bBatch, outBatch);
    float[] a = Tape.floats(st.input(0));
    float[] b = Tape.floats(st.input(1));
    for (int t = 0; t < mapA.length; t++) {
      product(a, b, st.gradOutput(), st.gradInput(0), st.gradInput(1), mapA[t] * m * k, mapB[t] * k * nn,
          t * m * nn, m, nn, k, k, 1, nn, 1, 1f);
    }
  }

  /** Adds the gradients of {@code Y = alpha·A·B} (m×k times k×n, strided, at offsets) into ga and gb. */
  private static void product(float[] a, float[] b, float[] gy, float[] ga, float[] gb, int aOff, int bOff, int yOff,
      int m, int n, int k, int ra, int ca, int rb, int cb, float alpha) {
    // dA(i, p) += alpha·dY(i, j)·B(p, j) and dB(p, j) += alpha·A(i, p)·dY(i, j): loops over p innermost,
    // unit-stride for the usual layouts (A row-major, B transposed).
    for (int i = 0; i < m; i++) {
      int ai = aOff + i * ra;
      for (int j = 0; j < n; j++) {
        float g = alpha * gy[yOff + i * n + j];
        if (g == 0f) {
          continue;
        }
        int bj = bOff + j * cb;
        if (ga != null) {
          for (int p = 0; p < k; p++) {
            ga[ai + p * ca] += g * b[bj + p * rb];
          }
        }
        if (gb != null) {
          for (int p = 0; p < k; p++) {
            gb[bj + p * rb] += g * a[ai + p * ca];
          }
        }
      }
    }
  }
}
