package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The fast number readers agree bit for bit with the JDK, so printed floats read back exactly. */
class NumbersTest {
  private static float readFloat(String s) {
    return Numbers.parseFloat(s.toCharArray(), 0, s.length());
  }

  private static double readDouble(String s) {
    return Numbers.parseDouble(s.toCharArray(), 0, s.length());
  }

  @Property(tries = 2000)
  void everyPrintedFloatReadsBack(@ForAll int bits) {
    float f = Float.intBitsToFloat(bits);
    var sb = new StringBuilder();
    Numbers.appendFloat(sb, f);
    float back = readFloat(sb.toString());
    if (Float.isNaN(f)) {
      assertEquals(Float.floatToIntBits(Float.NaN), Float.floatToRawIntBits(back));
    } else {
      assertEquals(bits, Float.floatToRawIntBits(back), sb.toString());
    }
  }

  @Property(tries = 2000)
  void everyPrintedDoubleReadsBack(@ForAll long bits) {
    double d = Double.longBitsToDouble(bits);
    var sb = new StringBuilder();
    Numbers.appendDouble(sb, d);
    double back = readDouble(sb.toString());
    if (Double.isNaN(d)) {
      assertEquals(Double.doubleToLongBits(Double.NaN), Double.doubleToRawLongBits(back));
    } else {
      assertEquals(bits, Double.doubleToRawLongBits(back), sb.toString());
    }
  }

  @Property(tries = 3000)
  void decimalsRoundLikeTheJdk(@ForAll @LongRange(min = 0, max = 999_999_999_999_999_999L) long mantissa,
      @ForAll @IntRange(min = 0, max = 18) int fractionDigits, @ForAll @IntRange(min = -60, max = 60) int exponent,
      @ForAll boolean negative) {
    String digits = Long.toString(mantissa);
    int point = Math.max(1, digits.length() - Math.min(fractionDigits, digits.length() - 1));
    String s = (negative ? "-" : "") + digits.substring(0, point) + "." + digits.substring(point) + "E" + exponent;
    assertEquals(Float.floatToRawIntBits(Float.parseFloat(s)), Float.floatToRawIntBits(readFloat(s)), s);
    assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(readDouble(s)), s);
  }

  @Test
  void hardCases() {
    String[] cases = {
      // the double of this decimal is a float midpoint: rounding via double would round the wrong way
      "1.00000005960464478", "-1.00000005960464478", "1.0000000596046447", "0.0", "-0.0", "1", "16777217",
      "3.4028235E38", "3.4028236E38", "1.4E-45", "7.0E-46", "1e400", "1e-400", "4.9E-324", "1.7976931348623157E308",
      "123456789012345678", "1234567890123456789012", "0.000000000000000000000000000001", "9007199254740993",
      "1e99999999999", "1e-99999999999", "00000000000000000000000001.5",
    };
    for (String s : cases) {
      assertEquals(Float.floatToRawIntBits(Float.parseFloat(s)), Float.floatToRawIntBits(readFloat(s)), s);
      assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(readDouble(s)), s);
    }
    assertEquals(Float.NEGATIVE_INFINITY, readFloat("-inf"));
    assertEquals(Double.POSITIVE_INFINITY, readDouble("inf"));
    assertEquals(Double.doubleToLongBits(Double.NaN), Double.doubleToRawLongBits(readDouble("nan")));
  }
}
