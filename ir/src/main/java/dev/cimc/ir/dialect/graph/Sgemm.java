package dev.cimc.ir.dialect.graph;

import java.util.function.IntConsumer;

/**
 * Multi-threaded single-precision matrix multiply on row-major {@code float[]} matrices: {@code C += A·B}
 * for a batch of equally shaped problems.
 *
 * <p>The output is cut into tiles of {@code mc × nc} elements, one parallel task each. A task walks the
 * contraction in blocks of {@link #KC}, packs the {@code KC × nc} block of B into a contiguous panel (so
 * the panel stays in L2 and the inner loop reads it sequentially) and runs a register-blocked kernel over
 * four rows of C at a time. The kernel's innermost loop runs along a row of C with four rows of the panel
 * and sixteen scalars of A live at once; it is written as plain loops over arrays with {@link Math#fma},
 * which the JIT compiles to vector FMA instructions.
 */
final class Sgemm {
  /** Contraction block: rows of the packed B panel. */
  static final int KC = 256;
  /** Widest column tile. */
  static final int NC_MAX = 256;
  /** Tallest row tile. */
  static final int MC_MAX = 64;

  private Sgemm() {}

  /** Runs {@code body(i)} for i in [0, n), in parallel or not; {@code KernelContext::parallelFor} fits. */
  interface Parallel {
    void forEach(int n, IntConsumer body);
  }

  /** Runs every index on the calling thread. */
  static final Parallel SERIAL = (n, body) -> {
    for (int i = 0; i < n; i++) {
      body.accept(i);
    }
  };

  /**
   * For each problem t in [0, batch): {@code C_t += A_t · B_t} where {@code A_t} is {@code m × k} at
   * {@code a[aOff[t] + i*lda + p]}, {@code B_t} is {@code k × n} at {@code b[bOff[t] + p*ldb + j]} and
   * {@code C_t} is {@code m × n} at {@code c[cOff[t] + i*ldc + j]}. The C matrices must not overlap.
   */
  static void multiply(Parallel par, int batch, int m, int n, int k, float[] a, int[] aOff, int lda,
      float[] b, int[] bOff, int ldb, float[] c, int[] cOff, int ldc) {
    if (batch == 0 || m == 0 || n == 0 || k == 0) {
      return;
    }
    // Tile sizes: as large as cache allows, then smaller until there are enough tasks to balance threads.
    int nc = Math.min(n, NC_MAX);
    int mc = Math.min(m, MC_MAX);
    long tasks = (long) batch * ceilDiv(m, mc) * ceilDiv(n, nc);
    while (tasks < 8 && (mc > 8 || nc > 64)) {
      if (mc > 8) {
        mc = (mc + 1) / 2;
      } else {
        nc = (nc + 1) / 2;
      }
      tasks = (long) batch * ceilDiv(m, mc) * ceilDiv(n, nc);
    }
    // Round the column tile to whole vectors where that does not add a ragged extra tile.
    if (nc < n && nc % 16 != 0) {
      nc = Math.min(n, (nc + 15) / 16 * 16);
    }
    final int tileM = mc;
    final int tileN = nc;
    final int tilesM = ceilDiv(m, mc);
    final int tilesN = ceilDiv(n, nc);
    par.forEach(Math.multiplyExact(batch, tilesM * tilesN), task -> {
      int t = task / (tilesM * tilesN);
      int r = task % (tilesM * tilesN);
      int i0 = (r / tilesN) * tileM;
      int j0 = (r % tilesN) * tileN;
      int rows = Math.min(tileM, m - i0);
      int cols = Math.min(tileN, n - j0);
      tile(a, aOff[t] + i0 * lda, lda, b, bOff[t] + j0, ldb, c, cOff[t] + i0 * ldc + j0, ldc, rows, cols, k);
    });
  }

