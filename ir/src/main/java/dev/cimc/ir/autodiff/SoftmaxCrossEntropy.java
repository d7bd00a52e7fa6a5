package dev.cimc.ir.autodiff;

/**
 * The classification loss: softmax over the last axis of logits (batch × classes) and the negative log
 * likelihood of integer labels, averaged over the batch; its gradient is {@code (softmax − onehot)/batch}.
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /** The mean loss and dLoss/dLogits. */
  public record Loss(double value, float[] gradient) {}

  /** Loss of {@code logits} (row-major batch × classes) against {@code labels} (one per row, in [0, classes)). */
  public static Loss evaluate(float[] logits, int batch, int classes, int[] labels) {
    if (logits.length != batch * classes || labels.length != batch) {
      throw new IllegalArgumentException("need " + batch + "×" + classes + " logits and " + batch + " labels, got "
          + logits.length + " and " + labels.length);
    }
    float[] g = new float[logits.length];
    double total = 0;
    for (int b = 0; b < batch; b++) {
      int label = labels[b];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label " + label + " of row " + b + " is not in [0, " + classes + ")");
      }
      int off = b * classes;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < classes; j++) {
        max = Math.max(max, logits[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < classes; j++) {
        sum += Math.exp(logits[off + j] - max);
      }
      double logSum = Math.log(sum) + max;
      total += logSum - logits[off + label];
      for (int j = 0; j < classes; j++) {
        double p = Math.exp(logits[off + j] - logSum);
        g[off + j] = (float) ((p - (j == label ? 1 : 0)) / batch);
      }
    }
    return new Loss(total / batch, g);
  }
}
