package dev.cimc.ir.quant.observe;

import dev.cimc.ir.quant.QuantScheme;

/**
 * TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT", GTC 2017): a histogram of |x|
 * with 2048 bins over [0, max|x|], and for every candidate of i = L..2048 bins (L quantized levels, 128 for
 * 8-bit signed codes) the reference distribution P (bins 0..i−1, the outliers beyond added to bin i−1) is
 * compared with Q, the same bins merged into L levels and expanded back over the non-empty bins of P. The
 * threshold is (m + 0.5) · bin width for the i = m of least KL(P‖Q) (first on ties), capped at max|x|; the
 * range is [−T, T] intersected with the observed range.
 *
 * <p>Streaming: the |x| histogram is kept with 4 × 2048 bins that grow by exact merging, and resampled to
 * 2048 bins over [0, max|x|] (counts spread evenly inside a bin) when the range is asked for.
 */
public final class KlDivergenceObserver extends HistogramObserver {
  /** Bins of the reference histogram, as in TensorRT. */
  public static final int BINS = 2048;

  private final int bits;
  private final boolean signed;

  /**
   * @param scheme the scheme of the value: L = 2^(bits−1) levels for signed codes or data with negative values,
   *     2^bits for unsigned codes of non-negative data
   * @param axis {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis
   */
  public KlDivergenceObserver(QuantScheme scheme, int axis) {
    super(axis, 4 * BINS, true);
    this.bits = scheme.bits();
    this.signed = scheme.signed();
  }

  /**
   * Quantized levels over [0, T]: 2^(bits−1) when the codes are signed or the data has negative values
   * (128 for 8 bits, as TensorRT), 2^bits for unsigned codes of non-negative data (256 for u8 after a relu).
   */
  static int levels(int bits, boolean signed, boolean negativeData) {
    return signed || negativeData ? 1 << (bits - 1) : 1 << bits;
  }

  @Override
  double[] rangeOf(int c) {
    Histogram h = histograms[c];
    double amax = h.max();
    double t = amax;
    if (amax > 0 && h.hasBins()) {
      double[] hist = h.resample(0, amax, BINS);
      t = Math.min(amax, threshold(hist, levels(bits, signed, min[c] < 0)) * (amax / BINS));
    }
    return new double[] {Math.max(min[c], -t), Math.min(max[c], t)};
  }

  /**
   * The threshold in bin widths, (m + 0.5), for the bin count m in {@code levels..hist.length} whose
   * KL(P‖Q) is least (the first on ties); {@code hist.length} if no candidate is finite.
   */
  public static double threshold(double[] hist, int levels) {
    var t = new Tables(hist);
    int best = hist.length;
    double bestKl = Double.POSITIVE_INFINITY;
    for (int i = Math.min(levels, hist.length); i <= hist.length; i++) {
      double kl = t.divergence(i, levels);
      if (kl < bestKl) {
        bestKl = kl;
        best = i;
      }
    }
    return best + 0.5;
  }

  /** KL(P‖Q) for the candidate of {@code i} bins merged into {@code levels} levels (+inf if Q misses mass of P). */
  static double divergence(double[] hist, int i, int levels) {
    return new Tables(hist).divergence(i, levels);
  }

  /**
   * Prefix sums that make a candidate cost O(i) additions and O(levels) logarithms. With p the counts of P and
   * q those of Q (before normalisation): KL = (Σ p log p − Σ p log q) / ΣP − log ΣP + log ΣQ, where
   * ΣP is the total count, ΣQ the count in bins 0..i−1, and q is constant over a level's non-empty bins.
   */
  private static final class Tables {
    final double[] hist;
    final double[] prefix; // Σ hist[0..j)
    final double[] prefixPLogP; // Σ h log h over hist[0..j)
    final double total;

    Tables(double[] hist) {
      this.hist = hist;
      int n = hist.length;
      prefix = new double[n + 1];
      prefixPLogP = new double[n + 1];
      for (int j = 0; j < n; j++) {
        double h = hist[j];
        prefix[j + 1] = prefix[j] + h;
        prefixPLogP[j + 1] = prefixPLogP[j] + (h > 0 ? h * Math.log(h) : 0);
      }
      total = prefix[n];
    }

    double divergence(int i, int levels) {
      double sumQ = prefix[i];
      if (total == 0 || sumQ == 0) {
        return Double.POSITIVE_INFINITY;
      }
      double last = hist[i - 1] + (total - sumQ); // bin i-1 with the outliers
      double[] levelSum = new double[levels];
      int[] nonZero = new int[levels];
      for (int j = 0; j < i; j++) {
        double h = hist[j];
        if (h != 0) {
          int q = (int) ((long) j * levels / i);
          levelSum[q] += h;
          nonZero[q]++;
        }
      }
      double pLogP = prefixPLogP[i - 1] + (last > 0 ? last * Math.log(last) : 0);
      double pLogQ = 0;
      int lastLevel = (int) ((long) (i - 1) * levels / i);
      for (int q = 0; q < levels; q++) {
        if (nonZero[q] > 0) {
          double logQ = Math.log(levelSum[q] / nonZero[q]);
          double massP = q == lastLevel ? levelSum[q] - hist[i - 1] + last : levelSum[q];
          pLogQ += massP * logQ;
        }
      }
      if (last > 0 && hist[i - 1] == 0) {
        return Double.POSITIVE_INFINITY; // the outliers land on a bin Q leaves empty
      }
      return Math.max(0, (pLogP - pLogQ) / total - Math.log(total) + Math.log(sumQ));
    }
  }
}
