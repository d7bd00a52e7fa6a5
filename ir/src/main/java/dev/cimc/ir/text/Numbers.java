package dev.cimc.ir.text;

/**
 * Number spelling shared by printer and parser. Floats always carry a '.' or an exponent so they never
 * read back as integers; non-finite values print as {@code nan}, {@code inf}, {@code -inf}. Java's
 * shortest-repr conversions make every value read back bit-identical (NaN payloads are canonicalized).
 *
 * <p>The parse methods read a literal straight from a character range (no substring): decimal literals
 * with at most 18 significant digits and a small exponent take Clinger's exact fast path (one correctly
 * rounded multiply or divide); anything else falls back to the JDK's correctly rounded conversion.
 */
public final class Numbers {
  private Numbers() {}

  private static final double[] POW10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };
  private static final float[] POW10F = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

  public static void appendDouble(StringBuilder sb, double v) {
    if (Double.isNaN(v)) {
      sb.append("nan");
    } else if (Double.isInfinite(v)) {
      sb.append(v > 0 ? "inf" : "-inf");
    } else {
      sb.append(v);
    }
  }

  public static void appendFloat(StringBuilder sb, float v) {
    if (Float.isNaN(v)) {
      sb.append("nan");
    } else if (Float.isInfinite(v)) {
      sb.append(v > 0 ? "inf" : "-inf");
    } else {
      sb.append(v);
    }
  }

  /**
   * Parses {@code [-]digits[.digits][(e|E)[+-]digits]}, {@code nan}, {@code inf} or {@code -inf} in
   * {@code a[start, end)} to the nearest double. The caller has checked the syntax.
   */
  public static double parseDouble(char[] a, int start, int end) {
    int p = start;
    boolean neg = a[p] == '-';
    if (neg) {
      p++;
    }
    if (a[p] == 'n') {
      return Double.NaN;
    }
    if (a[p] == 'i') {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    long m = 0;
    int digits = 0;
    int exp10 = 0;
    for (; p < end && isDigit(a[p]); p++) {
      if (m != 0 || a[p] != '0') {
        m = m * 10 + (a[p] - '0');
        digits++;
      }
    }
    if (p < end && a[p] == '.') {
      for (p++; p < end && isDigit(a[p]); p++) {
        if (m != 0 || a[p] != '0') {
          m = m * 10 + (a[p] - '0');
          digits++;
        }
        exp10--;
      }
    }
    if (digits > 18) {
      return Double.parseDouble(new String(a, start, end - start));
    }
    if (p < end && (a[p] == 'e' || a[p] == 'E')) {
      p++;
      boolean eneg = a[p] == '-';
      if (a[p] == '-' || a[p] == '+') {
        p++;
      }
      int e = 0;
      for (; p < end; p++) {
        if (e > 100_000) {
          return Double.parseDouble(new String(a, start, end - start));
        }
        e = e * 10 + (a[p] - '0');
      }
      exp10 += eneg ? -e : e;
    }
    double v;
    if (m == 0) {
      v = 0.0;
    } else if (m < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
      v = exp10 >= 0 ? m * POW10[exp10] : m / POW10[-exp10];
    } else {
      return Double.parseDouble(new String(a, start, end - start));
    }
    return neg ? -v : v;
  }

  /** Like {@link #parseDouble} but rounds the decimal once, straight to the nearest float. */
  public static float parseFloat(char[] a, int start, int end) {
    int p = start;
    boolean neg = a[p] == '-';
    if (neg) {
      p++;
    }
    if (a[p] == 'n') {
      return Float.NaN;
    }
    if (a[p] == 'i') {
      return neg ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    }
    long m = 0;
    int digits = 0;
    int exp10 = 0;
    for (; p < end && isDigit(a[p]); p++) {
      if (m != 0 || a[p] != '0') {
        m = m * 10 + (a[p] - '0');
        digits++;
      }
    }
    if (p < end && a[p] == '.') {
      for (p++; p < end && isDigit(a[p]); p++) {
        if (m != 0 || a[p] != '0') {
          m = m * 10 + (a[p] - '0');
          digits++;
        }
        exp10--;
      }
    }
    if (digits > 18) {
      return Float.parseFloat(new String(a, start, end - start));
    }
    if (p < end && (a[p] == 'e' || a[p] == 'E')) {
      p++;
      boolean eneg = a[p] == '-';
      if (a[p] == '-' || a[p] == '+') {
        p++;
      }
      int e = 0;
      for (; p < end; p++) {
        if (e > 100_000) {
          return Float.parseFloat(new String(a, start, end - start));
        }
        e = e * 10 + (a[p] - '0');
      }
      exp10 += eneg ? -e : e;
    }
    float v;
    if (m == 0) {
      v = 0f;
    } else if (m < (1L << 24) && exp10 >= -10 && exp10 <= 10) {
      v = exp10 >= 0 ? m * POW10F[exp10] : m / POW10F[-exp10];
    } else if (m < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
      // The double is the correctly rounded decimal; rounding it to float is exact unless it fell on a
      // midpoint between two floats (double rounding), which the JDK then settles.
      double d = exp10 >= 0 ? m * POW10[exp10] : m / POW10[-exp10];
      v = (float) d;
      double back = v;
      if (back != d) {
        double other = d > back ? Math.nextUp(v) : Math.nextDown(v);
        if (d - back == other - d) {
          return Float.parseFloat(new String(a, start, end - start));
        }
      }
    } else {
      return Float.parseFloat(new String(a, start, end - start));
    }
    return neg ? -v : v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
