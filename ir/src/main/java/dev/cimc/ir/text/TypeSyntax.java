package dev.cimc.ir.text;

import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;

/**
 * Text form of types: {@code tensor<1x3x224x224xf32>}, {@code tensor<f32>} (rank 0),
 * {@code tensor<4x!q.u8<scale=0.5, zp=128>>} (per tensor) and
 * {@code tensor<6x1x5x5x!q.i8<axis=0, scales=[...], zps=[...]>>} (per channel). {@link #parse} reads
 * what {@link #print} writes.
 */
public final class TypeSyntax {
  private TypeSyntax() {}

  /**
   * Parses a standalone type, e.g. {@code tensor<2x?xf32>}; surrounding whitespace is allowed.
   *
   * @throws ParseException if the text is not exactly one type (located in {@code "<type>"})
   */
  public static TensorType parse(String text) {
    return IrParser.parseType(text, "<type>");
  }

  public static String print(TensorType t) {
    var sb = new StringBuilder(32);
    append(sb, t);
    return sb.toString();
  }

  public static void append(StringBuilder sb, TensorType t) {
    sb.append("tensor<");
    Shape s = t.shape();
    for (int i = 0; i < s.rank(); i++) {
      int d = s.dim(i);
      if (d == Shape.DYNAMIC) {
        sb.append('?');
      } else {
        sb.append(d);
      }
      sb.append('x');
    }
    QuantParams q = t.quant();
    if (q == null) {
      sb.append(t.elementType().text());
    } else {
      sb.append("!q.").append(t.elementType().text()).append('<');
      if (q.isPerTensor()) {
        sb.append("scale=");
        Numbers.appendDouble(sb, q.scale(0));
        sb.append(", zp=").append(q.zeroPoint(0));
      } else {
        sb.append("axis=").append(q.axis()).append(", scales=[");
        for (int i = 0; i < q.channels(); i++) {
          if (i > 0) {
            sb.append(", ");
          }
          Numbers.appendDouble(sb, q.scale(i));
        }
        sb.append("], zps=[");
        for (int i = 0; i < q.channels(); i++) {
          if (i > 0) {
            sb.append(", ");
          }
          sb.append(q.zeroPoint(i));
        }
        sb.append(']');
      }
      sb.append('>');
    }
    sb.append('>');
  }
}
