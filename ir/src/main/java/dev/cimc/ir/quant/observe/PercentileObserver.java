package dev.cimc.ir.quant.observe;

/**
 * Clips the tails: the range runs from the (100 − p)th to the pth percentile of the data (e.g. p = 99.99),
 * read off a streaming histogram with linear interpolation inside a bin (so exact to a bin width).
 */
public final class PercentileObserver extends HistogramObserver {
  private final double percentile;

  /**
   * @param axis {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis
   * @param percentile in (50, 100]
   * @param bins histogram bins per channel (2048 is a good default)
   */
  public PercentileObserver(int axis, double percentile, int bins) {
    super(axis, bins, false);
    if (!(percentile > 50 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
    }
    this.percentile = percentile;
  }

  @Override
  double[] rangeOf(int c) {
    Histogram h = histograms[c];
    double p = percentile / 100;
    return new double[] {h.quantile(1 - p), h.quantile(p)};
  }
}
