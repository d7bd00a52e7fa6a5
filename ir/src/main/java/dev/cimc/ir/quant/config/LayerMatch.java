package dev.cimc.ir.quant.config;

import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;

/**
 * Which layers a rule selects: a glob over the layer's names and/or a glob over its op. A layer's names are
 * its result value names, the name of its constant weight (stable through folding and fusion, which rename
 * results) and, for imported models, the ONNX node name of its {@link Location.Named} location. Globs take {@code *} (any run of characters, dots included), {@code ?} (one character) and
 * {@code \} (the next character literally). An op pattern without a dot matches the op's short name
 * ({@code conv2d}), one with a dot the full name ({@code graph.conv2d}); a fused op also matches the patterns of
 * its base op ({@code fused_conv2d} is a {@code conv2d}). When both are given, both must match.
 *
 * @param name glob over layer names, or null for any name
 * @param op glob over op names, or null for any op
 */
public record LayerMatch(String name, String op) {
  public LayerMatch {
    if (name == null && op == null) {
      throw new IllegalArgumentException("a layer match needs a name or an op pattern");
    }
  }

  /** Layers whose name matches {@code glob}. */
  public static LayerMatch name(String glob) {
    return new LayerMatch(glob, null);
  }

  /** Layers running an op matching {@code glob}. */
  public static LayerMatch op(String glob) {
    return new LayerMatch(null, glob);
  }

  /** The layer whose result is named exactly {@code valueName} (glob characters escaped). */
  public static LayerMatch exactly(String valueName) {
    var sb = new StringBuilder();
    for (int i = 0; i < valueName.length(); i++) {
      char c = valueName.charAt(i);
      if (c == '*' || c == '?' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return new LayerMatch(sb.toString(), null);
  }

  /** True if {@code n} is selected. */
  public boolean matches(Node n) {
    if (op != null && !opMatches(n)) {
      return false;
    }
    if (name == null) {
      return true;
    }
    for (Value r : n.results()) {
      if (glob(name, r.name())) {
        return true;
      }
    }
    Value w = MixedPrecision.weight(n);
    if (w != null && glob(name, w.name())) {
      return true;
    }
    return n.location() instanceof Location.Named named && glob(name, named.name());
  }

  /** The op pattern against the op's name; a fused op ({@code fused_conv2d}) also answers to its base op's. */
  private boolean opMatches(Node n) {
    boolean qualified = op.indexOf('.') >= 0;
    if (glob(op, qualified ? n.op().fullName() : n.op().name())) {
      return true;
    }
    String name = n.op().name();
    if (!name.startsWith("fused_")) {
      return false;
    }
    String base = name.substring("fused_".length());
    return glob(op, qualified ? n.op().dialect() + "." + base : base);
  }

  /** The rule as written in a config file: {@code name `x`, op `y`}. */
  public String describe() {
    if (name != null && op != null) {
      return "name `" + name + "`, op `" + op + "`";
    }
    return name != null ? "name `" + name + "`" : "op `" + op + "`";
  }

  /** True if {@code text} matches the whole of {@code pattern}. */
  public static boolean glob(String pattern, String text) {
    return glob(pattern, 0, text, 0);
  }

  private static boolean glob(String p, int pi, String t, int ti) {
    // Iterative with one backtrack point for the last '*': linear in practice, no recursion depth issues.
    int starP = -1;
    int starT = -1;
    while (ti < t.length()) {
      if (pi < p.length()) {
        char c = p.charAt(pi);
        if (c == '*') {
          starP = pi++;
          starT = ti;
          continue;
        }
        if (c == '?') {
          pi++;
          ti++;
          continue;
        }
        if (c == '\\' && pi + 1 < p.length()) {
          c = p.charAt(pi + 1);
          if (c == t.charAt(ti)) {
            pi += 2;
            ti++;
            continue;
          }
        } else if (c == t.charAt(ti)) {
          pi++;
          ti++;
          continue;
        }
      }
      if (starP < 0) {
        return false;
      }
      pi = starP + 1;
      ti = ++starT;
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }
}
