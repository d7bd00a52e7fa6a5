package dev.cimc.frontend.dsl;

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
          if (s.value().equals("tensor")) {
            g = LayerHints.Granularity.TENSOR;
          } else if (s.value().equals("channel")) {
            g = LayerHints.Granularity.CHANNEL;
          } else {
            String near = NearestName.hint(s.value(), List.of("tensor", "channel"));
            d.error(argSpans[2], "`granularity` must be `tensor` or `channel`, got `" + s.value() + "`", near);
            return null;
          }
        }
        return new LayerHints(w, a, g, null, false);
      }
      case "duplicate": {
        long n = ((Val.IntV) args[0]).value();
        if (n < 1 || n > 1_000_000) {
          d.error(argSpans[0], "`@duplicate` needs a count of at least 1, got " + n, null);
          return null;
        }
        return new LayerHints(null, null, null, (int) n, false);
      }
      case "digital":
        return new LayerHints(null, null, null, null, true);
      default:
        throw new IllegalStateException("unknown annotation " + name);
    }
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
