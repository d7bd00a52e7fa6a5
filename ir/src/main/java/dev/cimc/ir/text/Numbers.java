package dev.cimc.ir.text;

/**
 * Number spelling shared by printer and parser. Floats always carry a '.' or an exponent so they never
 * read back as integers; non-finite values print as {@code nan}, {@code inf}, {@code -inf}. Java's
 * shortest-repr conversions make every value read back bit-identical (NaN payloads are canonicalized).
 */
public final class Numbers {
  private Numbers() {}

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
}
