package dev.cimc.ir.quant.observe;

/** The smallest and largest value ever seen, per tensor or per channel. */
public final class MinMaxObserver extends ChannelObserver {
  /** @param axis {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis */
  public MinMaxObserver(int axis) {
    super(axis);
  }

  @Override
  void accept(float[] x, dev.cimc.ir.type.Shape shape, Layout l, double[] batchMin, double[] batchMax) {}

  @Override
  double[] rangeOf(int c) {
    return new double[] {min[c], max[c]};
  }
}
