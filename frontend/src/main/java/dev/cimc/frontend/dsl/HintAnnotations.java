package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Spelling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The annotations a layer call can carry ({@code @quant}, {@code @duplicate}, {@code @digital}) and their meaning. */
final class HintAnnotations {
  private HintAnnotations() {}

  static final Map<String, Signature> ALL = build();

  private static Map<String, Signature> build() {
    var m = new LinkedHashMap<String, Signature>();
    m.put("quant", new Signature("@quant", "annotation", List.of(
        ParamSpec.optional("w", Kind.INT, "unchanged"), ParamSpec.optional("a", Kind.INT, "unchanged"),
        ParamSpec.optional("granularity", Kind.SYMBOL, "unchanged"))));
    m.put("duplicate", new Signature("@duplicate", "annotation", List.of(ParamSpec.required("n", Kind.INT))));
    m.put("digital", new Signature("@digital", "annotation", List.of()));
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * The hints of one annotation from its evaluated arguments (in signature order, null when absent);
   * out-of-range values are reported at {@code span} and give null.
   */
  static LayerHints hints(String name, Val[] args, Span[] argSpans, Span span, Diagnostics d) {
    switch (name) {
      case "quant": {
        Integer w = bits("w", args[0], argSpans[0], d);
        Integer a = bits("a", args[1], argSpans[1], d);
        LayerHints.Granularity g = null;
        if (args[2] instanceof Val.StrV s) {
          g = granularity(s.value(), argSpans[2], d);
          if (g == null) {
            return null;
          }
        }
        if (args[0] != null && w == null || args[1] != null && a == null) {
          return null;
        }
        return new LayerHints(w, a, g, null, false);
      }
      case "duplicate": {
        long n = ((Val.IntV) args[0]).value();
        return count(n, argSpans[0], d) ? new LayerHints(null, null, null, (int) n, false) : null;
      }
      case "digital":
        return new LayerHints(null, null, null, null, true);
      default:
        throw new IllegalStateException("unknown annotation " + name);
    }
  }

  /**
   * Checks an annotation argument written as a literal (or a bare word), so a bad value is reported even
   * where lowering never evaluates it; the messages are lowering's.
   */
  static void checkLiteral(String annotation, String param, Ast.Expr e, Diagnostics d) {
    Val v = e instanceof Ast.IntLit i ? new Val.IntV(i.value())
        : e instanceof Ast.NameRef n ? new Val.StrV(n.name())
        : e instanceof Ast.StringLit s ? new Val.StrV(s.value()) : null;
    if (v == null) {
      return;
    }
    if (annotation.equals("quant") && (param.equals("w") || param.equals("a")) && v instanceof Val.IntV) {
      bits(param, v, e.span(), d);
    } else if (annotation.equals("quant") && param.equals("granularity") && v instanceof Val.StrV s) {
      granularity(s.value(), e.span(), d);
    } else if (annotation.equals("duplicate") && v instanceof Val.IntV i) {
      count(i.value(), e.span(), d);
    }
  }

  private static LayerHints.Granularity granularity(String s, Span span, Diagnostics d) {
    if (s.equals("tensor")) {
      return LayerHints.Granularity.TENSOR;
    }
    if (s.equals("channel")) {
      return LayerHints.Granularity.CHANNEL;
    }
    String near = Spelling.didYouMean(s, List.of("tensor", "channel"));
    d.error(span, "`granularity` must be `tensor` or `channel`, got `" + s + "`", near);
    return null;
  }

  private static boolean count(long n, Span span, Diagnostics d) {
    if (n < 1 || n > 1_000_000) {
      d.error(span, "`@duplicate` needs a count of at least 1, got " + n, null);
      return false;
    }
    return true;
  }

  private static Integer bits(String name, Val v, Span span, Diagnostics d) {
    if (v == null) {
      return null;
    }
    long bits = ((Val.IntV) v).value();
    if (bits < 1 || bits > 16) {
      d.error(span, "`" + name + "` bits must be between 1 and 16, got " + bits, null);
      return null;
    }
    return (int) bits;
  }
}
