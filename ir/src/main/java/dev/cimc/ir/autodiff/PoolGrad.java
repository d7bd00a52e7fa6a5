package dev.cimc.ir.autodiff;

import dev.cimc.ir.dialect.graph.SlidingWindow;
import java.util.Arrays;

/**
 * Rules of the pools, walking the windows the way the interpreter's kernels do (1 to 3 spatial dimensions,
 * padded to three; padding never wins a max and, without count_include_pad, never counts in a mean):
 * max_pool routes each gradient to the first maximum of its window, average_pool spreads it over the
 * window, global_average_pool over the plane.
 */
final class PoolGrad {
  private PoolGrad() {}

  static void maxPool(Step st) {
    windowed(st, true);
  }

  static void averagePool(Step st) {
    windowed(st, false);
  }

  static void globalAveragePool(Step st) {
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    float[] gy = st.gradOutput();
    int plane = gx.length / gy.length;
    for (int pl = 0; pl < gy.length; pl++) {
      float v = gy[pl] / plane;
      for (int i = pl * plane, e = i + plane; i < e; i++) {
        gx[i] += v;
      }
    }
  }

  private static void windowed(Step st, boolean max) {
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    var n = st.node();
    int[] xd = st.inputDims(0);
    int r = xd.length - 2;
    long[] kernel = n.intsAttr("kernel_shape");
    int[] k0 = new int[r];
    for (int i = 0; i < r; i++) {
      k0[i] = (int) kernel[i];
    }
    SlidingWindow win = SlidingWindow.resolve(Arrays.copyOfRange(xd, 2, xd.length), k0,
        n.attr("strides") != null ? n.intsAttr("strides") : null,
        n.attr("dilations") != null ? n.intsAttr("dilations") : null,
        n.attr("pads") != null ? n.intsAttr("pads") : null, n.stringAttr("auto_pad"),
        n.intAttr("ceil_mode") != 0 && n.stringAttr("auto_pad").equals("NOTSET"));
    boolean countPad = !max && n.intAttr("count_include_pad") != 0;
    int[] in = lead(win.input(), r, 1);
    int[] k = lead(win.kernel(), r, 1);
    int[] s = lead(win.strides(), r, 1);
    int[] d = lead(win.dilations(), r, 1);
    int[] pb = lead(win.padsBegin(), r, 0);
    int[] pe = lead(win.padsEnd(), r, 0);
    int[] out = lead(win.output(), r, 1);
    int planeIn = in[0] * in[1] * in[2];
    int planeOut = out[0] * out[1] * out[2];
    int planes = xd[0] * xd[1];
    float[] x = Tape.floats(st.input(0));
    float[] gy = st.gradOutput();
    int[] lo = new int[3];
    int[] hi = new int[3];
    int[] base = new int[3];
    for (int p = 0; p < planes; p++) {
      int xb = p * planeIn;
      int o = p * planeOut;
      for (int o0 = 0; o0 < out[0]; o0++) {
        int cnt0 = taps(o0, 0, in, k, s, d, pb, pe, lo, hi, base);
        for (int o1 = 0; o1 < out[1]; o1++) {
          int cnt1 = taps(o1, 1, in, k, s, d, pb, pe, lo, hi, base);
          for (int o2 = 0; o2 < out[2]; o2++) {
            int cnt2 = taps(o2, 2, in, k, s, d, pb, pe, lo, hi, base);
            float g = gy[o++];
            if (max) {
              int best = -1;
              float bv = Float.NEGATIVE_INFINITY;
              for (int t0 = lo[0]; t0 < hi[0]; t0++) {
                int i0 = (base[0] + t0 * d[0]) * in[1];
                for (int t1 = lo[1]; t1 < hi[1]; t1++) {
                  int i1 = (i0 + base[1] + t1 * d[1]) * in[2];
                  for (int t2 = lo[2]; t2 < hi[2]; t2++) {
                    int idx = xb + i1 + base[2] + t2 * d[2];
                    if (best < 0 || x[idx] > bv) {
                      best = idx;
                      bv = x[idx];
                    }
                  }
                }
              }
              if (best >= 0) {
                gx[best] += g;
              }
            } else {
              int count = countPad ? cnt0 * cnt1 * cnt2 : (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
              if (count == 0) {
                continue;
              }
              float v = g / count;
              for (int t0 = lo[0]; t0 < hi[0]; t0++) {
                int i0 = (base[0] + t0 * d[0]) * in[1];
                for (int t1 = lo[1]; t1 < hi[1]; t1++) {
                  int i1 = (i0 + base[1] + t1 * d[1]) * in[2];
                  for (int t2 = lo[2]; t2 < hi[2]; t2++) {
                    gx[xb + i1 + base[2] + t2 * d[2]] += v;
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** As the pool kernels: the taps of output {@code o} along {@code i} inside the input; returns the padded count. */
  private static int taps(int o, int i, int[] in, int[] k, int[] s, int[] d, int[] pb, int[] pe, int[] lo, int[] hi,
      int[] base) {
    int start = o * s[i] - pb[i];
    base[i] = start;
    lo[i] = Math.min(k[i], Math.max(0, -Math.floorDiv(start, d[i])));
    hi[i] = Math.max(lo[i], Math.min(k[i], Math.floorDiv(in[i] - 1 - start, d[i]) + 1));
    return Math.max(0, Math.min(k[i], Math.floorDiv(in[i] + pe[i] - 1 - start, d[i]) + 1));
  }

  private static int[] lead(int[] v, int r, int fill) {
    int[] out = new int[3];
    Arrays.fill(out, 0, 3 - r, fill);
    System.arraycopy(v, 0, out, 3 - r, r);
    return out;
  }
}