  /** One task: {@code C[rows × cols] += A[rows × k] · B[k × cols]}. */
  private static void tile(float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc,
      int rows, int cols, int k) {
    boolean pack = ldb != cols;
    float[] panel = pack ? new float[Math.min(k, KC) * cols] : null;
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      float[] bp;
      int bpo;
      int ldp;
      if (pack) {
        for (int p = 0; p < kc; p++) {
          System.arraycopy(b, bo + (p0 + p) * ldb, panel, p * cols, cols);
        }
        bp = panel;
        bpo = 0;
        ldp = cols;
      } else {
        bp = b;
        bpo = bo + p0 * ldb;
        ldp = ldb;
      }
      int i = 0;
      for (; i + 3 < rows; i += 4) {
        rows4(a, ao + i * lda + p0, lda, bp, bpo, ldp, c, co + i * ldc, ldc, cols, kc);
      }
      for (; i < rows; i++) {
        row1(a, ao + i * lda + p0, bp, bpo, ldp, c, co + i * ldc, cols, kc);
      }
    }
  }

  /** Four rows of C: {@code C[4 × n] += A[4 × kc] · P[kc × n]}, four steps of the contraction per pass. */
  private static void rows4(float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc,
      int n, int kc) {
    final int r0 = ao;
    final int r1 = r0 + lda;
    final int r2 = r1 + lda;
    final int r3 = r2 + lda;
    final int c0 = co;
    final int c1 = c0 + ldc;
    final int c2 = c1 + ldc;
    final int c3 = c2 + ldc;
    int p = 0;
    for (; p + 3 < kc; p += 4) {
      float a00 = a[r0 + p];
      float a01 = a[r0 + p + 1];
      float a02 = a[r0 + p + 2];
      float a03 = a[r0 + p + 3];
      float a10 = a[r1 + p];
      float a11 = a[r1 + p + 1];
      float a12 = a[r1 + p + 2];
      float a13 = a[r1 + p + 3];
      float a20 = a[r2 + p];
      float a21 = a[r2 + p + 1];
      float a22 = a[r2 + p + 2];
      float a23 = a[r2 + p + 3];
      float a30 = a[r3 + p];
      float a31 = a[r3 + p + 1];
      float a32 = a[r3 + p + 2];
      float a33 = a[r3 + p + 3];
      int b0 = bo + p * ldb;
      int b1 = b0 + ldb;
      int b2 = b1 + ldb;
      int b3 = b2 + ldb;
      for (int j = 0; j < n; j++) {
        float x0 = b[b0 + j];
        float x1 = b[b1 + j];
        float x2 = b[b2 + j];
        float x3 = b[b3 + j];
        c[c0 + j] = Math.fma(a03, x3, Math.fma(a02, x2, Math.fma(a01, x1, Math.fma(a00, x0, c[c0 + j]))));
        c[c1 + j] = Math.fma(a13, x3, Math.fma(a12, x2, Math.fma(a11, x1, Math.fma(a10, x0, c[c1 + j]))));
        c[c2 + j] = Math.fma(a23, x3, Math.fma(a22, x2, Math.fma(a21, x1, Math.fma(a20, x0, c[c2 + j]))));
        c[c3 + j] = Math.fma(a33, x3, Math.fma(a32, x2, Math.fma(a31, x1, Math.fma(a30, x0, c[c3 + j]))));
      }
    }
    for (; p < kc; p++) {
      float v0 = a[r0 + p];
      float v1 = a[r1 + p];
      float v2 = a[r2 + p];
      float v3 = a[r3 + p];
      int b0 = bo + p * ldb;
      for (int j = 0; j < n; j++) {
        float x = b[b0 + j];
        c[c0 + j] = Math.fma(v0, x, c[c0 + j]);
        c[c1 + j] = Math.fma(v1, x, c[c1 + j]);
        c[c2 + j] = Math.fma(v2, x, c[c2 + j]);
        c[c3 + j] = Math.fma(v3, x, c[c3 + j]);
      }
    }
  }

  /** One row of C: {@code C[1 × n] += A[1 × kc] · P[kc × n]}. */
  private static void row1(float[] a, int ao, float[] b, int bo, int ldb, float[] c, int co, int n, int kc) {
    int p = 0;
    for (; p + 3 < kc; p += 4) {
      float v0 = a[ao + p];
      float v1 = a[ao + p + 1];
      float v2 = a[ao + p + 2];
      float v3 = a[ao + p + 3];
      int b0 = bo + p * ldb;
      int b1 = b0 + ldb;
      int b2 = b1 + ldb;
      int b3 = b2 + ldb;
      for (int j = 0; j < n; j++) {
        c[co + j] = Math.fma(v3, b[b3 + j], Math.fma(v2, b[b2 + j], Math.fma(v1, b[b1 + j],
            Math.fma(v0, b[b0 + j], c[co + j]))));
      }
    }
    for (; p < kc; p++) {
      float v = a[ao + p];
      int b0 = bo + p * ldb;
      for (int j = 0; j < n; j++) {
        c[co + j] = Math.fma(v, b[b0 + j], c[co + j]);
      }
    }
  }

  /**
   * Copies the {@code rows × cols} matrix at {@code src[off + i*rowStride + j*colStride]}, scaled by
   * {@code scale}, into a fresh row-major array (transposed operands, alpha).
   */
  static float[] rowMajor(float[] src, int off, int rows, int cols, int rowStride, int colStride, float scale) {
    float[] out = new float[rows * cols];
    if (colStride == 1) {
      for (int i = 0; i < rows; i++) {
        int s = off + i * rowStride;
        if (scale == 1f) {
          System.arraycopy(src, s, out, i * cols, cols);
        } else {
          for (int j = 0; j < cols; j++) {
            out[i * cols + j] = src[s + j] * scale;
          }
        }
      }
      return out;
    }
    // Transposing: square blocks keep both the strided reads and the writes in cache.
    final int blk = 64;
    for (int i0 = 0; i0 < rows; i0 += blk) {
      int i1 = Math.min(rows, i0 + blk);
      for (int j0 = 0; j0 < cols; j0 += blk) {
        int j1 = Math.min(cols, j0 + blk);
        for (int i = i0; i < i1; i++) {
          int s = off + i * rowStride;
          for (int j = j0; j < j1; j++) {
            out[i * cols + j] = src[s + j * colStride] * scale;
          }
        }
      }
    }
    return out;
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
