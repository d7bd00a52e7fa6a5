package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The weight initializers: the right distribution, and the same numbers for the same seed and name. */
class InitializerTest {
  private static double[] meanStd(float[] v) {
    double sum = 0;
    double sq = 0;
    for (float x : v) {
      sum += x;
      sq += (double) x * x;
    }
    double mean = sum / v.length;
    return new double[] {mean, Math.sqrt(sq / v.length - mean * mean)};
  }

  @Test
  void heNormalHasStandardDeviationSqrtTwoOverFanIn() {
    float[] v = new Initializer("he_normal", 0, 3).values("conv.weight", 200_000, 288, 576);
    double[] ms = meanStd(v);
    assertEquals(0, ms[0], 0.002);
    assertEquals(Math.sqrt(2.0 / 288), ms[1], 0.01 * Math.sqrt(2.0 / 288));
  }

  @Test
  void xavierUniformStaysWithinItsLimit() {
    double limit = Math.sqrt(6.0 / (100 + 50));
    float[] v = new Initializer("xavier_uniform", 0, 1).values("fc.weight", 100_000, 100, 50);
    for (float x : v) {
      assertTrue(Math.abs(x) <= limit);
    }
    assertEquals(limit / Math.sqrt(3), meanStd(v)[1], 0.01 * limit);
  }

  @Test
  void normalUsesItsStandardDeviation() {
    assertEquals(0.5, meanStd(new Initializer("normal", 0.5, 9).values("w", 100_000, 1, 1))[1], 0.006);
  }

  @Test
  void seedAndNameDecideTheNumbers() {
    var a = new Initializer("he_uniform", 0, 7);
    assertArrayEquals(a.values("l.weight", 1000, 10, 10), new Initializer("he_uniform", 0, 7).values("l.weight", 1000, 10, 10));
    assertFalse(Arrays.equals(a.values("l.weight", 1000, 10, 10), a.values("m.weight", 1000, 10, 10)));
    assertFalse(Arrays.equals(a.values("l.weight", 1000, 10, 10),
        new Initializer("he_uniform", 0, 8).values("l.weight", 1000, 10, 10)));
  }

  @Test
  void zerosAndOnesAreConstant() {
    assertArrayEquals(new float[3], new Initializer("zeros", 0, 0).values("w", 3, 1, 1));
    assertArrayEquals(new float[] {1, 1, 1}, new Initializer("ones", 0, 0).values("w", 3, 1, 1));
  }
}
