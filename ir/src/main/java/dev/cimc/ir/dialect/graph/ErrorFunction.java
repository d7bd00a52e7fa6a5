package dev.cimc.ir.dialect.graph;

/**
 * The error function and its complement in double precision (relative error near 1e-15 for erf, and
 * for erfc wherever it is not tiny), for the erf and gelu kernels.
 *
 * <p>|x| &lt; 2: the Maclaurin series of erf (at most 33 terms, little cancellation). |x| ≥ 2: erfc
 * by the even contraction of Laplace's continued fraction
 * {@code erfc(x) = 2x e^(-x²)/√π / (2x²+1 - 1·2/(2x²+5 - 3·4/(2x²+9 - ...)))}, evaluated with Lentz's
 * method (at most about 28 steps). erfc is computed directly there, so {@code 1 + erf(x)} for very
 * negative x (gelu) keeps its relative accuracy instead of cancelling to 0.
 */
final class ErrorFunction {
  private ErrorFunction() {}

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double TINY = 1e-300;

  static double erf(double x) {
    double ax = Math.abs(x);
    if (ax < 2) {
      return series(x);
    }
    if (Double.isNaN(x)) {
      return x;
    }
    // erfc(6) < 2.2e-17: erf rounds to ±1 from here on.
    double r = ax >= 6 ? 1 : 1 - continuedFraction(ax);
    return x < 0 ? -r : r;
  }

  static double erfc(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    if (x >= 2) {
      return continuedFraction(x);
    }
    if (x > -2) {
      return 1 - series(x);
    }
    return 2 - continuedFraction(-x);
  }

  /** Maclaurin coefficients of erf: 2/√π (-1)^n / (n! (2n+1)), n = 0..32. */
  private static final double[] SERIES = new double[33];

  static {
    double factorial = 1;
    for (int n = 0; n < SERIES.length; n++) {
      factorial *= Math.max(n, 1);
      SERIES[n] = TWO_OVER_SQRT_PI * (n % 2 == 0 ? 1 : -1) / (factorial * (2 * n + 1));
    }
  }

  /**
   * erf(x) for |x| &lt; 2 by Horner's rule in x², with as many terms as the range needs for a
   * truncation error below 1e-16.
   */
  private static double series(double x) {
    double ax = Math.abs(x);
    int terms = ax < 0.5 ? 11 : ax < 1 ? 17 : ax < 1.5 ? 25 : 33;
    double x2 = x * x;
    double s = SERIES[terms - 1];
    for (int n = terms - 2; n >= 0; n--) {
      s = s * x2 + SERIES[n];
    }
    return x * s;
  }

  /** erfc(x) for x ≥ 2. */
  private static double continuedFraction(double x) {
    if (x > 27) {
      return 0; // e^(-x²) underflows
    }
    double z = 2 * x * x;
    double f = z + 1;
    double c = f;
    double d = 0;
    for (int n = 1; n < 200; n++) {
      double a = -(2.0 * n - 1) * (2.0 * n);
      double b = z + 4 * n + 1;
      d = b + a * d;
      d = d == 0 ? TINY : d;
      d = 1 / d;
      c = b + a / c;
      c = c == 0 ? TINY : c;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return x * Math.exp(-x * x) * TWO_OVER_SQRT_PI / f;
  }
}
