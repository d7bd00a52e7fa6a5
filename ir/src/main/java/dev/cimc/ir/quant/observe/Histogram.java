package dev.cimc.ir.quant.observe;

/**
 * A streaming histogram with a fixed number of equal-width bins whose range grows with the data.
 *
 * <p>Growth never smears counts: the new range starts a whole number of old bins below the old one and
 * its bins are a whole number k of old bins wide, so each old bin falls entirely into one new bin. The
 * price is resolution: after growth the data may fill as little as about half of the bins. Each bin keeps
 * the sum of its values beside the count, so the mean of a bin is exact whatever its width.
 *
 * <p>In absolute mode the histogram holds |x| on a range anchored at 0 (TensorRT's entropy calibration).
 * Until two distinct values arrive no bins exist; the values are kept as a count at one point.
 */
public final class Histogram {
  private final int bins;
  private final boolean absolute;
  private final double[] counts;
  private final double[] sums;
  private boolean hasBins;
  private double lo;
  private double width;
  private double total;
  private double pointValue;
  private double minSeen = Double.POSITIVE_INFINITY;
  private double maxSeen = Double.NEGATIVE_INFINITY;

  /**
   * @param bins number of bins (≥ 1)
   * @param absolute hold |x| on a range starting at 0
   */
  public Histogram(int bins, boolean absolute) {
    if (bins < 1) {
      throw new IllegalArgumentException("a histogram needs at least one bin, got " + bins);
    }
    this.bins = bins;
    this.absolute = absolute;
    this.counts = new double[bins];
    this.sums = new double[bins];
  }

  /**
   * Makes the range cover the finite values in {@code [min, max]} (raw values; in absolute mode their
   * magnitudes are covered). Call before {@link #add} with the extrema of what is added.
   */
  public void cover(double min, double max) {
    if (!(min <= max)) {
      return;
    }
    double a = min;
    double b = max;
    if (absolute) {
      b = Math.max(Math.abs(min), Math.abs(max));
      a = min <= 0 && max >= 0 ? 0 : Math.min(Math.abs(min), Math.abs(max));
    }
    if (!hasBins) {
      double lo0 = absolute ? 0 : a;
      double hi0 = b;
      if (total > 0) {
        lo0 = Math.min(lo0, pointValue);
        hi0 = Math.max(hi0, pointValue);
      }
      if (lo0 == hi0) {
        pointValue = hi0; // every value so far is this one
        seen(a, b);
        return;
      }
      hasBins = true;
      lo = lo0;
      width = (hi0 - lo0) / bins;
      if (total > 0) {
        int i = index(pointValue);
        counts[i] = total;
        sums[i] = total * pointValue;
      }
    } else {
      grow(Math.min(a, lo), Math.max(b, lo + bins * width));
    }
    seen(a, b);
  }

  /**
   * Records the extrema of covered values. Raw extrema are exact; in absolute mode a range that straddles 0
   * only bounds the smallest magnitude, so {@link #add} records that one from the values themselves.
   */
  private void seen(double a, double b) {
    if (!absolute || a > 0) {
      minSeen = Math.min(minSeen, a);
    }
    maxSeen = Math.max(maxSeen, b);
  }

  private void grow(double needLo, double needHi) {
    double hi = lo + bins * width;
    if (needLo >= lo && needHi <= hi) {
      return;
    }
    long m = needLo < lo ? (long) Math.ceil((lo - needLo) / width) : 0;
    double newLo = lo - m * width;
    long k = Math.max(1, (long) Math.ceil((needHi - newLo) / (bins * width)));
    k = Math.max(k, (m + bins + bins - 1) / bins);
    while (newLo + k * bins * width < needHi) {
      k++;
    }
    double[] c = new double[bins];
    double[] s = new double[bins];
    for (int i = 0; i < bins; i++) {
      int j = (int) ((m + i) / k);
      c[j] += counts[i];
      s[j] += sums[i];
    }
    System.arraycopy(c, 0, counts, 0, bins);
    System.arraycopy(s, 0, sums, 0, bins);
    lo = newLo;
    width *= k;
  }

  private int index(double v) {
    int i = (int) ((v - lo) / width);
    return i < 0 ? 0 : (i >= bins ? bins - 1 : i);
  }

