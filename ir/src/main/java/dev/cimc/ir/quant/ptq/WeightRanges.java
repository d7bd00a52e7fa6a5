package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.quant.FakeQuantizer;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;

/**
 * Weight range setting, per channel along the scheme's axis (or per tensor): min-max, or the range
 * minimising the exact squared rounding error over the weights (candidates f·[min, max], f = k/steps;
 * ties go to the wider range).
 */
public final class WeightRanges {
  private WeightRanges() {}

  /** Per-channel (or per-tensor) extrema of {@code w} along {@code scheme.axis()}. */
  public static ValueRange minMax(Tensor w, QuantScheme scheme) {
    Channels ch = Channels.of(w, scheme.axis());
    double[] lo = new double[ch.count];
    double[] hi = new double[ch.count];
    java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
    for (int i = 0, n = w.size(); i < n; i++) {
      int c = ch.of(i);
      double v = w.getDouble(i);
      lo[c] = Math.min(lo[c], v);
      hi[c] = Math.max(hi[c], v);
    }
    return scheme.perTensor() ? ValueRange.perTensor(lo[0], hi[0]) : ValueRange.perChannel(lo, hi);
  }

  /** The MSE-optimal range of each channel under {@code scheme}, searched over {@code steps} shrink factors. */
  public static ValueRange mse(Tensor w, QuantScheme scheme, int steps) {
    ValueRange mm = minMax(w, scheme);
    Channels ch = Channels.of(w, scheme.axis());
    QuantScheme one = new QuantScheme(scheme.kind(), scheme.bits(), scheme.signed(), scheme.symmetric(),
        QuantParams.PER_TENSOR, scheme.powerOfTwoScale());
    double[][] values = ch.split(w);
    double[] lo = new double[ch.count];
    double[] hi = new double[ch.count];
    for (int c = 0; c < ch.count; c++) {
      double best = Double.POSITIVE_INFINITY;
      double bestF = 1;
      for (int k = steps; k >= 1; k--) {
        double f = (double) k / steps;
        QuantParams p = one.params(new double[] {f * mm.min(c)}, new double[] {f * mm.max(c)});
        double s = p.scale(0);
        long z = p.zeroPoint(0);
        double err = 0;
        for (double v : values[c]) {
          double d = v - FakeQuantizer.apply(v, s, z, one.qmin(), one.qmax());
          err += d * d;
        }
        if (err < best) {
          best = err;
          bestF = f;
        }
      }
      lo[c] = bestF * mm.min(c);
      hi[c] = bestF * mm.max(c);
    }
    return scheme.perTensor() ? ValueRange.perTensor(lo[0], hi[0]) : ValueRange.perChannel(lo, hi);
  }

  /** Round-to-nearest codes of {@code w} for the parameters covering {@code range}. */
  public static RoundedWeights roundToNearest(Tensor w, QuantScheme scheme, ValueRange range) {
    QuantParams p = range.params(scheme);
    FakeQuantizer q = FakeQuantizer.of(scheme, p);
    Channels ch = Channels.of(w, scheme.axis());
    long[] codes = new long[w.size()];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = q.code(w.getDouble(i), ch.of(i));
    }
    return RoundedWeights.of(w, scheme, p, codes);
  }

  /** Element → channel along an axis. */
  record Channels(int count, int inner) {
    static Channels of(Tensor w, int axis) {
      if (axis == QuantParams.PER_TENSOR) {
        return new Channels(1, w.size());
      }
      int inner = 1;
      for (int d = axis + 1; d < w.shape().rank(); d++) {
        inner *= w.shape().dim(d);
      }
      return new Channels(w.shape().dim(axis), inner);
    }

    int of(int i) {
      return count == 1 ? 0 : (i / inner) % count;
    }

    double[][] split(Tensor w) {
      int[] n = new int[count];
      for (int i = 0, s = w.size(); i < s; i++) {
        n[of(i)]++;
      }
      double[][] out = new double[count][];
      for (int c = 0; c < count; c++) {
        out[c] = new double[n[c]];
      }
      int[] k = new int[count];
      for (int i = 0, s = w.size(); i < s; i++) {
        int c = of(i);
        out[c][k[c]++] = w.getDouble(i);
      }
      return out;
    }
  }
}
