package dev.cimc.ir.dialect.graph;

import java.util.Arrays;

/**
 * Convolution kernels on NCHW tensors (1-D convolutions run as 2-D with a height of one).
 *
 * <p>The float path lowers a convolution to {@link Sgemm}: the weights of a group are an
 * {@code ocg × (icg·kh·kw)} matrix, the input becomes an {@code (C·kh·kw) × (oh·ow)} column matrix
 * (im2col; a 1×1, stride-1, unpadded convolution uses the input itself), and the product lands directly
 * in the NCHW output. Depthwise convolutions (one input channel per group) run as a direct loop over each
 * output plane instead, since their GEMMs would be a single row. Transposed convolutions multiply the
 * transposed weights with the input and scatter the columns back (col2im). The double path (f64, f16)
 * runs direct loops: correct, not fast.
 */
final class ConvKernels {
  private ConvKernels() {}

  /**
   * The shape of a 2-D convolution. For a transposed convolution {@code height/width} are the input
   * extents, {@code outH/outW} the output extents, and the pads may be negative (output_shape larger than
   * the natural size).
   */
  record Geometry(int batch, int channels, int height, int width, int outChannels, int group, int kernelH,
      int kernelW, int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft, int outH,
      int outW) {}

  // ---------------------------------------------------------------- convolution, float

  /** Convolution of NCHW {@code x} with OIHW {@code w} (+ {@code bias}): the NCHW output. */
  static float[] conv2d(Sgemm.Parallel par, Geometry g, float[] x, float[] w, float[] bias) {
    int oc = g.outChannels();
    int planeOut = g.outH() * g.outW();
    float[] out = new float[g.batch() * oc * planeOut];
    int icg = g.channels() / g.group();
    if (icg == 1 && g.group() > 1) {
      depthwise(par, g, x, w, bias, out);
      return out;
    }
    int ocg = oc / g.group();
    int kk = icg * g.kernelH() * g.kernelW();
    int planeIn = g.height() * g.width();
    boolean direct = g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1
        && g.padTop() == 0 && g.padLeft() == 0 && g.outH() == g.height() && g.outW() == g.width();
    float[] col = direct ? null : new float[g.channels() * g.kernelH() * g.kernelW() * planeOut];
    int[] aOff = new int[g.group()];
    int[] bOff = new int[g.group()];
    int[] cOff = new int[g.group()];
    for (int b = 0; b < g.batch(); b++) {
      float[] src;
      int base;
      if (direct) {
        src = x;
        base = b * g.channels() * planeIn;
      } else {
        im2col(par, g, x, b, col);
        src = col;
        base = 0;
      }
      int outBase = b * oc * planeOut;
      if (bias != null) {
        for (int o = 0; o < oc; o++) {
          Arrays.fill(out, outBase + o * planeOut, outBase + (o + 1) * planeOut, bias[o]);
        }
      }
      for (int gi = 0; gi < g.group(); gi++) {
        aOff[gi] = gi * ocg * kk;
        bOff[gi] = base + gi * kk * planeOut;
        cOff[gi] = outBase + gi * ocg * planeOut;
      }
      Sgemm.multiply(par, g.group(), ocg, planeOut, kk, w, aOff, kk, src, bOff, planeOut, out, cOff, planeOut);
    }
    return out;
  }