  /** Adds the finite values {@code x[from..to)} (which {@link #cover} must have covered). */
  public void add(float[] x, int from, int to) {
    if (!hasBins) {
      for (int i = from; i < to; i++) {
        if (Float.isFinite(x[i])) {
          total++;
          minSeen = Math.min(minSeen, absolute ? Math.abs(x[i]) : x[i]);
        }
      }
      return;
    }
    double smallest = Double.POSITIVE_INFINITY;
    double inv = 1 / width;
    double l = lo;
    int last = bins - 1;
    double n = 0;
    for (int i = from; i < to; i++) {
      float f = x[i];
      if (!Float.isFinite(f)) {
        continue;
      }
      double v = absolute ? Math.abs(f) : f;
      smallest = v < smallest ? v : smallest;
      int b = (int) ((v - l) * inv);
      b = b < 0 ? 0 : (b > last ? last : b);
      counts[b]++;
      sums[b] += v;
      n++;
    }
    total += n;
    minSeen = Math.min(minSeen, smallest);
  }

  /** Number of bins. */
  public int bins() {
    return bins;
  }

  public boolean absolute() {
    return absolute;
  }

  /** False while every value seen is the same ({@link #min()} = {@link #max()}): then there are no bins. */
  public boolean hasBins() {
    return hasBins;
  }

  /** Lower edge of bin 0. */
  public double lo() {
    return hasBins ? lo : pointValue;
  }

  /** Width of a bin (0 without bins). */
  public double width() {
    return hasBins ? width : 0;
  }

  /** Number of values added. */
  public double total() {
    return total;
  }

  /** Smallest value covered (of |x| in absolute mode). */
  public double min() {
    return minSeen;
  }

  /** Largest value covered (of |x| in absolute mode). */
  public double max() {
    return maxSeen;
  }

  public double count(int bin) {
    return counts[bin];
  }

  /** Sum of the values in a bin. */
  public double sum(int bin) {
    return sums[bin];
  }

  /** The counts (a copy). */
  public double[] counts() {
    return counts.clone();
  }

  /**
   * The counts redistributed onto {@code n} equal bins over {@code [a, b]}, each old bin's count spread
   * evenly over its width; counts outside fall into the end bins.
   */
  public double[] resample(double a, double b, int n) {
    double[] out = new double[n];
    if (!hasBins) {
      if (total > 0) {
        int i = b > a ? (int) ((pointValue - a) / (b - a) * n) : 0;
        out[Math.max(0, Math.min(n - 1, i))] = total;
      }
      return out;
    }
    double w = (b - a) / n;
    for (int i = 0; i < bins; i++) {
      double c = counts[i];
      if (c == 0) {
        continue;
      }
      double s = lo + i * width;
      double e = s + width;
      if (e <= a || w <= 0) {
        out[0] += c;
        continue;
      }
      if (s >= b) {
        out[n - 1] += c;
        continue;
      }
      if (s < a) { // the part below a goes to bin 0
        out[0] += c * (a - s) / width;
        s = a;
      }
      if (e > b) {
        out[n - 1] += c * (e - b) / width;
        e = b;
      }
      int j0 = Math.max(0, Math.min(n - 1, (int) ((s - a) / w)));
      for (int j = j0; j < n; j++) {
        double bs = a + j * w;
        double be = j == n - 1 ? b : bs + w;
        double ov = Math.min(e, be) - Math.max(s, bs);
        if (ov > 0) {
          out[j] += c * ov / width;
        }
        if (be >= e) {
          break;
        }
      }
    }
    return out;
  }

  /**
   * The value below which a fraction {@code q} of the data lies, interpolating linearly inside a bin and
   * clamped to the values seen.
   */
  public double quantile(double q) {
    if (total == 0) {
      throw new IllegalStateException("empty histogram");
    }
    if (!hasBins) {
      return pointValue;
    }
    double target = Math.max(0, Math.min(1, q)) * total;
    double cum = 0;
    for (int i = 0; i < bins; i++) {
      double c = counts[i];
      if (c > 0 && cum + c >= target) {
        double v = lo + (i + (target - cum) / c) * width;
        return Math.max(minSeen, Math.min(maxSeen, v));
      }
      cum += c;
    }
    return maxSeen;
  }
}
