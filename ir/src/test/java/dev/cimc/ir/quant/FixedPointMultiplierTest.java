package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedPointMultiplierTest {
  @Test
  void handComputedMultipliers() {
    // 0.5 = 2^30 · 2^-31
    assertEquals(new FixedPointMultiplier(1 << 30, 0), FixedPointMultiplier.of(0.5));
    // 0.75 = 0.75 · 2^31 · 2^-31 = 1610612736 · 2^-31
    assertEquals(new FixedPointMultiplier(1610612736, 0), FixedPointMultiplier.of(0.75));
    // 1 = 2^30 · 2^-30: shift -1
    assertEquals(new FixedPointMultiplier(1 << 30, -1), FixedPointMultiplier.of(1.0));
    // 0.3 = 1.2 · 2^-2: shift 1, mantissa round(0.3 · 2^32) = round(1288490188.8)
    assertEquals(new FixedPointMultiplier(1288490189, 1), FixedPointMultiplier.of(0.3));
    // 0.1 = 1.6 · 2^-4: shift 3, mantissa round(0.1 · 2^34) = round(1717986918.4)
    assertEquals(new FixedPointMultiplier(1717986918, 3), FixedPointMultiplier.of(0.1));
    // 1000.5 = 1.95... · 2^9: shift -10, mantissa 1000.5 · 2^21 exactly
    assertEquals(new FixedPointMultiplier(2098200576, -10), FixedPointMultiplier.of(1000.5));
  }

  @Test
  void mantissaRoundingUpToTwoToThe31Renormalizes() {
    // (1 − 2^-40) · 2^31 rounds to 2^31, which becomes 2^30 with one less shift
    assertEquals(new FixedPointMultiplier(1 << 30, -1), FixedPointMultiplier.of(1 - 0x1p-40));
  }

  @Test
  void tinyMultipliersKeepTheLargestShift() {
    assertEquals(new FixedPointMultiplier(1 << 22, 31), FixedPointMultiplier.of(0x1p-40));
    assertEquals(new FixedPointMultiplier(0, 31), FixedPointMultiplier.of(0x1p-70));
  }

  @Test
  void badMultipliersAreRejected() {
    for (double m : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, 0x1p31}) {
      assertThrows(IllegalArgumentException.class, () -> FixedPointMultiplier.of(m), "M = " + m);
    }
    assertThrows(IllegalArgumentException.class, () -> new FixedPointMultiplier(1, 32));
    assertThrows(IllegalArgumentException.class, () -> new FixedPointMultiplier(-1, 0));
  }

  @Test
  void relativeErrorIsAtMostTwoToTheMinus31() {
    var rng = new SplittableRandom(1);
    for (int i = 0; i < 20000; i++) {
      double m = Math.scalb(1 + rng.nextDouble(), rng.nextInt(-32, 31));
      FixedPointMultiplier f = FixedPointMultiplier.of(m);
      assertTrue(f.multiplier() >= 1 << 30, f + " for " + m);
      assertTrue(Math.abs(f.value() - m) <= m * 0x1p-31, f + " for " + m);
    }
  }

  @Test
  void roundingRightShiftRoundsTiesToEven() {
    assertEquals(2, FixedPointMultiplier.roundingRightShift(5, 1)); // 2.5
    assertEquals(4, FixedPointMultiplier.roundingRightShift(7, 1)); // 3.5
    assertEquals(-2, FixedPointMultiplier.roundingRightShift(-5, 1)); // -2.5
    assertEquals(-4, FixedPointMultiplier.roundingRightShift(-7, 1)); // -3.5
    assertEquals(2, FixedPointMultiplier.roundingRightShift(6, 2)); // 1.5
    assertEquals(-2, FixedPointMultiplier.roundingRightShift(-6, 2)); // -1.5
    assertEquals(0, FixedPointMultiplier.roundingRightShift(-2, 2)); // -0.5
    assertEquals(2, FixedPointMultiplier.roundingRightShift(7, 2)); // 1.75
    assertEquals(-2, FixedPointMultiplier.roundingRightShift(-7, 2)); // -1.75
    assertEquals(-1, FixedPointMultiplier.roundingRightShift(-5, 2)); // -1.25
    assertEquals(-7, FixedPointMultiplier.roundingRightShift(-7, 0));
    assertEquals(1L << 31, FixedPointMultiplier.roundingRightShift(Long.MAX_VALUE, 32)); // 2^31 − 2^-32
    assertEquals(-(1L << 31), FixedPointMultiplier.roundingRightShift(Long.MIN_VALUE, 32));
  }

  @Test
  void roundingRightShiftAgreesWithRint() {
    var rng = new SplittableRandom(4);
    for (int i = 0; i < 20000; i++) {
      long v = rng.nextLong(-(1L << 40), 1L << 40);
      int t = rng.nextInt(0, 12);
      assertEquals((long) Math.rint(v / Math.scalb(1.0, t)), FixedPointMultiplier.roundingRightShift(v, t), v + " >> " + t);
    }
  }

  @Test
  void roundingDivideRoundsTiesToEven() {
    assertEquals(2, FixedPointMultiplier.roundingDivide(5, 2));
    assertEquals(-2, FixedPointMultiplier.roundingDivide(-5, 2));
    assertEquals(2, FixedPointMultiplier.roundingDivide(3, 2));
    assertEquals(-2, FixedPointMultiplier.roundingDivide(-3, 2));
    assertEquals(2, FixedPointMultiplier.roundingDivide(7, 3));
    assertEquals(-2, FixedPointMultiplier.roundingDivide(-7, 3));
    assertEquals(3, FixedPointMultiplier.roundingDivide(8, 3));
    assertEquals(-3, FixedPointMultiplier.roundingDivide(-8, 3));
    assertEquals(0, FixedPointMultiplier.roundingDivide(0, 5));
    var rng = new SplittableRandom(5);
    for (int i = 0; i < 20000; i++) {
      long num = rng.nextLong(-(1L << 40), 1L << 40);
      long den = rng.nextLong(1, 1L << 12);
      assertEquals((long) Math.rint((double) num / den), FixedPointMultiplier.roundingDivide(num, den), num + " / " + den);
    }
  }

  @Test
  void applyIsTheCorrectlyRoundedProduct() {
    var rng = new SplittableRandom(2);
    for (int i = 0; i < 20000; i++) {
      long acc = rng.nextLong(-(1L << 31), 1L << 31);
      FixedPointMultiplier f = FixedPointMultiplier.of(Math.scalb(1 + rng.nextDouble(), rng.nextInt(-20, 4)));
      // acc · M0 / 2^t rounded half to even, in exact decimal arithmetic
      long want = new BigDecimal(BigInteger.valueOf(acc).multiply(BigInteger.valueOf(f.multiplier())))
          .divide(new BigDecimal(BigInteger.ONE.shiftLeft(f.totalShift()))).setScale(0, RoundingMode.HALF_EVEN)
          .longValueExact();
      assertEquals(want, f.apply(acc), acc + " · " + f);
    }
    assertEquals(300, FixedPointMultiplier.of(0.3).apply(1000));
    assertEquals(-300, FixedPointMultiplier.of(0.3).apply(-1000));
    assertEquals(Integer.MAX_VALUE / 2 + 1, FixedPointMultiplier.of(0.5).apply(Integer.MAX_VALUE)); // 1073741823.5
    assertEquals(Integer.MIN_VALUE / 2, FixedPointMultiplier.of(0.5).apply(Integer.MIN_VALUE));
  }

  @Test
  void powersOfTwoArePureShifts() {
    var rng = new SplittableRandom(3);
    for (int k = 0; k <= 20; k++) {
      FixedPointMultiplier f = FixedPointMultiplier.of(Math.scalb(1.0, -k));
      assertTrue(f.isPowerOfTwo());
      assertEquals(k, 1 + f.shift());
      for (int i = 0; i < 200; i++) {
        long acc = rng.nextLong(-(1L << 31), 1L << 31);
        assertEquals(FixedPointMultiplier.roundingRightShift(acc, k), f.apply(acc));
      }
    }
  }
}
