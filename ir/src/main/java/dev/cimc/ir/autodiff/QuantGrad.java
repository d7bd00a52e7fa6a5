package dev.cimc.ir.autodiff;

/**
 * The gradient of fake quantization: the straight-through estimator for the input (passed where the code
 * is not clamped, zero where it is) and the LSQ gradient for the scale (Esser et al. 2020, "Learned Step
 * Size Quantization"): {@code dy/ds = rint(x/s) − x/s} inside the range, {@code qmin − z} or
 * {@code qmax − z} where clamped, times the grad-scale factor {@code 1/√(N·qmax)} with N the elements per
 * channel. With power-of-two scales the gradient of the rounded scale passes straight to the scale.
 */
final class QuantGrad {
  private QuantGrad() {}

  static void quantize(Step st) {
    FakeQuant fq = st.quantizer();
    float[] x = Tape.floats(st.input(0));
    float[] gy = st.gradOutput();
    float[] gx = st.gradInput(0);
    double[] gs = st.scaleGradient();
    int[] dims = st.inputDims(0);
    int inner = fq.inner(dims);
    int ch = fq.channels();
    double[] s = new double[ch];
    for (int c = 0; c < ch; c++) {
      s[c] = fq.effectiveScale(c);
    }
    long qmin = fq.qmin();
    long qmax = fq.qmax();
    long[] zp = fq.zeroPoints();
    double[] acc = new double[ch];
    int block = ch == 1 ? x.length : inner;
    for (int base = 0, k = 0; base < x.length; base += block, k++) {
      int c = ch == 1 ? 0 : k % ch;
      double sc = s[c];
      double z = zp[c];
      double d = 0;
      for (int i = base, e = Math.min(x.length, base + block); i < e; i++) {
        double u = x[i] / sc;
        double r = Math.rint(u);
        double q = r + z;
        if (q < qmin) {
          d += (qmin - z) * gy[i];
        } else if (q > qmax) {
          d += (qmax - z) * gy[i];
        } else {
          if (gx != null) {
            gx[i] += gy[i];
          }
          d += (r - u) * gy[i];
        }
      }
      acc[c] += d;
    }
    if (gs != null) {
      double n = (double) x.length / ch;
      double factor = 1.0 / Math.sqrt(n * Math.max(1, qmax));
      for (int c = 0; c < ch; c++) {
        gs[c] += acc[c] * factor;
      }
    }
  }
}
