package dev.cimc.ir.dialect.graph;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Multi-threaded single-precision matrix multiply on strided {@code float[]} matrices:
 * {@code C += alpha · A·B} for a batch of equally shaped problems.
 *
 * <p>The output is cut into tiles of at most {@link #MC_MAX} × {@link #NC_MAX} elements that worker
 * loops claim one at a time. A tile accumulates in private row arrays and walks the contraction in
 * blocks of {@link #KC}: it packs the {@code KC × cols} block of B into one array per row (the panel
 * stays in L2, four of its rows in L1), then for every group of four panel rows updates each
 * accumulator row with four scalars of A. That innermost loop,
 * {@code c[j] = fma(a3, b3[j], fma(a2, b2[j], fma(a1, b1[j], fma(a0, b0[j], c[j]))))}, indexes every
 * array by the bare loop variable: that is the form the JDK 17 auto-vectorizer (SuperWord) turns into
 * vector FMAs; offsets into a shared array, several stores per iteration or a longer body keep the loop
 * scalar, three times slower.
 *
 * <p>When the result has few columns but many rows the vector loops would be short, so the product is
 * computed transposed, {@code Cᵀ = Bᵀ·Aᵀ}, provided A is stored column-major: then the panels of Aᵀ are
 * copied from contiguous memory. (Gathering them from a row-major A costs more than the short loops:
 * measured 4–11 against 23–44 GFLOP/s for the 49-pixel layers of ResNet-50.)
 */
final class Sgemm {
  /** Contraction block: rows of a packed panel. */
  static final int KC = 256;
  /** Widest column tile (the vector loop length). */
  static final int NC_MAX = 512;
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

  /** A matrix operand: element (i, j) of problem t is {@code data[offsets[t] + i*rowStride + j*colStride]}. */
  record Operand(float[] data, int[] offsets, int rowStride, int colStride) {
    Operand transposed() {
      return new Operand(data, offsets, colStride, rowStride);
    }
  }

  /**
   * For each problem t in [0, batch): {@code C_t += A_t · B_t} with row-major operands: {@code A_t} is
   * {@code m × k} at {@code a[aOff[t] + i*lda + p]}, {@code B_t} is {@code k × n} at
   * {@code b[bOff[t] + p*ldb + j]}, {@code C_t} is {@code m × n} at {@code c[cOff[t] + i*ldc + j]}.
   */
  static void multiply(Parallel par, int batch, int m, int n, int k, float[] a, int[] aOff, int lda,
      float[] b, int[] bOff, int ldb, float[] c, int[] cOff, int ldc) {
    multiply(par, batch, m, n, k, 1f, new Operand(a, aOff, lda, 1), new Operand(b, bOff, ldb, 1),
        new Operand(c, cOff, ldc, 1));
  }

  /**
   * The general form: {@code C_t += alpha · A_t · B_t} for strided operands ({@code A} is m × k, {@code B}
   * is k × n, {@code C} is m × n). The C matrices must not overlap each other or A and B.
   */
  static void multiply(Parallel par, int batch, int m, int n, int k, float alpha, Operand a, Operand b, Operand c) {
    if (batch == 0 || m == 0 || n == 0) {
      return;
    }
    if (n < 64 && m >= 2 * n && a.rowStride() == 1) {
      // Cᵀ = Bᵀ·Aᵀ: the long dimension becomes the vector loop, the panels still come from contiguous rows.
      run(par, batch, n, m, k, alpha, b.transposed(), a.transposed(), c.transposed());
    } else {
      run(par, batch, m, n, k, alpha, a, b, c);
    }
  }

  private static void run(Parallel par, int batch, int m, int n, int k, float alpha, Operand a, Operand b,
      Operand c) {
    if (k == 0) {
      return;
    }
    // Tile sizes: as large as the caches allow, then smaller until there are enough tiles to balance threads.
    int nc = Math.min(n, NC_MAX);
    int mc = Math.min(m, MC_MAX);
    while ((long) batch * ceilDiv(m, mc) * ceilDiv(n, nc) < 8 && (mc > 8 || nc > 64)) {
      if (mc > 8) {
        mc = (mc + 1) / 2;
      } else {
        nc = (nc + 1) / 2;
      }
    }
    // Whole vectors per tile where that does not add a ragged extra tile.
    if (nc < n && nc % 16 != 0) {
      nc = Math.min(n, (nc + 15) / 16 * 16);
    }
    final int tileM = mc;
    final int tileN = nc;
    final int tilesM = ceilDiv(m, mc);
    final int tilesN = ceilDiv(n, nc);
    final int tasks = Math.multiplyExact(batch, tilesM * tilesN);
    // A few worker loops claim tiles dynamically and reuse their buffers from tile to tile.
    AtomicInteger next = new AtomicInteger();
    par.forEach(Math.min(tasks, 16), worker -> {
      float[][] acc = null;
      float[][] panel = null;
      for (int task = next.getAndIncrement(); task < tasks; task = next.getAndIncrement()) {
        if (acc == null) {
          acc = new float[tileM][tileN];
          panel = new float[Math.min(k, KC)][tileN];
        }
        int t = task / (tilesM * tilesN);
        int r = task % (tilesM * tilesN);
        int i0 = (r / tilesN) * tileM;
        int j0 = (r % tilesN) * tileN;
        tile(a, b, c, t, i0, j0, Math.min(tileM, m - i0), Math.min(tileN, n - j0), k, alpha, acc, panel);
      }
    });
  }

  /** One tile: rows [i0, i0+rows) × columns [j0, j0+cols) of problem t. */
  private static void tile(Operand a, Operand b, Operand c, int t, int i0, int j0, int rows, int cols, int k,
      float alpha, float[][] acc, float[][] panel) {
    float[] cd = c.data();
    int co = c.offsets()[t] + i0 * c.rowStride() + j0 * c.colStride();
    for (int i = 0; i < rows; i++) {
      load(cd, co + i * c.rowStride(), c.colStride(), acc[i], cols);
    }
    float[] ad = a.data();
    int ars = a.rowStride();
    int acs = a.colStride();
    int ao = a.offsets()[t] + i0 * ars;
    float[] bd = b.data();
    int bo = b.offsets()[t] + j0 * b.colStride();
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      for (int p = 0; p < kc; p++) {
        load(bd, bo + (p0 + p) * b.rowStride(), b.colStride(), panel[p], cols);
      }
      int p = 0;
      for (; p + 3 < kc; p += 4) {
        float[] b0 = panel[p];
        float[] b1 = panel[p + 1];
        float[] b2 = panel[p + 2];
        float[] b3 = panel[p + 3];
        int ap = ao + (p0 + p) * acs;
        for (int i = 0; i < rows; i++) {
          int ai = ap + i * ars;
          axpy4(acc[i], b0, b1, b2, b3, alpha * ad[ai], alpha * ad[ai + acs], alpha * ad[ai + 2 * acs],
              alpha * ad[ai + 3 * acs], cols);
        }
      }
      for (; p < kc; p++) {
        int ap = ao + (p0 + p) * acs;
        for (int i = 0; i < rows; i++) {
          axpy1(acc[i], panel[p], alpha * ad[ap + i * ars], cols);
        }
      }
    }
    for (int i = 0; i < rows; i++) {
      store(acc[i], cd, co + i * c.rowStride(), c.colStride(), cols);
    }
  }

  /** {@code c += a0·b0 + a1·b1 + a2·b2 + a3·b3} over the first n elements (the vectorized kernel). */
  private static void axpy4(float[] c, float[] b0, float[] b1, float[] b2, float[] b3, float a0, float a1, float a2,
      float a3, int n) {
    for (int j = 0; j < n; j++) {
      c[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c[j]))));
    }
  }

  private static void axpy1(float[] c, float[] b0, float a0, int n) {
    for (int j = 0; j < n; j++) {
      c[j] = Math.fma(a0, b0[j], c[j]);
    }
  }

  /** Copies n strided elements into the front of {@code dst}. */
  private static void load(float[] src, int off, int stride, float[] dst, int n) {
    if (stride == 1) {
      System.arraycopy(src, off, dst, 0, n);
    } else {
      for (int j = 0; j < n; j++) {
        dst[j] = src[off + j * stride];
      }
    }
  }

  private static void store(float[] src, float[] dst, int off, int stride, int n) {
    if (stride == 1) {
      System.arraycopy(src, 0, dst, off, n);
    } else {
      for (int j = 0; j < n; j++) {
        dst[off + j * stride] = src[j];
      }
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
