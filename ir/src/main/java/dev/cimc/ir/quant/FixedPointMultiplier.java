package dev.cimc.ir.quant;

/**
 * A positive real multiplier {@code M} held as an int32 mantissa and a right shift, so that integer-only
 * hardware can compute {@code round(acc · M)} (DESIGN.md section 4, requantization):
 *
 * <pre>
 *   M ≈ multiplier · 2^−(31 + shift),   multiplier ∈ [2^30, 2^31)
 *   apply(acc) = roundingRightShift(acc · multiplier, 31 + shift)
 * </pre>
 *
 * <p><b>Exactness.</b> {@link #of} writes {@code M = f · 2^e} with {@code f ∈ [1, 2)} (the double's own
 * exponent, {@link Math#getExponent}), scales it by {@code 2^(30 − e)} with {@link Math#scalb} (exact: a
 * power-of-two scaling of a normal double) and rounds once to the nearest integer. The mantissa is
 * therefore the best int32 approximation of {@code M · 2^(31 + shift)}: its relative error is at most
 * {@code 2^−31}, and it is exact when {@code M} has at most 31 significant bits. For {@code |acc| < 2^31}
 * the product {@code acc · multiplier} is below 2^62 in magnitude and is computed exactly in a long, so
 * {@link #apply} rounds exactly once. When {@code M} is a power of two the mantissa is exactly 2^30 and
 * {@code apply(acc) = roundingRightShift(acc, 1 + shift)} bit for bit: a pure shift (see
 * {@link #isPowerOfTwo()}).
 *
 * <p><b>Rounding.</b> {@link #roundingRightShift} rounds to nearest with ties toward +∞ (add 2^(t−1), then
 * shift arithmetically), as TFLite's single-rounding {@code MultiplyByQuantizedMultiplier}: 2.5 → 3 but
 * −2.5 → −2. Unlike gemmlowp's {@code SaturatingRoundingDoublingHighMul} followed by
 * {@code RoundingDivideByPOT}, there is no intermediate rounding, so the result is the correctly rounded
 * {@code acc · multiplier · 2^−(31 + shift)}.
 *
 * <p>Multipliers below 2^−32 (whose products always round to 0 or 1 LSB) keep {@code shift = 31} with a
 * mantissa below 2^30; multipliers of 2^31 or more are rejected.
 *
 * @param multiplier the mantissa, in [2^30, 2^31) (smaller only for multipliers below 2^−32)
 * @param shift the right shift beyond 31, in [−31, 31]; negative values shift left
 */
public record FixedPointMultiplier(int multiplier, int shift) {
  /** Smallest {@link #shift()}: a total right shift of 0. */
  public static final int MIN_SHIFT = -31;
  /** Largest {@link #shift()}: a total right shift of 62. */
  public static final int MAX_SHIFT = 31;

  public FixedPointMultiplier {
    if (multiplier < 0) {
      throw new IllegalArgumentException("fixed-point multiplier must be ≥ 0, got " + multiplier);
    }
    if (shift < MIN_SHIFT || shift > MAX_SHIFT) {
      throw new IllegalArgumentException("shift must be in [" + MIN_SHIFT + ", " + MAX_SHIFT + "], got " + shift);
    }
  }

  /** The fixed-point form of {@code m > 0} (see the class comment for the error bound). */
  public static FixedPointMultiplier of(double m) {
    if (!(m > 0) || Double.isInfinite(m)) {
      throw new IllegalArgumentException("multiplier must be positive and finite, got " + m);
    }
    if (m >= 0x1p31) {
      throw new IllegalArgumentException("multiplier " + m + " is too large for a 32-bit fixed-point form (< 2^31)");
    }
    int e = Math.getExponent(m);
    if (e < Double.MIN_EXPONENT) {
      e = Double.MIN_EXPONENT; // subnormal: far below 2^-32, handled below
    }
    int shift = -1 - e;
    if (shift > MAX_SHIFT) {
      return new FixedPointMultiplier((int) Math.round(Math.scalb(m, 31 + MAX_SHIFT)), MAX_SHIFT);
    }
    long mant = Math.round(Math.scalb(m, 30 - e));
    if (mant == 1L << 31) { // rounded up to the next power of two
      mant = 1L << 30;
      shift--;
      if (shift < MIN_SHIFT) {
        throw new IllegalArgumentException("multiplier " + m + " is too large for a 32-bit fixed-point form (< 2^31)");
      }
    }
    return new FixedPointMultiplier((int) mant, shift);
  }

  /** The total right shift {@code 31 + shift} applied to the 64-bit product, in [0, 62]. */
  public int totalShift() {
    return 31 + shift;
  }

  /** The real value {@code multiplier · 2^−(31 + shift)} this form represents. */
  public double value() {
    return Math.scalb((double) multiplier, -totalShift());
  }

  /** True when the multiplier is 2^30, so {@link #apply} is a rounding right shift by {@code 1 + shift}. */
  public boolean isPowerOfTwo() {
    return multiplier == 1 << 30;
  }

  /** {@code round(acc · M)} with ties toward +∞; exact for {@code |acc| ≤ 2^31}. */
  public long apply(long acc) {
    return roundingRightShift(acc * multiplier, totalShift());
  }

  /**
   * {@code v / 2^t} rounded to nearest, ties toward +∞: {@code (v + 2^(t−1)) >> t} for t ≥ 1, v for t = 0.
   * Requires {@code |v| < 2^62} and {@code t ∈ [0, 62]}.
   */
  public static long roundingRightShift(long v, int t) {
    if (t == 0) {
      return v;
    }
    return (v + (1L << (t - 1))) >> t;
  }

  /**
   * {@code num / den} rounded to nearest with ties away from zero, for {@code den > 0} (the normalizations
   * of integer softmax and layer norm).
   */
  public static long roundingDivide(long num, long den) {
    long half = den / 2;
    // ties: for odd den there are none; for even den, |num| + half reaches the next multiple exactly
    return num >= 0 ? (num + half) / den : -((-num + half) / den);
  }

  @Override
  public String toString() {
    return multiplier + " · 2^-" + totalShift();
  }
}
