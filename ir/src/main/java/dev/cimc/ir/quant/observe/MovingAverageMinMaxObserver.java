package dev.cimc.ir.quant.observe;

/**
 * Exponential moving averages of each tensor's extrema: the first tensor sets them, then
 * {@code run = momentum · run + (1 − momentum) · batch} (momentum 0.9 keeps 90% of the history;
 * PyTorch's averaging constant 0.01 is momentum 0.99).
 */
public final class MovingAverageMinMaxObserver extends ChannelObserver {
  private final double momentum;
  private double[] runMin;
  private double[] runMax;
  private boolean[] seen;

  /**
   * @param axis {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis
   * @param momentum weight of the history, in [0, 1)
   */
  public MovingAverageMinMaxObserver(int axis, double momentum) {
    super(axis);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.momentum = momentum;
  }

  @Override
  void start(int channels) {
    runMin = new double[channels];
    runMax = new double[channels];
    seen = new boolean[channels];
  }

  @Override
  void accept(float[] x, dev.cimc.ir.type.Shape shape, Layout l, double[] batchMin, double[] batchMax) {
    for (int c = 0; c < batchMin.length; c++) {
      if (!(batchMin[c] <= batchMax[c])) {
        continue; // no finite data in this channel of this tensor
      }
      if (!seen[c]) {
        runMin[c] = batchMin[c];
        runMax[c] = batchMax[c];
        seen[c] = true;
      } else {
        runMin[c] = momentum * runMin[c] + (1 - momentum) * batchMin[c];
        runMax[c] = momentum * runMax[c] + (1 - momentum) * batchMax[c];
      }
    }
  }

  @Override
  double[] rangeOf(int c) {
    return new double[] {runMin[c], runMax[c]};
  }
}
