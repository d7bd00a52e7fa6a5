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
 * <p><b>Rounding.</b> {@link #roundingRightShift} rounds to nearest with ties to even, the rule of
 * {@code q.quantize} ({@code Math.rint}): 2.5 → 2, 3.5 → 4, −2.5 → −2. The integer graph therefore computes
 * exactly what the fake-quantized float graph computes whenever the float arithmetic is exact (e.g. with
 * power-of-two scales), not merely to within one LSB. Hardware gets the tie from the shifted-out bits (guard
 * bit set, rest zero) and the lowest kept bit. This is TFLite's single-rounding
 * {@code MultiplyByQuantizedMultiplier} (one rounding of the exact 64-bit product) except for the tie rule
 * (TFLite rounds ties up) and unlike gemmlowp's {@code SaturatingRoundingDoublingHighMul} followed by
 * {@code RoundingDivideByPOT}, which rounds twice (ties away from zero each time); the results differ from
 * either only on exact ties.
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

  /** {@code round(acc · M)} with ties to even; exact for {@code |acc| ≤ 2^31}. */
  public long apply(long acc) {
    return roundingRightShift(acc * multiplier, totalShift());
  }

  /**
   * {@code v / 2^t} rounded to nearest, ties to even ({@code v} itself for t = 0). Requires {@code t ∈ [0,
   * 62]}.
   */
  public static long roundingRightShift(long v, int t) {
    if (t == 0) {
      return v;
    }
    long q = v >> t; // floor
    long r = v - (q << t); // in [0, 2^t)
    long half = 1L << (t - 1);
    return r > half || (r == half && (q & 1) != 0) ? q + 1 : q;
  }

  /**
   * {@code num / den} rounded to nearest with ties to even, for {@code den > 0} (the normalizations of
   * integer softmax and layer norm). Requires {@code |num| < 2^62}.
   */
  public static long roundingDivide(long num, long den) {
    long q = Math.floorDiv(num, den);
    long r2 = 2 * (num - q * den); // twice the remainder, in [0, 2·den)
    return r2 > den || (r2 == den && (q & 1) != 0) ? q + 1 : q;
  }

  @Override
  public String toString() {
    return multiplier + " · 2^-" + totalShift();
  }
}
