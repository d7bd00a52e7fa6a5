package dev.cimc.ir.quant.observe;

import dev.cimc.ir.quant.FakeQuantizer;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.type.QuantParams;

/**
 * The clipping range that minimises the mean squared quantization error under a given scheme: candidates
 * are the observed range shrunk by k/steps for k = 1..steps ({@code [f·min, f·max]}), and the error of a
 * candidate is estimated on the histogram by quantizing each bin's mean, weighted by its count (exact when
 * each bin holds one distinct value; otherwise the spread inside a bin is ignored). Ties go to the wider range.
 */
public final class MseObserver extends HistogramObserver {
  private final QuantScheme scheme;
  private final int steps;

  /**
   * @param scheme the affine scheme the value will be quantized with (its axis is ignored: one range per channel)
   * @param axis {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis
   * @param bins histogram bins per channel
   * @param steps number of candidate ranges (100 is a good default)
   */
  public MseObserver(QuantScheme scheme, int axis, int bins, int steps) {
    super(axis, bins, false);
    if (scheme.kind() != QuantScheme.Kind.AFFINE) {
      throw new IllegalArgumentException("MSE range search needs an affine scheme, got " + scheme.kind());
    }
    if (steps < 1) {
      throw new IllegalArgumentException("need at least one candidate, got " + steps);
    }
    this.scheme = perTensor(scheme);
    this.steps = steps;
  }

  /** The same scheme for a single range. */
  static QuantScheme perTensor(QuantScheme s) {
    return new QuantScheme(s.kind(), s.bits(), s.signed(), s.symmetric(), QuantParams.PER_TENSOR, s.powerOfTwoScale());
  }

  @Override
  double[] rangeOf(int c) {
    Histogram h = histograms[c];
    double lo = h.min();
    double hi = h.max();
    double bestF = 1;
    double best = Double.POSITIVE_INFINITY;
    for (int k = steps; k >= 1; k--) {
      double f = (double) k / steps;
      double e = error(h, scheme, f * lo, f * hi);
      if (e < best) {
        best = e;
        bestF = f;
      }
    }
    return new double[] {bestF * lo, bestF * hi};
  }

  /** Count-weighted squared error of quantizing each bin's mean with the parameters covering {@code [lo, hi]}. */
  static double error(Histogram h, QuantScheme scheme, double lo, double hi) {
    QuantParams p = scheme.params(new double[] {lo}, new double[] {hi});
    double s = p.scale(0);
    long z = p.zeroPoint(0);
    long qmin = scheme.qmin();
    long qmax = scheme.qmax();
    if (!h.hasBins()) {
      double v = h.lo();
      double d = v - FakeQuantizer.apply(v, s, z, qmin, qmax);
      return h.total() * d * d;
    }
    double err = 0;
    for (int i = 0, n = h.bins(); i < n; i++) {
      double cnt = h.count(i);
      if (cnt > 0) {
        double mean = h.sum(i) / cnt;
        double d = mean - FakeQuantizer.apply(mean, s, z, qmin, qmax);
        err += cnt * d * d;
      }
    }
    return err;
  }
}
