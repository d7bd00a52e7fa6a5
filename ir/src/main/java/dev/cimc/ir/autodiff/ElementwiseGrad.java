package dev.cimc.ir.autodiff;

/**
 * Rules of elementwise and data-movement ops: add, sub and mul with numpy broadcasting (an operand's
 * gradient sums over the dimensions it was broadcast along), relu, clip, transpose, and the ops that keep
 * the row-major element order (identity, reshape, flatten, squeeze, unsqueeze, dequantize).
 */
final class ElementwiseGrad {
  private ElementwiseGrad() {}

  static void add(Step st) {
    binary(st, 1f, 1f);
  }

  static void sub(Step st) {
    binary(st, 1f, -1f);
  }

  private static void binary(Step st, float sa, float sb) {
    int[] out = st.output().shape().dims();
    float[] gy = st.gradOutput();
    float[][] g = {st.gradInput(0), st.gradInput(1)};
    float[] sign = {sa, sb};
    for (int k = 0; k < 2; k++) {
      if (g[k] == null) {
        continue;
      }
      int[] map = broadcastMap(st.inputDims(k), out);
      for (int i = 0; i < gy.length; i++) {
        g[k][map[i]] += sign[k] * gy[i];
      }
    }
  }

  static void mul(Step st) {
    int[] out = st.output().shape().dims();
    float[] gy = st.gradOutput();
    float[] a = Tape.floats(st.input(0));
    float[] b = Tape.floats(st.input(1));
    int[] ma = broadcastMap(st.inputDims(0), out);
    int[] mb = broadcastMap(st.inputDims(1), out);
    float[] ga = st.gradInput(0);
    float[] gb = st.gradInput(1);
    for (int i = 0; i < gy.length; i++) {
      if (ga != null) {
        ga[ma[i]] += gy[i] * b[mb[i]];
      }
      if (gb != null) {
        gb[mb[i]] += gy[i] * a[ma[i]];
      }
    }
  }

  static void relu(Step st) {
    float[] x = Tape.floats(st.input(0));
    float[] gy = st.gradOutput();
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0) {
        gx[i] += gy[i];
      }
    }
  }

  /** Passes the gradient where {@code min < x < max} (bounds from attributes or scalar operands). */
  static void clip(Step st) {
    var n = st.node();
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    if (n.attr("min") != null) {
      lo = n.floatAttr("min");
    } else if (st.numInputs() > 1 && st.input(1) != null && st.input(1).size() == 1) {
      lo = st.input(1).getDouble(0);
    }
    if (n.attr("max") != null) {
      hi = n.floatAttr("max");
    } else if (st.numInputs() > 2 && st.input(2) != null && st.input(2).size() == 1) {
      hi = st.input(2).getDouble(0);
    }
    float fl = (float) lo;
    float fh = (float) hi;
    float[] x = Tape.floats(st.input(0));
    float[] gy = st.gradOutput();
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] > fl && x[i] < fh) {
        gx[i] += gy[i];
      }
    }
  }

  /** Ops that keep the element order: the gradient is the result's, reshaped. */
  static void passThrough(Step st) {
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    float[] gy = st.gradOutput();
    for (int i = 0; i < gy.length; i++) {
      gx[i] += gy[i];
    }
  }

  static void transpose(Step st) {
    float[] gx = st.gradInput(0);
    if (gx == null) {
      return;
    }
    int[] in = st.inputDims(0);
    int r = in.length;
    int[] perm = new int[r];
    if (st.node().attr("perm") != null) {
      long[] p = st.node().intsAttr("perm");
      for (int i = 0; i < r; i++) {
        perm[i] = (int) p[i];
      }
    } else {
      for (int i = 0; i < r; i++) {
        perm[i] = r - 1 - i;
      }
    }
    int[] inStrides = new int[r];
    for (int d = r - 1, s = 1; d >= 0; d--) {
      inStrides[d] = s;
      s *= in[d];
    }
    // Output dimension i walks input dimension perm[i].
    int[] outDims = new int[r];
    int[] strides = new int[r];
    for (int i = 0; i < r; i++) {
      outDims[i] = in[perm[i]];
      strides[i] = inStrides[perm[i]];
    }
    float[] gy = st.gradOutput();
    int[] idx = new int[r];
    int src = 0;
    for (int o = 0; o < gy.length; o++) {
      gx[src] += gy[o];
      for (int d = r - 1; d >= 0; d--) {
        idx[d]++;
        src += strides[d];
        if (idx[d] < outDims[d]) {
          break;
        }
        src -= strides[d] * outDims[d];
        idx[d] = 0;
      }
    }
  }

  /** For each element of a result of {@code out} dims, the element of an operand of {@code in} dims it reads. */
  static int[] broadcastMap(int[] in, int[] out) {
    int r = out.length;
    int[] strides = new int[r];
    int s = 1;
    for (int d = r - 1; d >= 0; d--) {
      int id = d - (r - in.length);
      if (id < 0) {
        strides[d] = 0;
        continue;
      }
      strides[d] = in[id] == 1 && out[d] != 1 ? 0 : s;
      s *= in[id];
    }
    int total = 1;
    for (int d : out) {
      total *= d;
    }
    int[] map = new int[total];
    int[] idx = new int[r];
    int src = 0;
    for (int o = 0; o < total; o++) {
      map[o] = src;
      for (int d = r - 1; d >= 0; d--) {
        idx[d]++;
        src += strides[d];
        if (idx[d] < out[d]) {
          break;
        }
        src -= strides[d] * out[d];
        idx[d] = 0;
      }
    }
    return map;
  }
}