  /**
   * Fills {@code col} with the column matrix of image {@code b}: row {@code (c·kh + ky)·kw + kx}, column
   * {@code oy·ow + ox} holds the input under kernel tap (ky, kx) for output (oy, ox), or 0 in the padding.
   */
  static void im2col(Sgemm.Parallel par, Geometry g, float[] x, int b, float[] col) {
    int h = g.height();
    int w = g.width();
    int oh = g.outH();
    int ow = g.outW();
    int kh = g.kernelH();
    int kw = g.kernelW();
    int sh = g.strideH();
    int sw = g.strideW();
    int planeOut = oh * ow;
    par.forEach(g.channels(), c -> {
      int xBase = (b * g.channels() + c) * h * w;
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          int row = (c * kh + ky) * kw + kx;
          int dst = row * planeOut;
          int dx = kx * g.dilationW() - g.padLeft();
          int lo = Math.min(ow, Math.max(0, SlidingWindow.ceilDiv(-dx, sw)));
          int hi = Math.max(lo, Math.min(ow, Math.floorDiv(w - 1 - dx, sw) + 1));
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - g.padTop() + ky * g.dilationH();
            int d = dst + oy * ow;
            if (iy < 0 || iy >= h) {
              Arrays.fill(col, d, d + ow, 0f);
              continue;
            }
            int s = xBase + iy * w + dx;
            Arrays.fill(col, d, d + lo, 0f);
            if (sw == 1) {
              if (hi > lo) {
                System.arraycopy(x, s + lo, col, d + lo, hi - lo);
              }
            } else {
              for (int ox = lo; ox < hi; ox++) {
                col[d + ox] = x[s + ox * sw];
              }
            }
            Arrays.fill(col, d + hi, d + ow, 0f);
          }
        }
      }
    });
  }

  /** One input channel per group: each output plane is a sum of shifted, scaled input rows. */
  private static void depthwise(Sgemm.Parallel par, Geometry g, float[] x, float[] w, float[] bias, float[] out) {
    int oc = g.outChannels();
    int ocg = oc / g.group();
    int h = g.height();
    int wd = g.width();
    int oh = g.outH();
    int ow = g.outW();
    int kh = g.kernelH();
    int kw = g.kernelW();
    int sh = g.strideH();
    int sw = g.strideW();
    par.forEach(g.batch() * oc, job -> {
      int b = job / oc;
      int o = job % oc;
      int ci = o / ocg;
      int xBase = (b * g.channels() + ci) * h * wd;
      int oBase = job * oh * ow;
      if (bias != null) {
        Arrays.fill(out, oBase, oBase + oh * ow, bias[o]);
      }
      for (int kx = 0; kx < kw; kx++) {
        int dx = kx * g.dilationW() - g.padLeft();
        int lo = Math.min(ow, Math.max(0, SlidingWindow.ceilDiv(-dx, sw)));
        int hi = Math.max(lo, Math.min(ow, Math.floorDiv(wd - 1 - dx, sw) + 1));
        for (int ky = 0; ky < kh; ky++) {
          float wv = w[(o * kh + ky) * kw + kx];
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - g.padTop() + ky * g.dilationH();
            if (iy < 0 || iy >= h) {
              continue;
            }
            int s = xBase + iy * wd + dx;
            int d = oBase + oy * ow;
            if (sw == 1) {
              for (int ox = lo; ox < hi; ox++) {
                out[d + ox] = Math.fma(wv, x[s + ox], out[d + ox]);
              }
            } else {
              for (int ox = lo; ox < hi; ox++) {
                out[d + ox] = Math.fma(wv, x[s + ox * sw], out[d + ox]);
              }
            }
          }
        }
      }
    });
  }

  // ---------------------------------------------------------------- transposed convolution, float

  /**
   * Transposed convolution: weights {@code C × (M/group) × kh × kw}; input channel c of group gi spreads
   * each input pixel over a kernel-sized patch of the group's output channels.
   */
  static float[] convTranspose2d(Sgemm.Parallel par, Geometry g, float[] x, float[] w, float[] bias) {
    int grp = g.group();
    int icg = g.channels() / grp;
    int ocg = g.outChannels() / grp;
    int kk = ocg * g.kernelH() * g.kernelW();
    int planeIn = g.height() * g.width();
    int planeOut = g.outH() * g.outW();
    float[] out = new float[g.batch() * g.outChannels() * planeOut];
    float[] col = new float[grp * kk * planeIn];
    int[] aOff = new int[grp];
    int[] bOff = new int[grp];
    int[] cOff = new int[grp];
    for (int b = 0; b < g.batch(); b++) {
      Arrays.fill(col, 0f);
      for (int gi = 0; gi < grp; gi++) {
        aOff[gi] = gi * icg * kk;
        bOff[gi] = (b * g.channels() + gi * icg) * planeIn;
        cOff[gi] = gi * kk * planeIn;
      }
      // The group's weights are icg × kk, row-major; their transpose is read with swapped strides.
      Sgemm.multiply(par, grp, kk, planeIn, icg, 1f, new Sgemm.Operand(w, aOff, 1, kk),
          new Sgemm.Operand(x, bOff, planeIn, 1), new Sgemm.Operand(col, cOff, planeIn, 1));
      col2im(par, g, col, b, bias, out);
    }
    return out;
  }

  /** Scatters the columns of image {@code b} into its output planes (one parallel task per channel). */
  private static void col2im(Sgemm.Parallel par, Geometry g, float[] col, int b, float[] bias, float[] out) {
    int h = g.height();
    int w = g.width();
    int oh = g.outH();
    int ow = g.outW();
    int kh = g.kernelH();
    int kw = g.kernelW();
    int sh = g.strideH();
    int sw = g.strideW();
    int planeIn = h * w;
    par.forEach(g.outChannels(), o -> {
      int oBase = (b * g.outChannels() + o) * oh * ow;
      if (bias != null) {
        Arrays.fill(out, oBase, oBase + oh * ow, bias[o]);
      }
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          int row = (o * kh + ky) * kw + kx;
          int dx = kx * g.dilationW() - g.padLeft();
          // input columns ix with 0 <= ix*sw + dx < ow
          int lo = Math.min(w, Math.max(0, SlidingWindow.ceilDiv(-dx, sw)));
          int hi = Math.max(lo, Math.min(w, Math.floorDiv(ow - 1 - dx, sw) + 1));
          for (int iy = 0; iy < h; iy++) {
            int oy = iy * sh - g.padTop() + ky * g.dilationH();
            if (oy < 0 || oy >= oh) {
              continue;
            }
            int s = row * planeIn + iy * w;
            int d = oBase + oy * ow + dx;
            for (int ix = lo; ix < hi; ix++) {
              out[d + ix * sw] += col[s + ix];
            }
          }
        }
      }
    });
  }

  // ---------------------------------------------------------------- double reference paths

  /** Direct convolution in double precision. */
  static double[] conv2d(Geometry g, double[] x, double[] w, double[] bias) {
    int oc = g.outChannels();
    int icg = g.channels() / g.group();
    int ocg = oc / g.group();
    int oh = g.outH();
    int ow = g.outW();
    double[] out = new double[g.batch() * oc * oh * ow];
    for (int b = 0; b < g.batch(); b++) {
      for (int o = 0; o < oc; o++) {
        int gi = o / ocg;
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            double acc = bias == null ? 0 : bias[o];
            for (int ci = 0; ci < icg; ci++) {
              int xc = (b * g.channels() + gi * icg + ci) * g.height() * g.width();
              int wc = (o * icg + ci) * g.kernelH() * g.kernelW();
              for (int ky = 0; ky < g.kernelH(); ky++) {
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                if (iy < 0 || iy >= g.height()) {
                  continue;
                }
                for (int kx = 0; kx < g.kernelW(); kx++) {
                  int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                  if (ix >= 0 && ix < g.width()) {
                    acc += x[xc + iy * g.width() + ix] * w[wc + ky * g.kernelW() + kx];
                  }
                }
              }
            }
            out[((b * oc + o) * oh + oy) * ow + ox] = acc;
          }
        }
      }
    }
    return out;
  }

  /** Direct transposed convolution in double precision. */
  static double[] convTranspose2d(Geometry g, double[] x, double[] w, double[] bias) {
    int oc = g.outChannels();
    int icg = g.channels() / g.group();
    int ocg = oc / g.group();
    int oh = g.outH();
    int ow = g.outW();
    int kh = g.kernelH();
    int kw = g.kernelW();
    double[] out = new double[g.batch() * oc * oh * ow];
    for (int b = 0; b < g.batch(); b++) {
      for (int o = 0; o < oc; o++) {
        if (bias != null) {
          Arrays.fill(out, (b * oc + o) * oh * ow, (b * oc + o + 1) * oh * ow, bias[o]);
        }
      }
      for (int c = 0; c < g.channels(); c++) {
        int gi = c / icg;
        for (int iy = 0; iy < g.height(); iy++) {
          for (int ix = 0; ix < g.width(); ix++) {
            double v = x[((b * g.channels() + c) * g.height() + iy) * g.width() + ix];
            for (int oj = 0; oj < ocg; oj++) {
              int o = gi * ocg + oj;
              for (int ky = 0; ky < kh; ky++) {
                int oy = iy * g.strideH() - g.padTop() + ky * g.dilationH();
                if (oy < 0 || oy >= oh) {
                  continue;
                }
                for (int kx = 0; kx < kw; kx++) {
                  int ox = ix * g.strideW() - g.padLeft() + kx * g.dilationW();
                  if (ox >= 0 && ox < ow) {
                    out[((b * oc + o) * oh + oy) * ow + ox] += v * w[((c * ocg + oj) * kh + ky) * kw + kx];
                  }
                }
              }
            }
          }
        }
      }
    }
    return out;
  }
}
