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
   * A decimal literal scanned once: {@code ±m · 10^exp10}, or a special value, or {@code slow} when the
   * mantissa or exponent is too long for the fast paths (the JDK parses those).
   */
  private static final class Decimal {
    boolean neg;
    char special; // 'n' for nan, 'i' for inf, 0 otherwise
    long m;
    int exp10;
    boolean slow;

    Decimal(char[] a, int start, int end) {
      int p = start;
      neg = a[p] == '-';
      if (neg) {
        p++;
      }
      if (a[p] == 'n' || a[p] == 'i') {
        special = a[p];
        return;
      }
      int digits = 0;
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
        slow = true;
        return;
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
            slow = true;
            return;
          }
          e = e * 10 + (a[p] - '0');
        }
        exp10 += eneg ? -e : e;
      }
    }
  }

  /**
   * Parses {@code [-]digits[.digits][(e|E)[+-]digits]}, {@code nan}, {@code inf} or {@code -inf} in
   * {@code a[start, end)} to the nearest double. The caller has checked the syntax.
   */
  public static double parseDouble(char[] a, int start, int end) {
    var d = new Decimal(a, start, end);
    if (d.special != 0) {
      return d.special == 'n' ? Double.NaN : d.neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    double v;
    if (d.slow) {
      return Double.parseDouble(new String(a, start, end - start));
    } else if (d.m == 0) {
      v = 0.0;
    } else if (d.m < (1L << 53) && d.exp10 >= -22 && d.exp10 <= 22) {
      v = d.exp10 >= 0 ? d.m * POW10[d.exp10] : d.m / POW10[-d.exp10];
    } else {
      return Double.parseDouble(new String(a, start, end - start));
    }
    return d.neg ? -v : v;
  }

  /** Like {@link #parseDouble} but rounds the decimal once, straight to the nearest float. */
  public static float parseFloat(char[] a, int start, int end) {
    var d = new Decimal(a, start, end);
    if (d.special != 0) {
      return d.special == 'n' ? Float.NaN : d.neg ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    }
    long m = d.m;
    int exp10 = d.exp10;
    float v;
    if (d.slow) {
      return Float.parseFloat(new String(a, start, end - start));
    } else if (m == 0) {
      v = 0f;
    } else if (m < (1L << 24) && exp10 >= -10 && exp10 <= 10) {
      v = exp10 >= 0 ? m * POW10F[exp10] : m / POW10F[-exp10];
    } else if (m < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
      // The double is the correctly rounded decimal; rounding it to float is exact unless it fell on a
      // midpoint between two floats (double rounding), which the JDK then settles.
      double x = exp10 >= 0 ? m * POW10[exp10] : m / POW10[-exp10];
      v = (float) x;
      double back = v;
      if (back != x) {
        double other = x > back ? Math.nextUp(v) : Math.nextDown(v);
        if (x - back == other - x) {
          return Float.parseFloat(new String(a, start, end - start));
        }
      }
    } else {
      return Float.parseFloat(new String(a, start, end - start));
    }
    return d.neg ? -v : v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
