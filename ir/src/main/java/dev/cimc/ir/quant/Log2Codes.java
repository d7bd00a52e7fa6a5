package dev.cimc.ir.quant;

import dev.cimc.ir.type.ElementType;

/**
 * The representation of log2 ({@link QuantScheme.Kind#LOG2}) weights: each weight is {@code w ≈ sign · s ·
 * 2^e} with {@code s} the channel's largest magnitude and {@code e = round(log2 |w / s|) ≤ 0}.
 *
 * <p><b>Codes.</b> A {@code b}-bit log2 code is a signed integer {@code c} with {@code |c| ≤ L = 2^(b−1) − 1}:
 * {@code c = 0} is the weight 0, otherwise {@code c = sign(w) · (e + L)}, so the largest magnitude has code
 * ±L and each step down halves it; a weight whose rounded exponent is below {@code 1 − L} becomes 0. The
 * exponent is rounded in the log domain exactly: {@code round(log2 x) = k + (m ≥ √2 ? 1 : 0)} for {@code x =
 * m · 2^k}, {@code m ∈ [1, 2)} (√2 is irrational, so there are no ties).
 *
 * <p><b>Expansion on load.</b> {@link #expand} turns a code into the integer {@code sign(c) · 2^(|c| − 1)}
 * (0 for 0), a power of two, exactly; with the unit scale {@code u = s · 2^(1 − L)} ({@link #unitScale}) the
 * real weight is {@code u · expand(c) = sign · s · 2^(|c| − L)}. The expanded integers are uniform
 * symmetric codes, so the integer ops (q.qconv2d, q.qgemm) run on them unchanged; hardware multiplies by
 * shifting. Their magnitude is at most {@code 2^(L−1)}: 4 (3 bits) and 64 (4 bits) fit i8, 2^14 (5 bits)
 * i16; more bits are rejected ({@link #expandedType}).
 */
public final class Log2Codes {
  private Log2Codes() {}

  /** The largest code magnitude L = 2^(bits−1) − 1. */
  public static int levels(int bits) {
    if (bits < 3 || bits > 5) {
      throw new IllegalArgumentException("log2 weights take 3 to 5 bits (sign and 2 to 4 exponent bits), got " + bits);
    }
    return (1 << (bits - 1)) - 1;
  }

  /** The element type of the expanded integers: i8 up to 4 bits, i16 for 5. */
  public static ElementType expandedType(int bits) {
    return levels(bits) <= 7 ? ElementType.I8 : ElementType.I16;
  }

  /** The scale of one unit of the expanded integers: {@code s · 2^(1 − L)}. */
  public static double unitScale(double s, int bits) {
    return Math.scalb(s, 1 - levels(bits));
  }

  /** The code of {@code w} for the channel scale {@code s > 0}. */
  public static long encode(double w, double s, int bits) {
    int l = levels(bits);
    double x = Math.abs(w) / s;
    if (!(x > 0) || Double.isInfinite(x)) {
      return 0;
    }
    int k = Math.getExponent(x);
    double m = Math.scalb(x, -k);
    int e = Math.min(0, m >= Math.sqrt(2) ? k + 1 : k);
    int mag = e + l;
    if (mag < 1) {
      return 0;
    }
    return w < 0 ? -mag : mag;
  }

  /** The expanded integer {@code sign(c) · 2^(|c| − 1)} of code {@code c} (0 for 0). */
  public static long expand(long c) {
    if (c == 0) {
      return 0;
    }
    long v = 1L << (Math.abs(c) - 1);
    return c < 0 ? -v : v;
  }

  /** The real weight of code {@code c} with channel scale {@code s}. */
  public static double value(long c, double s, int bits) {
    return unitScale(s, bits) * expand(c);
  }
}
