package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.Map;

/**
 * Empirical bias correction (Nagel et al., "Data-Free Quantization", 2019, section 4.2 with data): quantized
 * weights shift the expected output of a layer by E[W x] − E[Q(W) x] = E[(W − Q(W)) x] per output channel;
 * the shift is measured on calibration data (the float graph's inputs of the layer) and added to the bias.
 */
public final class BiasCorrection {
  private BiasCorrection() {}

  /**
   * Per output channel, the mean of (W − Q(W)) x over calibration samples and every other output position,
   * with Q(W) given as float weights ({@link RoundedWeights#weights()}).
   */
  public static double[] shift(Graph g, Layer layer, Tensor quantizedWeights, CalibrationData data, int threads) {
    Tensor w = layer.weight();
    if (quantizedWeights.size() != w.size()) {
      throw new IllegalArgumentException("quantized weights have " + quantizedWeights.size() + " elements, the layer "
          + w.size());
    }
    float[] delta = new float[w.size()];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = (float) (w.getDouble(i) - quantizedWeights.getDouble(i));
    }
    var n = layer.node();
    Tensor dw = Tensor.fromDoubles(w.type(), toDoubles(delta));
    int channels = n.result().type().dim(layer.outputAxis());
    double[] sum = new double[channels];
    long count = 0;
    try (Interpreter interp = Interpreter.withThreads(threads)) {
      for (int i = 0; i < data.size(); i++) {
        Map<String, Tensor> in = data.sample(i);
        Tensor x = LayerInputs.input(interp.run(g, in, true), in, n);
        Tensor[] args = new Tensor[n.numOperands()];
        args[0] = x;
        args[1] = dw;
        for (int k = 2; k < args.length; k++) {
          args[k] = Tensor.zeros(n.operand(k).type());
        }
        Tensor y = interp.execute(n, args)[0];
        int inner = 1;
        for (int d = layer.outputAxis() + 1; d < y.shape().rank(); d++) {
          inner *= y.shape().dim(d);
        }
        for (int e = 0, size = y.size(); e < size; e++) {
          sum[(e / inner) % channels] += y.getDouble(e);
        }
        count += y.size() / channels;
      }
    }
    double beta = n.op().fullName().equals("graph.gemm") ? n.floatAttr("beta") : 1.0;
    for (int c = 0; c < channels; c++) {
      // gemm adds beta·C: divide so that the bias update moves the output by the shift.
      sum[c] = sum[c] / count / (beta == 0 ? 1 : beta);
    }
    return sum;
  }

  /** The layer's bias plus {@code shift} (a zero bias of the output channels if the layer has none). */
  public static Tensor correctedBias(Layer layer, double[] shift) {
    Tensor b = layer.bias();
    if (b != null && b.size() != shift.length) {
      throw new IllegalArgumentException("bias has " + b.size() + " elements, the shift " + shift.length
          + " (broadcast biases are not corrected)");
    }
    double[] out = new double[shift.length];
    for (int c = 0; c < out.length; c++) {
      out[c] = (b == null ? 0 : b.getDouble(c)) + shift[c];
    }
    TensorType t = b != null ? b.type() : TensorType.f32(shift.length);
    return Tensor.fromDoubles(t, out);
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
