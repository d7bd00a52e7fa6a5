package dev.cimc.ir.tensor;

/** IEEE 754 binary16 conversions (Java 17 has no Float.float16ToFloat). Round to nearest even. */
public final class Half {
  private Half() {}

  public static float toFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /**
   * Rounds a double to the nearest f16 (ties to even) in one step: a plain {@code (float)} cast first
   * could round twice and land on an f16 tie that the double was not on.
   */
  public static short fromDouble(double d) {
    float f = (float) d;
    if ((double) f != d && !Double.isNaN(d) && !Float.isInfinite(f)) {
      // Round to odd at float precision (24 bits, more than 11 + 2): then rounding to f16 is exact.
      int bits = Float.floatToRawIntBits(f);
      if ((bits & 1) == 0) {
        bits += Math.abs((double) f) < Math.abs(d) ? 1 : -1;
        f = Float.intBitsToFloat(bits);
      }
    }
    return fromFloat(f);
  }

  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >>> shift;
      int rem = mant & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++;
    }
    return (short) (sign | half);
  }
}
