package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.type.Shape;
import java.util.ArrayList;

/** Numpy (multidirectional) broadcasting: shapes and the strides that read a broadcast operand. */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast shape of two shapes, or an inference error naming the clashing dimension. */
  public static Shape shape(Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
      int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
      if (da == db || db == 1) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else if (da == Shape.DYNAMIC || db == Shape.DYNAMIC) {
        out[i] = Math.max(da, db);
      } else {
        throw new InferenceException("shapes " + a + " and " + b + " do not broadcast (dimension "
            + (i - r) + ": " + da + " vs " + db + ")");
      }
    }
    return Shape.of(out);
  }

  /**
   * True when {@code from} broadcasts to {@code to} without changing it (ONNX unidirectional
   * broadcasting); dynamic dimensions are given the benefit of the doubt.
   */
  public static boolean broadcastsTo(Shape from, Shape to) {
    if (from.rank() > to.rank()) {
      return false;
    }
    int off = to.rank() - from.rank();
    for (int i = 0; i < from.rank(); i++) {
      int f = from.dim(i);
      int t = to.dim(i + off);
      if (f != 1 && f != t && f != Shape.DYNAMIC && t != Shape.DYNAMIC) {
        return false;
      }
    }
    return true;
  }

  /**
   * Element strides for reading an operand of shape {@code in} at the indices of {@code out}: 0 along
   * broadcast dimensions, right-aligned.
   */
  public static long[] strides(Shape in, Shape out) {
    int r = out.rank();
    long[] s = new long[r];
    long[] inStrides = in.strides();
    int off = r - in.rank();
    for (int i = 0; i < in.rank(); i++) {
      s[i + off] = in.dim(i) == 1 && out.dim(i + off) != 1 ? 0 : inStrides[i];
    }
    return s;
  }

  /**
   * How to walk the output of a two-operand broadcast in runs. Dimensions of size 1 are dropped and
   * neighbouring dimensions that both operands read alike are merged, so a run is a whole row of the
   * innermost merged dimension, along which each operand steps by 1 (read) or 0 (broadcast). Kernels
   * get one call per run and keep their per-element loops tight.
   */
  static final class Plan {
    /** Work on one run: {@code len} output elements from {@code out}, operand offsets and steps (0 or 1). */
    interface Run {
      void run(int out, int a, int aStep, int b, int bStep, int len);
    }

    private final int size;
    private final int inner;
    private final int aStep;
    private final int bStep;
    private final int[] outer;
    private final int[] aOuter;
    private final int[] bOuter;

    private Plan(int size, int inner, int aStep, int bStep, int[] outer, int[] aOuter, int[] bOuter) {
      this.size = size;
      this.inner = inner;
      this.aStep = aStep;
      this.bStep = bStep;
      this.outer = outer;
      this.aOuter = aOuter;
      this.bOuter = bOuter;
    }

    /** The plan for reading operands of shapes {@code a} and {@code b} at every index of {@code out}. */
    static Plan of(Shape a, Shape b, Shape out) {
      long[] sa = strides(a, out);
      long[] sb = strides(b, out);
      // Groups from the innermost outwards: size and the operand strides of the group's index.
      var sizes = new ArrayList<Integer>();
      var as = new ArrayList<Long>();
      var bs = new ArrayList<Long>();
      for (int d = out.rank() - 1; d >= 0; d--) {
        int n = out.dim(d);
        if (n == 1) {
          continue;
        }
        int last = sizes.size() - 1;
        if (last >= 0 && sa[d] == as.get(last) * sizes.get(last) && sb[d] == bs.get(last) * sizes.get(last)) {
          sizes.set(last, sizes.get(last) * n);
        } else {
          sizes.add(n);
          as.add(sa[d]);
          bs.add(sb[d]);
        }
      }
      int size = (int) out.numel();
      if (sizes.isEmpty()) {
        return new Plan(size, 1, 0, 0, new int[0], new int[0], new int[0]);
      }
      int k = sizes.size() - 1;
      int[] outer = new int[k];
      int[] ao = new int[k];
      int[] bo = new int[k];
      for (int g = 0; g < k; g++) {
        // outermost first
        int src = k - g;
        outer[g] = sizes.get(src);
        ao[g] = Math.toIntExact(as.get(src));
        bo[g] = Math.toIntExact(bs.get(src));
      }
      return new Plan(size, sizes.get(0), (int) (long) as.get(0), (int) (long) bs.get(0), outer, ao, bo);
    }

    int size() {
      return size;
    }

    /** Visits the output elements in [from, to), cutting runs at row ends. */
    void forEach(int from, int to, Run r) {
      if (from >= to) {
        return;
      }
      int k = outer.length;
      int[] idx = new int[k];
      int row = from / inner;
      int j = from % inner;
      int ao = 0;
      int bo = 0;
      for (int g = k - 1; g >= 0; g--) {
        idx[g] = row % outer[g];
        row /= outer[g];
        ao += idx[g] * aOuter[g];
        bo += idx[g] * bOuter[g];
      }
      int pos = from;
      while (pos < to) {
        int len = Math.min(inner - j, to - pos);
        r.run(pos, ao + j * aStep, aStep, bo + j * bStep, bStep, len);
        pos += len;
        j = 0;
        for (int g = k - 1; g >= 0; g--) {
          idx[g]++;
          ao += aOuter[g];
          bo += bOuter[g];
          if (idx[g] < outer[g]) {
            break;
          }
          ao -= aOuter[g] * outer[g];
          bo -= bOuter[g] * outer[g];
          idx[g] = 0;
        }
      }
    }

    /** Visits every output element, in parallel chunks of about {@code grain} elements when worth it. */
    void run(KernelContext ctx, int grain, Run r) {
      Chunks.run(ctx, size, grain, (from, to) -> forEach(from, to, r));
    }
  }

  /** Splits [0, n) into contiguous chunks for a kernel context's parallel loop. */
  static final class Chunks {
    private Chunks() {}

    /** Work on the elements [from, to). */
    interface Range {
      void run(int from, int to);
    }

    /** Elementwise work below this many elements per thread is not worth a fork (cheap arithmetic). */
    static final int CHEAP = 1 << 16;
    /** The same for work that calls exp/log/tanh per element. */
    static final int COSTLY = 1 << 12;

    static void run(KernelContext ctx, int n, int grain, Range body) {
      int threads = ctx == null ? 1 : ctx.parallelism();
      if (threads <= 1 || n < 2 * grain) {
        body.run(0, n);
        return;
      }
      int chunks = (int) Math.min((n + (long) grain - 1) / grain, 4L * threads);
      int step = (n + chunks - 1) / chunks;
      ctx.parallelFor(chunks, c -> body.run(c * step, Math.min(n, (c + 1) * step)));
    }
  }
}
