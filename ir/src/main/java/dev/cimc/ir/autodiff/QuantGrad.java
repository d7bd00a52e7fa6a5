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
    for (int i = 0; i < x.length; i++) {
      int c = ch == 1 ? 0 : (i / inner) % ch;
      double u = x[i] / s[c];
      double q = Math.rint(u) + zp[c];
      boolean low = q < qmin;
      boolean high = q > qmax;
      if (gx != null && !low && !high) {
        gx[i] += gy[i];
      }
      if (gs != null) {
        double d = low ? qmin - zp[c] : high ? qmax - zp[c] : Math.rint(u) - u;
        acc[c] += d * gy[i];
      }
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
