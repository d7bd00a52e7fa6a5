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

  private final int levels;

  /**
   * @param scheme the scheme of the value: L = 2^(bits−1) levels for signed codes, 2^bits for unsigned
   * @param axis {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis
   */
  public KlDivergenceObserver(QuantScheme scheme, int axis) {
    super(axis, 4 * BINS, true);
    this.levels = levels(scheme);
  }

  /** Quantized levels on one side of zero: 128 for i8, 256 for u8. */
  static int levels(QuantScheme scheme) {
    return scheme.signed() ? 1 << (scheme.bits() - 1) : 1 << scheme.bits();
  }

  @Override
  double[] rangeOf(int c) {
    Histogram h = histograms[c];
    double amax = h.max();
    double t = amax;
    if (amax > 0 && h.hasBins()) {
      double[] hist = h.resample(0, amax, BINS);
      t = Math.min(amax, threshold(hist, levels) * (amax / BINS));
    }
    return new double[] {Math.max(min[c], -t), Math.min(max[c], t)};
  }

  /**
   * The threshold in bin widths, (m + 0.5), for the bin count m in {@code levels..hist.length} whose
   * KL(P‖Q) is least (the first on ties); {@code hist.length} if no candidate is finite.
   */
  public static double threshold(double[] hist, int levels) {
    int best = hist.length;
    double bestKl = Double.POSITIVE_INFINITY;
    for (int i = Math.min(levels, hist.length); i <= hist.length; i++) {
      double kl = divergence(hist, i, levels);
      if (kl < bestKl) {
        bestKl = kl;
        best = i;
      }
    }
    return best + 0.5;
  }

  /** KL(P‖Q) for the candidate of {@code i} bins merged into {@code levels} levels (+inf if Q misses mass of P). */
  static double divergence(double[] hist, int i, int levels) {
    double outliers = 0;
    for (int j = i; j < hist.length; j++) {
      outliers += hist[j];
    }
    double[] p = new double[i];
    System.arraycopy(hist, 0, p, 0, i);
    p[i - 1] += outliers;
    // Quantize bins 0..i-1 (without the outliers) into levels; bin j goes to level floor(j·L/i).
    double[] levelSum = new double[levels];
    int[] levelNonZero = new int[levels];
    for (int j = 0; j < i; j++) {
      int q = (int) ((long) j * levels / i);
      levelSum[q] += hist[j];
      if (hist[j] != 0) {
        levelNonZero[q]++;
      }
    }
    double[] qd = new double[i];
    double sumP = 0;
    double sumQ = 0;
    for (int j = 0; j < i; j++) {
      int q = (int) ((long) j * levels / i);
      if (hist[j] != 0) {
        qd[j] = levelSum[q] / levelNonZero[q];
      }
      sumP += p[j];
      sumQ += qd[j];
    }
    if (sumP == 0 || sumQ == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double kl = 0;
    for (int j = 0; j < i; j++) {
      if (p[j] == 0) {
        continue;
      }
      if (qd[j] == 0) {
        return Double.POSITIVE_INFINITY;
      }
      double pj = p[j] / sumP;
      kl += pj * Math.log(pj / (qd[j] / sumQ));
    }
    return kl;
  }
}
