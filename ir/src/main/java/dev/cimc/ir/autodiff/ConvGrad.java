package dev.cimc.ir.autodiff;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.graph.SlidingWindow;

/**
 * The gradient of {@code graph.conv2d} (NCHW, weights M×C/group×kH×kW, any strides, pads, dilations and
 * group, optional bias) by im2col: per image and group, the patch matrix {@code cols} (C/group·kH·kW ×
 * OH·OW) gives {@code dW += dY·colsᵀ}, and {@code dcols = Wᵀ·dY} scattered back (col2im) gives dX. The
 * patches are stored transposed (one row of C/group·kH·kW taps per output pixel) so both products run as
 * unit-stride multiply-adds over a weight row, which the JIT vectorizes.
 */
final class ConvGrad {
  private ConvGrad() {}

  static void conv2d(Step st) {
    var n = st.node();
    int[] xd = st.inputDims(0);
    int[] wd = st.inputDims(1);
    if (xd.length != 4) {
      throw new CimcException(n.location(), n.describe() + ": the conv2d gradient takes 4-D inputs", null);
    }
    int batch = xd[0];
    int c = xd[1];
    int h = xd[2];
    int w = xd[3];
    int m = wd[0];
    int cg = wd[1];
    int kh = wd[2];
    int kw = wd[3];
    int groups = (int) n.intAttr("group");
    int mg = m / groups;
    SlidingWindow win = SlidingWindow.resolve(new int[] {h, w}, new int[] {kh, kw}, n.intsAttr("strides"),
        n.intsAttr("dilations"), n.intsAttr("pads"), n.stringAttr("auto_pad"), false);
    int oh = win.output()[0];
    int ow = win.output()[1];
    int sh = win.strides()[0];
    int sw = win.strides()[1];
    int dh = win.dilations()[0];
    int dw = win.dilations()[1];
    int ph = win.padsBegin()[0];
    int pw = win.padsBegin()[1];
    int p = oh * ow;
    int k = cg * kh * kw;
    float[] x = Tape.floats(st.input(0));
    float[] wt = Tape.floats(st.input(1));
    float[] gy = st.gradOutput();
    float[] gx = st.gradInput(0);
    float[] gw = st.gradInput(1);
    float[] gb = st.gradInput(2);
    float[] cols = new float[k * p];
    float[] dcols = gx != null ? new float[k * p] : null;
    // Source index of each patch entry (or -1 for padding) relative to the group's first channel, pixel-major.
    int[] src = new int[k * p];
    for (int ci = 0; ci < cg; ci++) {
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          int row = (ci * kh + ky) * kw + kx;
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - ph + ky * dh;
            for (int ox = 0; ox < ow; ox++) {
              int ix = ox * sw - pw + kx * dw;
              boolean in = iy >= 0 && iy < h && ix >= 0 && ix < w;
              src[(oy * ow + ox) * k + row] = in ? (ci * h + iy) * w + ix : -1;
            }
          }
        }
      }
    }
    for (int b = 0; b < batch; b++) {
      for (int g = 0; g < groups; g++) {
        int xOff = (b * c + g * cg) * h * w;
        int yOff = (b * m + g * mg) * p;
        if (gb != null) {
          for (int mi = 0; mi < mg; mi++) {
            double s = 0;
            for (int q = yOff + mi * p, e = q + p; q < e; q++) {
              s += gy[q];
            }
            gb[g * mg + mi] += (float) s;
          }
        }
        if (gw != null) {
          for (int i = 0; i < cols.length; i++) {
            int s = src[i];
            cols[i] = s < 0 ? 0f : x[xOff + s];
          }
          for (int mi = 0; mi < mg; mi++) {
            int gyRow = yOff + mi * p;
            int wRow = (g * mg + mi) * k;
            for (int q = 0; q < p; q++) {
              float gv = gy[gyRow + q];
              if (gv == 0f) {
                continue;
              }
              int colRow = q * k;
              for (int r = 0; r < k; r++) {
                gw[wRow + r] += gv * cols[colRow + r];
              }
            }
          }
        }
        if (gx != null) {
          java.util.Arrays.fill(dcols, 0f);
          for (int mi = 0; mi < mg; mi++) {
            int gyRow = yOff + mi * p;
            int wRow = (g * mg + mi) * k;
            for (int q = 0; q < p; q++) {
              float gv = gy[gyRow + q];
              if (gv == 0f) {
                continue;
              }
              int colRow = q * k;
              for (int r = 0; r < k; r++) {
                dcols[colRow + r] += gv * wt[wRow + r];
              }
            }
          }
          for (int i = 0; i < dcols.length; i++) {
            int s = src[i];
            if (s >= 0) {
              gx[xOff + s] += dcols[i];
            }
          }
        }
      }
    }
  }
}
