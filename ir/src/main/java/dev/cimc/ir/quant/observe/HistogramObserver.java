package dev.cimc.ir.quant.observe;

/** Observers that decide from one streaming {@link Histogram} per channel. */
abstract class HistogramObserver extends ChannelObserver {
  private final int bins;
  private final boolean absolute;
  Histogram[] histograms;

  HistogramObserver(int axis, int bins, boolean absolute) {
    super(axis);
    if (bins < 2) {
      throw new IllegalArgumentException("need at least 2 histogram bins, got " + bins);
    }
    this.bins = bins;
    this.absolute = absolute;
  }

  @Override
  void start(int channels) {
    histograms = new Histogram[channels];
    for (int c = 0; c < channels; c++) {
      histograms[c] = new Histogram(bins, absolute);
    }
  }

  @Override
  void accept(float[] x, dev.cimc.ir.type.Shape shape, Layout l, double[] batchMin, double[] batchMax) {
    for (int c = 0; c < l.channels(); c++) {
      histograms[c].cover(batchMin[c], batchMax[c]);
    }
    for (int o = 0; o < l.outer(); o++) {
      for (int c = 0; c < l.channels(); c++) {
        int from = (o * l.channels() + c) * l.inner();
        histograms[c].add(x, from, from + l.inner());
      }
    }
  }

  /** Channel c's histogram (for tests and reports). */
  public Histogram histogram(int c) {
    return histograms[c];
  }
}
