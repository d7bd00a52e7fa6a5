package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The inputs of a layer over calibration data, as the rows x of y = W x: im2col patches for conv2d (group 1,
 * explicit pads), the rows of A for gemm and matmul. At most {@code maxRows} are kept, a uniform reservoir
 * sample with a fixed seed, so memory is bounded whatever the data size.
 */
final class LayerInputs {
  private LayerInputs() {}

  /** The layer's first operand in one run of the graph. */
  static Tensor input(Interpreter.Result r, Map<String, Tensor> inputs, Node n) {
    String name = n.operand(0).name();
    Tensor t = r.intermediates().get(name);
    return t != null ? t : inputs.get(name);
  }

  /** Up to {@code maxRows} rows of length K (row-major) sampled from every calibration sample. */
  static double[] collect(Graph g, Layer layer, CalibrationData data, int maxRows, long seed, Interpreter interp) {
    int k = layer.weight().size() / layer.outChannels();
    double[] kept = new double[maxRows * k];
    int count = 0;
    long seen = 0;
    var rnd = new SplittableRandom(seed);
    for (int i = 0; i < data.size(); i++) {
      Map<String, Tensor> in = data.sample(i);
      Tensor x = input(interp.run(g, in, true), in, layer.node());
      double[] rows = rows(x, layer);
      int n = rows.length / k;
      for (int r = 0; r < n; r++) {
        long index = seen++;
        int slot;
        if (count < maxRows) {
          slot = count++;
        } else {
          long j = rnd.nextLong(index + 1);
          if (j >= maxRows) {
            continue;
          }
          slot = (int) j;
        }
        System.arraycopy(rows, r * k, kept, slot * k, k);
      }
    }
    return java.util.Arrays.copyOf(kept, count * k);
  }

  /** All rows of one input tensor. */
  static double[] rows(Tensor x, Layer layer) {
    Node n = layer.node();
    switch (layer.linearOp().fullName()) {
      case "graph.conv2d":
        return patches(x, layer);
      case "graph.gemm": {
        int m = x.shape().dim(0);
        int k = x.shape().dim(1);
        double[] out = new double[x.size()];
        boolean t = n.intAttr("trans_a") != 0;
        for (int r = 0; r < (t ? k : m); r++) {
          for (int c = 0; c < (t ? m : k); c++) {
            out[t ? c * k + r : r * k + c] = x.getDouble(r * (t ? m : k) + c);
          }
        }
        return out;
      }
      default: {
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = x.getDouble(i);
        }
        return out;
      }
    }
  }

  private static double[] patches(Tensor x, Layer layer) {
    Node n = layer.node();
    if (n.intAttr("group") != 1) {
      throw new IllegalArgumentException(n.describe() + ": grouped convolutions are not supported by layer-wise PTQ yet");
    }
    String autoPad = n.stringAttr("auto_pad");
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      throw new IllegalArgumentException(n.describe() + ": auto_pad " + autoPad + " is not supported; use explicit pads");
    }
    Tensor w = layer.weight();
    int batch = x.shape().dim(0);
    int c = x.shape().dim(1);
    int h = x.shape().dim(2);
    int wd = x.shape().dim(3);
    int kh = w.shape().dim(2);
    int kw = w.shape().dim(3);
    long[] st = n.intsAttr("strides");
    long[] pads = n.intsAttr("pads");
    long[] dil = n.intsAttr("dilations");
    int sh = st.length > 0 ? (int) st[0] : 1;
    int sw = st.length > 1 ? (int) st[1] : 1;
    int pt = pads.length == 4 && !autoPad.equals("VALID") ? (int) pads[0] : 0;
    int pl = pads.length == 4 && !autoPad.equals("VALID") ? (int) pads[1] : 0;
    int dh = dil.length > 0 ? (int) dil[0] : 1;
    int dw = dil.length > 1 ? (int) dil[1] : 1;
    int oh = n.result().type().dim(2);
    int ow = n.result().type().dim(3);
    int k = c * kh * kw;
    double[] out = new double[batch * oh * ow * k];
    float[] xs = x.toFloatArray();
    int row = 0;
    for (int b = 0; b < batch; b++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++, row++) {
          int base = row * k;
          for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < kh; i++) {
              int iy = oy * sh - pt + i * dh;
              for (int j = 0; j < kw; j++) {
                int ix = ox * sw - pl + j * dw;
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                  out[base + (ci * kh + i) * kw + j] = xs[((b * c + ci) * h + iy) * wd + ix];
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
