package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import org.junit.jupiter.api.Test;

/** Every uniform scheme against parameters computed by hand. */
class QuantSchemeTest {
  private static QuantScheme affine(int bits, boolean signed, boolean symmetric, int axis, boolean pow2) {
    return new QuantScheme(QuantScheme.Kind.AFFINE, bits, signed, symmetric, axis, pow2);
  }

  private static QuantParams one(QuantScheme s, double lo, double hi) {
    return s.params(new double[] {lo}, new double[] {hi});
  }

  @Test
  void codeRanges() {
    assertEquals(-127, affine(8, true, true, -1, false).qmin());
    assertEquals(127, affine(8, true, true, -1, false).qmax());
    assertEquals(-128, affine(8, true, false, -1, false).qmin());
    assertEquals(0, affine(4, false, false, -1, false).qmin());
    assertEquals(15, affine(4, false, false, -1, false).qmax());
    assertEquals(-1, affine(2, true, true, -1, false).qmin());
    assertEquals(1, affine(2, true, true, -1, false).qmax());
  }

  @Test
  void storageTypes() {
    assertEquals(ElementType.I2, affine(2, true, true, -1, false).elementType());
    assertEquals(ElementType.I4, affine(3, true, true, -1, false).elementType());
    assertEquals(ElementType.U8, affine(6, false, false, -1, false).elementType());
    assertEquals(ElementType.I8, affine(8, true, true, 0, false).elementType());
  }

  @Test
  void asymmetricUnsigned8Bit() {
    // [-1, 3]: s = 4 / 255, z = round(0 + 1 / s) = round(63.75) = 64
    QuantParams p = one(QuantScheme.activations(8), -1, 3);
    assertEquals((float) (4.0 / 255), p.scale(0), 0);
    assertEquals(64, p.zeroPoint(0));
  }

  @Test
  void rangesAreWidenedToContainZero() {
    // [2, 5] becomes [0, 5]: s = 5 / 255, z = 0
    QuantParams p = one(QuantScheme.activations(8), 2, 5);
    assertEquals((float) (5.0 / 255), p.scale(0), 0);
    assertEquals(0, p.zeroPoint(0));
  }

  @Test
  void symmetricSigned8Bit() {
    // [-2, 1]: a = 2, s = 2 / 127, z = 0
    QuantParams p = one(affine(8, true, true, -1, false), -2, 1);
    assertEquals((float) (2.0 / 127), p.scale(0), 0);
    assertEquals(0, p.zeroPoint(0));
  }

  @Test
  void symmetricUnsignedUsesTheWholeCodeRange() {
    // [0, 5] unsigned symmetric 8-bit: s = 5 / 255, z = qmin = 0
    QuantParams p = one(affine(8, false, true, -1, false), 0, 5);
    assertEquals((float) (5.0 / 255), p.scale(0), 0);
    assertEquals(0, p.zeroPoint(0));
  }

  @Test
  void asymmetricSigned4Bit() {
    // [-1, 1], codes -8..7: s = 2 / 15, z = round(-8 + 7.5) = round(-0.5) = 0
    QuantParams p = one(affine(4, true, false, -1, false), -1, 1);
    assertEquals((float) (2.0 / 15), p.scale(0), 0);
    assertEquals(0, p.zeroPoint(0));
  }

  @Test
  void perChannel2BitSymmetric() {
    // channel 0 [-0.5, 0.25] → s = 0.5; channel 1 [0, 3] → s = 3; codes -1..1
    QuantParams p = affine(2, true, true, 0, false).params(new double[] {-0.5, 0}, new double[] {0.25, 3});
    assertEquals(0, p.axis());
    assertEquals(0.5, p.scale(0), 0);
    assertEquals(3.0, p.scale(1), 0);
    assertEquals(0, p.zeroPoint(1));
    assertThrows(IllegalArgumentException.class, () -> QuantScheme.activations(8).params(new double[] {0, 1},
        new double[] {1, 2}), "a per-tensor scheme takes one range");
  }

  @Test
  void powerOfTwoScalesRoundUp() {
    // [-1, 3] unsigned asymmetric 8-bit: 4/255 = 0.0157 rounds up to 2^-5 = 0.03125, z = round(1 / 0.03125) = 32
    QuantParams p = one(affine(8, false, false, -1, true), -1, 3);
    assertEquals(0.03125, p.scale(0), 0);
    assertEquals(32, p.zeroPoint(0));
    // symmetric signed: 2/127 = 0.01575 → 2^-5, z = 0
    QuantParams q = one(affine(8, true, true, -1, true), -2, 1);
    assertEquals(0.03125, q.scale(0), 0);
    assertEquals(0, q.zeroPoint(0));
  }

  @Test
  void allZeroRangesGetScaleOne() {
    QuantParams p = one(QuantScheme.activations(8), 0, 0);
    assertEquals(1.0, p.scale(0), 0);
    assertEquals(0, p.zeroPoint(0));
  }

  @Test
  void badWidthsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> affine(1, true, true, -1, false));
    assertThrows(IllegalArgumentException.class, () -> affine(9, true, true, -1, false));
    assertThrows(IllegalArgumentException.class, () -> new QuantScheme(QuantScheme.Kind.FP16, 8, true, false, -1,
        false));
  }
}
