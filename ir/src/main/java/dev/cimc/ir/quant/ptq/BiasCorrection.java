package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.IdentityHashMap;
import java.util.List;
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
    Map<Node, Tensor> one = new IdentityHashMap<>();
    one.put(layer.node(), quantizedWeights);
    return shifts(g, List.of(layer), one, data, threads).get(layer.node());
  }

  /**
   * {@link #shift} for several layers at once, in one pass over the calibration data: every layer sees the
   * inputs of the float graph {@code g} (the corrections do not depend on each other), so each sample runs
   * once whatever the number of layers. {@code quantized} maps each layer's node to its Q(W).
   */
  public static Map<Node, double[]> shifts(Graph g, List<Layer> layers, Map<Node, Tensor> quantized,
      CalibrationData data, int threads) {
    int count = layers.size();
    Tensor[] deltas = new Tensor[count];
    double[][] sums = new double[count][];
    int[] inners = new int[count];
    for (int l = 0; l < count; l++) {
      Layer layer = layers.get(l);
      Tensor w = layer.weight();
      Tensor q = quantized.get(layer.node());
      if (q == null || q.size() != w.size()) {
        throw new IllegalArgumentException(layer.node().describe() + ": quantized weights have "
            + (q == null ? "no" : q.size()) + " elements, the layer " + w.size());
      }
      double[] delta = new double[w.size()];
      for (int i = 0; i < delta.length; i++) {
        delta[i] = (float) (w.getDouble(i) - q.getDouble(i));
      }
      deltas[l] = Tensor.fromDoubles(w.type(), delta);
      var result = layer.node().result().type();
      sums[l] = new double[result.dim(layer.outputAxis())];
      int inner = 1;
      for (int d = layer.outputAxis() + 1; d < result.rank(); d++) {
        inner *= result.dim(d);
      }
      inners[l] = inner;
    }
    // the operands after the weight (biases) are zero: the layer then computes (W − Q(W)) x alone
    Tensor[][] zeroBiases = new Tensor[count][];
    for (int l = 0; l < count; l++) {
      Node n = layers.get(l).node();
      zeroBiases[l] = new Tensor[n.numOperands()];
      for (int k = 2; k < n.numOperands(); k++) {
        zeroBiases[l][k] = Tensor.zeros(n.operand(k).type());
      }
    }
    long[] positions = new long[count];
    try (Interpreter interp = Interpreter.withThreads(threads)) {
      for (int i = 0; i < data.size(); i++) {
        Map<String, Tensor> in = data.sample(i);
        Interpreter.Result run = interp.run(g, in, true);
        for (int l = 0; l < count; l++) {
          Node n = layers.get(l).node();
          Tensor[] args = zeroBiases[l].clone();
          args[0] = LayerInputs.input(run, in, n);
          args[1] = deltas[l];
          Tensor y = interp.execute(n, layers.get(l).linearOp(), args)[0];
          double[] sum = sums[l];
          int channels = sum.length;
          int inner = inners[l];
          for (int e = 0, size = y.size(); e < size; e++) {
            sum[(e / inner) % channels] += y.getDouble(e);
          }
          positions[l] += y.size() / channels;
        }
      }
    }
    Map<Node, double[]> out = new IdentityHashMap<>();
    for (int l = 0; l < count; l++) {
      Node n = layers.get(l).node();
      double beta = layers.get(l).linearOp().fullName().equals("graph.gemm") ? n.floatAttr("beta") : 1.0;
      double[] sum = sums[l];
      for (int c = 0; c < sum.length; c++) {
        // gemm adds beta·C: divide so that the bias update moves the output by the shift.
        sum[c] = sum[c] / positions[l] / (beta == 0 ? 1 : beta);
      }
      out.put(n, sum);
    }
    return out;
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
}
