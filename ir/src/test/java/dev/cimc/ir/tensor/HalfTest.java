package dev.cimc.ir.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfTest {
  private static void assertBits(int expected, short actual, String what) {
    assertEquals(String.format("0x%04X", expected), String.format("0x%04X", actual & 0xFFFF), what);
  }

  /** Known encodings: bits, value. */
  private static final Object[][] KNOWN = {
      {0x0000, 0.0f},
      {0x8000, -0.0f},
      {0x3C00, 1.0f},
      {0xBC00, -1.0f},
      {0x4000, 2.0f},
      {0xC000, -2.0f},
      {0x3800, 0.5f},
      {0x3555, 0.333251953125f},
      {0x3C01, 1.0009765625f},
      {0x7BFF, 65504.0f},
      {0xFBFF, -65504.0f},
      {0x0400, 0x1p-14f},
      {0x03FF, 0x1.ff8p-15f},
      {0x0001, 0x1p-24f},
      {0x8001, -0x1p-24f},
      {0x0200, 0x1p-15f},
      {0x7C00, Float.POSITIVE_INFINITY},
      {0xFC00, Float.NEGATIVE_INFINITY},
  };

  @Test
  void knownBitPatternsConvertBothWays() {
    for (Object[] k : KNOWN) {
      int bits = (Integer) k[0];
      float f = (Float) k[1];
      assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(Half.toFloat((short) bits)),
          "toFloat " + Integer.toHexString(bits));
      assertBits(bits, Half.fromFloat(f), "fromFloat " + f);
    }
  }

  @Test
  void nan() {
    assertTrue(Float.isNaN(Half.toFloat((short) 0x7E00)));
    assertTrue(Float.isNaN(Half.toFloat((short) 0x7C01)));
    assertTrue(Float.isNaN(Half.toFloat((short) 0xFE00)));
    assertBits(0x7E00, Half.fromFloat(Float.NaN), "canonical NaN");
    // a NaN whose payload sits only in bits that f16 drops stays a NaN
    assertBits(0x7E00, Half.fromFloat(Float.intBitsToFloat(0x7F800001)), "signalling NaN");
    assertBits(0xFE00, Half.fromFloat(Float.intBitsToFloat(0xFFC00000)), "negative NaN");
  }

  @Test
  void roundsToNearestEvenBetweenNormals() {
    // halfway between 1.0 (even) and 1.0009765625 (odd): to 1.0
    assertBits(0x3C00, Half.fromFloat(1f + 0x1p-11f), "tie down to even");
    // halfway between 0x3C01 (odd) and 0x3C02 (even): to 0x3C02
    assertBits(0x3C02, Half.fromFloat(1f + 3 * 0x1p-11f), "tie up to even");
    assertBits(0x3C01, Half.fromFloat(1f + 0x1p-11f + 0x1p-20f), "above the tie");
    assertBits(0x3C00, Half.fromFloat(1f + 0x1p-11f - 0x1p-20f), "below the tie");
    // a carry out of the mantissa bumps the exponent
    assertBits(0x4000, Half.fromFloat(2f - 0x1p-12f), "carry into exponent");
  }

  @Test
  void overflowsToInfinity() {
    assertBits(0x7BFF, Half.fromFloat(65519f), "just below the tie with infinity");
    assertBits(0x7C00, Half.fromFloat(65520f), "tie at the top rounds to even: infinity");
    assertBits(0x7C00, Half.fromFloat(1e6f), "far above");
    assertBits(0xFC00, Half.fromFloat(-1e6f), "far below");
    assertBits(0x7C00, Half.fromFloat(Float.MAX_VALUE), "float max");
  }

  @Test
  void subnormalsAndUnderflow() {
    assertBits(0x0000, Half.fromFloat(0x1p-25f), "half the smallest subnormal: tie to even zero");
    assertBits(0x0001, Half.fromFloat(0x1.004p-25f), "just above that tie");
    assertBits(0x0002, Half.fromFloat(0x1.8p-24f), "1.5 ulp: tie to even 2");
    assertBits(0x0002, Half.fromFloat(0x1p-23f), "exact subnormal");
    assertBits(0x0000, Half.fromFloat(0x1p-26f), "far below");
    assertBits(0x8000, Half.fromFloat(-0x1p-26f), "negative underflow keeps the sign");
    assertBits(0x0000, Half.fromFloat(Float.MIN_VALUE), "float subnormal");
    // halfway between the largest subnormal (odd) and the smallest normal: to the normal
    assertBits(0x0400, Half.fromFloat(0x1p-14f - 0x1p-25f), "subnormal carry into normal");
    assertBits(0x03FF, Half.fromFloat(0x1p-14f - 0x1p-24f), "largest subnormal");
  }

  @Test
  void everyHalfRoundTrips() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.toFloat((short) h);
      if (Float.isNaN(f)) {
        continue;
      }
      assertBits(h, Half.fromFloat(f), "round trip of " + f);
    }
  }

  @Test
  void fromFloatIsTheNearestHalfTiesToEven() {
    // Oracle: every finite half as a double, searched for the nearest (ties to the even encoding).
    int[] encodings = new int[0x7C00];
    double[] values = new double[0x7C00];
    for (int h = 0; h < 0x7C00; h++) {
      encodings[h] = h;
      values[h] = Half.toFloat((short) h);
    }
    var rnd = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      // log-uniform magnitudes over the whole half range, plus a little beyond on both sides
      float f = (float) Math.scalb(1.0 + rnd.nextDouble(), rnd.nextInt(44) - 27);
      int want = nearest(values, f);
      assertBits(want, Half.fromFloat(f), "fromFloat " + f);
      assertBits(want | 0x8000, Half.fromFloat(-f), "fromFloat " + -f);
    }
  }

  private static int nearest(double[] values, float f) {
    if (f >= 65520.0) {
      return 0x7C00;
    }
    int i = Arrays.binarySearch(values, f);
    if (i >= 0) {
      return i;
    }
    int hi = -i - 1;
    int lo = hi - 1;
    if (hi >= values.length) {
      return lo;
    }
    double dl = f - values[lo];
    double dh = values[hi] - f;
    if (dl < dh) {
      return lo;
    }
    if (dh < dl) {
      return hi;
    }
    return (lo & 1) == 0 ? lo : hi;
  }

  @Test
  void fromDoubleRoundsOnce() {
    // (float) d would land exactly on the tie and round down; the double is above it
    assertBits(0x3C01, Half.fromDouble(1.0 + 0x1p-11 + 0x1p-40), "above the tie");
    assertBits(0x3C00, Half.fromDouble(1.0 + 0x1p-11 - 0x1p-40), "below the tie");
    assertBits(0x3C00, Half.fromDouble(1.0 + 0x1p-11), "on the tie");
    assertBits(0x0001, Half.fromDouble(0x1p-25 + 0x1p-60), "above the subnormal tie");
    assertBits(0x7C00, Half.fromDouble(1e300), "overflow");
    assertBits(0x8000, Half.fromDouble(-1e-300), "underflow");
    assertBits(0x7E00, Half.fromDouble(Double.NaN), "NaN");
    assertBits(0xFC00, Half.fromDouble(Double.NEGATIVE_INFINITY), "-inf");
    var rnd = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      float f = (float) Math.scalb(1.0 + rnd.nextDouble(), rnd.nextInt(40) - 25);
      assertBits(Half.fromFloat(f), Half.fromDouble(f), "agrees with fromFloat on floats: " + f);
    }
  }
}
