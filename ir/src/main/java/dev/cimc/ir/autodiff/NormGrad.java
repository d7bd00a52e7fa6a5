package dev.cimc.ir.autodiff;

/**
 * Rules of inference batch normalization (frozen statistics: the gradient reaches x, scale, bias, mean and
 * var through {@code y = (x − mean)·scale/√(var+ε) + bias} per channel of axis 1) and of softmax along an
 * axis ({@code dx = y·(dy − Σ dy·y)}).
 */
final class NormGrad {
  private NormGrad() {}

  static void batchNorm(Step st) {
    int[] xd = st.inputDims(0);
    int channels = xd[1];
    int inner = 1;
    for (int d = 2; d < xd.length; d++) {
      inner *= xd[d];
    }
    double eps = st.node().floatAttr("epsilon");
    float[] x = Tape.floats(st.input(0));
    float[] scale = Tape.floats(st.input(1));
    float[] mean = Tape.floats(st.input(3));
    float[] var = Tape.floats(st.input(4));
    float[] gy = st.gradOutput();
    float[] gx = st.gradInput(0);
    double[] gScale = new double[channels];
    double[] gBias = new double[channels];
    double[] gCentered = new double[channels];
    for (int b = 0; b < xd[0]; b++) {
      for (int c = 0; c < channels; c++) {
        double inv = 1 / Math.sqrt(var[c] + eps);
        double k = scale[c] * inv;
        int off = (b * channels + c) * inner;
        for (int i = off; i < off + inner; i++) {
          double centered = x[i] - mean[c];
          if (gx != null) {
            gx[i] += (float) (gy[i] * k);
          }
          gScale[c] += gy[i] * centered * inv;
          gBias[c] += gy[i];
          gCentered[c] += gy[i] * centered;
        }
      }
    }
    float[] gs = st.gradInput(1);
    float[] gb = st.gradInput(2);
    float[] gm = st.gradInput(3);
    float[] gv = st.gradInput(4);
    for (int c = 0; c < channels; c++) {
      double inv = 1 / Math.sqrt(var[c] + eps);
      if (gs != null) {
        gs[c] += (float) gScale[c];
      }
      if (gb != null) {
        gb[c] += (float) gBias[c];
      }
      if (gm != null) {
        gm[c] += (float) (-gBias[c] * scale[c] * inv);
      }
      if (gv != null) {
        gv[c] += (float) (-0.5 * gCentered[c] * scale[c] * inv * inv * inv);
      }
    }
  }

  static void softmax(Step st) {
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    int[] dims = st.inputDims(0);
    int axis = (int) st.node().intAttr("axis");
    if (axis < 0) {
      axis += dims.length;
    }
    int len = dims[axis];
    int inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    int outer = gx.length / (len * inner);
    float[] y = Tape.floats(st.output());
    float[] gy = st.gradOutput();
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * len * inner + in;
        double dot = 0;
        for (int j = 0; j < len; j++) {
          int i = base + j * inner;
          dot += gy[i] * y[i];
        }
        for (int j = 0; j < len; j++) {
          int i = base + j * inner;
          gx[i] += (float) (y[i] * (gy[i] - dot));
        }
      }
    }
  }
}
