package dev.cimc.ir.quant.report;

import dev.cimc.ir.tensor.Tensor;

/** Running sums comparing a reference tensor with an approximation, over any number of samples. */
final class ErrorSum {
  double signal;
  double noise;
  double cross;
  double approx;
  double maxAbs;
  long count;

  void add(Tensor reference, Tensor approximation) {
    int n = reference.size();
    if (approximation.size() != n) {
      throw new IllegalStateException("compared tensors differ in size: " + n + " vs " + approximation.size());
    }
    double s = 0;
    double e = 0;
    double c = 0;
    double a = 0;
    double m = maxAbs;
    for (int i = 0; i < n; i++) {
      double x = reference.getDouble(i);
      double y = approximation.getDouble(i);
      double d = x - y;
      s += x * x;
      e += d * d;
      c += x * y;
      a += y * y;
      m = Math.max(m, Math.abs(d));
    }
    signal += s;
    noise += e;
    cross += c;
    approx += a;
    maxAbs = m;
    count += n;
  }

  /** 10·log10(Σx² / Σ(x−y)²); +∞ when the approximation is exact, NaN before any data. */
  double sqnrDb() {
    if (count == 0) {
      return Double.NaN;
    }
    if (noise == 0) {
      return Double.POSITIVE_INFINITY;
    }
    return 10 * Math.log10(signal / noise);
  }

  /** Σxy / √(Σx² Σy²); 1 when both are all zeros. */
  double cosine() {
    if (signal == 0 && approx == 0) {
      return 1;
    }
    if (signal == 0 || approx == 0) {
      return 0;
    }
    return cross / Math.sqrt(signal * approx);
  }
}
