package dev.cimc.frontend.dsl;

import dev.cimc.ir.type.TensorType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How tensor types read in DSL messages: {@code f32[1, 3, 224, 224]} rather than the IR's {@code tensor<1x3x224x224xf32>}. */
final class TypeText {
  private static final Pattern BARE_SHAPE = Pattern.compile("\\b(\\d+(?:x\\d+)+)\\b");
  private static final Pattern IR_TYPE = Pattern.compile("tensor<((?:(?:\\?|\\d+)x)*)([a-z]+[0-9]*)>");

  private TypeText() {}

  static String of(TensorType t) {
    var sb = new StringBuilder(t.elementType().text()).append('[');
    int[] dims = t.shape().dims();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(dims[i] < 0 ? "?" : Integer.toString(dims[i]));
    }
    return sb.append(']').toString();
  }

  /** Rewrites every plain IR tensor type in an op's message into DSL spelling. */
  static String rewrite(String message) {
    Matcher m = IR_TYPE.matcher(message);
    var sb = new StringBuilder();
    while (m.find()) {
      String dims = m.group(1);
      String inner = dims.isEmpty() ? "" : String.join(", ", dims.substring(0, dims.length() - 1).split("x"));
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2) + "[" + inner + "]"));
    }
    m.appendTail(sb);
    Matcher bare = BARE_SHAPE.matcher(sb.toString());
    var out = new StringBuilder();
    while (bare.find()) {
      bare.appendReplacement(out, Matcher.quoteReplacement("[" + String.join(", ", bare.group(1).split("x")) + "]"));
    }
    bare.appendTail(out);
    return out.toString();
  }
}
