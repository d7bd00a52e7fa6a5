package dev.cimc.tests.onnx;

import dev.cimc.ir.tensor.Tensor;
import java.util.Arrays;

/**
 * How far cimc's tensor is from the reference: the largest absolute difference, relative to the largest
 * magnitude in the reference ({@code max|a−b| / max(max|b|, 1e-6)}). Relative to the output's max-abs
 * rather than per element, so outputs near zero (logits that cancel, softmax tails) do not dominate.
 * For integers, the number of elements more than one apart is counted too (the 1 LSB rule).
 */
record Closeness(double maxAbsDiff, double maxAbsRef, double relative, long beyondOneLsb, long size) {
  static final double FLOOR = 1e-6;

  static Closeness of(Tensor actual, Tensor expected) {
    if (!Arrays.equals(actual.shape().dims(), expected.shape().dims())) {
      throw new AssertionError("shape " + actual.shape() + " differs from the reference shape " + expected.shape());
    }
    double maxDiff = 0;
    double maxRef = 0;
    long beyond = 0;
    boolean integer = !actual.elementType().isFloat();
    int n = actual.size();
    for (int i = 0; i < n; i++) {
      double a = integer ? actual.getLong(i) : actual.getDouble(i);
      double b = expected.elementType().isFloat() ? expected.getDouble(i) : expected.getLong(i);
      double d = Math.abs(a - b);
      if (Double.isNaN(a) != Double.isNaN(b) || (Double.isNaN(d) && !Double.isNaN(a))) {
        d = Double.POSITIVE_INFINITY;
      } else if (Double.isNaN(d)) {
        d = 0;
      }
      maxDiff = Math.max(maxDiff, d);
      if (!Double.isNaN(b)) {
        maxRef = Math.max(maxRef, Math.abs(b));
      }
      if (d > 1) {
        beyond++;
      }
    }
    return new Closeness(maxDiff, maxRef, maxDiff / Math.max(maxRef, FLOOR), beyond, n);
  }

  /** Fraction of elements within one unit. */
  double withinOneLsb() {
    return size == 0 ? 1 : 1 - (double) beyondOneLsb / size;
  }

  @Override
  public String toString() {
    return String.format("max |diff| %.3g, max |ref| %.3g, relative %.3g", maxAbsDiff, maxAbsRef, relative);
  }
}
